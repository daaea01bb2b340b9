"""An address-book entry: its document, its tombstone and the ContactBase schema family."""

from datetime import datetime
from typing import Annotated, Any

from beanie import Document
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from pymongo import ASCENDING, IndexModel
from typing_extensions import TypedDict

from models.fields import ContactName, PhoneNumber, utcnow
from models.patch import NotNull

# The orders a list can be read in, each served by an index that starts with the owner.
SORT_KEYS = {"id": "_id", "name": "name_key", "created_at": "created_key"}


class Contact(Document):
    id: int  # type: ignore[assignment]  # integer ids are part of the contract
    user_id: int
    name: str
    phone_number: str
    email: str
    # Derived on every write, for search, sorting and duplicate detection.
    name_key: str = ""  # the name casefolded
    phone_key: str = ""  # digits with an optional leading +, E.164 when a region is set
    email_key: str = ""  # the email lowercased
    # created_at in milliseconds since the epoch: an integer sorts and pages
    # exactly on every store (the embedded one cannot compare dates for equality).
    created_key: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Increases with every write: the ETag, and the compare in compare-and-swap.
    version: int = 1

    class Settings:
        name = "contacts"
        # The indexes depend on the server: see contact_indexes().


class ContactTombstone(Document):
    """A deleted contact's id, kept so that syncing clients learn of the deletion."""

    id: int  # type: ignore[assignment]  # the deleted contact's id
    user_id: int
    deleted_at: datetime
    expires_at: datetime  # the sync horizon: older cursors get 410
    # Which delete wrote it: a delete that turns out refused takes back only its own.
    writer: str = ""

    class Settings:
        name = "contact_tombstones"
        # The feed's index depends on the server too: see contact_indexes().
        indexes = [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)]


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def owned_by(user_id: int) -> dict[str, Any]:
    """The filter of one user's contacts, for every query that sorts or pages them.

    The `_id` condition holds for every contact (ids start at 1). It is there for
    the embedded store, which orders integer ids as text (1, 10, 11, 2, ...)
    unless the filter itself names `_id`.
    """
    return {"user_id": user_id, "_id": {"$gte": 1}}


def tombstone_indexes(embedded_store: bool) -> list[IndexModel]:
    """The changes feed's index on deletions: owner, time, then `_id` where allowed."""
    tail = [] if embedded_store else [("_id", ASCENDING)]
    return [IndexModel([("user_id", ASCENDING), ("deleted_at", ASCENDING), *tail])]


def contact_indexes(embedded_store: bool) -> list[IndexModel]:
    """The owner's indexes: lookups, every list order, the changes feed, duplicates.

    On MongoDB each ordered index ends in `_id`, the tie-breaker that makes keyset
    pages exact. The embedded store breaks every insert into a collection whose
    compound index names `_id`, so there they stop before it (the sort still
    names `_id`; the store then finishes the order itself).
    """
    tail = [] if embedded_store else [("_id", ASCENDING)]
    ordered = [
        [("user_id", ASCENDING), *([] if embedded_store else [("_id", ASCENDING)])],
        [("user_id", ASCENDING), ("name_key", ASCENDING), *tail],
        [("user_id", ASCENDING), ("created_key", ASCENDING), *tail],
        [("user_id", ASCENDING), ("updated_at", ASCENDING), *tail],
    ]
    lookups = [
        [("user_id", ASCENDING), ("phone_key", ASCENDING)],
        [("user_id", ASCENDING), ("email_key", ASCENDING)],
    ]
    return [IndexModel(keys) for keys in ordered + lookups]


# The seed's own contact, the example of every contact schema.
CONTACT_EXAMPLE: dict[str, Any] = {
    "name": "chioma",
    "phone_number": "09068641485",
    "email": "ghjhkj@gmail.com",
}
STORED_EXAMPLE: dict[str, Any] = {
    "id": 1,
    **CONTACT_EXAMPLE,
    "user_id": 1,
    "created_at": "2025-01-01T12:00:00Z",
    "updated_at": "2025-01-01T12:00:00Z",
    "version": 1,
}


class ContactBase(BaseModel):
    name: ContactName
    phone_number: PhoneNumber
    email: EmailStr


class ContactIn(ContactBase):
    """Body of create and full replace.

    Unknown fields are ignored, so a client may send back a contact exactly as it
    read it (with `id` and `user_id`); neither is ever taken from the body.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [CONTACT_EXAMPLE]})


class ContactPatch(TypedDict, total=False):
    """A JSON merge patch of a contact: only the fields given change, validated as on create.

    Unknown fields are ignored, as in ContactIn.
    """

    __pydantic_config__ = ConfigDict(  # type: ignore[misc]
        extra="ignore", json_schema_extra={"examples": [{"phone_number": "+2349068641485"}]}
    )

    name: Annotated[ContactName, NotNull]
    phone_number: Annotated[PhoneNumber, NotNull]
    email: Annotated[EmailStr, NotNull]


class ContactOut(BaseModel):
    # Plain types: stored contacts were validated on the way in, and re-running
    # email validation on every listed row would only cost time.
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [STORED_EXAMPLE]}
    )

    id: int
    name: str
    phone_number: str
    email: str
    user_id: int
    created_at: datetime
    updated_at: datetime
    version: int = Field(description='Changes on every write; the ETag is `"<version>"`.')


class ContactCreated(ContactOut):
    # Always sent, so required in the documented answer, defaulted or not.
    model_config = ConfigDict(
        json_schema_serialization_defaults_required=True,
        json_schema_extra={"examples": [{**STORED_EXAMPLE, "possible_duplicate_of": []}]},
    )

    possible_duplicate_of: list[int] = Field(
        default_factory=list,
        description="The caller's contacts with the same normalised phone or email.",
    )
