"""Beanie documents and the request/response schemas. Imports nothing of `auth` or `api`."""

from typing import Any

from beanie import Document, init_beanie
from pymongo.asynchronous.database import AsyncDatabase

from models.attempts import AttemptCounter
from models.contact import Contact, ContactTombstone, contact_indexes, tombstone_indexes
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
    await Contact.get_pymongo_collection().create_indexes(contact_indexes(embedded_store))
    await ContactTombstone.get_pymongo_collection().create_indexes(
        tombstone_indexes(embedded_store)
    )


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
