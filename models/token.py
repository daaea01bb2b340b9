"""Logged-out access tokens, remembered until they would have expired anyway."""

from datetime import datetime
from typing import Annotated

from beanie import Document, Indexed
from pymongo import ASCENDING, IndexModel


class RevokedToken(Document):
    # Only the token's random id and lifetime: nothing that names its user, so
    # a deleted account leaves nothing personal behind.
    jti: Annotated[str, Indexed(unique=True)]
    expires_at: datetime

    class Settings:
        name = "revoked_tokens"
        # MongoDB deletes an entry once the token it names has expired; the
        # revocation check never relies on that having happened yet.
        indexes = [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)]
