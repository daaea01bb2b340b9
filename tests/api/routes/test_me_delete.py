"""DELETE /me: the account and everything of it goes, the password confirming."""

from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from pymongo.asynchronous.database import AsyncDatabase

from models import Contact, RevokedToken, Session, User
from tests.helpers import (
    PASSWORD,
    UserSession,
    bearer,
    create_contact,
    login_status,
    new_session,
    refresh_status,
    register,
    stored_user,
    token_works,
)

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
    other = await new_session(client, alice)
    await create_contact(client, alice)
    await create_contact(client, alice, name="second", email="second@example.com")
    await create_contact(client, alice, name="self", email=alice.email)
    bob_contact = await create_contact(client, bob, name="alice", email=alice.email)
    await create_contact(client, bob)
    bob_before = await stored_user(bob)
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
    assert await stored_user(bob) == bob_before
    assert await Contact.find(Contact.user_id == bob.id).to_list() == bob_contacts
    assert await token_works(client, bob)
    # Nothing of Alice's is accepted any more.
    refused = await client.get("/me", headers=alice.headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/contacts/", headers=alice.headers)).status_code == 401
    assert not await token_works(client, other)
    assert await refresh_status(client, alice) == 401
    assert await refresh_status(client, other) == 401
    assert await login_status(client, alice.email, PASSWORD) == 401
    # The address is free again.
    assert (await register(client, alice.email))["id"] != alice.id


async def test_delete_me_with_a_wrong_password_is_400_and_keeps_everything(
    client: AsyncClient, alice: UserSession
) -> None:
    other = await new_session(client, alice)
    contact = await create_contact(client, alice)
    before = await stored_user(alice)

    response = await client.request(
        "DELETE", "/me", json={"password": "not the password"}, headers=alice.headers
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "The password is incorrect"}
    assert await stored_user(alice) == before
    assert [c.id for c in await Contact.find(Contact.user_id == alice.id).to_list()] == [
        contact["id"]
    ]
    assert await Session.find(Session.user_id == alice.id).count() == 2
    assert await RevokedToken.find_all().count() == 0
    assert await token_works(client, alice)
    assert await token_works(client, other)
    assert await login_status(client, alice.email, PASSWORD) == 200


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
    assert await token_works(client, alice)


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
    assert await token_works(client, alice)
