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

# 贴图 (article_type newspic), draft_add: 1–20 pictures, the first is the cover, each a
# permanent image material (add_material: bmp/png/jpeg/gif, 10 MB); content is plain text.
NEWSPIC_TEMPLATE = "newspic"  # the post kind (templates/posts/newspic.j2) that makes one
NEWSPIC_IMAGES_MIN = 1
NEWSPIC_IMAGES_MAX = 20
NEWSPIC_IMAGE_FORMATS = ("jpeg", "png", "gif", "bmp")
NEWSPIC_IMAGE_MAX_BYTES = WECHAT_COVER_MAX_BYTES
# The API documents no length for a 贴图's text beyond the article's 20,000 characters;
# 贴图 text is meant to be short, so we hold it to 1,000 characters (our rule, not WeChat's).
NEWSPIC_TEXT_MAX = 1000
NEWSPIC_CROP_RATIOS = {"1_1": 1.0, "2.35_1": 2.35}  # cover_info.crop_percent_list ratios we send


def wechat_length(text: str) -> int:
    """WeChat counts title/author/digest in characters (code points)."""
    return len(text)


# Hosts an article may point at once published: uploaded images and WeChat articles.
WECHAT_IMAGE_HOSTS = ("mmbiz.qpic.cn", "mmbiz.qlogo.cn")
WECHAT_LINK_HOSTS = ("mp.weixin.qq.com",)
