"""Rendered posts in the store: readable JSON, with image bytes kept once per sha256.

``RenderedPost.to_json`` carries images as base64; the queue keeps that JSON minus the
bytes (so ``SELECT rendered FROM posts`` stays readable) and stores each image once in
``images``, shared by every post and edit that uses the same pixels.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from socialbot.rendered import RenderedPost
from socialbot.store.schema import images, posts


def _image_dicts(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield doc["wechat"]["cover"]
    yield from doc["wechat"]["images"]
    yield doc["weibo"]["image"]


def dump_rendered(conn: Connection, rendered: RenderedPost) -> str:
    """JSON text for ``posts.rendered``; stores any image not seen before."""
    doc = rendered.to_json()
    for image in _image_dicts(doc):
        data = base64.b64decode(image.pop("data"))
        dialect = _dialect(conn)
        conn.execute(dialect.insert(images)
                     .values(sha256=image["sha256"], format=image["format"], data=data)
                     .on_conflict_do_nothing(index_elements=["sha256"]))
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def _dialect(conn: Connection) -> Any:
    """The backend's own INSERT (ON CONFLICT), imported when first written."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql
    from sqlalchemy.dialects import sqlite

    return sqlite


def load_rendered(conn: Connection, post: int) -> RenderedPost:
    text: Any = conn.execute(select(posts.c.rendered).where(posts.c.id == post)).scalar_one()
    return parse_rendered(conn, str(text))


def parse_rendered(conn: Connection, text: str) -> RenderedPost:
    doc = json.loads(text)
    wanted = {image["sha256"] for image in _image_dicts(doc)}
    rows = conn.execute(select(images.c.sha256, images.c.data)
                        .where(images.c.sha256.in_(wanted))).all()
    blobs: dict[str, bytes] = {}
    for sha, data in rows:
        blob: Any = data
        blobs[str(sha)] = bytes(blob)
    for image in _image_dicts(doc):
        image["data"] = base64.b64encode(blobs[image["sha256"]]).decode("ascii")
    return RenderedPost.from_json(doc)
