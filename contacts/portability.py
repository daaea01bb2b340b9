"""Whole address books in and out: vCard and CSV files, a result for every imported row."""

import csv
import io
import re
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationError

from contacts import vcard
from contacts.service import BookConfig, derived_keys, insert_contacts
from models import Contact
from models.contact import ContactIn
from models.errors import DomainError

Format = Literal["vcf", "csv"]
MEDIA_TYPES: dict[Format, str] = {
    "vcf": "text/vcard; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
MAX_ROWS = 5000
EXPORT_BATCH = 500
CSV_COLUMNS = ("name", "phone_number", "email")
# A cell starting with one of these is a formula to a spreadsheet; on export it
# gets a leading apostrophe, which spreadsheets read as "text" and hide. The
# apostrophe itself is on the list, so the guard is reversible: import drops
# one apostrophe before any of them, and `'+234…` comes back as `+234…`.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
BOM = b"\xef\xbb\xbf"
VCARD_TYPES = {"text/vcard", "text/x-vcard", "text/directory"}
# What browsers and phones label a .csv file with (Windows: Excel's type), or nothing at all.
CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
GENERIC_TYPES = {"", "application/octet-stream", "text/comma-separated-values"}
# Spaces, dashes, dots and brackets people type in numbers (RFC 3966 visual separators).
_VISUAL_SEPARATORS = re.compile(r"[\s().-]")
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


class RowCreated(BaseModel):
    row: int
    status: Literal["created"]
    id: int


class RowDuplicate(BaseModel):
    row: int
    status: Literal["duplicate"]
    duplicate_of: list[int] = Field(description="Contacts with the same phone or email")


class RowRejected(BaseModel):
    row: int
    status: Literal["rejected"]
    errors: list[RowIssue]


RowResult = Annotated[RowCreated | RowDuplicate | RowRejected, Field(discriminator="status")]


class ImportReport(BaseModel):
    created: int
    duplicates: int
    rejected: int
    results: list[RowResult] = Field(
        description="One per card or CSV data row, in file order; `row` counts from 1"
    )


@dataclass(frozen=True, slots=True)
class _New:
    """A contact the import is about to create: its position in the bulk insert."""

    index: int


@dataclass(slots=True)
class Record:
    row: int
    fields: dict[str, str]
    missing: Mapping[str, str]  # what to say when a field is absent
    errors: list[RowIssue] = field(default_factory=list)


async def export_file(user_id: int, fmt: Format) -> AsyncIterator[bytes]:
    """The user's contacts in id order, as chunks of a file; the first batch is read now,
    so an unreachable database fails the request instead of cutting the download short."""
    first = await _batch(user_id, after=0)
    return _render(user_id, fmt, first)


async def _batch(user_id: int, after: int) -> list[Contact]:
    query = {"user_id": user_id, "_id": {"$gt": after}}
    return await Contact.find(query).sort("_id").limit(EXPORT_BATCH).to_list()


async def _render(user_id: int, fmt: Format, batch: list[Contact]) -> AsyncIterator[bytes]:
    if fmt == "csv":
        yield _csv_text([CSV_COLUMNS]).encode()
    while batch:
        if fmt == "csv":
            rows = ([_guard(c.name), _guard(c.phone_number), _guard(c.email)] for c in batch)
            yield _csv_text(rows).encode()
        else:
            yield "".join(map(_card, batch)).encode()
        if len(batch) < EXPORT_BATCH:
            return
        batch = await _batch(user_id, after=batch[-1].id)


def _card(c: Contact) -> str:
    return vcard.write_card(c.name, c.phone_number, c.email, vcard.contact_uid(c.id), c.updated_at)


def _csv_text(rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _guard(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


async def import_file(
    config: BookConfig, user_id: int, data: bytes, content_type: str | None
) -> ImportReport:
    """Create a contact from every valid row that duplicates no contact of the user's,
    whether stored before or created from an earlier row of the same file."""
    checked = [(record, _validate(record)) for record in read_records(data, content_type)]
    keys = {
        record.row: derived_keys(outcome.model_dump(), config)
        for record, outcome in checked
        if isinstance(outcome, ContactIn)
    }
    known: dict[tuple[str, str], list[int | _New]] = {
        key: list(ids) for key, ids in (await _known_keys(user_id, keys.values())).items()
    }
    # Decide every row first (a row may duplicate an earlier row of the file), then
    # create the new ones in one bulk insert rather than a round trip per row.
    to_create: list[ContactIn] = []
    decided: list[tuple[int, ContactIn | list[RowIssue], set[int | _New]]] = []
    for record, outcome in checked:
        if not isinstance(outcome, ContactIn):
            decided.append((record.row, outcome, set()))
            continue
        row_keys = [(name, keys[record.row][name]) for name in ("phone_key", "email_key")]
        same = {ref for key in row_keys for ref in known.get(key, [])}
        if not same:
            new = _New(len(to_create))
            to_create.append(outcome)
            for key in row_keys:
                known.setdefault(key, []).append(new)
        decided.append((record.row, outcome, same))
    created = await insert_contacts(config, user_id, to_create)

    def resolve(ref: int | _New) -> int:
        return created[ref.index].id if isinstance(ref, _New) else ref

    fresh = iter(created)  # in the order the rows were decided
    results: list[RowResult] = []
    for row, outcome, same in decided:
        if not isinstance(outcome, ContactIn):
            results.append(RowRejected(row=row, status="rejected", errors=outcome))
        elif same:
            duplicate_of = sorted(map(resolve, same))
            results.append(RowDuplicate(row=row, status="duplicate", duplicate_of=duplicate_of))
        else:
            results.append(RowCreated(row=row, status="created", id=next(fresh).id))
    counts = {kind: sum(r.status == kind for r in results) for kind in ("created", "rejected")}
    duplicates = len(results) - sum(counts.values())
    return ImportReport(**counts, duplicates=duplicates, results=results)


async def _known_keys(
    user_id: int, keys: Collection[dict[str, str]]
) -> dict[tuple[str, str], list[int]]:
    """The user's contact ids by the (phone_key | email_key, value) pairs in `keys`."""
    wanted = {name: sorted({k[name] for k in keys}) for name in ("phone_key", "email_key")}
    if not wanted["phone_key"]:
        return {}
    query = {"user_id": user_id, "$or": [{n: {"$in": v}} for n, v in wanted.items()]}
    found = Contact.get_pymongo_collection().find(query, projection=list(wanted)).sort("_id")
    known: dict[tuple[str, str], list[int]] = {}
    async for doc in found:
        for name in wanted:
            if doc.get(name):
                known.setdefault((name, doc[name]), []).append(doc["_id"])
    return known


def _validate(record: Record) -> ContactIn | list[RowIssue]:
    if record.errors:
        return record.errors
    given = {name: value.strip() for name, value in record.fields.items() if value.strip()}
    if "phone_number" in given:
        given["phone_number"] = _VISUAL_SEPARATORS.sub("", given["phone_number"])
    try:
        return ContactIn.model_validate(given)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
    for error in errors:
        if error["type"] == "missing":
            error["msg"] = record.missing[str(error["loc"][0])]
    return [RowIssue.model_validate(error) for error in errors]


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
            fields = {c: _unguard(row[columns[c]]) for c in CSV_COLUMNS if columns[c] < len(row)}
            records.append(Record(len(records) + 1, fields, CSV_MISSING))
            if len(records) > MAX_ROWS:
                break  # enough to refuse the file
    except csv.Error as exc:
        raise InvalidFile("csv_invalid", f"Line {rows.line_num} is not valid CSV: {exc}") from exc
    return records
