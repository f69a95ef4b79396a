"""Dry run: write what followers would see, and the API calls publishing would make.

Nothing here touches the network or needs a secret: the pages are static files, and
``plan.json`` comes from each channel's ``plan()``, which only describes calls.
"""

from socialbot.preview.writer import PreviewResult, write_preview

__all__ = ["PreviewResult", "write_preview"]
