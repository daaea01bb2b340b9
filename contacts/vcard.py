"""vCard: an RFC 6350 (4.0) writer, and a tolerant reader of 4.0, 3.0 and 2.1 cards.

Only what an address-book entry holds is read: the name (FN, else N), the first
TEL and the first EMAIL. Everything else on a card is skipped.
"""

import quopri
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75  # per physical line, line break excluded (RFC 6350 §3.2)
# Fixed forever: a contact's UID is derived from it and its id, so it never changes.
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:contacts-api:contact")
_ESCAPES = {"\\": "\\\\", ",": "\\,", ";": "\\;", "\n": "\\n"}
# A line break followed by a space or tab is a fold. Unfolded as bytes, before
# decoding, so a writer that folded inside a multi-byte character is still read.
_FOLD = re.compile(rb"(?:\r\n|\r|\n)[ \t]")
_BREAK = re.compile(r"\r\n|\r|\n")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
# [group.]name *(;param) : value, where a quoted parameter value may hold `:` or `;`.
_CONTENT_LINE = re.compile(
    r'(?:[A-Za-z0-9-]+\.)*(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;(?:"[^"]*"|[^";:])*)*):'
    r"(?P<value>.*)",
    re.DOTALL,
)
_PARAM = re.compile(r';((?:"[^"]*"|[^";:])*)')
QUOTED_PRINTABLE = "QUOTED-PRINTABLE"


def escape(text: str) -> str:
    """A text value with `\\`, `,`, `;` and line breaks escaped (RFC 6350 §3.4)."""
    text = _BREAK.sub("\n", text)
    return "".join(_ESCAPES.get(char, char) for char in text)


def unescape(text: str) -> str:
    """The inverse of `escape`; an unknown escape such as `\\:` stands for the character."""
    return _ESCAPED.sub(lambda m: "\n" if m[1] in "nN" else m[1], text)


def fold(line: str) -> str:
    """A content line as physical lines of at most 75 octets, split between characters."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            # A continuation line starts with the space that marks it.
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts) + CRLF


def contact_uid(contact_id: int) -> str:
    """A stable, globally unique UID for a contact: a name-based (v5) UUID URN."""
    return uuid.uuid5(UID_NAMESPACE, str(contact_id)).urn


def write_card(
    name: str, phone: str, email: str, uid: str, revised: datetime | None = None
) -> str:
    """One vCard 4.0, CRLF-terminated: FN, TEL, EMAIL, UID and REV."""
    # An international number is a tel: URI; a national one stays text, as
    # stored, since a tel: URI of it would need a phone-context we do not know.
    tel = f"TEL;VALUE=uri:tel:{phone}" if phone.startswith("+") else f"TEL:{escape(phone)}"
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{escape(name)}", tel, f"EMAIL:{escape(email)}"]
    lines.append(f"UID:{uid}")
    if revised is not None:
        moment = revised if revised.tzinfo else revised.replace(tzinfo=UTC)
        lines.append(f"REV:{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


@dataclass(slots=True)
class Property:
    name: str  # upper case, without its group
    params: dict[str, str]  # upper-case names; a 2.1 bare parameter (`CELL`) maps to ""
    value: str  # decoded from quoted-printable if it was, but still escaped


@dataclass(slots=True)
class Card:
    number: int  # 1-based position in the file
    properties: list[Property] = field(default_factory=list)
    error: str | None = None  # why the card is malformed

    def first(self, name: str) -> Property | None:
        """The first property of this name with a non-blank value."""
        return next((p for p in self.properties if p.name == name and p.value.strip()), None)


def read_cards(data: bytes) -> list[Card]:
    """Every BEGIN:VCARD … END:VCARD block of a file; text between cards is ignored.

    Raises UnicodeDecodeError unless the file is UTF-8. A malformed card (a line
    that is not `NAME:value`, no END) is returned with its `error` set.
    """
    cards: list[Card] = []
    card: Card | None = None
    for number, line in enumerate(_logical_lines(_FOLD.sub(b"", data).decode()), start=1):
        match = _CONTENT_LINE.fullmatch(line)
        name = match["name"].upper() if match else ""
        value = match["value"].strip().upper() if match else ""
        if name == "BEGIN" and value == "VCARD":
            if card is not None:
                card.error = card.error or "The card has no END:VCARD"
            card = Card(len(cards) + 1)
            cards.append(card)
        elif card is None or not line.strip():
            continue
        elif name == "END" and value == "VCARD":
            card = None
        elif match is None:
            card.error = card.error or f"Line {number} of the file is not a vCard content line"
        else:
            _add_property(card, name, match["params"], match["value"])
    if card is not None:
        card.error = card.error or "The card has no END:VCARD"
    return cards


def contact_fields(card: Card) -> dict[str, str]:
    """The card's name (FN, else N), first TEL and first EMAIL, each if present."""
    fields: dict[str, str] = {}
    fn, n, tel, email = (card.first(name) for name in ("FN", "N", "TEL", "EMAIL"))
    name = unescape(fn.value).strip() if fn else ""
    if not name and n is not None:
        # family; given; additional; prefixes; suffixes, shown as people write them.
        parts = [*_split(n.value, ";"), "", "", "", "", ""]
        order = [parts[3], parts[1], parts[2], parts[0], parts[4]]
        words = [unescape(word).strip() for part in order for word in _split(part, ",")]
        name = " ".join(word for word in words if word)
    if name:
        fields["name"] = name
    if tel is not None:
        value = tel.value.strip()
        # A tel: URI (4.0, or VALUE=uri) loses its scheme and parameters (;ext=…).
        is_uri = value[:4].lower() == "tel:"
        fields["phone_number"] = value[4:].split(";", 1)[0] if is_uri else unescape(value)
    if email is not None:
        fields["email"] = unescape(email.value).strip()
    return fields


def _logical_lines(text: str) -> list[str]:
    """The lines of the text, with 2.1 quoted-printable soft line breaks (`=`) joined.

    Linear in the text: a value continued over many soft breaks is collected in
    parts and joined once (re-joining it at every break was quadratic).
    """
    lines: list[str] = []
    parts: list[str] = []  # a quoted-printable value still being continued
    for raw in _BREAK.split(text):
        if not parts:
            head = raw.split(":", 1)[0].upper()
            if QUOTED_PRINTABLE not in head or ":" not in raw:
                lines.append(raw)
                continue
        parts.append(raw)
        if parts[-1].endswith("="):
            parts[-1] = parts[-1][:-1]
            continue
        lines.append("".join(parts))
        parts = []
    if parts:
        lines.append("".join(parts))
    return lines


def _add_property(card: Card, name: str, raw_params: str, value: str) -> None:
    params: dict[str, str] = {}
    for param in _PARAM.findall(raw_params):
        key, _, param_value = param.partition("=")
        params[key.strip().upper()] = param_value.strip().strip('"')
    if QUOTED_PRINTABLE in (params.get("ENCODING", "").upper(), *params):
        charset = params.get("CHARSET") or "utf-8"
        try:
            value = quopri.decodestring(value.encode()).decode(charset)
        except (UnicodeError, LookupError):  # bad bytes, or a codec that refuses them
            card.error = card.error or f"The {name} value is not valid {charset} text"
            return
    card.properties.append(Property(name, params, value))


def _split(value: str, separator: str) -> list[str]:
    """Split on separators not escaped with a backslash; escapes are kept."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts
