"""贴图 (WeChat newspic): rendered, checked and built into draft/add as the platform wants.

Facts: draft_add (article_type newspic, image_info.image_list of permanent image_media_id,
1–20 pictures, the first is the cover; cover_info.crop_percent_list; plain-text content),
see docs/platform-limits.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from socialbot.config_file import load_settings
from socialbot.errors import RenderError
from socialbot.platforms import PLATFORMS, platform
from socialbot.platforms.wechat.newspic import center_crop, newspic_problems
from socialbot.platforms.wechat.part import WeChatArticle
from socialbot.platforms.wechat.payloads import draft_article, wechat_plan
from socialbot.post_file import load_post
from socialbot.rendered import ImageAsset, RenderedPost
from socialbot.rendering import render_post
from tests.helpers import newspic_post, write_config, write_post


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(write_config(tmp_path))


def render(settings, tmp_path: Path, text: str) -> RenderedPost:
    return render_post(load_post(write_post(tmp_path, "0605-photos.md", text),
                                 assets_dir=settings.assets_dir), settings)


def problems(settings, tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RenderError) as caught:
        render(settings, tmp_path, text)
    return [str(p) for p in caught.value.problems]


def pictures(folder: Path, count: int) -> str:
    """``count`` distinct small PNGs in ``folder``, as the front matter's images table."""
    lines = []
    for n in range(count):
        Image.new("RGB", (40, 30), (n * 10 % 256, 80, 120)).save(folder / f"p{n}.png")
        lines.append(f"  p{n}: p{n}.png")
    return "\n".join(lines)


def with_images(table: str, body: str = "图片故事。") -> str:
    return ("---\ntemplate: newspic\ntitle: 图片故事\naccounts: [shsmr_wechat]\n"
            f"images:\n{table}\n---\n{body}\n")


def test_newspic_renders_pictures_in_order_and_plain_text(settings, tmp_path: Path) -> None:
    r = render(settings, tmp_path, newspic_post(body="第一段。\n\n第二段 & “引号”。"))
    a = r.wechat
    assert a.article_type == "newspic" and a.is_newspic
    assert [i.name for i in a.image_list] == ["results", "work", "defence"]
    assert a.cover == a.image_list[0]
    assert a.content_html == "第一段。\n\n第二段 & “引号”。\n\n指导单位：市市场监管局"
    assert "weibo" not in r.parts  # the post targets the WeChat account only
    # 900×1200 pictures: the centred square and 2.35:1 crops of the first one
    assert a.crop_1_1 == "0_0.125_1_0.875"
    assert a.crop_235_1 == center_crop(900, 1200, 2.35)
    back = RenderedPost.from_json(r.to_json(), PLATFORMS)
    assert back.wechat == a and back.content_hash == r.content_hash


def test_news_fingerprint_is_unchanged_by_the_newspic_fields() -> None:
    cover = ImageAsset("cover", b"x", "png", 900, 500)
    news = WeChatArticle("t", "a", "d", "<p>x</p>", "", cover, "0_0_1_1", "0_0_1_1")
    assert "article_type" not in news.fingerprint() and "article_type" not in news.to_json()


def test_reordering_pictures_changes_the_content_hash(settings, tmp_path: Path) -> None:
    a = render(settings, tmp_path, newspic_post())
    swapped = newspic_post().replace("  work: images/epidemic-work.png\n", "")
    swapped = swapped.replace("  defence: images/epidemic-defence.png\n",
                              "  defence: images/epidemic-defence.png\n"
                              "  work: images/epidemic-work.png\n")
    b = render(settings, tmp_path, swapped)
    assert a.content_hash != b.content_hash


def test_draft_payload_is_a_newspic_with_permanent_ids(settings, tmp_path: Path) -> None:
    a = render(settings, tmp_path, newspic_post()).wechat
    body = draft_article(a, a.content_html, "THUMB", ["M1", "M2", "M3"])
    assert body["article_type"] == "newspic"
    assert body["image_info"] == {"image_list": [{"image_media_id": m}
                                                 for m in ("M1", "M2", "M3")]}
    assert "thumb_media_id" not in body and "digest" not in body
    crops = {c["ratio"]: c for c in body["cover_info"]["crop_percent_list"]}
    assert crops["1_1"] == {"ratio": "1_1", "x1": "0", "y1": "0.125", "x2": "1", "y2": "0.875"}
    assert set(crops) == {"1_1", "2.35_1"}
    assert all(isinstance(v, str) for c in crops.values() for v in c.values())


