"""The changes feed for offline sync: what changed since a cursor, deletions included.

A client starts without a cursor and gets a snapshot: every live contact, in id
order, paged. The snapshot's last page hands over a feed cursor; from then on the
client asks for what came after it: contacts whose `updated_at` and tombstones whose
`deleted_at` are later, merged in (timestamp, id) order and paged by keyset.
"""

import base64
import binascii
import json
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from contacts.errors import CursorExpired, InvalidSyncCursor
from models import Contact, ContactTombstone, is_embedded_store
from models.contact import owned_by
from models.fields import MAX_ID, utcnow

MAX_CHANGES = 500
# The feed reads only up to now - SETTLE_LAG. A write's timestamp is taken before it
# commits, by another app replica or by the database (`$currentDate`), whose clocks
# may run a little behind ours: a change stamped just before now can still become
# visible after this read. Staying this far behind, a cursor never passes a timestamp
# that a write still in flight could carry, so nothing is skipped.
SETTLE_LAG = timedelta(seconds=2)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_MAX_MS = (datetime(9999, 1, 1, tzinfo=UTC) - _EPOCH) // _MS


class _Cursor(BaseModel):
    """A position in the feed, or (`snapshot`) in the snapshot that precedes it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    # Feed: the last change's timestamp (ms since the epoch). Snapshot: where the
    # feed will start once the snapshot is read, which is also what the horizon checks.
    t: int = Field(ge=0, le=_MAX_MS)
    # Feed: the last change's id, None when everything up to `t` was read.
    # Snapshot: the last contact's id.
    id: int | None = Field(default=None, ge=1, le=MAX_ID)
    snapshot: bool = False


@dataclass(frozen=True, slots=True)
class Changes:
    changed: list[Contact]  # in their latest state
    deleted: list[int]
    cursor: str
    has_more: bool  # call again now with `cursor`


async def read_changes(
    user_id: int, since: str | None, limit: int = MAX_CHANGES, *, history: timedelta
) -> Changes:
    """The user's changes after `since`, or a snapshot of the book without it.

    `history` is how long tombstones are kept: a cursor older than that could miss
    deletions, so it raises CursorExpired rather than answer incompletely.
    """
    if not 1 <= limit <= MAX_CHANGES:
        raise ValueError(f"limit must be within 1..{MAX_CHANGES}")
    now = utcnow()
    settled = now - SETTLE_LAG
    if since is None:
        return await _snapshot_page(user_id, _Cursor(t=_to_ms(settled), snapshot=True), limit)
    position = decode_cursor(since)
    # The same margin as the settle lag: the database's clock, which expires
    # tombstones, may run ahead of ours.
    if _to_time(position.t) < now - history + SETTLE_LAG:
        raise CursorExpired(
            "The cursor is older than the deletion history kept "
            f"({_describe(history)}); resync in full: call without `since`"
        )
    if position.snapshot:
        return await _snapshot_page(user_id, position, limit)
    return await _feed_page(user_id, position, settled, limit)


async def _snapshot_page(user_id: int, position: _Cursor, limit: int) -> Changes:
    """Live contacts in id order; the last page hands over to the feed at `position.t`."""
    query = owned_by(user_id)
    if position.id is not None:
        query["id_key"] = {"$gt": position.id}
    rows = await Contact.find(query).sort("+id_key").limit(limit + 1).to_list()
    if len(rows) > limit:
        following = _Cursor(t=position.t, id=rows[limit - 1].id, snapshot=True)
        return Changes(rows[:limit], [], encode_cursor(following), has_more=True)
    # Whatever changes during the snapshot is stamped after position.t (within the
    # settle lag), so the feed from there repeats it: at worst twice, never missed.
    return Changes(rows, [], encode_cursor(_Cursor(t=position.t)), has_more=False)


async def _feed_page(user_id: int, position: _Cursor, settled: datetime, limit: int) -> Changes:
    window = _Window(user_id, position, settled, limit)
    # Contacts first: a deletion landing between the two reads then shows as its
    # tombstone too, and the tombstone wins below.
    contacts = await _first(Contact, "updated_at", window)
    tombstones = await _first(ContactTombstone, "deleted_at", window)
    # One stream keyed by position; a tombstone replaces a contact at the same one.
    stream: dict[tuple[datetime, int], Contact | None] = {
        key: Contact.model_validate(row) for key, row in contacts
    }
    stream.update({key: None for key, _ in tombstones})
    ordered = sorted(stream.items(), key=lambda item: item[0])
    page, has_more = ordered[:limit], len(ordered) > limit
    deleted = [key[1] for key, contact in page if contact is None]
    gone = set(deleted)
    changed = [c for _, c in page if c is not None and c.id not in gone]
    if has_more:
        (last_time, last_id), _ = page[-1]
        following = _Cursor(t=_to_ms(last_time), id=last_id)
    elif _to_ms(settled) >= position.t:
        # Everything up to the settled bound is read: the next call starts there.
        following = _Cursor(t=_to_ms(settled))
    else:
        # The cursor is ahead of this clock (another replica's): never move back.
        following = position
    return Changes(changed, deleted, encode_cursor(following), has_more)


@dataclass(frozen=True, slots=True)
class _Window:
    """The user's changes after `position` and no later than `settled`, `limit` a page."""

    user_id: int
    position: _Cursor
    settled: datetime
    limit: int

    def holds(self, key: tuple[datetime, int]) -> bool:
        moment = key[0]
        start, last_id = _to_time(self.position.t), self.position.id
        after = moment > start if last_id is None else key > (start, last_id)
        return after and moment <= self.settled


