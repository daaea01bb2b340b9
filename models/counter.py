"""Sequential integer ids, as the seed contract shows them."""

from beanie import Document
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError


class Counter(Document):
    id: str  # type: ignore[assignment]  # the sequence name is the key
    seq: int = 0

    class Settings:
        name = "counters"


async def next_id(sequence: str) -> int:
    """Atomically take the next value of `sequence` (1, 2, 3, ...)."""
    return (await next_ids(sequence, 1))[0]


async def next_ids(sequence: str, count: int) -> range:
    """Atomically take the next `count` values of `sequence`, in one round trip.

    Ids taken by an insert that then fails (a duplicate email, say) are not
    reused: gaps are harmless, reuse after a crash would not be.
    """
    collection = Counter.get_pymongo_collection()
    for _ in range(2):
        try:
            doc = await collection.find_one_and_update(
                {"_id": sequence},
                {"$inc": {"seq": count}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            # Two first-ever upserts raced to create the counter; the loser
            # retries against the document the winner created.
            continue
        if doc is not None:  # always, given upsert=True
            last = int(doc["seq"])
            return range(last - count + 1, last + 1)
    raise RuntimeError(f"could not allocate an id from sequence {sequence!r}")
