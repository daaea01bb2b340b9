"""Windowed attempt counters in the database, so limits hold across workers and replicas."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from beanie import Document
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from models.fields import utcnow


class AttemptCounter(Document):
    id: str  # type: ignore[assignment]  # what is counted, e.g. a hashed email and address
    hits: int
    expires_at: datetime  # the end of the window that started with the first attempt

    class Settings:
        name = "attempt_counters"
        indexes = [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)]


@dataclass(frozen=True, slots=True)
class Tally:
    hits: int
    resets_at: datetime


async def count_attempt(key: str, window: timedelta) -> Tally:
    """Add one to `key`'s live window, or open a new window if none is live.

    Three atomic steps, retried on a lost race, so concurrent attempts are
    counted exactly: increment a live window; else create one; else replace
    an expired one the TTL monitor has not removed yet.
    """
    collection = AttemptCounter.get_pymongo_collection()
    for _ in range(5):
        now = utcnow()
        live = await collection.find_one_and_update(
            {"_id": key, "expires_at": {"$gt": now}},
            {"$inc": {"hits": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if live is not None:
            return Tally(int(live["hits"]), live["expires_at"])
        fresh = {"hits": 1, "expires_at": now + window}
        try:
            await collection.insert_one({"_id": key, **fresh})
        except DuplicateKeyError:
            # A whole-document replace, not $set: the embedded store saves dates
            # given to $set as strings, which the TTL index would never expire.
            renewed = await collection.find_one_and_replace(
                {"_id": key, "expires_at": {"$lte": now}}, fresh
            )
            if renewed is None:
                continue  # another attempt opened the window first: count into it
        return Tally(1, now + window)
    raise RuntimeError(f"could not count an attempt for {key!r}")


async def uncount_attempt(key: str) -> None:
    """Take back one attempt of a live window (a success is not a failure)."""
    await AttemptCounter.get_pymongo_collection().update_one(
        {"_id": key, "expires_at": {"$gt": utcnow()}, "hits": {"$gt": 0}},
        {"$inc": {"hits": -1}},
    )