Row = tuple[tuple[datetime, int], dict[str, Any]]


async def _first(
    model: type[Contact] | type[ContactTombstone], field: str, window: _Window
) -> list[Row]:
    """The window's first `limit + 1` rows by (`field`, the time of the change; id).

    Each read is one range on `field` after the owner, served by the (user_id, field)
    index. MongoDB reads exactly the rows needed. NX-27017 compares dates to the
    second and cannot sort a date-filtered find() whose dates were written partly by
    insert and partly by `$currentDate`, so there the read is the whole window,
    widened to whole seconds, and the order and the page are made here.
    """
    collection = model.get_pymongo_collection()
    position, start = window.position, _to_time(window.position.t)
    owner = owned_by(window.user_id)  # the same filter for tombstones: `$eq`, for the index
    if await _is_embedded(collection.database):
        widened = start.replace(microsecond=0)
        end = window.settled.replace(microsecond=0) + timedelta(seconds=1)
        found = collection.find({**owner, field: {"$gte": widened, "$lt": end}})
    else:
        query: dict[str, Any] = dict(owner)
        if position.id is None:
            query[field] = {"$gt": start, "$lte": window.settled}
        else:
            query[field] = {"$gte": start, "$lte": window.settled}
            query["$or"] = [{field: {"$gt": start}}, {"_id": {"$gt": position.id}}]
        found = collection.find(query).sort([(field, 1), ("_id", 1)]).limit(window.limit + 1)
    rows = [((_utc(row[field]), int(row["_id"])), row) async for row in found]
    inside = sorted((row for row in rows if window.holds(row[0])), key=lambda row: row[0])
    return inside[: window.limit + 1]


# Whether each client's server is NX-27017, asked once per client.
_EMBEDDED: "weakref.WeakKeyDictionary[AsyncMongoClient[Any], bool]" = weakref.WeakKeyDictionary()


async def _is_embedded(database: AsyncDatabase[Any]) -> bool:
    client = database.client
    known = _EMBEDDED.get(client)
    if known is None:
        known = _EMBEDDED[client] = await is_embedded_store(database)
    return known


def encode_cursor(position: _Cursor) -> str:
    state = position.model_dump_json(exclude_defaults=True)
    return base64.urlsafe_b64encode(state.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> _Cursor:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = _Cursor.model_validate_json(raw)
    except (binascii.Error, ValueError, ValidationError, json.JSONDecodeError) as exc:
        raise InvalidSyncCursor from exc
    if position.snapshot and position.id is None:
        raise InvalidSyncCursor
    return position


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _to_ms(moment: datetime) -> int:
    return (_utc(moment) - _EPOCH) // _MS


def _to_time(ms: int) -> datetime:
    return _EPOCH + ms * _MS


def _describe(history: timedelta) -> str:
    days, seconds = history.days, history.total_seconds()
    if history % timedelta(days=1) == timedelta(0):
        return f"{days} day{'s' * (days != 1)}"
    return f"{seconds:g} second{'s' * (seconds != 1)}"
