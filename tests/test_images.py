"""Cover and poster images: sizes, crops, byte limits, typesetting and clear failures."""

from __future__ import annotations

import io
import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from socialbot.render.fonts import load_font, missing_glyphs
from socialbot.render.images import (
    CoverImage,
    ImageError,
    ImageSpec,
    PosterImage,
    fit_image_bytes,
)
from socialbot.render.images import make_cover as _make_cover
from socialbot.render.images import make_poster as _make_poster
from socialbot.render.typeset import NO_END, NO_START, clusters, fit_text, wrap_cjk

SPEC = ImageSpec(
    title="2022年“世界认可日”主题宣传活动今日启动",
    slogan="传递质量信任，服务绿色发展",
    date_text="2022年6月9日",
    organiser="上海市市场监督管理局",
    kicker="6·9世界认可日",
    colours=("#0b6e4f", "#e9f4ee", "#f2a900"),
)
COVER_MAX_BYTES = 10 * 1024 * 1024  # the WeChat cover limit
POSTER_MAX_BYTES = 5 * 1024 * 1024 - 1  # the Weibo image limit


def make_cover(spec: ImageSpec) -> CoverImage:
    return _make_cover(spec, COVER_MAX_BYTES)


def make_poster(spec: ImageSpec) -> PosterImage:
    return _make_poster(spec, POSTER_MAX_BYTES)


CLOSING = sorted(NO_START & set("，。、；：？！）》」』”’…—％"))
OPENING = sorted(NO_END & set("（《「『“‘"))
HAN = "认证可检验测质量信任服务绿色发展上海市场监督管理局实验室开放直播预告"


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


@pytest.fixture(scope="module")
def cover() -> CoverImage:
    return make_cover(SPEC)


def test_cover_size_format_and_limit(cover: CoverImage) -> None:
    img = _open(cover.data)
    assert (img.width, img.height) == (cover.width, cover.height)
    assert img.format.lower() == cover.format == "jpeg"
    assert img.mode == "RGB"
    assert len(cover.data) <= 10 * 1024 * 1024
    assert len(cover.data) < 300 * 1024  # comfortably small for upload


def test_poster_portrait_size_format_and_limit() -> None:
    poster = make_poster(SPEC)
    img = _open(poster.data)
    assert (img.width, img.height) == (poster.width, poster.height) == (1080, 1440)
    assert img.format.lower() == poster.format == "jpeg"
    assert len(poster.data) < 5 * 1024 * 1024
    assert len(poster.data) < 500 * 1024


@pytest.mark.parametrize(("which", "ratio"), [("crop_235_1", 2.35), ("crop_1_1", 1.0)])
def test_crop_ratios_in_pixels(cover: CoverImage, which: str, ratio: float) -> None:
    x1, y1, x2, y2 = getattr(cover, which)
    assert 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1
    width_px = (x2 - x1) * cover.width
    height_px = (y2 - y1) * cover.height
    assert width_px / height_px == pytest.approx(ratio, rel=0.01)


def test_crop_strings_use_wechat_format(cover: CoverImage) -> None:
    pattern = re.compile(r"^(0|1|0\.\d{0,5}[1-9])(_(0|1|0\.\d{0,5}[1-9])){3}$")
    for which in ("235_1", "1_1"):
        field = cover.crop_field(which)
        assert pattern.match(field), field
        values = [float(v) for v in field.split("_")]
        assert values == pytest.approx(list(getattr(cover, f"crop_{which}")), abs=1e-6)
    assert cover.crop_field("235_1").startswith("0_0.12")
    assert cover.crop_field("1_1") == "0.21875_0_0.78125_1"
    with pytest.raises(ValueError):
        cover.crop_field("16_9")


def test_cover_text_stays_inside_both_crops(cover: CoverImage) -> None:
    """Outside the 2.35:1 band and outside the central square only background remains."""
    img = _open(cover.data).convert("L")
    w, h = img.size
    _, top, _, bottom = (round(v * n) for v, n in zip(cover.crop_235_1, (w, h, w, h), strict=True))
    left, _, right, _ = (round(v * n) for v, n in zip(cover.crop_1_1, (w, h, w, h), strict=True))
    outside = [(0, 0, w, top), (0, bottom, w, h), (0, 0, left, h), (right, 0, w, h)]
    for box in outside:
        # White title text or the emblem's white disc would push the maximum near 255.
        assert img.crop(box).getextrema()[1] < 200, box


