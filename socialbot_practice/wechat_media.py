"""WeChat image uploads: ``media/uploadimg`` (images inside articles) and ``material/add_material``.

The limits differ per endpoint (reference §5), which is exactly where a bot that reuses one
image for both gets caught: uploadimg takes only JPEG/PNG under 1 MB.
"""

from __future__ import annotations

from socialbot_practice.accounts import WeChatAccount
from socialbot_practice.errors import WeChatError
from socialbot_practice.images import dimensions, make_image, sniff
from socialbot_practice.protocol import Reply, Request, UploadedFile
from socialbot_practice.state import SandboxState, random_id

UPLOADIMG_MAX = 1024 * 1024  # must be strictly below 1 MB
MATERIAL_IMAGE_MAX = 10 * 1024 * 1024
MATERIAL_THUMB_MAX = 64 * 1024
FOLDER = "mmbiz"


def _media_part(req: Request) -> UploadedFile:
    _, files = req.form()
    upload = files.get("media")
    if upload is None or not upload.data:
        raise WeChatError(41005, "media data missing")
    return upload


def uploadimg(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/media/uploadimg: JPEG/PNG < 1 MB; the URL is usable inside articles."""
    upload = _media_part(req)
    kind = sniff(upload.data)
    if kind not in ("jpeg", "png"):
        raise WeChatError(40005, "invalid file type")
    if len(upload.data) >= UPLOADIMG_MAX:
        raise WeChatError(40009, "invalid image size")
    size = dimensions(upload.data)
    if size is None:
        raise WeChatError(40009, "invalid image size")
    url = state.store_image(FOLDER, make_image(upload.data, kind, size))
    account.uploadimg_urls.add(url)
    return Reply.json({"url": url})


def add_material(state: SandboxState, req: Request, account: WeChatAccount) -> Reply:
    """POST cgi-bin/material/add_material: permanent image (cover) or thumb material."""
    media_type = req.query.get("type", "")
    if media_type not in ("image", "thumb"):
        if media_type in ("voice", "video"):
            raise WeChatError(40004, "invalid media type (the practice platform keeps images only)")
        raise WeChatError(40004, "invalid media type")
    upload = _media_part(req)
    kind = sniff(upload.data)
    allowed = ("jpeg",) if media_type == "thumb" else ("jpeg", "png", "gif", "bmp")
    if kind not in allowed:
        raise WeChatError(40005, "invalid file type")
    limit = MATERIAL_THUMB_MAX if media_type == "thumb" else MATERIAL_IMAGE_MAX
    if len(upload.data) > limit:
        raise WeChatError(45001, "media size out of limit")
    size = dimensions(upload.data)
    if size is None:
        raise WeChatError(40137, "invalid image format")
    image = make_image(upload.data, kind, size)
    url = state.store_image(FOLDER, image)
    media_id = random_id()
    account.materials[media_id] = image
    account.material_urls[media_id] = url
    return Reply.json({"media_id": media_id, "url": url})
