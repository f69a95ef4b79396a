"""Regenerate the brand assets in this folder: ``python assets/make_assets.py``.

The emblem is drawn by the same code the image renderer uses, so the PNG
staff can reuse elsewhere (slides, H5 pages) always matches the images.
It is a generic campaign mark, not the bureau's official logo.
"""

from __future__ import annotations

from pathlib import Path

from socialbot.render.images import draw_emblem

HERE = Path(__file__).resolve().parent
THEME = ("#0b6e4f", "#f2f7f2", "#f5a623")  # green growth, light ground, amber accent


def main() -> None:
    """Write emblem.png (256 px, transparent background)."""
    emblem = draw_emblem(256, THEME)
    out = HERE / "emblem.png"
    emblem.save(out, optimize=True)
    print(f"wrote {out.name}: {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
