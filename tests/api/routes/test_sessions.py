"""The caller's sessions: GET /me/sessions, DELETE /me/sessions[/{id}], POST /logout/all."""

from datetime import datetime
from typing import Any

import jwt
import pytest
from httpx import AsyncClient, Response

from models import Session
from tests.helpers import UserSession, bearer, log_in

SESSION_FIELDS = {"id", "created_at", "last_used_at", "expires_at", "user_agent", "ip", "current"}


def _sid(token: str) -> str:
    sid: str = jwt.decode(token, options={"verify_signature": False})["sid"]
    return sid


async def _contacts_status(client: AsyncClient, access_token: str) -> int:
    return (await client.get("/contacts/", headers=bearer(access_token))).status_code


async def _refresh(client: AsyncClient, refresh_token: str) -> Response:
    return await client.post("/token/refresh", json={"refresh_token": refresh_token})


async def _stored_ids(user: UserSession) -> set[str]:
    return {session.id for session in await Session.find(Session.user_id == user.id).to_list()}


async def _list(client: AsyncClient, access_token: str) -> list[dict[str, Any]]:
    response = await client.get("/me/sessions", headers=bearer(access_token))
    assert response.status_code == 200, response.text
    sessions: list[dict[str, Any]] = response.json()
    return sessions


async def _assert_session_ended(client: AsyncClient, tokens: dict[str, Any]) -> None:
    """Neither token of the login answered by `tokens` is accepted any more."""
    assert await _contacts_status(client, tokens["token"]) == 401
    refreshed = await _refresh(client, tokens["refresh_token"])
    assert refreshed.status_code == 401, refreshed.text


