"""GET and POST /logout."""

import asyncio
from datetime import UTC, datetime

import jwt
import pytest
from httpx import AsyncClient

from auth.tokens import LEEWAY
from models import RevokedToken, Session
from tests.helpers import UserSession, bearer, login


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_logout_revokes_only_the_presented_token(
    client: AsyncClient, alice: UserSession, bob: UserSession, method: str
) -> None:
    second_alice_token = await login(client, alice.email)

    response = await client.request(method, "/logout", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {"detail": "Logged out"}
    refused = await client.get("/contacts/", headers=alice.headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/contacts/", headers=bearer(second_alice_token))).status_code == 200
    assert (await client.get("/contacts/", headers=bob.headers)).status_code == 200


async def test_logout_ends_the_session_so_its_refresh_token_stops_working(
    client: AsyncClient, alice: UserSession
) -> None:
    claims = jwt.decode(alice.token, options={"verify_signature": False})

    assert (await client.get("/logout", headers=alice.headers)).status_code == 200

    assert await Session.find_one(Session.id == claims["sid"]) is None
    refreshed = await client.post("/token/refresh", json={"refresh_token": alice.refresh_token})
    assert refreshed.status_code == 401


async def test_logout_twice_is_401(client: AsyncClient, alice: UserSession) -> None:
    assert (await client.post("/logout", headers=alice.headers)).status_code == 200

    assert (await client.post("/logout", headers=alice.headers)).status_code == 401


async def test_the_revocation_outlives_every_moment_the_token_is_accepted(
    client: AsyncClient, alice: UserSession
) -> None:
    await client.post("/logout", headers=alice.headers)

    revoked = await RevokedToken.find_all().to_list()
    claims = jwt.decode(alice.token, options={"verify_signature": False})
    assert len(revoked) == 1
    assert revoked[0].jti == claims["jti"]
    # Removed by the TTL index only once decode() would refuse the token anyway,
    # expiry leeway included.
    assert revoked[0].expires_at == datetime.fromtimestamp(claims["exp"], UTC) + LEEWAY


async def test_logout_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.get("/logout")

    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


async def test_concurrent_logouts_with_one_token_all_succeed_or_401(
    client: AsyncClient, alice: UserSession
) -> None:
    responses = await asyncio.gather(
        *(client.post("/logout", headers=alice.headers) for _ in range(10))
    )

    assert {r.status_code for r in responses} <= {200, 401}
    assert 200 in {r.status_code for r in responses}
    assert await RevokedToken.find_all().count() == 1
    assert (await client.get("/contacts/", headers=alice.headers)).status_code == 401


async def test_requests_racing_a_logout_are_refused_from_the_moment_it_answers(
    client: AsyncClient, alice: UserSession
) -> None:
    done: list[float] = []

    async def log_out() -> int:
        response = await client.post("/logout", headers=alice.headers)
        done.append(asyncio.get_running_loop().time())
        return response.status_code

    async def read() -> tuple[float, int, float]:
        started = asyncio.get_running_loop().time()
        response = await client.get("/contacts/", headers=alice.headers)
        return started, response.status_code, asyncio.get_running_loop().time()

    racing = [read() for _ in range(50)]
    results = await asyncio.gather(*racing[:25], log_out(), *racing[25:])
    logout_status = results[25]
    reads = [r for r in results if isinstance(r, tuple)]

    assert logout_status == 200
    assert {status for _, status, _ in reads} <= {200, 401}
    # Every request that started after the logout answered was refused...
    assert all(status == 401 for started, status, _ in reads if started > done[0])
    # ...and so is every request from now on, on every route.
    for path in ("/contacts/", "/me", "/me/sessions"):
        assert (await client.get(path, headers=alice.headers)).status_code == 401