def test_plan_uploads_each_picture_as_permanent_material(settings, tmp_path: Path) -> None:
    r = render(settings, tmp_path, newspic_post())
    calls = wechat_plan(settings.accounts["shsmr_wechat"], r, "key")
    endpoints = [c.endpoint for c in calls]
    assert endpoints.count("cgi-bin/material/add_material") == 3
    assert "cgi-bin/media/uploadimg" not in endpoints
    draft = next(c for c in calls if c.endpoint == "cgi-bin/draft/add")
    ids = [i["image_media_id"] for i in draft.payload["articles"][0]["image_info"]["image_list"]]
    assert [i.split(" of ")[1].split("-")[0] for i in ids] == ["results", "work", "defence"]


def test_a_newspic_needs_pictures(settings, tmp_path: Path) -> None:
    text = "---\ntemplate: newspic\ntitle: 图片故事\naccounts: [shsmr_wechat]\n---\n图片故事。\n"
    found = problems(settings, tmp_path, text)
    assert any("字段 images" in p and "至少要有 1 张图片" in p for p in found), found


def test_twenty_pictures_pass_and_twenty_one_are_refused(settings, tmp_path: Path) -> None:
    assert len(render(settings, tmp_path, with_images(pictures(tmp_path, 20))).wechat
               .image_list) == 20
    found = problems(settings, tmp_path, with_images(pictures(tmp_path, 21)))
    assert any("字段 images" in p and "共 21 张图片，超过微信上限 20 张" in p for p in found), found


@pytest.mark.parametrize(("body", "said"), [
    ("图片<b>故事</b>。", "不能含 HTML 标记"),
    ("详见 https://scjgj.sh.gov.cn/ 。", "不能含网址"),
    ("详见[市场监管局](https://scjgj.sh.gov.cn/)。", "Markdown 链接或图片写法"),
    ("**图片**故事。", "Markdown 加粗"),
    ("## 图片故事", "Markdown 小标题"),
])
def test_markup_and_links_are_refused_with_their_line(
    settings, tmp_path: Path, body: str, said: str
) -> None:
    found = problems(settings, tmp_path, newspic_post(body="第一行。\n" + body))
    assert any("0605-photos.md 第 13 行（贴图文字）" in p and said in p for p in found), found


def test_title_and_text_limits(settings, tmp_path: Path) -> None:
    found = problems(settings, tmp_path, newspic_post(title="题" * 33, body="字" * 1001))
    assert any("标题" in p and "33" in p and "32" in p for p in found), found
    assert any("贴图文字有" in p and "超过上限 1000 个字" in p for p in found), found


def test_checks_before_a_send_refuse_a_bad_newspic(settings) -> None:
    gif = ImageAsset("a", b"x" * 10, "webp", 10, 10)
    bad = WeChatArticle("图", "", "", "文字 <i>x</i>", "", gif, "", "",
                        article_type="newspic", image_list=(gif,) * 21)
    found = [str(p) for p in newspic_problems(bad, "x.md（微信 shsmr_wechat）")]
    assert any("21 张图片，应为 1～20 张" in p for p in found), found
    assert any("第 1 张图片 a 格式为 webp" in p for p in found), found
    assert any("HTML" in p for p in found), found
    account = settings.accounts["shsmr_wechat"]
    assert platform("wechat").check(bad, account, "x.md")  # the platform's check uses them


def test_preview_card_shows_every_picture_and_the_text(settings, tmp_path: Path) -> None:
    r = render(settings, tmp_path, newspic_post(body="第一段。\n\n第二段。"))
    files = {i.sha256: f"{i.name}.png" for i in r.wechat.image_list}
    html = str(platform("wechat").preview_card(
        r.wechat, [settings.accounts["shsmr_wechat"]], files, r))
    assert html.index("results.png") < html.index("work.png") < html.index("defence.png")
    assert "<p>第一段。</p>" in html and "<p>第二段。</p>" in html and "3 图" in html