def test_fit_image_bytes_shrinks_big_noisy_image() -> None:
    rnd = random.Random(7)
    noise = Image.frombytes("RGB", (1600, 1200), rnd.randbytes(1600 * 1200 * 3))
    buf = io.BytesIO()
    noise.save(buf, "PNG")
    assert len(buf.getvalue()) > 4 * 1024 * 1024
    data, fmt = fit_image_bytes(buf.getvalue(), max_bytes=1024 * 1024 - 1)
    assert len(data) < 1024 * 1024
    assert fmt == "jpeg"
    assert _open(data).format == "JPEG"


def test_fit_image_bytes_keeps_small_allowed_file_untouched() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "green").save(buf, "PNG")
    assert fit_image_bytes(buf.getvalue(), max_bytes=1024 * 1024) == (buf.getvalue(), "png")


def test_fit_image_bytes_rejects_corrupt_data() -> None:
    with pytest.raises(ImageError, match="无法读取"):
        fit_image_bytes(b"\x89PNG\r\n\x1a\nnot really", max_bytes=1000, source="lab.png")


def test_kinsoku_no_line_starts_with_closing_or_ends_with_opening() -> None:
    rnd = random.Random(2022)
    font = load_font(32)
    checked = 0
    for _ in range(300):
        parts = []
        for _ in range(rnd.randint(5, 40)):
            roll = rnd.random()
            if roll < 0.2:
                parts.append(rnd.choice(CLOSING))
            elif roll < 0.3:
                parts.append(rnd.choice(OPENING))
            elif roll < 0.35:
                parts.append(rnd.choice(["2022", "IAF/ILAC", "ISO 9001", "6·9"]))
            else:
                parts.append(rnd.choice(HAN))
        text = "".join(parts)
        width = rnd.choice([160, 220, 300])
        lines = wrap_cjk(text, font, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        if any(font.getlength(c) > width for _, c in clusters(text)):
            continue  # a punctuation chain wider than the line has no legal break
        checked += 1
        for i, line in enumerate(lines):
            if i > 0:
                assert line[0] not in NO_START, (text, lines)
            if i < len(lines) - 1:
                assert line[-1] not in NO_END, (text, lines)
    assert checked > 250


def test_latin_words_and_numbers_stay_whole() -> None:
    font = load_font(40)
    text = "国际实验室认可合作组织IAF/ILAC确定2022年世界认可日国际主题为认可促进经济可持续发展"
    for width in range(200, 700, 37):
        lines = wrap_cjk(text, font, width)
        assert all(font.getlength(line) <= width for line in lines)
        assert sum("IAF/ILAC" in line for line in lines) == 1, lines
        assert sum("2022" in line for line in lines) == 1, lines


def test_word_wider_than_the_line_is_split_only_as_last_resort() -> None:
    font = load_font(40)
    lines = wrap_cjk("认可https://www.samr.gov.cn/rzjgs/", font, 200)
    assert all(font.getlength(line) <= 200 for line in lines)
    assert "".join(lines) == "认可https://www.samr.gov.cn/rzjgs/"


def test_auto_fit_shrinks_long_titles() -> None:
    short_font, short_lines = fit_text("认可日", None, None, (600, 200), 72, 24, 1.25, 3)
    long_title = "发布2021年度本市检验检测认证行业发展情况，展示行业发展现状、趋势、特点"
    long_font, long_lines = fit_text(long_title, None, None, (600, 200), 72, 24, 1.25, 3)
    assert short_font.size == 72 and short_lines == ["认可日"]
    assert long_font.size < short_font.size
    assert 1 < len(long_lines) <= 3
    assert all(long_font.getlength(line) <= 600 for line in long_lines)


def test_text_too_long_for_box_names_field() -> None:
    with pytest.raises(ImageError, match="标题太长") as info:
        fit_text("检验检测" * 60, None, None, (600, 200), 72, 30, 1.25, 3, field="title")
    assert info.value.field == "title"


def test_missing_glyph_detection() -> None:
    font = load_font(32)
    assert missing_glyphs("认可2022 IAF/ILAC，“世界”", font) == []
    assert missing_glyphs("认可\U00010900日\U0001f600\U00010900", font) == [
        "\U00010900",
        "\U0001f600",
    ]


@pytest.mark.parametrize(
    ("field", "char"),
    [("title", "\U00010900"), ("organiser", "\U00020000"), ("date_text", "\U0001f600")],
)
def test_missing_glyph_fails_clearly_instead_of_tofu(field: str, char: str) -> None:
    spec = replace(SPEC, **{field: getattr(SPEC, field) + char})
    with pytest.raises(ImageError) as info:
        make_cover(spec)
    assert info.value.field == field
    assert char in str(info.value)
    assert "Noto Sans CJK SC" in str(info.value)


def test_invisible_joiners_are_dropped_not_reported() -> None:
    make_poster(replace(SPEC, title="认可\u200b日\ufe0f\t启动"))


def test_missing_logo_names_path(tmp_path: Path) -> None:
    gone = tmp_path / "logos" / "bureau.png"
    with pytest.raises(ImageError) as info:
        make_cover(replace(SPEC, logo=gone))
    assert str(gone) in str(info.value)
    assert info.value.field == "logo"


def test_corrupt_photo_names_path(tmp_path: Path) -> None:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.raises(ImageError) as info:
        make_poster(replace(SPEC, photo=bad))
    assert str(bad) in str(info.value)
    assert info.value.field == "photo"


def test_logo_and_photo_are_used(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 100), (200, 30, 30, 255)).save(logo)
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (2000, 1500), (250, 250, 250)).save(photo)
    plain = _open(make_poster(SPEC).data).convert("RGB")
    custom = _open(make_poster(replace(SPEC, logo=logo, photo=photo)).data).convert("RGB")
    # The red logo shows in the footer; the bright photo lifts the top of the poster.
    footer = custom.crop((700, 1250, 1000, 1400)).getcolors(300 * 150) or []
    assert any(r > 150 and g < 90 and b < 90 for _n, (r, g, b) in footer)
    top = (0, 0, 1080, 60)
    assert _mean(custom.crop(top)) > _mean(plain.crop(top)) + 10


