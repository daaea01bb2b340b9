"""GET, PATCH and DELETE /me, and POST /me/password."""

from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pymongo.asynchronous.database import AsyncDatabase

from models import Contact, RevokedToken, Session, User
from tests.helpers import PASSWORD, UserSession, bearer, create_contact, log_in, register

NEW_PASSWORD = "a brand new passphrase"


async def _stored(user: UserSession) -> User:
    stored = await User.get(user.id)
    assert stored is not None
    return stored


async def _second_session(client: AsyncClient, user: UserSession) -> UserSession:
    tokens = await log_in(client, user.email)
    return UserSession(user.id, user.email, tokens["token"], tokens["refresh_token"])


async def _works(client: AsyncClient, session: UserSession) -> bool:
    """Whether the session's access token is still accepted."""
    response = await client.get("/me", headers=session.headers)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def _refresh_status(client: AsyncClient, session: UserSession) -> int:
    response = await client.post("/token/refresh", json={"refresh_token": session.refresh_token})
    return response.status_code


async def _login_status(client: AsyncClient, email: str, password: str) -> int:
    response = await client.post("/login", json={"email": email, "password": password})
    return response.status_code


# GET /me


async def test_read_me_returns_the_public_profile_only(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.get("/me", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": alice.id,
        "first_name": "Test",
        "last_name": "User",
        "email": "alice@example.com",
    }
    assert "password_hash" not in response.text
    assert "argon2" not in response.text


async def test_read_me_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.get("/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


# PATCH /me


async def test_patch_one_field_keeps_the_other(client: AsyncClient, alice: UserSession) -> None:
    response = await client.patch("/me", json={"first_name": "  Chi "}, headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": alice.id,
        "first_name": "Chi",
        "last_name": "User",
        "email": alice.email,
    }
    stored = await _stored(alice)
    assert (stored.first_name, stored.last_name) == ("Chi", "User")

    response = await client.patch("/me", json={"last_name": "Okafor"}, headers=alice.headers)

    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Chi", "Okafor")
    stored = await _stored(alice)
    assert (stored.first_name, stored.last_name) == ("Chi", "Okafor")
    assert (await client.get("/me", headers=alice.headers)).json() == response.json()


async def test_patch_both_fields(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    response = await client.patch(
        "/me", json={"first_name": "Chioma", "last_name": "Okafor"}, headers=alice.headers
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": alice.id,
        "first_name": "Chioma",
        "last_name": "Okafor",
        "email": alice.email,
    }
    stored = await _stored(alice)
    assert (stored.first_name, stored.last_name, stored.email) == (
        "Chioma",
        "Okafor",
        alice.email,
    )
    other = await _stored(bob)
    assert (other.first_name, other.last_name) == ("Test", "User")


async def test_patch_with_an_empty_body_changes_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    before = await _stored(alice)

    response = await client.patch("/me", json={}, headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": alice.id,
        "first_name": "Test",
        "last_name": "User",
        "email": alice.email,
    }
    assert await _stored(alice) == before


@pytest.mark.parametrize(
    "body",
    [
        {"first_name": None},
        {"last_name": None},
        {"first_name": "Chi", "last_name": None},
        {"first_name": ""},
        {"first_name": "   "},
        {"last_name": "x" * 101},
        {"first_name": "nul\x00byte"},
        {"last_name": "line\nbreak"},
        {"first_name": "esc\x1b[31m"},
        {"first_name": 42},
        {"email": "new@example.com"},
        {"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$forged"},
        {"first_name": "Chi", "email": "new@example.com"},
        {"first_name": "Chi", "id": 999},
    ],
)
async def test_invalid_patches_are_422_and_change_nothing(
    client: AsyncClient, alice: UserSession, body: dict[str, Any]
) -> None:
    before = await _stored(alice)

    response = await client.patch("/me", json=body, headers=alice.headers)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert await _stored(alice) == before
    assert await User.find_all().count() == 1


async def test_a_null_name_is_reported_as_such(client: AsyncClient, alice: UserSession) -> None:
    response = await client.patch("/me", json={"last_name": None}, headers=alice.headers)

    assert response.status_code == 422
    assert "last_name cannot be null" in response.text


async def test_an_extra_field_is_named_in_the_error(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.patch("/me", json={"email": "x@example.com"}, headers=alice.headers)

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "email"]
    assert error["type"] == "extra_forbidden"


async def test_patch_without_a_token_is_401(client: AsyncClient, alice: UserSession) -> None:
    response = await client.patch("/me", json={"first_name": "Mallory"})

    assert response.status_code == 401
    assert (await _stored(alice)).first_name == "Test"


# POST /me/password


async def test_change_password_ends_every_other_session(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    other = await _second_session(client, alice)
    old_hash = (await _stored(alice)).password_hash
    caller_sid = jwt.decode(alice.token, options={"verify_signature": False})["sid"]

    response = await client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=alice.headers,
    )

    assert response.status_code == 204
    assert response.content == b""
    new_hash = (await _stored(alice)).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    sessions = await Session.find(Session.user_id == alice.id).to_list()
    assert [s.id for s in sessions] == [caller_sid]
    # The other session is over: its access and its refresh token are refused.
    assert not await _works(client, other)
    assert await _refresh_status(client, other) == 401
    # The caller's session carries on, refresh token included.
    assert await _works(client, alice)
    assert await _refresh_status(client, alice) == 200
    # Bob is not affected.
    assert await _works(client, bob)
    # Only the new password signs in.
    assert await _login_status(client, alice.email, PASSWORD) == 401
    assert await _login_status(client, alice.email, NEW_PASSWORD) == 200


async def test_change_password_with_a_wrong_current_password_is_400(
    client: AsyncClient, alice: UserSession
) -> None:
    other = await _second_session(client, alice)
    old_hash = (await _stored(alice)).password_hash

    response = await client.post(
        "/me/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=alice.headers,
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "The password is incorrect"}
    assert "www-authenticate" not in response.headers
    assert (await _stored(alice)).password_hash == old_hash
    assert await Session.find(Session.user_id == alice.id).count() == 2
    assert await _works(client, alice)
    assert await _works(client, other)
    assert await _refresh_status(client, other) == 200
    assert await _login_status(client, alice.email, NEW_PASSWORD) == 401
    assert await _login_status(client, alice.email, PASSWORD) == 200


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
    other = await _second_session(client, alice)
    old_hash = (await _stored(alice)).password_hash

    response = await client.post("/me/password", json=body, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert PASSWORD not in response.text
    assert (await _stored(alice)).password_hash == old_hash
    assert await _works(client, other)
    assert await _login_status(client, alice.email, PASSWORD) == 200


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
    old_hash = (await _stored(alice)).password_hash

    response = await client.post(
        "/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 401
    assert (await _stored(alice)).password_hash == old_hash


# DELETE /me


async def _documents_of(
    database: AsyncDatabase[dict[str, Any]], user_id: int, email: str
) -> list[tuple[str, dict[str, Any]]]:
    """Every document in the database that belongs to or names the user."""
    found: list[tuple[str, dict[str, Any]]] = []
    for name in await database.list_collection_names():
        async for document in database[name].find({}):
            own = document.get("user_id") == user_id
            account = name == User.Settings.name and document.get("_id") == user_id
            if own or account or email.lower() in repr(document).lower():
                found.append((name, document))
    return found


async def test_delete_me_removes_every_document_of_the_user(
    app: FastAPI, client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    database: AsyncDatabase[dict[str, Any]] = app.state.database
    other = await _second_session(client, alice)
    await create_contact(client, alice)
    await create_contact(client, alice, name="second", email="second@example.com")
    await create_contact(client, alice, name="self", email=alice.email)
    bob_contact = await create_contact(client, bob, name="alice", email=alice.email)
    await create_contact(client, bob)
    bob_before = await _stored(bob)
    bob_contacts = await Contact.find(Contact.user_id == bob.id).to_list()
    assert len(await _documents_of(database, alice.id, "alice@example.com")) > 1
    jti = jwt.decode(alice.token, options={"verify_signature": False})["jti"]

    response = await client.request(
        "DELETE", "/me", json={"password": PASSWORD}, headers=alice.headers
    )

    assert response.status_code == 204
    assert response.content == b""
    # Bob's contact that happens to hold Alice's address is Bob's data, not Alice's.
    leftovers = [
        (name, doc)
        for name, doc in await _documents_of(database, alice.id, "alice@example.com")
        if not (name == Contact.Settings.name and doc["_id"] == bob_contact["id"])
    ]
    assert leftovers == []
    assert await User.get(alice.id) is None
    assert await Contact.find(Contact.user_id == alice.id).count() == 0
    assert await Session.find(Session.user_id == alice.id).count() == 0
    assert await RevokedToken.find_one(RevokedToken.jti == jti) is not None
    # Bob is untouched.
    assert await _stored(bob) == bob_before
    assert await Contact.find(Contact.user_id == bob.id).to_list() == bob_contacts
    assert await _works(client, bob)
    # Nothing of Alice's is accepted any more.
    refused = await client.get("/me", headers=alice.headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/contacts/", headers=alice.headers)).status_code == 401
    assert not await _works(client, other)
    assert await _refresh_status(client, alice) == 401
    assert await _refresh_status(client, other) == 401
    assert await _login_status(client, alice.email, PASSWORD) == 401
    # The address is free again.
    assert (await register(client, alice.email))["id"] != alice.id


async def test_delete_me_with_a_wrong_password_is_400_and_keeps_everything(
    client: AsyncClient, alice: UserSession
) -> None:
    other = await _second_session(client, alice)
    contact = await create_contact(client, alice)
    before = await _stored(alice)

    response = await client.request(
        "DELETE", "/me", json={"password": "not the password"}, headers=alice.headers
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "The password is incorrect"}
    assert await _stored(alice) == before
    assert [c.id for c in await Contact.find(Contact.user_id == alice.id).to_list()] == [
        contact["id"]
    ]
    assert await Session.find(Session.user_id == alice.id).count() == 2
    assert await RevokedToken.find_all().count() == 0
    assert await _works(client, alice)
    assert await _works(client, other)
    assert await _login_status(client, alice.email, PASSWORD) == 200


@pytest.mark.parametrize("body", [None, {}, {"password": ""}, {"pass": PASSWORD}])
async def test_delete_me_without_a_password_is_422(
    client: AsyncClient, alice: UserSession, body: dict[str, Any] | None
) -> None:
    await create_contact(client, alice)

    if body is None:
        response = await client.request("DELETE", "/me", headers=alice.headers)
    else:
        response = await client.request("DELETE", "/me", json=body, headers=alice.headers)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert await User.get(alice.id) is not None
    assert await Contact.find(Contact.user_id == alice.id).count() == 1
    assert await _works(client, alice)


async def test_delete_me_without_a_token_is_401(client: AsyncClient, alice: UserSession) -> None:
    response = await client.request("DELETE", "/me", json={"password": PASSWORD})

    assert response.status_code == 401
    assert await User.get(alice.id) is not None


async def test_delete_me_with_another_users_token_deletes_only_that_user(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    response = await client.request(
        "DELETE", "/me", json={"password": PASSWORD}, headers=bearer(bob.token)
    )

    assert response.status_code == 204
    assert await User.get(bob.id) is None
    assert await User.get(alice.id) is not None
    assert await _works(client, alice)
