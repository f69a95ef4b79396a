"""A web font for the pages people open in a browser: a subset of the bundled CJK face.

Pages that name system fonts show Chinese as tofu on a machine without CJK fonts, so each
page folder ships its own font instead: exactly the glyphs its pages use, as WOFF2 (a few
hundred kB instead of the 19 MB collection). The glyphs are Noto Sans CJK SC from the
``noto-cjk-sans-otc`` wheel (SIL OFL 1.1). The subset is a modified version under the
OFL and "Noto" is a trademark, so it gets a name of its own; the licence text is written
next to it.

A subset is keyed by a hash of its characters: repeated calls in one process reuse the
bytes, and a folder that already holds the subset for the same characters is left as is.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

from socialbot.render.fonts import DEFAULT_FONT_INDEX, default_font_path, release_faces

FAMILY = "Socialbot CJK Sans"
FILE_STEM = "socialbot-cjk-sans"
LICENCE_FILE = "OFL.txt"
_POSTSCRIPT_STEM = "SocialbotCJKSans"
_SOURCE_FAMILY = "Noto Sans CJK SC"
_SOURCE_PACKAGE = "noto-cjk-sans-otc"
_OFL_TEXT = Path(__file__).with_name("OFL-1.1.txt")

# Bump when the subsetting options or naming change, so older files are not reused.
_FORMAT = "1"

# Installed fonts that look alike, for a character the bundled face does not have.
_FALLBACKS = (_SOURCE_FAMILY, "Source Han Sans SC", "PingFang SC", "Microsoft YaHei")

# Every page may show these even if this run's text does not contain them yet.
ASCII = "".join(map(chr, range(0x20, 0x7F)))
COMMON_PUNCTUATION = (
    "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·～￥％＋－＝／＠＃＆＊"
    "\u3000\u00a0\u00b7\u2014\u2013\u2026\u00d7\u2192\u2190\u2713\u2717"
)
_SUBSET_FILE_RE = re.compile(rf"{re.escape(FILE_STEM)}-[0-9a-f]{{16}}\.woff2")
_WOFF2_MAGIC = b"wOF2"


@dataclass(frozen=True)
class WebFont:
    """A subset written into a folder: where it is and the CSS that loads it."""

    path: Path
    url: str  # relative to the folder passed to write_webfont
    chars: frozenset[str]

    @property
    def css(self) -> str:
        return font_face_css(self.url)


def text_chars(*texts: str) -> frozenset[str]:
    """Characters a page can show: its text with HTML references decoded, plus ASCII and
    common punctuation; control characters, which no font draws, are left out."""
    chars = set(ASCII) | set(COMMON_PUNCTUATION)
    for text in texts:
        chars.update(html.unescape(text))
    return frozenset(ch for ch in chars if unicodedata.category(ch) not in ("Cc", "Cs"))


def subset_key(chars: Iterable[str]) -> str:
    """Content hash of a character set, with the source font and format it is cut from."""
    digest = hashlib.sha256()
    digest.update(f"{_FORMAT}|{_source_version()}|{DEFAULT_FONT_INDEX}|".encode())
    digest.update("".join(sorted(set(chars))).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def subset_font(chars: Iterable[str]) -> bytes:
    """WOFF2 bytes of the bundled CJK face cut down to ``chars``, renamed to FAMILY.

    Characters the face lacks are skipped (the CSS fallbacks cover them).
    """
    return _subset("".join(sorted(set(chars))))


def subset_file_name(chars: Iterable[str]) -> str:
    """The file name a subset of ``chars`` is saved or served under (keyed by its hash)."""
    return f"{FILE_STEM}-{subset_key(chars)[:16]}.woff2"


def font_stack() -> str:
    """A CSS font-family value with the shipped subset first."""
    return ", ".join(f'"{name}"' for name in (FAMILY, *_FALLBACKS)) + ", sans-serif"


def font_face_css(url: str) -> str:
    """The @font-face rule that loads the subset from ``url`` (relative to the CSS)."""
    return (
        "@font-face {\n"
        f'  font-family: "{FAMILY}";\n'
        f'  src: url("{url}") format("woff2");\n'
        "  font-weight: 400;\n"
        "  font-style: normal;\n"
        "  font-display: block;\n"
        "}\n"
    )


def font_ready_script(timeout_ms: int = 10_000) -> str:
    """A <script> for a page's <head>, after its stylesheet: the page is shown once the
    shipped font has loaded (or failed, or ``timeout_ms`` passed).

    Text is then never laid out in a font that is still loading: no flash of a system
    font, and a browser that has no font at all (a bare container) is not left without
    any font to lay the text out with meanwhile, which makes Chromium drop the web font.
    Without JavaScript the page shows at once, as before.
    """
    return (
        "<script>(function (d) {\n"
        "  if (!d.fonts || !d.fonts.load) return;\n"
        "  var root = d.documentElement;\n"
        '  var show = function () { root.style.removeProperty("display"); };\n'
        '  root.style.display = "none";\n'
        f"  d.fonts.load('16px \"{FAMILY}\"', \"\u4e2d\").then(show, show);\n"
        f"  setTimeout(show, {int(timeout_ms)});\n"
        "})(document);</script>"
    )


def write_webfont(folder: Path, texts: Iterable[str], subdir: str = "fonts") -> WebFont:
    """Write the subset covering ``texts`` to ``folder/subdir`` with its licence.

    The file name carries the character hash: a folder that already has it is not
    rewritten, and older subsets written here under our naming are removed.
    """
    chars = text_chars(*texts)
    name = subset_file_name(chars)
    target_dir = folder / subdir
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / name
    if not _is_woff2(path):
        _write_atomic(path, subset_font(chars))
    _write_atomic(target_dir / LICENCE_FILE, licence_text(name).encode("utf-8"))
    for old in target_dir.iterdir():
        if old.name != name and _SUBSET_FILE_RE.fullmatch(old.name) and old.is_file():
            old.unlink(missing_ok=True)
    return WebFont(path=path, url=f"{subdir}/{name}", chars=chars)


def licence_text(font_file: str) -> str:
    """OFL notice for a subset: what it was made from, the copyright, the licence."""
    copyright_line, licence_line = _source_notices()
    header = (
        f"{font_file} is a subset of {_SOURCE_FAMILY} Regular "
        f"({_SOURCE_PACKAGE} {_source_version()}), renamed \"{FAMILY}\".\n"
        f"{copyright_line}\n{licence_line}\n\n"
    )
    return header + _OFL_TEXT.read_text("utf-8")


@functools.lru_cache(maxsize=4)
def _subset(chars: str) -> bytes:
    key = subset_key(chars)
    options = ft_subset.Options()
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.desubroutinize = True  # WOFF2's compression does better without subroutines
    options.drop_tables += ["VORG", "vhea", "vmtx"]  # pages are laid out horizontally
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    # Reading the collection's tables takes ~40 MB for a moment: the image faces
    # rendering left open (~4 MB each) go first, so the two never add up.
    release_faces()
    # lazy: only the tables the subsetter touches are read from the 19 MB collection.
    with TTFont(str(default_font_path()), fontNumber=DEFAULT_FONT_INDEX, lazy=True) as font:
        subsetter.subset(font)
        _rename(font, f"{_POSTSCRIPT_STEM}-{key[:8]}")
        font.flavor = "woff2"
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _rename(font: TTFont, postscript_name: str) -> None:
    """Give the subset its own names so it is never mistaken for the installed font."""
    names = font["name"]
    version = names.getDebugName(5) or ""
    renamed = {
        1: FAMILY,
        2: "Regular",
        3: f"{postscript_name};{version}",
        4: FAMILY,
        6: postscript_name,
    }
    names.names = [n for n in names.names if n.nameID not in renamed and n.nameID not in (16, 17)]
    for name_id, value in renamed.items():
        names.setName(value, name_id, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [postscript_name]
    top = cff.topDictIndex[0]
    for attr, value in (("FullName", FAMILY), ("FamilyName", FAMILY)):
        if hasattr(top, attr):
            setattr(top, attr, value)


@functools.cache
def _source_version() -> str:
    try:
        return metadata.version(_SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def _source_notices() -> tuple[str, str]:
    with TTFont(str(default_font_path()), fontNumber=DEFAULT_FONT_INDEX, lazy=True) as font:
        names = font["name"]
        return names.getDebugName(0) or "", names.getDebugName(13) or ""


def _is_woff2(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == _WOFF2_MAGIC
    except OSError:
        return False


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
