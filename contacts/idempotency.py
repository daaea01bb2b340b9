"""Run a request once per Idempotency-Key; replay its response to retries for 24 hours.

A mobile client on a flaky network retries a create whose response it never
saw; with the same key it gets that first response back instead of a second
contact. Racing duplicates of one key: exactly one runs, the others wait for
its response (briefly) or are told to retry.
"""

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from contacts.errors import KeyInProgress, KeyReused
from models.fields import utcnow
from models.idempotency import IdempotencyRecord

KEY_LIFETIME = timedelta(hours=24)
LEASE = timedelta(seconds=30)
WAIT_FOR_FIRST = 5.0  # seconds a retry waits for the first request to finish
POLL = 0.05


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]
    headers: dict[str, str]


def fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run_once(
    user_id: int, key: str, request: str, run: Callable[[], Awaitable[StoredResponse]]
) -> tuple[StoredResponse, bool]:
    """The response of `run()`, run at most once per (user, key); and whether it is a replay."""
    record_id = f"{user_id}:{hashlib.sha256(key.encode()).hexdigest()}"
    deadline = asyncio.get_running_loop().time() + WAIT_FOR_FIRST
    while True:
        if await _claim(record_id, user_id, request):
            break
        found = await IdempotencyRecord.get(record_id)
        if found is None or found.expires_at <= utcnow():
            continue  # gone or expired in between: claim it afresh
        if found.fingerprint != request:
            raise KeyReused
        if found.state == "done" and found.status_code is not None and found.body is not None:
            return StoredResponse(found.status_code, found.body, found.headers), True
        if asyncio.get_running_loop().time() >= deadline:
            raise KeyInProgress
        await asyncio.sleep(POLL)
    try:
        response = await run()
    except BaseException:
        # Nothing was stored under the key: let a retry run the request again.
        await IdempotencyRecord.find_one({"_id": record_id, "state": "pending"}).delete()
        raise
    now = utcnow()
    done = IdempotencyRecord(
        id=record_id,
        user_id=user_id,
        fingerprint=request,
        state="done",
        lease_until=now,
        status_code=response.status_code,
        body=response.body,
        headers=response.headers,
        expires_at=now + KEY_LIFETIME,
    )
    await done.replace()  # a whole-document write: dates stay dates on every store
    return response, False


async def _claim(record_id: str, user_id: int, request: str) -> bool:
    """Become the one request that runs under this key, if no live one holds it."""
    now = utcnow()
    fresh = IdempotencyRecord(
        id=record_id,
        user_id=user_id,
        fingerprint=request,
        lease_until=now + LEASE,
        expires_at=now + KEY_LIFETIME,
    )
    try:
        await fresh.insert()
        return True
    except DuplicateKeyError:
        pass
    # Take over a record that has expired, or whose runner died holding the lease.
    stale = {
        "_id": record_id,
        "$or": [
            {"expires_at": {"$lte": now}},
            {"state": "pending", "lease_until": {"$lte": now}},
        ],
    }
    document = fresh.model_dump(by_alias=True, exclude={"id"})
    taken = await IdempotencyRecord.get_pymongo_collection().find_one_and_replace(stale, document)
    return taken is not None