async def _assert_session_works(client: AsyncClient, tokens: dict[str, Any]) -> None:
    assert await _contacts_status(client, tokens["token"]) == 200
    refreshed = await _refresh(client, tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    assert await _contacts_status(client, refreshed.json()["access_token"]) == 200


def _tokens(user: UserSession) -> dict[str, Any]:
    return {"token": user.token, "refresh_token": user.refresh_token}


# GET /me/sessions


async def test_list_shows_each_login_and_marks_the_callers_session(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    second = await log_in(client, alice.email)
    first_sid, second_sid = _sid(alice.token), _sid(second["token"])
    assert first_sid != second_sid

    for token, own_sid in ((alice.token, first_sid), (second["token"], second_sid)):
        sessions = await _list(client, token)

        assert len(sessions) == 2
        assert all(set(session) == SESSION_FIELDS for session in sessions)
        assert {session["id"] for session in sessions} == {first_sid, second_sid}
        current = [session for session in sessions if session["current"]]
        assert len(current) == 1
        assert current[0]["id"] == own_sid
        assert [s["current"] for s in sessions].count(False) == 1
        assert _sid(bob.token) not in {session["id"] for session in sessions}
    assert await _stored_ids(alice) == {first_sid, second_sid}


async def test_list_fields_describe_the_login(client: AsyncClient, alice: UserSession) -> None:
    (listed,) = await _list(client, alice.token)

    stored = await Session.get(_sid(alice.token))
    assert stored is not None
    assert listed["id"] == stored.id
    assert listed["user_agent"] == stored.user_agent
    assert listed["user_agent"].startswith("python-httpx/")
    assert listed["ip"] == stored.ip == "127.0.0.1"
    for field in ("created_at", "last_used_at", "expires_at"):
        value = datetime.fromisoformat(listed[field])
        assert value.tzinfo is not None, listed
        assert value == getattr(stored, field)
    assert datetime.fromisoformat(listed["created_at"]) < datetime.fromisoformat(
        listed["expires_at"]
    )
    # Nothing that could be replayed is shown.
    assert "refresh_hash" not in listed
    assert "user_id" not in listed


async def test_bobs_list_holds_only_bobs_session(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    await log_in(client, alice.email)

    sessions = await _list(client, bob.token)

    assert [(s["id"], s["current"]) for s in sessions] == [(_sid(bob.token), True)]


# DELETE /me/sessions/{id}


async def test_ending_another_of_ones_sessions_signs_that_device_out_at_once(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    other = await log_in(client, alice.email)
    # Both work before: only the deletion can make the other one fail below.
    assert await _contacts_status(client, other["token"]) == 200

    response = await client.delete(f"/me/sessions/{_sid(other['token'])}", headers=alice.headers)

    assert response.status_code == 204
    assert response.content == b""
    await _assert_session_ended(client, other)
    assert await _stored_ids(alice) == {_sid(alice.token)}
    assert [s["id"] for s in await _list(client, alice.token)] == [_sid(alice.token)]
    await _assert_session_works(client, _tokens(alice))
    await _assert_session_works(client, _tokens(bob))


async def test_ending_ones_own_session_by_id_signs_the_caller_out(
    client: AsyncClient, alice: UserSession
) -> None:
    other = await log_in(client, alice.email)

    response = await client.delete(f"/me/sessions/{_sid(alice.token)}", headers=alice.headers)

    assert response.status_code == 204
    await _assert_session_ended(client, _tokens(alice))
    await _assert_session_works(client, other)


async def test_ending_someone_elses_session_is_404_and_ends_nothing(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    response = await client.delete(f"/me/sessions/{_sid(bob.token)}", headers=alice.headers)

    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found"}
    assert await _stored_ids(bob) == {_sid(bob.token)}
    await _assert_session_works(client, _tokens(bob))
    await _assert_session_works(client, _tokens(alice))


@pytest.mark.parametrize("session_id", ["no-such-session", "x" * 64])
async def test_ending_an_unknown_session_is_404(
    client: AsyncClient, alice: UserSession, session_id: str
) -> None:
    response = await client.delete(f"/me/sessions/{session_id}", headers=alice.headers)

    assert response.status_code == 404
    assert response.json() == {"detail": "Session not found"}
    assert await _stored_ids(alice) == {_sid(alice.token)}


async def test_ending_an_already_ended_session_is_404(
    client: AsyncClient, alice: UserSession
) -> None:
    other_sid = _sid((await log_in(client, alice.email))["token"])
    first = await client.delete(f"/me/sessions/{other_sid}", headers=alice.headers)
    assert first.status_code == 204

    again = await client.delete(f"/me/sessions/{other_sid}", headers=alice.headers)

    assert again.status_code == 404
    assert again.json() == {"detail": "Session not found"}


@pytest.mark.parametrize("length", [65, 1000])
async def test_an_over_long_session_id_is_422(
    client: AsyncClient, alice: UserSession, length: int
) -> None:
    response = await client.delete(f"/me/sessions/{'x' * length}", headers=alice.headers)

    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["path", "id"]
    assert error["type"] == "string_too_long"
    assert await _stored_ids(alice) == {_sid(alice.token)}


# DELETE /me/sessions and POST /logout/all


async def test_ending_every_session_signs_out_every_device_of_the_caller_only(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    second = await log_in(client, alice.email)
    third = await log_in(client, alice.email)
    assert len(await _stored_ids(alice)) == 3

    response = await client.delete("/me/sessions", headers=alice.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert await _stored_ids(alice) == set()
    for tokens in (_tokens(alice), second, third):
        await _assert_session_ended(client, tokens)
    assert await _stored_ids(bob) == {_sid(bob.token)}
    await _assert_session_works(client, _tokens(bob))


async def test_logout_all_signs_out_every_device_of_the_caller_only(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    second = await log_in(client, alice.email)
    third = await log_in(client, alice.email)

    response = await client.post("/logout/all", headers=bearer(second["token"]))

    assert response.status_code == 200
    assert response.json() == {"detail": "Logged out of every session"}
    assert await _stored_ids(alice) == set()
    for tokens in (_tokens(alice), second, third):
        await _assert_session_ended(client, tokens)
    assert await _stored_ids(bob) == {_sid(bob.token)}
    await _assert_session_works(client, _tokens(bob))


@pytest.mark.parametrize("request_line", [("DELETE", "/me/sessions"), ("POST", "/logout/all")])
async def test_a_new_login_after_ending_everything_works(
    client: AsyncClient, alice: UserSession, request_line: tuple[str, str]
) -> None:
    method, url = request_line
    assert (await client.request(method, url, headers=alice.headers)).status_code in (200, 204)

    fresh = await log_in(client, alice.email)

    await _assert_session_works(client, fresh)
    assert [s["current"] for s in await _list(client, fresh["token"])] == [True]


# Without a valid token


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/me/sessions"),
        ("DELETE", "/me/sessions"),
        ("DELETE", "/me/sessions/SESSION"),
        ("POST", "/logout/all"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "REFRESH"])
async def test_without_a_valid_access_token_is_401_and_ends_nothing(
    client: AsyncClient,
    alice: UserSession,
    method: str,
    url: str,
    authorization: str | None,
) -> None:
    url = url.replace("SESSION", _sid(alice.token))
    headers: dict[str, str] = {}
    if authorization == "REFRESH":  # a refresh token is not an access token
        headers = bearer(alice.refresh_token)
    elif authorization is not None:
        headers = {"Authorization": authorization}

    response = await client.request(method, url, headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    expected = "Not authenticated" if authorization is None else "Invalid or expired token"
    assert response.json() == {"detail": expected}
    assert await _stored_ids(alice) == {_sid(alice.token)}
    await _assert_session_works(client, _tokens(alice))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/me/sessions"),
        ("DELETE", "/me/sessions"),
        ("DELETE", "/me/sessions/SESSION"),
        ("POST", "/logout/all"),
    ],
)
async def test_an_ended_sessions_access_token_is_401(
    client: AsyncClient, alice: UserSession, method: str, url: str
) -> None:
    other = await log_in(client, alice.email)
    url = url.replace("SESSION", _sid(other["token"]))
    assert (await client.post("/logout", headers=alice.headers)).status_code == 200

    response = await client.request(method, url, headers=alice.headers)

    assert response.status_code == 401
    await _assert_session_works(client, other)
