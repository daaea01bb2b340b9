"""Beanie documents and the request/response schemas. Imports nothing of `auth` or `api`."""

from typing import Any

from beanie import Document, init_beanie
from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from models.attempts import AttemptCounter
from models.contact import (
    Contact,
    ContactTombstone,
    backfill_id_keys,
    contact_indexes,
    tombstone_indexes,
)
from models.counter import Counter
from models.idempotency import IdempotencyRecord
from models.session import Session
from models.token import RevokedToken
from models.user import User

DOCUMENT_MODELS: list[type[Document]] = [
    User,
    Contact,
    ContactTombstone,
    Session,
    RevokedToken,
    AttemptCounter,
    IdempotencyRecord,
    Counter,
]


async def is_embedded_store(database: AsyncDatabase[Any]) -> bool:
    """Whether the server is NX-27017 (it says so in buildInfo) rather than MongoDB."""
    info = await database.client.admin.command("buildInfo")
    return bool(info.get("process") == "nx_27017")


async def init_models(database: AsyncDatabase[Any]) -> None:
    """Bind the documents to `database` (process-wide, as Beanie does) and build indexes."""
    await init_beanie(database=database, document_models=DOCUMENT_MODELS)
    embedded_store = await is_embedded_store(database)
    await _set_indexes(Contact.get_pymongo_collection(), contact_indexes(embedded_store))
    await _set_indexes(
        ContactTombstone.get_pymongo_collection(), tombstone_indexes(embedded_store)
    )
    await backfill_id_keys()


async def _set_indexes(collection: AsyncCollection[Any], wanted: list[IndexModel]) -> None:
    """Create `wanted`, and drop indexes an older release made for orders it read by.

    Kept: `_id`, `wanted`, and TTL indexes (declared on the document classes).
    Indexes are told apart by their keys: the embedded store names them its own way.
    """
    await collection.create_indexes(wanted)
    keep = [list(model.document["key"].items()) for model in wanted] + [[("_id", 1)]]
    for name, info in (await collection.index_information()).items():
        if list(info["key"]) not in keep and "expireAfterSeconds" not in info:
            await collection.drop_index(name)


__all__ = [
    "DOCUMENT_MODELS",
    "AttemptCounter",
    "Contact",
    "ContactTombstone",
    "Counter",
    "IdempotencyRecord",
    "RevokedToken",
    "Session",
    "User",
    "init_models",
    "is_embedded_store",
]
