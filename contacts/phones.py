"""Names and phone numbers reduced to comparable forms, for search, sorting and duplicates."""

import re
import unicodedata

_NOT_DIGITS = re.compile(r"[^0-9]")


def normalize_phone(raw: str, country_code: str | None = None) -> str:
    """Digits with an optional leading `+`; E.164 (`+<country><number>`) when the
    number is international already or a default country calling code is given.

    Not a full numbering-plan check: a leading `00` is read as the international
    prefix and a single leading `0` as the national trunk prefix, which holds
    for most countries' dialling conventions.
    """
    digits = _NOT_DIGITS.sub("", raw)
    if raw.strip().startswith("+"):
        return f"+{digits}"
    if country_code is None:
        return digits
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    national = digits[1:] if digits.startswith("0") else digits
    return f"+{country_code}{national}"


def digits_of(text: str) -> str:
    return _NOT_DIGITS.sub("", text)


def name_key(name: str) -> str:
    """Casefolded and without accents, so "Émeka" sorts with "Emeka" and is found by "emeka"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
