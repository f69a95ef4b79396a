"""Every content rule, by id: which function scans, and which kinds of field it reads.

Adding a rule means: a function ``(field, lists) -> Iterator[Hit]`` in its family's
module, one line here, and its label and default level in ``levels.RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from socialbot.checks import markup, placeholders, privacy, typography, wordlists
from socialbot.checks.levels import RULES
from socialbot.checks.model import Hit, Kind, TextField
from socialbot.checks.wordlists import WordLists

Scan = Callable[[TextField, WordLists], Iterable[Hit]]
PROSE = frozenset({Kind.PLAIN, Kind.MARKDOWN})
ALL = frozenset(Kind)


@dataclass(frozen=True)
class Rule:
    id: str
    scan: Scan
    kinds: frozenset[Kind]

    @property
    def label(self) -> str:
        return RULES[self.id][0]


REGISTRY: tuple[Rule, ...] = (
    Rule("control_char", markup.control_char, ALL),
    Rule("unsafe_link", markup.unsafe_link, ALL),
    Rule("raw_html", markup.raw_html, PROSE),
    Rule("placeholder", placeholders.placeholder, ALL),
    Rule("sensitive_word", wordlists.sensitive_word, PROSE),
    Rule("misspelling", wordlists.misspelling, PROSE),
    Rule("official_name", wordlists.official_name, PROSE),
    Rule("id_card", privacy.id_card, ALL),
    Rule("bank_card", privacy.bank_card, ALL),
    Rule("mobile", privacy.mobile, ALL),
    Rule("email", privacy.email, PROSE),
    Rule("punctuation", typography.punctuation, PROSE),
    Rule("repeated_punctuation", typography.repeated_punctuation, PROSE),
    Rule("quotes", typography.quotes, PROSE),
)

assert {r.id for r in REGISTRY} == set(RULES), "levels.RULES and the registry must agree"
