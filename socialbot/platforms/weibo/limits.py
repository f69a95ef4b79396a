"""Weibo limits, from the official docs (see docs/platform-limits.md for sources)."""

WEIBO_TEXT_MAX = 140
WEIBO_IMAGE_MAX_BYTES = 5 * 1024 * 1024 - 1
