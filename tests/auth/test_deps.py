"""Every way a bearer token can be wrong answers 401, over HTTP."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient

from tests.helpers import TEST_SECRET, UserSession, bearer


def _sign(
    claims: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256", typ: str = "at+jwt"
) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers={"typ": typ})


def _claims(user: UserSession, **overrides: Any) -> dict[str, Any]:
    """The claims of a valid access token for the user's live session."""
    now = datetime.now(UTC)
    claims = {
        "iss": "contacts-api",
        "aud": "contacts-api",
        "sub": str(user.id),
        "sid": jwt.decode(user.token, options={"verify_signature": False})["sid"],
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
    token = f"{_b64({'alg': 'none', 'typ': 'at+jwt'})}.{_b64(claims)}."

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


@pytest.mark.parametrize("missing", ["iss", "aud", "sub", "sid", "jti", "iat", "exp"])
async def test_missing_required_claim_is_401(
    client: AsyncClient, alice: UserSession, missing: str
) -> None:
    claims = {k: v for k, v in _claims(alice).items() if k != missing}

    assert await _status(client, _sign(claims)) == 401


@pytest.mark.parametrize(
    ("claim", "value"),
    [("iss", "someone-else"), ("aud", "another-api"), ("aud", ["another-api"]), ("sid", "")],
)
async def test_foreign_issuer_audience_or_empty_session_is_401(
    client: AsyncClient, alice: UserSession, claim: str, value: Any
) -> None:
    assert await _status(client, _sign(_claims(alice, **{claim: value}))) == 401


@pytest.mark.parametrize("typ", ["refresh+jwt", "JWT", None])
async def test_a_token_not_typed_as_an_access_token_is_401(
    client: AsyncClient, alice: UserSession, typ: str | None
) -> None:
    claims = _claims(alice)
    token = (
        jwt.encode(claims, TEST_SECRET, algorithm="HS256", headers={"typ": None})
        if typ is None
        else _sign(claims, typ=typ)
    )

    assert await _status(client, token) == 401


async def test_the_refresh_token_is_not_an_access_token(
    client: AsyncClient, alice: UserSession
) -> None:
    assert await _status(client, alice.refresh_token) == 401


async def test_a_validly_signed_token_for_someone_elses_session_is_401(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    bobs_session = _claims(bob)["sid"]

    assert await _status(client, _sign(_claims(alice, sid=bobs_session))) == 401


async def test_a_validly_signed_token_for_an_ended_session_is_401(
    client: AsyncClient, alice: UserSession
) -> None:
    claims = _claims(alice)
    assert (await client.post("/logout", headers=alice.headers)).status_code == 200

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
