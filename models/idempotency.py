"""Responses remembered under a client's Idempotency-Key, so a retried create is not a second."""

from datetime import datetime
from typing import Any, Literal

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from models.fields import utcnow


class IdempotencyRecord(Document):
    id: str  # type: ignore[assignment]  # the user id and a digest of their key
    user_id: int
    # A digest of the request the key was first used with: the same key with
    # another request is a client bug, answered 422, never a replay.
    fingerprint: str
    state: Literal["pending", "done"] = "pending"
    # Until then the first request is taken to be still running; after it (a
    # crashed worker), another request with the key may take over.
    lease_until: datetime
    status_code: int | None = None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime

    class Settings:
        name = "idempotency_records"
        indexes = [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)]
