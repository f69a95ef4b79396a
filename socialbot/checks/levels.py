"""Every content rule's name, Chinese label and default level.

Kept free of heavy imports: ``config_file.py`` reads it to validate ``[checks.levels]``.
The registry asserts that every rule it runs is listed here, and the other way round.
"""

from __future__ import annotations

BLOCK, WARN = "block", "warn"
LEVELS = (BLOCK, WARN)

# rule id: (Chinese label, default level). Blocks: content that must never go out.
# Warnings: content a reviewer may let through with a written reason.
RULES: dict[str, tuple[str, str]] = {
    "sensitive_word": ("错敏词", BLOCK),
    "misspelling": ("错别字", BLOCK),
    "official_name": ("规范名称", WARN),
    "placeholder": ("占位内容", BLOCK),
    "id_card": ("身份证号", BLOCK),
    "bank_card": ("银行卡号", BLOCK),
    "mobile": ("手机号", WARN),
    "email": ("电子邮箱", WARN),
    "punctuation": ("标点", WARN),
    "repeated_punctuation": ("重复标点", WARN),
    "quotes": ("引号", WARN),
    "unsafe_link": ("危险链接", BLOCK),
    "raw_html": ("HTML 标记", BLOCK),
    "control_char": ("控制字符", BLOCK),
}

# The word lists ``[checks]`` names, with what each holds (for messages).
WORDLISTS: dict[str, str] = {
    "sensitive_words": "错敏词词表",
    "misspellings": "常见错别字词表",
    "official_names": "规范名称词表",
}


def default_levels() -> dict[str, str]:
    return {rule: level for rule, (_label, level) in RULES.items()}
