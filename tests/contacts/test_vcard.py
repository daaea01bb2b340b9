from datetime import UTC, datetime

import pytest

from contacts.vcard import (
    contact_fields,
    contact_uid,
    escape,
    fold,
    read_cards,
    unescape,
    write_card,
)

TRICKY_NAMES = [
    "Okafor, Chioma",
    "A;B;C",
    'Nnamdi "Big" Eze',
    "back\\slash \\n not a newline",
    "Émeka Ọkọnkwọ",
    "李小龙",
    "Zoë 👩🏽‍💻 " * 20,
    "x" * 200,
    "=SUM(A1:A2)",
]


def card(*lines: str, end: str = "\r\n") -> bytes:
    return end.join(["BEGIN:VCARD", *lines, "END:VCARD", ""]).encode()


def only_fields(data: bytes) -> dict[str, str]:
    [found] = read_cards(data)
    assert found.error is None
    return contact_fields(found)


def test_escape_backslash_comma_semicolon_and_line_breaks() -> None:
    assert escape("a\\b,c;d\ne\r\nf") == "a\\\\b\\,c\\;d\\ne\\nf"


def test_unescape_inverts_escape_and_reads_capital_n() -> None:
    assert unescape("a\\\\b\\,c\\;d\\ne\\Nf\\:g") == "a\\b,c;d\ne\nf:g"
    assert unescape(escape("x\\,;\n\\n")) == "x\\,;\n\\n"


def test_a_short_line_is_not_folded() -> None:
    assert fold("FN:" + "x" * 72) == "FN:" + "x" * 72 + "\r\n"


def test_a_long_line_folds_at_75_octets_with_a_leading_space() -> None:
    folded = fold("FN:" + "x" * 200)
    lines = folded.split("\r\n")

    assert lines[-1] == ""
    assert [len(line) for line in lines[:-1]] == [75, 75, 55]
    assert all(line.startswith(" ") for line in lines[1:-1])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == "FN:" + "x" * 200


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "FN:" + "é" * 60 + "👩🏽" * 20
    physical = fold(line).split("\r\n")[:-1]

    assert len(physical) > 2
    for part in physical:
        assert len(part.encode()) <= 75
        assert part.encode().decode() == part  # whole characters on every line
    assert physical[0][0] != " "
    assert "".join([physical[0], *(p[1:] for p in physical[1:])]) == line


def test_written_card_is_vcard_4_with_crlf_lines() -> None:
    revised = datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
    written = write_card("Okafor, Chioma", "+2349068641485", "c@example.com", "urn:x", revised)

    assert written == (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Okafor\\, Chioma\r\n"
        "TEL;VALUE=uri:tel:+2349068641485\r\nEMAIL:c@example.com\r\nUID:urn:x\r\n"
        "REV:20240506T070809Z\r\nEND:VCARD\r\n"
    )


def test_a_national_number_is_written_as_text() -> None:
    written = write_card("A", "09068641485", "a@example.com", "urn:x")

    assert "\r\nTEL:09068641485\r\n" in written
    assert "REV" not in written


def test_uids_are_stable_distinct_uuid_urns() -> None:
    assert contact_uid(1) == contact_uid(1)
    assert contact_uid(1) != contact_uid(2)
    assert contact_uid(1).startswith("urn:uuid:")


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_what_is_written_reads_back_the_same(name: str) -> None:
    written = write_card(name, "+2349068641485", "a.b@example.com", "urn:x")

    assert all(len(line.encode()) <= 75 for line in written.split("\r\n"))
    assert only_fields(written.encode()) == {
        "name": name.strip(),
        "phone_number": "+2349068641485",
        "email": "a.b@example.com",
    }


def test_a_version_3_card_from_a_phone() -> None:
    data = card(
        "VERSION:3.0",
        "PRODID:-//Apple Inc.//iPhone OS 17.0//EN",
        "N:Okafor;Chioma;;;",
        "FN:Chioma Okafor",
        "TEL;TYPE=CELL;TYPE=pref:0803 123 4567",
        "TEL;TYPE=HOME:01 234 5678",
        "item1.EMAIL;type=INTERNET;type=pref:chioma@example.com",
        "item1.X-ABLabel:_$!<Other>!$_",
        "EMAIL;TYPE=WORK:work@example.com",
    )

    assert only_fields(data) == {
        "name": "Chioma Okafor",
        "phone_number": "0803 123 4567",
        "email": "chioma@example.com",
    }


def test_without_fn_the_name_comes_from_n() -> None:
    data = card("VERSION:3.0", "N:Okafor;Chioma;Ada,Nkem;Dr.;Jr.", "TEL:1234567")

    assert only_fields(data) == {
        "name": "Dr. Chioma Ada Nkem Okafor Jr.",
        "phone_number": "1234567",
    }


