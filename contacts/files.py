"""The two file formats: CSV cells and rows, and telling vCard from CSV; no database."""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from contacts import vcard
from models.errors import DomainError
from models.fields import PHONE_PATTERN

MAX_ROWS = 5000
CSV_COLUMNS = ("name", "phone_number", "email")
# A cell starting with one of these is a formula to a spreadsheet; on export it
# gets a leading apostrophe, which spreadsheets read as "text" and hide. The
# apostrophe itself is on the list, so the guard is reversible: import drops
# one apostrophe before any of them, and `'+234…` comes back as `+234…`.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
BOM = b"\xef\xbb\xbf"
PHONE = re.compile(PHONE_PATTERN)
VCARD_TYPES = {"text/vcard", "text/x-vcard", "text/directory"}
# What browsers and phones label a .csv file with (Windows: Excel's type), or nothing at all.
CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
GENERIC_TYPES = {"", "application/octet-stream", "text/comma-separated-values"}
_HEADER_ALIASES = {"phone": "phone_number", "e_mail": "email"}
VCARD_MISSING = {
    "name": "The card has no FN or N",
    "phone_number": "The card has no TEL",
    "email": "The card has no EMAIL",
}
CSV_MISSING = {column: f"The {column} cell is empty" for column in CSV_COLUMNS}


class UnsupportedFile(DomainError):
    detail = "Upload a vCard (.vcf) or CSV file"


class InvalidFile(DomainError):
    """The file as a whole is unusable; `kind` names why, for clients to branch on."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


class RowIssue(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


@dataclass(slots=True)
class Record:
    row: int
    fields: dict[str, str]
    missing: Mapping[str, str]  # what to say when a field is absent
    errors: list[RowIssue] = field(default_factory=list)


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def guard(cell: str) -> str:
    # A phone number such as +2348031234567 is digits after the sign, never a formula
    # that calls anything: it stays as it is, readable by any CSV consumer.
    if PHONE.fullmatch(cell):
        return cell
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def read_records(data: bytes, content_type: str | None) -> list[Record]:
    """The rows of a vCard or CSV file (told apart by content, else by type), unvalidated."""
    data = data.removeprefix(BOM)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if not data.strip():
        raise InvalidFile("file_empty", "The file is empty")
    is_vcard = data.lstrip()[:11].upper() == b"BEGIN:VCARD"
    if not is_vcard and media not in VCARD_TYPES | CSV_TYPES | GENERIC_TYPES:
        raise UnsupportedFile
    try:
        records = _vcard_records(data) if is_vcard or media in VCARD_TYPES else _csv_records(data)
    except UnicodeDecodeError as exc:
        raise InvalidFile("file_encoding", "The file is not UTF-8 text") from exc
    if len(records) > MAX_ROWS:
        raise InvalidFile(
            "too_many_rows",
            f"The file has more than {MAX_ROWS} contacts; split it (nothing was imported)",
        )
    return records


def _vcard_records(data: bytes) -> list[Record]:
    cards = vcard.read_cards(data)
    if not cards:
        raise InvalidFile("vcard_invalid", "The file has no BEGIN:VCARD … END:VCARD card")
    records = []
    for card in cards:
        if card.error is not None:
            issue = RowIssue(type="vcard_invalid", loc=[], msg=card.error)
            records.append(Record(card.number, {}, VCARD_MISSING, [issue]))
            continue
        records.append(Record(card.number, vcard.contact_fields(card), VCARD_MISSING))
    return records


def _csv_records(data: bytes) -> list[Record]:
    text = data.decode()
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # `;` from spreadsheets in some locales
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(rows)
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            name = re.sub(r"[\s-]+", "_", cell.strip().lower())
            columns.setdefault(_HEADER_ALIASES.get(name, name), index)
        if absent := [column for column in CSV_COLUMNS if column not in columns]:
            raise InvalidFile(
                "csv_header",
                "The first row must be a header naming the columns name, phone_number "
                f"and email; missing: {', '.join(absent)}",
            )
        records: list[Record] = []
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not rows
            fields = {c: unguard(row[columns[c]]) for c in CSV_COLUMNS if columns[c] < len(row)}
            records.append(Record(len(records) + 1, fields, CSV_MISSING))
            if len(records) > MAX_ROWS:
                break  # enough to refuse the file
    except csv.Error as exc:
        raise InvalidFile("csv_invalid", f"Line {rows.line_num} is not valid CSV: {exc}") from exc
    return records
