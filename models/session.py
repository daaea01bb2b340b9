"""A login session: one device's refresh-token family, listed and revoked by its owner."""

from datetime import datetime
from typing import Annotated

from beanie import Document, Indexed
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from models.fields import utcnow


class Session(Document):
    id: str  # type: ignore[assignment]  # random; the `sid` claim of the session's tokens
    user_id: Annotated[int, Indexed()]
    # SHA-256 of the one refresh token that may be exchanged next. The token
    # itself is never stored, so a copy of the database cannot be replayed.
    refresh_hash: str
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime = Field(default_factory=utcnow)
    # When the current refresh token stops being accepted; the TTL index then
    # removes the session. Reads also filter on it, since the TTL monitor lags.
    expires_at: datetime
    user_agent: str | None = None
    ip: str | None = None

    class Settings:
        name = "sessions"
        indexes = [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)]


class SessionOut(BaseModel):
    id: str
    created_at: datetime = Field(description="When this session's login happened.")
    last_used_at: datetime = Field(description="The login or the latest token refresh.")
    expires_at: datetime = Field(description="When the session ends unless refreshed.")
    user_agent: str | None
    ip: str | None = Field(description="The client address as the API saw it.")
    current: bool = Field(description="Whether this is the session making the request.")

    @classmethod
    def of(cls, session: Session, current_session_id: str) -> "SessionOut":
        fields = session.model_dump(include=set(cls.model_fields) - {"current"})
        return cls(**fields, current=session.id == current_session_id)
