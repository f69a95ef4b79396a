from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialbot.config_file import load_settings
from socialbot.errors import PostError, RenderError
from socialbot.platforms.wechat.limits import WECHAT_IMAGE_HOSTS, WECHAT_LINK_HOSTS
from socialbot.platforms.weibo.textcount import weibo_length
from socialbot.post_file import load_post
from socialbot.rendering import render_post
from tests.helpers import GOOD_POST, REPO, write_config, write_post


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(write_config(tmp_path))


def render_text(settings, tmp_path: Path, text: str):
    return render_post(
        load_post(write_post(tmp_path, text=text), assets_dir=settings.assets_dir), settings
    )


def test_good_post_renders_both_platforms(settings, tmp_path: Path) -> None:
    r = render_text(settings, tmp_path, GOOD_POST)
    assert r.wechat.title == "实验室“云开放”直播预告"
    assert "上海市场监管视频号" in r.wechat.content_html  # details reached the template
    assert r.weibo.text.endswith("详情：https://scjgj.sh.gov.cn/wad2022/lab")
    assert weibo_length(r.weibo.text) <= 140
    assert r.weibo.image.format in ("jpeg", "png")
    assert len(r.content_hash) == 64


def test_external_link_becomes_numbered_reference(settings, tmp_path: Path) -> None:
    html = render_text(settings, tmp_path, GOOD_POST).wechat.content_html
    assert "上海市市场监督管理局[1]" in html
    assert "[1] 上海市市场监督管理局：https://scjgj.sh.gov.cn/" in html
    assert 'href="https://scjgj.sh.gov.cn/"' not in html


