"""Whole address books in and out: a file per book, a result for every imported row."""

import re
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Annotated, Literal

import anyio
from pydantic import BaseModel, Field, ValidationError

from contacts import vcard
from contacts.files import (
    CSV_COLUMNS,
    Record,
    RowIssue,
    csv_text,
    guard,
    read_records,
)
from contacts.service import BookConfig, derived_keys, insert_contacts
from models import Contact
from models.contact import ContactIn, owned_by

Format = Literal["vcf", "csv"]
MEDIA_TYPES: dict[Format, str] = {
    "vcf": "text/vcard; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
EXPORT_BATCH = 500
# Spaces, dashes, dots and brackets people type in numbers (RFC 3966 visual separators).
_VISUAL_SEPARATORS = re.compile(r"[\s().-]")


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


async def export_file(user_id: int, fmt: Format) -> AsyncIterator[bytes]:
    """The user's contacts in id order, as chunks of a file; the first batch is read now,
    so an unreachable database fails the request instead of cutting the download short."""
    first = await _batch(user_id, after=0)
    return _render(user_id, fmt, first)


async def _batch(user_id: int, after: int) -> list[Contact]:
    query = {**owned_by(user_id), "id_key": {"$gt": after}}
    return await Contact.find(query).sort("id_key").limit(EXPORT_BATCH).to_list()


async def _render(user_id: int, fmt: Format, batch: list[Contact]) -> AsyncIterator[bytes]:
    if fmt == "csv":
        yield csv_text([CSV_COLUMNS]).encode()
    while batch:
        if fmt == "csv":
            rows = ([guard(c.name), guard(c.phone_number), guard(c.email)] for c in batch)
            yield csv_text(rows).encode()
        else:
            yield "".join(map(_card, batch)).encode()
        if len(batch) < EXPORT_BATCH:
            return
        batch = await _batch(user_id, after=batch[-1].id)


def _card(c: Contact) -> str:
    return vcard.write_card(c.name, c.phone_number, c.email, vcard.contact_uid(c.id), c.updated_at)


async def import_file(
    config: BookConfig, user_id: int, data: bytes, content_type: str | None
) -> ImportReport:
    """Create a contact from every valid row that duplicates no contact of the user's,
    whether stored before or created from an earlier row of the same file."""
    # Parsing a 5 MiB file is CPU work: done in a worker thread, the event loop
    # keeps serving other requests meanwhile.
    records = await anyio.to_thread.run_sync(read_records, data, content_type)
    checked = [(record, _validate(record)) for record in records]
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
    found = Contact.get_pymongo_collection().find(query, projection=list(wanted)).sort("id_key")
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