def _mean(img: Image.Image) -> float:
    grey = img.convert("L")
    return sum(grey.histogram()[v] * v for v in range(256)) / (grey.width * grey.height)


def test_bad_colours_fail_clearly() -> None:
    with pytest.raises(ImageError) as info:
        make_cover(replace(SPEC, colours=("#0b6e4f", "greenish?", "#f2a900")))
    assert info.value.field == "colours"


def test_empty_title_rejected_and_optional_fields_skipped() -> None:
    with pytest.raises(ImageError, match="标题"):
        make_cover(replace(SPEC, title="  "))
    bare = replace(SPEC, kicker="", slogan="", date_text="", organiser="")
    assert make_cover(bare).data and make_poster(bare).data


def test_open_faces_stay_bounded_and_no_memo_keeps_one_alive() -> None:
    """Fitting tries many sizes; only FACE_CACHE faces stay open (each maps the 19 MB
    collection), and the width memo names faces instead of holding them."""
    import gc
    import weakref

    from socialbot.render import fonts

    first = weakref.ref(load_font(77))
    for size in range(20, 20 + 3 * fonts.FACE_CACHE):
        fit_text("世界认可日：传递质量信任，服务绿色发展", None, None, (600.0, 400.0), size, 12)
    assert fonts._load.cache_info().currsize <= fonts.FACE_CACHE
    gc.collect()
    assert first() is None  # evicted and freed, not pinned by a measurement cache


def test_a_face_not_yet_opened_measures_like_the_open_one() -> None:
    from socialbot.render.fonts import sized_face
    from socialbot.render.typeset import ink_extent, text_width

    text = "6·9世界认可日 IAF/ILAC，2022年"
    for size in (19, 33, 64):
        lazy, real = sized_face(size), load_font(size)
        assert text_width(lazy, text) == real.getlength(text)
        assert ink_extent(lazy) == ink_extent(real)
        assert wrap_cjk(text, real, 5 * size) == wrap_cjk(text, lazy, 5 * size)  # type: ignore[arg-type]