def test_n_components_keep_escaped_separators() -> None:
    assert only_fields(card("N:Eze\\;Obi;Ngozi\\, Jr;;;"))["name"] == "Ngozi, Jr Eze;Obi"


def test_a_card_with_no_name_no_tel_and_no_email_gives_no_fields() -> None:
    assert only_fields(card("VERSION:4.0", "FN: ", "NOTE:hello")) == {}


def test_folded_lines_are_unfolded_with_lf_endings_and_tabs() -> None:
    data = card("VERSION:4.0", "FN:Chi", " oma Ok", "\tafor", "EMAIL:a@exam", " ple.com", end="\n")

    assert only_fields(data) == {"name": "Chioma Okafor", "email": "a@example.com"}


def test_a_fold_inside_a_multibyte_character_is_joined_before_decoding() -> None:
    encoded = "FN:Émeka".encode()
    data = b"BEGIN:VCARD\r\n" + encoded[:4] + b"\r\n " + encoded[4:] + b"\r\nEND:VCARD\r\n"

    assert only_fields(data) == {"name": "Émeka"}


def test_a_tel_uri_loses_its_scheme_and_parameters() -> None:
    data = card('TEL;VALUE=uri;TYPE="voice,cell";X-NOTE="a:b;c":tel:+1-201-555-0123;ext=12')

    assert only_fields(data) == {"phone_number": "+1-201-555-0123"}


def test_a_quoted_printable_2_1_card() -> None:
    data = card(
        "VERSION:2.1",
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=89meka =C3=92=",
        "kafor",
        "TEL;CELL;PREF:+2348031234567",
    )

    assert only_fields(data) == {"name": "Émeka Òkafor", "phone_number": "+2348031234567"}


def test_bad_quoted_printable_marks_the_card_malformed() -> None:
    [found] = read_cards(card("FN;ENCODING=QUOTED-PRINTABLE:=FF=FE"))

    assert found.error == "The FN value is not valid utf-8 text"


@pytest.mark.parametrize(
    ("charset", "value"), [("undefined", "abc"), ("idna", "xn--"), ("punycode", "abc-9999")]
)
def test_a_charset_whose_codec_refuses_the_value_marks_the_card_malformed(
    charset: str, value: str
) -> None:
    # These codecs raise a bare UnicodeError, not UnicodeDecodeError.
    [found] = read_cards(card(f"FN;CHARSET={charset};ENCODING=QUOTED-PRINTABLE:{value}"))

    assert found.error == f"The FN value is not valid {charset} text"


def test_a_value_continued_over_many_soft_line_breaks_is_joined_whole() -> None:
    # 200,000 continuations: joined once, not re-joined at every break.
    data = card("NOTE;ENCODING=QUOTED-PRINTABLE:a=", *(["a="] * 200_000), "a", "FN:Ada")

    [found] = read_cards(data)

    assert found.error is None
    [note] = [p for p in found.properties if p.name == "NOTE"]
    assert note.value == "a" * 200_002


def test_malformed_cards_are_marked_and_the_others_read() -> None:
    data = (
        card("FN:Good One", "TEL:1234567")
        + card("FN:No Colon", "this line has none")
        + b"BEGIN:VCARD\r\nFN:Cut short\r\n"
        + card("FN:Good Two")
    )
    cards = read_cards(data)

    assert [c.number for c in cards] == [1, 2, 3, 4]
    assert [c.error for c in cards] == [
        None,
        "Line 7 of the file is not a vCard content line",
        "The card has no END:VCARD",
        None,
    ]
    assert contact_fields(cards[3]) == {"name": "Good Two"}


def test_a_card_cut_off_at_the_end_of_the_file_is_malformed() -> None:
    [found] = read_cards(b"BEGIN:VCARD\r\nFN:A\r\n")

    assert found.error == "The card has no END:VCARD"


def test_text_outside_cards_and_blank_lines_are_ignored() -> None:
    data = b"junk\r\n\r\n" + card("", "FN:A", "") + b"more junk\r\n"

    assert only_fields(data) == {"name": "A"}


def test_property_names_and_begin_end_are_case_insensitive() -> None:
    data = b"begin:vcard\nfn:a\ntel:1234567\nend:vcard\n"

    assert only_fields(data) == {"name": "a", "phone_number": "1234567"}


def test_non_utf8_raises() -> None:
    with pytest.raises(UnicodeDecodeError):
        read_cards(card("FN:caf\xe9").replace(b"\xc3\xa9", b"\xe9"))
