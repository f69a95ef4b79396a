"""WeChat limits, from the official docs (see docs/platform-limits.md for sources)."""

WECHAT_TITLE_MAX = 32
WECHAT_AUTHOR_MAX = 16
WECHAT_DIGEST_MAX = 128
WECHAT_CONTENT_MAX_CHARS = 20_000
WECHAT_CONTENT_MAX_BYTES = 1_000_000
WECHAT_SOURCE_URL_MAX_BYTES = 1024
WECHAT_COVER_MAX_BYTES = 10 * 1024 * 1024
WECHAT_INLINE_IMAGE_MAX_BYTES = 1024 * 1024 - 1  # uploadimg: "< 1 MB", JPEG/PNG only
WECHAT_AUTO_DIGEST_CHARS = 54


def wechat_length(text: str) -> int:
    """WeChat counts title/author/digest in characters (code points)."""
    return len(text)


# Hosts an article may point at once published: uploaded images and WeChat articles.
WECHAT_IMAGE_HOSTS = ("mmbiz.qpic.cn", "mmbiz.qlogo.cn")
WECHAT_LINK_HOSTS = ("mp.weixin.qq.com",)
