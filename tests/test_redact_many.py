"""With thousands of secrets known, ``redact`` looks only for those that may occur, and
removes exactly what looking for every one of them removes."""

from __future__ import annotations

import random
import string

import pytest

from socialbot import redact as redaction

ALPHABET = string.ascii_letters + string.digits + "_-"


@pytest.fixture
def fresh(monkeypatch):
    """An empty set of known secrets, the process's own restored afterwards."""
    for name, empty in (("_known", set()), ("_known_sorted", []), ("_by_prefix", {}),
                        ("_starred", ())):
        monkeypatch.setattr(redaction, name, empty)
    return redaction


def every_secret(text: str) -> str:
    """The definition: each known secret, longest first, then the credential patterns."""
    for value in sorted(redaction._known, key=len, reverse=True):
        if value in text:
            text = text.replace(value, redaction.REDACTED)
    for pattern, replacement in redaction._PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def test_many_secrets_removed_as_by_looking_for_each(fresh):
    rng = random.Random(8)
    secrets = ["".join(rng.choices(ALPHABET, k=rng.choice([8, 32, 110]))) for _ in range(1500)]
    # a secret inside a longer one, two sharing their first characters, one with "*"
    secrets += ["inner-secret", "outer-inner-secret-x", "shared-prefix-1", "shared-prefix-22",
                "st*rred-secret"]
    for value in secrets:
        fresh.register_secret(value)
    assert fresh._candidates("short") != fresh._known_sorted  # the narrowed path is taken

    texts = ["outer-inner-secret-x and inner-secret", "shared-prefix-22/shared-prefix-1",
             "st*rred-secret", "st***-secret", f"access_token={secrets[0]}&x=1"]
    for _ in range(400):
        pieces = []
        for _ in range(rng.randint(0, 6)):
            roll = rng.random()
            if roll < 0.3:
                pieces.append(rng.choice(secrets))
            elif roll < 0.45:
                value = rng.choice(secrets)
                pieces.append(value[:rng.randint(1, len(value) - 1)])
            else:
                pieces.append("".join(rng.choices(ALPHABET + "&=/?* ", k=rng.randint(0, 400))))
        texts.append("".join(pieces))
    for text in texts:
        assert fresh.redact(text) == every_secret(text)
    assert "inner-secret" not in fresh.redact("outer-inner-secret-x and inner-secret")
