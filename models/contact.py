"""An address-book entry: its document, its tombstone and the ContactBase schema family."""

from datetime import datetime
from typing import Annotated, Any

from beanie import Document
from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator
from pymongo import ASCENDING, IndexModel, UpdateOne
from typing_extensions import TypedDict

from models.fields import ContactName, PhoneNumber, utcnow
from models.patch import NotNull

# The orders a list can be read in, each served by an index that starts with the owner.
SORT_KEYS = {"id": "id_key", "name": "name_key", "created_at": "created_key"}


class Contact(Document):
    id: int  # type: ignore[assignment]  # integer ids are part of the contract
    user_id: int
    name: str
    phone_number: str
    email: str
    # The id again, in a field of its own: what every order and page goes by. The
    # embedded store orders `_id` integers as text unless the filter names `_id`, and
    # a filter naming it turns every list into a scan of the whole collection.
    id_key: int = 0
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

    @model_validator(mode="after")
    def _id_key_is_the_id(self) -> "Contact":
        self.id_key = self.id
        return self


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
    """The filter of one user's contacts; sort and page them by `id_key`, never `_id`.

    `$eq` means what a bare value means, except to the embedded store: it answers a
    bare value in a filter that also sorts or ranges by scanning the collection (a
    bare value may match inside arrays there), and `$eq` through the owner index.
    """
    return {"user_id": {"$eq": user_id}}


async def backfill_id_keys() -> int:
    """Give contacts stored before `id_key` existed their `id_key`; how many needed it.

    Run at start-up; idempotent, so replicas starting together do no harm.
    """
    collection = Contact.get_pymongo_collection()
    # One update per document: the embedded store has no pipeline updates ($set: "$_id").
    updates = [
        UpdateOne({"_id": doc["_id"]}, {"$set": {"id_key": doc["_id"]}})
        async for doc in collection.find({"id_key": {"$exists": False}}, projection={"_id": 1})
    ]
    for start in range(0, len(updates), 1000):
        await collection.bulk_write(updates[start : start + 1000], ordered=False)
    return len(updates)


def tombstone_indexes(embedded_store: bool) -> list[IndexModel]:
    """The changes feed's index on deletions: owner, time, then `_id` where allowed."""
    tail = [] if embedded_store else [("_id", ASCENDING)]
    return [IndexModel([("user_id", ASCENDING), ("deleted_at", ASCENDING), *tail])]


def contact_indexes(embedded_store: bool) -> list[IndexModel]:
    """The owner's indexes: lookups, every list order, the changes feed, duplicates.

    Each list order's index ends in `id_key`, the tie-breaker that makes keyset
    pages exact. The changes feed's ends in `_id` on MongoDB; the embedded store
    breaks every insert into a collection whose compound index names `_id`, so
    there it stops before it (that store's feed orders its window itself).
    """
    feed_tail = [] if embedded_store else [("_id", ASCENDING)]
    ordered = [
        [("user_id", ASCENDING), ("id_key", ASCENDING)],
        [("user_id", ASCENDING), ("name_key", ASCENDING), ("id_key", ASCENDING)],
        [("user_id", ASCENDING), ("created_key", ASCENDING), ("id_key", ASCENDING)],
        [("user_id", ASCENDING), ("updated_at", ASCENDING), *feed_tail],
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
