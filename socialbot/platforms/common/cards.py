"""Preview cards: each platform keeps a small HTML template next to its code."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup


@functools.lru_cache(maxsize=16)
def _environment(folder: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined,
                       autoescape=True, trim_blocks=True, lstrip_blocks=True)


def render_card(folder: Path, name: str, **values: Any) -> Markup:
    """The card template ``name`` in ``folder`` rendered with ``values`` (HTML-escaped)."""
    return Markup(_environment(folder).get_template(name).render(**values))
