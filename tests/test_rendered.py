"""RenderedPost as parts: the store's document form, old documents, a stable hash."""

from __future__ import annotations

import hashlib
import json

from test_store_helpers import tiny_rendered

from socialbot.platforms import PLATFORMS
from socialbot.rendered import RenderedPost, document_images


def test_document_keeps_image_bytes_apart_and_round_trips() -> None:
    rendered = tiny_rendered()
    doc, blobs = rendered.to_document()
    text = json.dumps(doc, ensure_ascii=False)
    assert '"data"' not in text  # readable JSON, no base64
    assert set(blobs) == document_images(doc) == {i.sha256 for i in rendered.images()}
    back = RenderedPost.from_document(json.loads(text), blobs, PLATFORMS)
    assert back == rendered and back.content_hash == rendered.content_hash


def test_a_document_written_before_parts_existed_still_loads() -> None:
    rendered = tiny_rendered()
    doc, blobs = rendered.to_document()
    old = {k: v for k, v in doc.items() if k != "parts"} | doc["parts"]  # parts at top level
    assert RenderedPost.from_document(old, blobs, PLATFORMS) == rendered


def test_the_content_hash_is_the_one_approvals_were_bound_to_before_parts() -> None:
    rendered = tiny_rendered()
    w, s = rendered.part("wechat"), rendered.part("weibo")
    before = {  # what the hash covered when RenderedPost had .wechat and .weibo fields
        "post_id": rendered.post_id,
        "wechat": {"title": w.title, "author": w.author, "digest": w.digest,
                   "content_html": w.content_html, "source": w.content_source_url,
                   "cover": w.cover.sha256, "crops": [w.crop_235_1, w.crop_1_1],
                   "images": [i.sha256 for i in w.images], "comments": w.need_open_comment},
        "weibo": {"text": s.text, "image": s.image.sha256},
    }
    canonical = json.dumps(before, ensure_ascii=False, sort_keys=True).encode("utf-8")
    assert rendered.content_hash == hashlib.sha256(canonical).hexdigest()
