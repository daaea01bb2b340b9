"""Many contacts in one call: each item validated, created or deleted on its own.

Items are processed one after another, in input order: created contacts get
increasing ids in that order, and a later item is checked for duplicates
against the earlier ones, exactly as if they had been sent one by one.
Every item goes through the single-contact service, so an item is either
wholly created (or deleted, tombstone included) or not at all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from contacts.errors import DuplicateContact
from contacts.service import MAX_BATCH, BookConfig, create_contact, delete_contact
from models import Contact
from models.contact import ContactIn
from models.errors import NotFound


@dataclass(frozen=True, slots=True)
class Created:
    contact: Contact
    possible_duplicate_of: list[int]


@dataclass(frozen=True, slots=True)
class Invalid:
    # Pydantic's errors without `input` (it may be anything the client sent) or
    # `url`; `loc` is relative to the item.
    errors: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A duplicate refused under `reject_duplicates`."""

    duplicate_of: list[int]


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The store became unreachable at or before this item; it was not created."""


CreateOutcome = Created | Invalid | Rejected | Unavailable


def _check_size(count: int) -> None:
    if count > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} items per batch, got {count}")


def item_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"type": e["type"], "loc": list(e["loc"]), "msg": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


async def create_many(
    config: BookConfig,
    user_id: int,
    items: Sequence[object],
    *,
    reject_duplicates: bool = False,
) -> list[CreateOutcome]:
    """Validate and create each item on its own; one outcome per item, in input order.

    If the store becomes unreachable after some contacts were created, the
    failing item and all later ones are `Unavailable`, so the caller learns what
    was written; if nothing was created yet, the ConnectionFailure propagates.
    """
    _check_size(len(items))
    outcomes: list[CreateOutcome] = []
    for item in items:
        try:
            data = ContactIn.model_validate(item)
        except ValidationError as exc:
            outcomes.append(Invalid(item_errors(exc)))
            continue
        try:
            contact, duplicates = await create_contact(
                config, user_id, data, reject_duplicates=reject_duplicates
            )
        except DuplicateContact as exc:
            outcomes.append(Rejected(exc.duplicate_of))
        except ConnectionFailure:
            if not any(isinstance(outcome, Created) for outcome in outcomes):
                raise
            outcomes.extend(Unavailable() for _ in range(len(items) - len(outcomes)))
            break
        else:
            outcomes.append(Created(contact, duplicates))
    return outcomes


async def delete_many(
    config: BookConfig, user_id: int, ids: Sequence[int]
) -> list[tuple[int, bool]]:
    """Delete those of the ids that are the user's contacts, leaving tombstones.

    Returns each distinct id once, in order of first occurrence, with whether it
    was deleted. Another user's contact is treated like a missing one. A store
    failure propagates: deleting is idempotent, so the whole batch can be retried.
    """
    _check_size(len(ids))
    distinct = list(dict.fromkeys(ids))
    owned = {
        contact.id: contact
        for contact in await Contact.find({"_id": {"$in": distinct}, "user_id": user_id}).to_list()
    }
    results: list[tuple[int, bool]] = []
    for contact_id in distinct:
        contact = owned.get(contact_id)
        if contact is None:
            results.append((contact_id, False))
            continue
        try:
            await delete_contact(config, contact)
        except NotFound:  # deleted concurrently since it was read
            results.append((contact_id, False))
        else:
            results.append((contact_id, True))
    return results
