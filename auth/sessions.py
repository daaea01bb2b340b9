"""Sessions: one per login, holding the digest of its single live refresh token."""

import hashlib
import logging
import secrets
from dataclasses import dataclass

from auth.errors import InvalidToken
from auth.tokens import TokenIssuer, TokenKind, TokenPair
from models import Session
from models.fields import utcnow

log = logging.getLogger(__name__)

USER_AGENT_MAX = 256


@dataclass(frozen=True, slots=True)
class Client:
    """Who is calling, as far as the request tells: shown back in the session list."""

    ip: str | None
    user_agent: str | None

    def describe(self) -> dict[str, str | None]:
        return {"ip": self.ip, "user_agent": (self.user_agent or "")[:USER_AGENT_MAX] or None}


def _digest(token: str) -> str:
    # A fast hash is enough: refresh tokens carry 128+ random bits, unlike passwords.
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(tokens: TokenIssuer, user_id: int, client: Client) -> TokenPair:
    pair = tokens.issue_pair(user_id, secrets.token_urlsafe(16))
    refresh = pair.refresh.claims
    await Session(
        id=refresh.session_id,
        user_id=user_id,
        refresh_hash=_digest(pair.refresh.token),
        expires_at=refresh.accepted_until,
        **client.describe(),
    ).insert()
    return pair


async def rotate(tokens: TokenIssuer, refresh_token: str, client: Client) -> TokenPair:
    """Spend a refresh token for a new pair; a spent one presented again ends its session."""
    claims = tokens.decode(refresh_token, TokenKind.REFRESH)
    current = {
        "_id": claims.session_id,
        "user_id": claims.user_id,
        "refresh_hash": _digest(refresh_token),
        "expires_at": {"$gt": utcnow()},
    }
    session = await Session.find_one(current)
    pair = tokens.issue_pair(claims.user_id, claims.session_id)
    if session is not None:
        session.refresh_hash = _digest(pair.refresh.token)
        session.last_used_at = utcnow()
        session.expires_at = pair.refresh.claims.accepted_until
        session.ip, session.user_agent = client.ip, client.describe()["user_agent"]
        # A compare-and-swap on the old digest: of two requests racing with one
        # token, exactly one replaces the document. (A whole-document replace
        # rather than $set, because the embedded store saves dates given to $set
        # as strings, which would defeat the TTL index and the expiry filter.)
        swapped = await Session.get_pymongo_collection().find_one_and_replace(
            current, session.model_dump(by_alias=True, exclude={"id"}), projection={"_id": 1}
        )
        if swapped is not None:
            return pair
    # We signed this token for this session, yet it is not the session's current
    # one: it was spent before, so a copy is in someone else's hands too. End the
    # session for both; the rightful owner signs in again.
    if await end_session(claims.user_id, claims.session_id):
        log.warning(
            "refresh token reuse: ended session %s of user %s", claims.session_id, claims.user_id
        )
    raise InvalidToken


async def is_active(user_id: int, session_id: str) -> bool:
    found = await Session.get_pymongo_collection().find_one(
        {"_id": session_id, "user_id": user_id, "expires_at": {"$gt": utcnow()}},
        projection={"_id": 1},
    )
    return found is not None


async def list_sessions(user_id: int) -> list[Session]:
    return (
        await Session.find(Session.user_id == user_id, Session.expires_at > utcnow())
        .sort(-Session.last_used_at)  # type: ignore[operator]
        .to_list()
    )


async def end_session(user_id: int, session_id: str) -> bool:
    """End one of the user's sessions; False if they have no such session."""
    result = await Session.get_pymongo_collection().delete_one(
        {"_id": session_id, "user_id": user_id}
    )
    return result.deleted_count == 1


async def end_sessions(user_id: int, *, keep: str | None = None) -> int:
    """End every session of the user, except `keep` when given."""
    query: dict[str, object] = {"user_id": user_id}
    if keep is not None:
        query["_id"] = {"$ne": keep}
    result = await Session.get_pymongo_collection().delete_many(query)
    return result.deleted_count
