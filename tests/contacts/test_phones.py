"""The comparable forms behind search, sorting and duplicate detection."""

import pytest

from contacts.phones import name_key, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("09068641485", "09068641485"),  # national, no country known: digits as typed
        ("9068641485", "9068641485"),
        ("+2349068641485", "+2349068641485"),
        ("+234 906-864-1485", "+2349068641485"),
        ("  +234 (906) 864.1485 ", "+2349068641485"),
        ("(0906) 864-1485", "09068641485"),
        ("002349068641485", "002349068641485"),  # 00 is only read as a prefix with a country
    ],
)
def test_without_a_country_code(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected
    assert normalize_phone(raw, None) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "09068641485",  # trunk 0
        "9068641485",  # no trunk 0
        "0906 864 1485",
        "(0906) 864-1485",
        "+2349068641485",
        "+234 906 864 1485",
        "002349068641485",  # international prefix 00
        "00 234 906 864 1485",
        "\t+234-906-864-1485\n",
    ],
)
def test_with_a_country_code_every_form_is_the_same_e164(raw: str) -> None:
    assert normalize_phone(raw, "234") == "+2349068641485"


def test_an_international_number_keeps_its_own_country() -> None:
    assert normalize_phone("+14155550123", "234") == "+14155550123"
    assert normalize_phone("0014155550123", "234") == "+14155550123"
    assert normalize_phone("04155550123", "1") == "+14155550123"


def test_only_the_first_zero_is_a_trunk_prefix() -> None:
    # "00" is the international prefix; a single 0 is dropped, not every zero.
    assert normalize_phone("0800123", "44") == "+44800123"
    assert normalize_phone("0080012345", "44") == "+80012345"


def test_a_plus_anywhere_but_the_start_is_punctuation() -> None:
    assert normalize_phone("234+9068641485") == "2349068641485"
    assert normalize_phone("234+9068641485", "1") == "+12349068641485"


def test_non_ascii_digits_are_not_digits() -> None:
    assert normalize_phone("\u0661\u0662\u0663 0123") == "0123"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Émeka", "emeka"),
        ("EMEKA", "emeka"),
        ("E\u0301meka", "emeka"),  # the accent as a separate combining mark
        ("ada obi", "ada obi"),
        ("ADA OBI", "ada obi"),
        ("Ádá Òbí", "ada obi"),
        ("Zoë Ñuñez", "zoe nunez"),
        ("Straße", "strasse"),  # casefold, not lower
        ("ﬁona", "fiona"),  # NFKD splits the ligature
        ("Chị Hằng", "chi hang"),
        ("Ωμέγα", "ωμεγα"),  # other scripts stay, only their accents go
        ("", ""),
    ],
)
def test_name_key(name: str, expected: str) -> None:
    assert name_key(name) == expected


def test_name_key_is_idempotent_and_orders_accents_with_their_letters() -> None:
    names = ["zed", "Émeka", "ada", "Ádá", "bob", "emeka"]

    assert all(name_key(name_key(n)) == name_key(n) for n in names)
    assert sorted(names, key=name_key) == ["ada", "Ádá", "bob", "Émeka", "emeka", "zed"]
