"""Expiry over HTTP: a small clock-skew leeway (at most 30 s), and not a second more."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from httpx import AsyncClient

from auth.tokens import LEEWAY
from tests.helpers import TEST_SECRET, UserSession, bearer

MAX_LEEWAY = timedelta(seconds=30)
# Room for the time the request itself takes, so the test never races the clock.
MARGIN = timedelta(seconds=3)


def _expired_since(user: UserSession, ago: timedelta) -> str:
    """A valid access token for the user's live session that expired `ago` ago."""
    exp = datetime.now(UTC) - ago
    claims = {
        "iss": "contacts-api",
        "aud": "contacts-api",
        "sub": str(user.id),
        "sid": jwt.decode(user.token, options={"verify_signature": False})["sid"],
        "jti": f"expired-{ago.total_seconds()}",
        "iat": exp - timedelta(minutes=30),
        "exp": exp,
    }
    return jwt.encode(claims, TEST_SECRET, algorithm="HS256", headers={"typ": "at+jwt"})


async def _status(client: AsyncClient, token: str) -> int:
    return (await client.get("/contacts/", headers=bearer(token))).status_code


def test_the_leeway_is_at_most_30_seconds() -> None:
    assert timedelta(0) < LEEWAY <= MAX_LEEWAY


async def test_a_token_expired_within_the_leeway_is_still_accepted(
    client: AsyncClient, alice: UserSession
) -> None:
    assert await _status(client, _expired_since(alice, LEEWAY - MARGIN)) == 200


@pytest.mark.parametrize(
    "ago", [LEEWAY + MARGIN, MAX_LEEWAY + timedelta(seconds=1), timedelta(hours=1)]
)
async def test_a_token_expired_beyond_the_leeway_is_401(
    client: AsyncClient, alice: UserSession, ago: timedelta
) -> None:
    response = await client.get("/contacts/", headers=bearer(_expired_since(alice, ago)))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Invalid or expired token"}
