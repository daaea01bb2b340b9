"""Writing contacts: derived keys, versions for optimistic concurrency, tombstones for sync."""

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument

from contacts.errors import DuplicateContact, PreconditionFailed
from contacts.phones import name_key, normalize_phone
from models import Contact, ContactTombstone
from models.contact import ContactIn, epoch_ms, owned_by
from models.counter import next_id, next_ids
from models.errors import NotFound
from models.fields import utcnow

MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class BookConfig:
    """What the app decides once for every address book."""

    # E.164 normalisation of numbers written without one (PHONE_DEFAULT_COUNTRY_CODE).
    country_code: str | None = None
    # How long deletions are remembered for syncing clients (the sync horizon).
    tombstone_lifetime: timedelta = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Precondition:
    """What an If-Match header accepts: the opaque parts of some strong ETags, or any (`*`)."""

    tags: frozenset[str] | None  # None: `*`

    def allows(self, version: int) -> bool:
        # Compared as strings, exactly as issued: no int() of client input.
        return self.tags is None or str(version) in self.tags


def derived_keys(fields: Mapping[str, Any], config: BookConfig) -> dict[str, str]:
    """The search and duplicate keys of whichever of name, phone and email are given."""
    keys = {}
    if "name" in fields:
        keys["name_key"] = name_key(str(fields["name"]))
    if "phone_number" in fields:
        keys["phone_key"] = normalize_phone(str(fields["phone_number"]), config.country_code)
    if "email" in fields:
        keys["email_key"] = str(fields["email"]).lower()
    return keys


async def find_duplicates(
    user_id: int, keys: Mapping[str, str], *, exclude: int | None = None
) -> list[int]:
    """Ids of the user's contacts sharing the normalised phone or the email."""
    # One indexed lookup per key rather than one $or, which the embedded store
    # answers by scanning the collection.
    collection = Contact.get_pymongo_collection()
    lookups = [
        collection.find({**owned_by(user_id), field: {"$eq": keys[field]}}, projection={"_id": 1})
        for field in ("phone_key", "email_key")
        if keys.get(field)
    ]
    found = await asyncio.gather(*(cursor.to_list() for cursor in lookups))
    return sorted({doc["_id"] for docs in found for doc in docs} - {exclude})


async def create_contact(
    config: BookConfig, user_id: int, data: ContactIn, *, reject_duplicates: bool = False
) -> tuple[Contact, list[int]]:
    """Insert a contact; return it with the ids of possible duplicates."""
    fields = data.model_dump()
    keys = derived_keys(fields, config)
    duplicates = await find_duplicates(user_id, keys)
    if duplicates and reject_duplicates:
        raise DuplicateContact(duplicates)
    now = utcnow()
    contact = Contact(
        id=await next_id("contacts"),
        user_id=user_id,
        **fields,
        **keys,
        created_at=now,
        updated_at=now,
        created_key=epoch_ms(now),
    )
    # PyMongo straight: Beanie's insert (state tracking, actions, its own encoder)
    # cost more than the write on the create path. Beanie's revision field is unused.
    await Contact.get_pymongo_collection().insert_one(
        contact.model_dump(by_alias=True, exclude={"revision_id"})
    )
    return contact, duplicates


async def insert_contacts(
    config: BookConfig, user_id: int, items: Sequence[ContactIn]
) -> list[Contact]:
    """Insert many contacts in as few round trips as possible, ids in input order.

    No duplicate check: for callers that have already decided (an import that
    compared every row against the book in one query).
    """
    if not items:
        return []
    now = utcnow()
    contacts = [
        Contact(
            id=contact_id,
            user_id=user_id,
            **item.model_dump(),
            **derived_keys(item.model_dump(), config),
            created_at=now,
            updated_at=now,
            created_key=epoch_ms(now),
        )
        for contact_id, item in zip(await next_ids("contacts", len(items)), items, strict=True)
    ]
    await Contact.insert_many(contacts)
    return contacts


async def update_contact(
    config: BookConfig,
    contact: Contact,
    changes: Mapping[str, Any],
    precondition: Precondition | None = None,
) -> Contact:
    """Set the given fields in one atomic write that also bumps the version.

    Only the given fields are written, so concurrent changes to other fields
    survive; a whole body (PUT) is therefore one complete state, never a mix.
    With a precondition, the write happens only on a version it allows.
    """
    query: dict[str, Any] = {"_id": contact.id, "user_id": contact.user_id}
    if precondition is not None:
        if not precondition.allows(contact.version):
            raise PreconditionFailed
        query["version"] = contact.version
    if not changes:
        return contact  # an empty patch changes nothing, so the version stays
    # $currentDate, not a date in $set: the embedded store saves $set dates as strings.
    updated = await Contact.get_pymongo_collection().find_one_and_update(
        query,
        {
            "$set": {**changes, **derived_keys(changes, config)},
            "$inc": {"version": 1},
            "$currentDate": {"updated_at": True},
        },
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise await _why_unwritten(contact)
    written: Contact = Contact.model_validate(updated)
    return written


async def delete_contact(
    config: BookConfig, contact: Contact, precondition: Precondition | None = None
) -> None:
    """Delete the contact, leaving a tombstone for syncing clients.

    The tombstone is written first: should the process die in between, a
    syncing client is told of a deletion that a later change of the contact
    corrects, rather than never told of one that happened.
    """
    query: dict[str, Any] = {"_id": contact.id, "user_id": contact.user_id}
    if precondition is not None:
        if not precondition.allows(contact.version):
            raise PreconditionFailed
        query["version"] = contact.version
    now = utcnow()
    tombstone = ContactTombstone(
        id=contact.id,
        user_id=contact.user_id,
        deleted_at=now,
        expires_at=now + config.tombstone_lifetime,
        writer=secrets.token_hex(8),
    )
    tombstones = ContactTombstone.get_pymongo_collection()
    # Upserted whole: a racing delete of the same contact may have written one.
    await tombstones.replace_one(
        {"_id": contact.id}, tombstone.model_dump(by_alias=True), upsert=True
    )
    result = await Contact.get_pymongo_collection().delete_one(query)
    if result.deleted_count == 0:
        failure = await _why_unwritten(contact)
        if isinstance(failure, PreconditionFailed):  # still there: nothing was deleted
            await tombstones.delete_one({"_id": contact.id, "writer": tombstone.writer})
        raise failure


async def _why_unwritten(contact: Contact) -> Exception:
    exists = await Contact.find_one({"_id": contact.id, "user_id": contact.user_id})
    return PreconditionFailed() if exists is not None else NotFound("Contact not found")


async def merge_into(config: BookConfig, target: Contact, other: Contact) -> Contact:
    """Fold `other` into `target` (the target's fields win unless empty), then delete `other`.

    Both writes are conditional on the versions read: if either contact changed
    meanwhile (an edit, or a merge of the same pair the other way round), the
    merge stops with 412 rather than overwrite an acknowledged write or delete
    both contacts. The target write comes first and changes no field a client
    gave it, so a merge stopped between the two loses nothing.
    """
    fields = {
        name: getattr(target, name) or getattr(other, name)
        for name in ("name", "phone_number", "email")
    }
    written = await update_contact(config, target, fields, _exactly(target))
    await delete_contact(config, other, _exactly(other))
    return written


def _exactly(contact: Contact) -> Precondition:
    return Precondition(tags=frozenset({str(contact.version)}))
