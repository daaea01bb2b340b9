"""Reading the address book: search, order, and keyset pages behind an opaque cursor."""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field, ValidationError

from contacts.errors import InvalidCursor
from contacts.phones import digits_of, name_key
from models import Contact
from models.contact import SORT_KEYS, ContactOut, owned_by
from models.fields import MAX_ID

Sort = Literal["id", "-id", "name", "-name", "created_at", "-created_at"]
SORTS: tuple[str, ...] = get_args(Sort)
# Which stored field orders each sort; ties (and the id sort) go by id_key.
_FIELDS = SORT_KEYS
_AFTER_TYPES: dict[str, type] = {"id": type(None), "name": str, "created_at": int}
_MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z
# Digits and the punctuation people type in phone numbers: such a query also
# searches phone numbers by their digits.
_PHONE_LIKE = re.compile(r"[0-9+()\s.-]+")


class _Cursor(BaseModel):
    """Where a page ended, and the query it belongs to (a cursor serves one query only)."""

    sort: Sort
    q: str | None
    # The last row's sort value: a name key, a creation time in ms, or None (id sort).
    after: Annotated[str, Field(max_length=1000)] | Annotated[int, Field(ge=0, le=_MAX_MS)] | None
    id: int = Field(ge=1, le=MAX_ID)


# A listed row: what ContactOut shows, plus the sort keys a cursor is made of.
_ROW_FIELDS = (
    *(name for name in ContactOut.model_fields if name != "id"),
    "name_key",
    "created_key",
)


@dataclass(frozen=True, slots=True)
class Page:
    # Stored documents as dicts (`_id` renamed `id`): a page is read to be shown, so
    # building Beanie documents of it, and models of those, would be work thrown away.
    contacts: list[dict[str, Any]]
    next_cursor: str | None


def search_filter(user_id: int, q: str | None) -> dict[str, Any]:
    """The user's contacts whose name, email or phone contains `q`, ignoring case and accents."""
    owned = owned_by(user_id)
    text = (q or "").strip()
    if not text:
        return owned
    pattern = re.escape(name_key(text))
    matches: list[dict[str, Any]] = [
        {"name_key": {"$regex": pattern}},
        {"email_key": {"$regex": re.escape(text.lower())}},
    ]
    digits = digits_of(text)
    if digits and _PHONE_LIKE.fullmatch(text):
        matches += [
            {"phone_number": {"$regex": re.escape(digits)}},
            {"phone_key": {"$regex": re.escape(digits)}},
        ]
    return {**owned, "$or": matches}


@dataclass(frozen=True, slots=True)
class ListQuery:
    user_id: int
    q: str | None = None
    sort: Sort = "id"
    limit: int = 100
    offset: int = 0
    cursor: str | None = None


async def count_matches(user_id: int, q: str | None) -> int:
    """How many of the user's contacts match `q` (all of them without one)."""
    # A `$count` stage: the embedded store answers it from the owner index, where
    # count_documents' `$group` scans the whole collection. MongoDB uses the index for both.
    pipeline: list[dict[str, Any]] = [{"$match": search_filter(user_id, q)}, {"$count": "n"}]
    rows = await (await Contact.get_pymongo_collection().aggregate(pipeline)).to_list()
    return int(rows[0]["n"]) if rows else 0


async def read_page(request: ListQuery) -> Page:
    """One page in the requested order; with a cursor, the page after it (no skip)."""
    sort, q, limit = request.sort, request.q, request.limit
    field, direction = _FIELDS[sort.lstrip("-")], -1 if sort.startswith("-") else 1
    query = search_filter(request.user_id, q)
    order = [(field, direction)] + ([("id_key", direction)] if field != "id_key" else [])
    wanted = request.offset + limit + 1
    if request.cursor is None:
        rows = await _rows(query, order, wanted)
    else:
        position = decode_cursor(request.cursor, sort, q)
        rows = await _rows_after(query, order, position, wanted)
    rows = rows[request.offset :]
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    after = None if field == "id_key" else last[field]
    return Page(rows[:limit], encode_cursor(sort, q, after, last["id"]))


async def _rows(
    query: dict[str, Any], order: list[tuple[str, int]], n: int
) -> list[dict[str, Any]]:
    found = Contact.get_pymongo_collection().find(query, projection=_ROW_FIELDS)
    return [{"id": row.pop("_id"), **row} async for row in found.sort(order).limit(n)]


async def _rows_after(
    query: dict[str, Any], order: list[tuple[str, int]], position: _Cursor, n: int
) -> list[dict[str, Any]]:
    """The first `n` rows after the cursor's position.

    Conditions are added beside the owner's, never under an `$and` or `$or`: the
    embedded store reads those by scanning the collection. So a position in a
    (value, id) order is two index ranges, read one after the other: the rest of
    the value's ties by id, then the values beyond it.
    """
    field, direction = order[0]
    beyond = "$gt" if direction == 1 else "$lt"
    if field == "id_key":
        return await _rows({**query, "id_key": {beyond: position.id}}, order, n)
    ties = await _rows(
        {**query, field: {"$eq": position.after}, "id_key": {beyond: position.id}}, order, n
    )
    if len(ties) >= n:
        return ties
    rest = await _rows({**query, field: {beyond: position.after}}, order, n - len(ties))
    return ties + rest


def encode_cursor(sort: Sort, q: str | None, after: str | int | None, last_id: int) -> str:
    state = _Cursor(sort=sort, q=q, after=after, id=last_id).model_dump_json()
    return base64.urlsafe_b64encode(state.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort, q: str | None) -> _Cursor:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = _Cursor.model_validate_json(raw)
        if not isinstance(position.after, _AFTER_TYPES[position.sort.lstrip("-")]):
            raise ValueError("the sort value does not fit the sort")
    except (binascii.Error, ValueError, ValidationError, json.JSONDecodeError) as exc:
        raise InvalidCursor from exc
    if (position.sort, position.q) != (sort, q):
        raise InvalidCursor("The cursor belongs to another query: keep `sort` and `q` unchanged")
    return position