def test_wechat_link_kept(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("(https://scjgj.sh.gov.cn/)", "(https://mp.weixin.qq.com/s/abc)")
    html = render_text(settings, tmp_path, text).wechat.content_html
    assert 'href="https://mp.weixin.qq.com/s/abc"' in html


def test_over_long_title_located(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("title: 实验室“云开放”直播预告", "title: " + "长" * 33)
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    message = info.value.render()
    assert "0609-lab.md 字段 title" in message
    assert "33 字" in message and "32" in message


def test_over_long_weibo_located(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("weibo: 6月9日14:00", "weibo: " + "很" * 140)
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    assert "微博正文" in info.value.render()
    assert "超过上限 140" in info.value.render()


def test_topic_markup_refused(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("weibo: 6月9日14:00", "weibo: '关注#世界认可日# 6月9日14:00").replace(
        "一线。\n", "一线。'\n", 1
    )
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    assert "#话题#" in info.value.render()


def test_link_outside_safe_domain_refused(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace(
        "link: https://scjgj.sh.gov.cn/wad2022/lab", "link: https://example.com/x"
    )
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    assert "安全域名" in info.value.render()


def test_undefined_template_variable_names_template_line(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("template: livestream", "template: forum")  # forum needs a topic
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    message = info.value.render()
    assert re.search(r"模板 forum\.j2 第 \d+ 行", message)
    assert "topic" in message
    assert "details" in message


def test_unknown_template_lists_available(settings, tmp_path: Path) -> None:
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, GOOD_POST.replace("template: livestream", "template: poem"))
    assert "未知模板“poem”" in info.value.render()
    assert "livestream" in info.value.render()


def test_undeclared_body_image_located(settings, tmp_path: Path) -> None:
    text = GOOD_POST + "\n![实验室](lab)\n"
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    assert "0609-lab.md 第 19 行" in info.value.render()
    assert "“lab”没有在 images 中声明" in info.value.render()


def test_missing_image_file_located(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace(
        "kicker: 直播预告", "kicker: 直播预告\ncover:\n  photo: photos/gone.jpg"
    )
    with pytest.raises(PostError) as info:
        render_text(settings, tmp_path, text)
    assert "字段 cover.photo" in info.value.render()
    assert "photos/gone.jpg" in info.value.render()


def test_inline_image_becomes_asset_ref(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace(
        "kicker: 直播预告", "kicker: 直播预告\nimages:\n  lab: images/lab-open-day.png"
    )
    r = render_text(settings, tmp_path, text + "\n![实验室](lab)\n")
    assert len(r.wechat.images) == 1
    assert f'src="{r.wechat.images[0].ref}"' in r.wechat.content_html
    assert len(r.wechat.images[0].data) < 1024 * 1024


def test_staff_template_overrides_packaged(tmp_path: Path) -> None:
    mine = tmp_path / "mytemplates"
    mine.mkdir()
    (mine / "livestream.j2").write_text(
        '{% extends "_base.j2" %}{% block lead %}<p class="lead">区局自定义开头</p>{% endblock %}',
        "utf-8",
    )
    settings = load_settings(write_config(tmp_path, templates=str(mine)))
    html = render_text(settings, tmp_path, GOOD_POST).wechat.content_html
    assert "区局自定义开头" in html


def test_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    mine = tmp_path / "mytemplates"
    mine.mkdir()
    (mine / "news.j2").write_text(
        '{% extends "_base.j2" %}{% block lead %}{{ post.__class__.__mro__ }}{% endblock %}',
        "utf-8",
    )
    settings = load_settings(write_config(tmp_path, templates=str(mine)))
    with pytest.raises(RenderError):
        render_text(settings, tmp_path, GOOD_POST.replace("template: livestream", "template: news"))


@pytest.mark.parametrize("expression", [
    'campaign.logo.parent.joinpath("secrets.toml").read_text()',  # a Path in the context
    'campaign.logo.read_bytes()',
    'campaign.__class__',
])
def test_staff_template_cannot_read_files_through_the_context(tmp_path: Path,
                                                               expression: str) -> None:
    """The sandbox blocks only underscores: any object in the context with methods (a
    Path) let a template read the secrets file into a published article."""
    (tmp_path / "secrets.toml").write_text('SOCIALBOT_X = "TOPSECRET-1"\n', "utf-8")
    (tmp_path / "logo.png").write_bytes((REPO / "assets" / "emblem.png").read_bytes())
    mine = tmp_path / "mytemplates"
    mine.mkdir()
    (mine / "news.j2").write_text(
        '{% extends "_base.j2" %}{% block lead %}{{ ' + expression + ' }}{% endblock %}', "utf-8")
    config = write_config(tmp_path, templates=str(mine))
    text = config.read_text("utf-8").replace("[campaign]\n", '[campaign]\nlogo = "logo.png"\n')
    config.write_text(text, "utf-8")
    settings = load_settings(config)
    assert settings.campaign.logo is not None
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, GOOD_POST.replace("template: livestream", "template: news"))
    message = info.value.render()
    assert "TOPSECRET" not in message and "模板" in message
    assert "unsafe" not in message  # told in Chinese


@pytest.mark.parametrize("target", ["secrets.toml", "secret-link.j2", "secret-link.txt"])
def test_staff_template_cannot_include_files_other_than_its_own_templates(
        tmp_path: Path, target: str) -> None:
    """Previously ``{% include %}`` read any file in the folder, and followed symlinks out
    of it: with templates = "." or a link to secrets.toml, the secret was published."""
    (tmp_path / "secrets.toml").write_text('SOCIALBOT_X = "TOPSECRET-1"\n', "utf-8")
    mine = tmp_path / "mytemplates"
    mine.mkdir()
    for link in ("secret-link.j2", "secret-link.txt"):
        (mine / link).symlink_to(tmp_path / "secrets.toml")
    (mine / "secrets.toml").write_text('SOCIALBOT_X = "TOPSECRET-1"\n', "utf-8")
    (mine / "news.j2").write_text(
        '{% extends "_base.j2" %}{% block lead %}{% include "' + target + '" %}{% endblock %}',
        "utf-8")
    settings = load_settings(write_config(tmp_path, templates=str(mine)))
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, GOOD_POST.replace("template: livestream", "template: news"))
    message = info.value.render()
    assert "TOPSECRET" not in message and target in message and "模板文件夹" in message


def test_content_hash_changes_with_content(settings, tmp_path: Path) -> None:
    a = render_text(settings, tmp_path, GOOD_POST)
    b = render_text(settings, tmp_path, GOOD_POST.replace("质量的守门人", "质量的把关人"))
    assert a.content_hash != b.content_hash
    assert a.content_hash == render_text(settings, tmp_path, GOOD_POST).content_hash


@pytest.fixture(scope="module")
def campaign():
    settings = load_settings(REPO / "config.toml")
    paths = sorted(settings.posts_dir.glob("*.md"))
    return [render_post(load_post(p, assets_dir=settings.assets_dir), settings) for p in paths]


def test_campaign_html_is_wechat_safe(campaign) -> None:
    assert len(campaign) >= 8
    for r in campaign:
        html = r.wechat.content_html
        if r.wechat.is_newspic:  # a 贴图 carries plain text: no markup at all
            assert "<" not in html and ">" not in html and "**" not in html
            continue
        lowered = html.lower()
        assert "<style" not in lowered and "<script" not in lowered and "class=" not in lowered
        for url in re.findall(r'<img[^>]+src="([^"]+)"', html):
            assert url.startswith("asset:") or any(h in url for h in WECHAT_IMAGE_HOSTS), url
        for url in re.findall(r'<a[^>]+href="([^"]+)"', html):
            assert any(f"//{h}/" in url for h in WECHAT_LINK_HOSTS), url
        assert 'style="' in html  # theme CSS arrived inline
        assert "**" not in html  # Markdown fully rendered


def test_campaign_fits_platform_limits(campaign) -> None:
    for r in campaign:
        assert len(r.wechat.title) <= 32 and len(r.wechat.digest) <= 128
        assert len(r.wechat.content_html) <= 20_000
        assert len(r.wechat.cover.data) <= 10 * 1024 * 1024
        if "weibo" not in r.parts:  # the sample 贴图 goes to WeChat only
            continue
        assert weibo_length(r.weibo.text) <= 140
        assert "scjgj.sh.gov.cn" in r.weibo.text
        assert len(r.weibo.image.data) < 5 * 1024 * 1024


def test_rendered_json_round_trip(campaign) -> None:
    from socialbot.platforms import PLATFORMS
    from socialbot.rendered import RenderedPost

    for r in campaign[:2]:
        again = RenderedPost.from_json(r.to_json(), PLATFORMS)
        assert again == r
        assert again.content_hash == r.content_hash


def test_missing_glyph_fails_clearly(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("title: 实验室“云开放”直播预告", "title: 实验室开放日😀")
    with pytest.raises(RenderError) as info:
        render_text(settings, tmp_path, text)
    assert "0609-lab.md 字段 title" in info.value.render()
    assert "😀" in info.value.render()


def test_bold_next_to_chinese_punctuation(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace("检验检测是**质量的守门人**。", "主题是**“传递质量信任”**。")
    html = render_text(settings, tmp_path, text).wechat.content_html
    assert "**" not in html
    assert "“传递质量信任”</strong>" in html


def test_link_fragment_is_not_a_topic(settings, tmp_path: Path) -> None:
    text = GOOD_POST.replace(
        "link: https://scjgj.sh.gov.cn/wad2022/lab", "link: https://scjgj.sh.gov.cn/wad2022/lab#a#b"
    )
    assert "#a#b" in render_text(settings, tmp_path, text).weibo.text
