"""Content checks before review: word lists, placeholders, privacy, typography, markup.

One module per family of rules (``wordlists``, ``placeholders``, ``privacy``,
``typography``, ``markup``), a small ``registry`` that lists them, ``fields`` that
turns a post into located text fields, and ``runner`` that applies every rule at its
configured level. This package knows nothing of the queue or the platforms; callers
(``check``, ``preview``, queue intake, ``publish``) decide what a block or a warning
means for them. Heavy parts (the matchers) load only when ``runner`` is imported.
"""

from socialbot.checks.model import Finding, Hit, Kind, Report, Severity, TextField

__all__ = ["Finding", "Hit", "Kind", "Report", "Severity", "TextField"]
