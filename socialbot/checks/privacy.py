"""Personal data: ID-card numbers, personal mobile numbers, bank cards, e-mail addresses.

Numbers are validated before they are reported (ID-card check digit and birth date,
bank-card Luhn digit and issuer prefix), so a certificate or order number that only
looks similar does not stop a post. Every field is read in full, web addresses too:
personal data in a link is still published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from socialbot.checks.folding import ascii_width
from socialbot.checks.model import Hit, TextField
from socialbot.checks.prose import EMAIL_RE
from socialbot.checks.wordlists import WordLists

# A run of digit groups (an ID card may be written 110105 19491231 002X); each stretch
# of whole groups with 18 characters is a candidate.
DIGIT_RUN_RE = re.compile(r"(?<![0-9A-Za-z])\d+(?:[ -]\d+)*(?:[ -]?[Xx])?(?![0-9A-Za-z])")
DIGIT_GROUP_RE = re.compile(r"[0-9Xx]+")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
})
MOBILE_RE = re.compile(r"(?<![0-9])(?:(?:\+|00)86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?![0-9])")
CARD_RE = re.compile(r"(?<![0-9])\d(?:[ -]?\d){15,18}(?![0-9])")
CARD_PREFIX_RE = re.compile(r"^(?:62|60|4|5[1-5]|2[2-7]|35|9)")
PUBLIC_MAIL_SUFFIXES = (".gov.cn",)


def valid_id_card(number: str) -> bool:
    """GB 11643: region, a real birth date, and the ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or number[:2] not in PROVINCES:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= dt.date(2100, 12, 31):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask(text: str) -> str:
    """Shown in messages so the finding itself does not repeat the personal data."""
    digits = re.sub(r"[^0-9Xx]", "", text)
    return digits[:3] + "*" * max(len(digits) - 7, 3) + digits[-4:]


def id_card(field: TextField, lists: WordLists) -> Iterator[Hit]:
    text = ascii_width(field.text)  # full-width digits from an input method count too
    for run in DIGIT_RUN_RE.finditer(text):
        for start, end in _id_card_spans(run):
            number = re.sub(r"[ -]", "", text[start:end])
            yield Hit(start, end, f"含有身份证号（{_mask(number)}），个人信息不能公开发布")


def _id_card_spans(run: re.Match[str]) -> Iterator[tuple[int, int]]:
    """Spans of whole digit groups inside ``run`` that make a valid ID-card number."""
    groups = list(DIGIT_GROUP_RE.finditer(run.group(0)))
    offset, i, j, length = run.start(), 0, 0, 0  # groups[i:j] hold ``length`` characters
    while i < len(groups):
        while j < len(groups) and length < 18:
            length += len(groups[j].group(0))
            j += 1
        if length == 18:
            digits = "".join(g.group(0) for g in groups[i:j])
            if valid_id_card(digits):
                yield offset + groups[i].start(), offset + groups[j - 1].end()
                i, length = j, 0
                continue
        length -= len(groups[i].group(0))
        i += 1
        if j < i:
            j, length = i, 0


def bank_card(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for m in CARD_RE.finditer(ascii_width(field.text)):
        digits = re.sub(r"\D", "", m.group(0))
        if valid_id_card(digits) or not CARD_PREFIX_RE.match(digits) or not luhn_ok(digits):
            continue
        yield Hit(*m.span(), f"含有银行卡号（{_mask(digits)}），个人信息不能公开发布")


def mobile(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for m in MOBILE_RE.finditer(ascii_width(field.text)):
        yield Hit(*m.span(), f"含有手机号（{_mask(m.group(0))}）：个人手机号不能公开；"
                             "如确是公开的服务电话，请审核人确认后放行")


def email(field: TextField, lists: WordLists) -> Iterator[Hit]:
    for m in EMAIL_RE.finditer(field.text):
        domain = re.split("[@＠]", m.group(0))[-1].lower()
        if any(domain.endswith(s) or domain == s[1:] for s in PUBLIC_MAIL_SUFFIXES):
            continue
        yield Hit(*m.span(), f"含有电子邮箱“{m.group(0)}”，可能是个人邮箱：请改用单位公开邮箱，"
                             "或由审核人确认后放行")
