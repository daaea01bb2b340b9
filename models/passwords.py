"""The password policy of NIST SP 800-63B: length and a blocklist, no composition rules."""

import unicodedata
from functools import cache
from pathlib import Path

from pydantic_core import PydanticCustomError

MIN_LENGTH = 8
# Passphrases are welcome; the bound only keeps one hash from costing too much.
MAX_LENGTH = 128
BLOCKLIST = Path(__file__).with_name("common-passwords.txt")


def normalize(password: str) -> str:
    """NFKC, so the same password typed on two keyboards (composed or decomposed
    accents, full-width digits) is the same password."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    lines = BLOCKLIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    # Case-insensitive: "Password1" is no harder to guess than "password1".
    return normalize(password).casefold() in common_passwords()


def reject_common(password: str) -> str:
    if is_common(password):
        raise PydanticCustomError(
            "password_too_common",
            "This password is one of the most commonly used and easily guessed; choose another",
        )
    return password
