"""POST /me/password: a password change ends every other session."""

from typing import Any

import jwt
import pytest
from httpx import AsyncClient

from models import Session
from tests.helpers import (
    PASSWORD,
    UserSession,
    login_status,
    new_session,
    refresh_status,
    stored_user,
    token_works,
)

NEW_PASSWORD = "a brand new passphrase"


# POST /me/password


async def test_change_password_ends_every_other_session(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    other = await new_session(client, alice)
    old_hash = (await stored_user(alice)).password_hash
    caller_sid = jwt.decode(alice.token, options={"verify_signature": False})["sid"]

    response = await client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=alice.headers,
    )

    assert response.status_code == 204
    assert response.content == b""
    new_hash = (await stored_user(alice)).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    sessions = await Session.find(Session.user_id == alice.id).to_list()
    assert [s.id for s in sessions] == [caller_sid]
    # The other session is over: its access and its refresh token are refused.
    assert not await token_works(client, other)
    assert await refresh_status(client, other) == 401
    # The caller's session carries on, refresh token included.
    assert await token_works(client, alice)
    assert await refresh_status(client, alice) == 200
    # Bob is not affected.
    assert await token_works(client, bob)
    # Only the new password signs in.
    assert await login_status(client, alice.email, PASSWORD) == 401
    assert await login_status(client, alice.email, NEW_PASSWORD) == 200


async def test_change_password_with_a_wrong_current_password_is_400(
    client: AsyncClient, alice: UserSession
) -> None:
    other = await new_session(client, alice)
    old_hash = (await stored_user(alice)).password_hash

    response = await client.post(
        "/me/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=alice.headers,
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "The password is incorrect"}
    assert "www-authenticate" not in response.headers
    assert (await stored_user(alice)).password_hash == old_hash
    assert await Session.find(Session.user_id == alice.id).count() == 2
    assert await token_works(client, alice)
    assert await token_works(client, other)
    assert await refresh_status(client, other) == 200
    assert await login_status(client, alice.email, NEW_PASSWORD) == 401
    assert await login_status(client, alice.email, PASSWORD) == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": PASSWORD, "new_password": "short7!"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "p" * 129}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "password123"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "PassWord123"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "iloveyou"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password"),
    ],
)
async def test_change_password_with_an_invalid_body_is_422_and_changes_nothing(
    client: AsyncClient, alice: UserSession, body: dict[str, Any], field: str
) -> None:
    other = await new_session(client, alice)
    old_hash = (await stored_user(alice)).password_hash

    response = await client.post("/me/password", json=body, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert PASSWORD not in response.text
    assert (await stored_user(alice)).password_hash == old_hash
    assert await token_works(client, other)
    assert await login_status(client, alice.email, PASSWORD) == 200


async def test_a_common_new_password_is_refused_as_common(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": "password123"},
        headers=alice.headers,
    )

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["type"] == "password_too_common"
    assert "common" in error["msg"]


async def test_change_password_without_a_token_is_401(
    client: AsyncClient, alice: UserSession
) -> None:
    old_hash = (await stored_user(alice)).password_hash

    response = await client.post(
        "/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 401
    assert (await stored_user(alice)).password_hash == old_hash
