"""POST /token/refresh: rotation, reuse detection and what is (not) stored."""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from auth.tokens import LEEWAY
from models import Session
from tests.helpers import TEST_SECRET, TOKEN_FIELDS, UserSession, bearer, log_in


async def _refresh(
    client: AsyncClient, refresh_token: str, headers: dict[str, str] | None = None
) -> Response:
    return await client.post(
        "/token/refresh", json={"refresh_token": refresh_token}, headers=headers
    )


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _sid(token: str) -> str:
    sid: str = _claims(token)["sid"]
    return sid


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _contacts_status(client: AsyncClient, access_token: str) -> int:
    return (await client.get("/contacts/", headers=bearer(access_token))).status_code


def _assert_refused(response: Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Invalid or expired token"}


async def _session(token: str) -> Session | None:
    return await Session.find_one(Session.id == _sid(token))


def _forge(
    user: UserSession, *, key: str = TEST_SECRET, typ: str = "refresh+jwt", **over: Any
) -> str:
    """A refresh token for the user's live session, with the given defects."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": "contacts-api",
        "aud": "contacts-api",
        "sub": str(user.id),
        "sid": _sid(user.refresh_token),
        "jti": "forged-jti",
        "iat": now,
        "exp": now + timedelta(days=1),
        **over,
    }
    return jwt.encode(claims, key, algorithm="HS256", headers={"typ": typ})


# Rotation


async def test_refresh_returns_a_new_pair_that_works(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await _refresh(client, alice.refresh_token)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token"] == body["access_token"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    assert body["access_token"] != alice.token
    assert body["refresh_token"] not in (alice.refresh_token, body["access_token"], "")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    # Same user, same session: a refresh continues the login, it does not start another.
    for token in (body["access_token"], body["refresh_token"]):
        assert _claims(token)["sub"] == str(alice.id)
        assert _sid(token) == _sid(alice.token)
    assert await _contacts_status(client, body["access_token"]) == 200
    assert await Session.find(Session.user_id == alice.id).count() == 1


async def test_the_new_refresh_token_can_be_refreshed_in_turn(
    client: AsyncClient, alice: UserSession
) -> None:
    first = (await _refresh(client, alice.refresh_token)).json()

    second = await _refresh(client, first["refresh_token"])

    assert second.status_code == 200, second.text
    assert await _contacts_status(client, second.json()["access_token"]) == 200


async def test_the_oauth2_refresh_form_works_like_json(
    client: AsyncClient, alice: UserSession
) -> None:
    form = {"grant_type": "refresh_token", "refresh_token": alice.refresh_token}

    response = await client.post("/token/refresh", data=form)

    assert response.status_code == 200, response.text
    assert set(response.json()) == TOKEN_FIELDS
    assert await _contacts_status(client, response.json()["access_token"]) == 200
    _assert_refused(await client.post("/token/refresh", data=form))  # spent, as with JSON


async def test_a_body_neither_json_nor_form_is_415(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.post(
        "/token/refresh", content=alice.refresh_token, headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415
    assert response.json()["detail"]
    assert await _contacts_status(client, alice.token) == 200


async def test_the_old_access_token_keeps_working_until_it_expires(
    client: AsyncClient, alice: UserSession
) -> None:
    assert (await _refresh(client, alice.refresh_token)).status_code == 200

    assert await _contacts_status(client, alice.token) == 200


async def test_the_spent_refresh_token_is_refused(client: AsyncClient, alice: UserSession) -> None:
    assert (await _refresh(client, alice.refresh_token)).status_code == 200

    _assert_refused(await _refresh(client, alice.refresh_token))


# Reuse detection


async def test_reusing_a_spent_refresh_token_ends_the_whole_session(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    other_login = await log_in(client, alice.email)
    rotated = await _refresh(client, alice.refresh_token)
    assert rotated.status_code == 200
    new = rotated.json()

    _assert_refused(await _refresh(client, alice.refresh_token))

    _assert_refused(await _refresh(client, new["refresh_token"]))
    assert await _contacts_status(client, new["access_token"]) == 401
    assert await _contacts_status(client, alice.token) == 401
    assert await _session(alice.token) is None
    # Only that one session ends: alice's other login and bob are untouched.
    assert await _session(other_login["token"]) is not None
    assert await _contacts_status(client, other_login["access_token"]) == 200
    assert (await _refresh(client, other_login["refresh_token"])).status_code == 200
    assert await _contacts_status(client, bob.token) == 200
    assert (await _refresh(client, bob.refresh_token)).status_code == 200


async def test_concurrent_refreshes_with_one_token_give_one_pair_and_end_the_session(
    client: AsyncClient, alice: UserSession
) -> None:
    responses = await asyncio.gather(*(_refresh(client, alice.refresh_token) for _ in range(10)))

    codes = sorted(r.status_code for r in responses)
    # The compare-and-swap lets exactly one through; every later attempt with the
    # same token is reuse, which ends the session, the winner's new pair included.
    assert codes == [200] + [401] * 9, codes
    for response in responses:
        if response.status_code == 401:
            _assert_refused(response)
    winner = next(r for r in responses if r.status_code == 200).json()
    assert await _session(alice.token) is None
    assert await _contacts_status(client, winner["access_token"]) == 401
    _assert_refused(await _refresh(client, winner["refresh_token"]))


# Tokens that are not a live refresh token


async def test_an_access_token_is_not_a_refresh_token_and_ends_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    _assert_refused(await _refresh(client, alice.token))

    session = await _session(alice.token)
    assert session is not None
    assert session.refresh_hash == _digest(alice.refresh_token)
    assert await _contacts_status(client, alice.token) == 200
    assert (await _refresh(client, alice.refresh_token)).status_code == 200


@pytest.mark.parametrize(
    "defect",
    [
        {"key": "another-signing-key-of-at-least-32-bytes"},
        {"typ": "at+jwt"},
        {"typ": "JWT"},
        {"aud": "another-api"},
        {"iss": "someone-else"},
        {"sub": "999999"},
        {"exp": datetime(2020, 1, 1, tzinfo=UTC), "iat": datetime(2019, 12, 31, tzinfo=UTC)},
    ],
    ids=[
        "wrong-key",
        "access-typ",
        "plain-jwt-typ",
        "wrong-aud",
        "wrong-iss",
        "other-sub",
        "expired",
    ],
)
async def test_forged_refresh_tokens_are_401_and_end_nothing(
    client: AsyncClient, alice: UserSession, defect: dict[str, Any]
) -> None:
    _assert_refused(await _refresh(client, _forge(alice, **defect)))

    session = await _session(alice.token)
    assert session is not None
    assert session.refresh_hash == _digest(alice.refresh_token)
    assert (await _refresh(client, alice.refresh_token)).status_code == 200


@pytest.mark.parametrize(
    "token", ["garbage", "a.b.c", "Bearer x", "eyJhbGciOiJIUzI1NiJ9..", "x" * 4096]
)
async def test_garbage_is_401(client: AsyncClient, alice: UserSession, token: str) -> None:
    _assert_refused(await _refresh(client, token))

    assert await _session(alice.token) is not None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"refresh_token": ""},
        {"refresh_token": None},
        {"refresh_token": 123},
        {"refresh_token": True},
        {"refresh_token": ["a.b.c"]},
        {"refresh_token": {"token": "a.b.c"}},
        {"refresh_token": "x" * 4097},
        {"token": "a.b.c"},
    ],
)
async def test_a_malformed_body_is_422(client: AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post("/token/refresh", json=body)

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert detail
    assert all(error["loc"][:2] == ["body", "refresh_token"] for error in detail)


async def test_refresh_after_logout_is_401(client: AsyncClient, alice: UserSession) -> None:
    assert (await client.post("/logout", headers=alice.headers)).status_code == 200

    _assert_refused(await _refresh(client, alice.refresh_token))


async def test_refresh_after_its_session_was_deleted_is_401(
    client: AsyncClient, alice: UserSession
) -> None:
    other = await log_in(client, alice.email)
    deleted = await client.delete(
        f"/me/sessions/{_sid(alice.token)}", headers=bearer(other["token"])
    )
    assert deleted.status_code == 204

    _assert_refused(await _refresh(client, alice.refresh_token))

    assert await _session(alice.token) is None
    assert (await _refresh(client, other["refresh_token"])).status_code == 200


# What is stored


async def _stored_documents(app: FastAPI) -> list[str]:
    database = app.state.database
    names: list[str] = await database.list_collection_names()
    documents: list[str] = []
    for name in names:
        documents.extend(repr(doc) for doc in await database[name].find({}).to_list())
    return documents


async def test_no_refresh_token_is_stored_only_its_digest(
    app: FastAPI, client: AsyncClient, alice: UserSession
) -> None:
    new = (await _refresh(client, alice.refresh_token)).json()
    await client.post("/logout", headers=bearer(new["access_token"]))
    current = await log_in(client, alice.email)

    documents = await _stored_documents(app)

    # The scan sees the store: the session of the latest login is in it.
    assert any(_sid(current["token"]) in doc for doc in documents)
    for token in (alice.refresh_token, new["refresh_token"], current["refresh_token"]):
        signature = token.rsplit(".", 1)[1]
        assert not any(token in doc or signature in doc for doc in documents)
    session = await _session(current["token"])
    assert session is not None
    assert session.refresh_hash == _digest(current["refresh_token"])


async def test_the_stored_digest_follows_the_rotation(
    client: AsyncClient, alice: UserSession
) -> None:
    new = (await _refresh(client, alice.refresh_token)).json()

    session = await _session(alice.token)
    assert session is not None
    assert session.refresh_hash == _digest(new["refresh_token"])
    assert session.refresh_hash != _digest(alice.refresh_token)
    # Stored as dates, not strings: else the TTL index and the expiry filter miss them.
    raw = await Session.get_pymongo_collection().find_one({"_id": _sid(alice.token)})
    assert raw is not None
    for field in ("created_at", "last_used_at", "expires_at"):
        assert isinstance(raw[field], datetime), (field, raw[field])


async def test_refresh_records_use_time_client_and_new_expiry(
    client: AsyncClient, alice: UserSession
) -> None:
    # Backdate the session, so the refresh has to move both times. (A replace, not
    # $set: the embedded store would keep $set dates as strings.)
    sessions_collection = Session.get_pymongo_collection()
    stored = await sessions_collection.find_one({"_id": _sid(alice.token)})
    assert stored is not None
    stored["last_used_at"] = datetime.now(UTC) - timedelta(days=2)
    stored["expires_at"] = datetime.now(UTC) + timedelta(hours=1)
    await sessions_collection.replace_one({"_id": stored["_id"]}, stored)
    at_login = await _session(alice.token)
    assert at_login is not None
    assert at_login.user_agent is not None
    assert at_login.user_agent.startswith("python-httpx/")
    now = datetime.now(UTC)
    before = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the store keeps ms

    response = await _refresh(
        client, alice.refresh_token, headers={"User-Agent": "ContactsApp/2.0 (Android 14)"}
    )

    after = datetime.now(UTC)
    assert response.status_code == 200
    new = response.json()
    sessions = (await client.get("/me/sessions", headers=bearer(new["access_token"]))).json()
    assert len(sessions) == 1
    (session,) = sessions
    assert session["id"] == _sid(alice.token)
    assert session["current"] is True
    assert session["user_agent"] == "ContactsApp/2.0 (Android 14)"
    assert session["ip"] == "127.0.0.1"
    for field in ("created_at", "last_used_at", "expires_at"):
        assert datetime.fromisoformat(session[field]).tzinfo is not None, session
    assert before <= datetime.fromisoformat(session["last_used_at"]) <= after
    assert datetime.fromisoformat(session["created_at"]) == at_login.created_at
    refresh_exp = datetime.fromtimestamp(_claims(new["refresh_token"])["exp"], UTC)
    assert datetime.fromisoformat(session["expires_at"]) == refresh_exp + LEEWAY
