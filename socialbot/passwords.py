"""Password hashing: argon2id (argon2-cffi's defaults follow RFC 9106's recommendation)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, salted, PHC string with its parameters


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)


# Verified against when the user does not exist, so an unknown name costs as much time
# as a wrong password and response time does not tell which names exist.
@functools.cache
def dummy_hash() -> str:
    return hash_password("socialbot-no-such-user")
