"""Every way a bearer token can be wrong answers 401, over HTTP."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient

from tests.helpers import TEST_SECRET, UserSession, bearer


def _sign(claims: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _claims(user: UserSession, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "jti": "test-jti",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def _status(client: AsyncClient, token: str) -> int:
    response = await client.get("/contacts/", headers=bearer(token))
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["detail"]
    return response.status_code


async def test_a_well_formed_token_signed_with_our_key_is_accepted(
    client: AsyncClient, alice: UserSession
) -> None:
    # The control for the tests below: only the defect under test makes them fail.
    assert await _status(client, _sign(_claims(alice))) == 200


async def test_wrong_key_is_401(client: AsyncClient, alice: UserSession) -> None:
    assert await _status(client, _sign(_claims(alice), key="another-key-" + "k" * 32)) == 401


async def test_expired_token_is_401(client: AsyncClient, alice: UserSession) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token = _sign(_claims(alice, iat=past - timedelta(minutes=30), exp=past))

    assert await _status(client, token) == 401


async def test_alg_none_is_401(client: AsyncClient, alice: UserSession) -> None:
    claims = _claims(alice)
    claims = {
        **claims,
        "iat": int(claims["iat"].timestamp()),
        "exp": int(claims["exp"].timestamp()),
    }
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."

    assert await _status(client, token) == 401


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_other_algorithm_with_our_key_is_401(
    client: AsyncClient, alice: UserSession
) -> None:
    assert await _status(client, _sign(_claims(alice), algorithm="HS512")) == 401


async def test_tampered_payload_is_401(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    header, _, signature = alice.token.split(".")
    forged = jwt.decode(alice.token, options={"verify_signature": False}) | {"sub": str(bob.id)}

    assert await _status(client, f"{header}.{_b64(forged)}.{signature}") == 401


@pytest.mark.parametrize("missing", ["sub", "jti", "iat", "exp"])
async def test_missing_required_claim_is_401(
    client: AsyncClient, alice: UserSession, missing: str
) -> None:
    claims = {k: v for k, v in _claims(alice).items() if k != missing}

    assert await _status(client, _sign(claims)) == 401


@pytest.mark.parametrize("sub", ["abc", "0", "-1", "", "1.5"])
async def test_malformed_subject_is_401(client: AsyncClient, alice: UserSession, sub: str) -> None:
    assert await _status(client, _sign(_claims(alice, sub=sub))) == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "garbage", "Bearer a.b.c"]
)
async def test_malformed_authorization_headers_are_401(
    client: AsyncClient, alice: UserSession, header: str
) -> None:
    response = await client.get("/contacts/", headers={"Authorization": header})

    assert response.status_code == 401


async def test_a_token_in_the_query_string_is_not_accepted(
    client: AsyncClient, alice: UserSession
) -> None:
    for name in ("token", "access_token"):
        response = await client.get(f"/contacts/?{name}={alice.token}")
        assert response.status_code == 401
