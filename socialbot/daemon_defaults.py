"""The daemon's defaults, readable by the CLI without importing the daemon itself."""

DEFAULT_CAP = 32
"""Accounts worked on side by side by one process, at most (threads, DB connections)."""

TICK_SECONDS = 5.0
"""How often the daemon wakes the runner when no due time is near (new posts, leases)."""
