"""GET and PATCH /me: the caller's profile."""

from typing import Any

import pytest
from httpx import AsyncClient

from models import User
from tests.helpers import (
    UserSession,
    stored_user,
)

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
    stored = await stored_user(alice)
    assert (stored.first_name, stored.last_name) == ("Chi", "User")

    response = await client.patch("/me", json={"last_name": "Okafor"}, headers=alice.headers)

    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Chi", "Okafor")
    stored = await stored_user(alice)
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
    stored = await stored_user(alice)
    assert (stored.first_name, stored.last_name, stored.email) == (
        "Chioma",
        "Okafor",
        alice.email,
    )
    other = await stored_user(bob)
    assert (other.first_name, other.last_name) == ("Test", "User")


async def test_patch_with_an_empty_body_changes_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    before = await stored_user(alice)

    response = await client.patch("/me", json={}, headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": alice.id,
        "first_name": "Test",
        "last_name": "User",
        "email": alice.email,
    }
    assert await stored_user(alice) == before


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
    before = await stored_user(alice)

    response = await client.patch("/me", json=body, headers=alice.headers)

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert await stored_user(alice) == before
    assert await User.find_all().count() == 1


async def test_a_null_name_is_reported_as_such(client: AsyncClient, alice: UserSession) -> None:
    response = await client.patch("/me", json={"last_name": None}, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "null_field", "loc": ["body", "last_name"], "msg": "This field cannot be null"}
    ]


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
    assert (await stored_user(alice)).first_name == "Test"
