"""Rendered posts in the store: readable JSON, with image bytes kept once per sha256.

The queue keeps the post's document (``RenderedPost.to_document``: JSON without image
bytes, so ``SELECT rendered FROM posts`` stays readable) and stores each image once in
``images``, shared by every post and edit that uses the same pixels. The document's
shape is the post's own business: this module only stores and fetches.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from socialbot.rendered import RenderedPost, document_images
from socialbot.store.schema import images, posts


def dump_rendered(conn: Connection, rendered: RenderedPost) -> str:
    """JSON text for ``posts.rendered``; stores any image not seen before."""
    doc, blobs = rendered.to_document()
    formats = {image.sha256: image.format for image in rendered.images()}
    dialect = _dialect(conn)
    for sha, data in blobs.items():
        conn.execute(dialect.insert(images)
                     .values(sha256=sha, format=formats[sha], data=data)
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
    rows = conn.execute(select(images.c.sha256, images.c.data)
                        .where(images.c.sha256.in_(document_images(doc)))).all()
    blobs: dict[str, bytes] = {}
    for sha, data in rows:
        blob: Any = data
        blobs[str(sha)] = bytes(blob)
    from socialbot.platforms import PLATFORMS  # each part is read back by its platform

    return RenderedPost.from_document(doc, blobs, PLATFORMS)
