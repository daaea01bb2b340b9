"""Fields a client may not set (owner, ids, hash, roles) are ignored or refused, never stored.

Every body-taking route is sent the same smuggled fields; the stored documents
are read back raw, and no response carries a hash or an internal field.
"""

import re
from typing import Any

import pytest
from httpx import AsyncClient, Response

from models import Contact, Session, User
from tests.helpers import (
    CONTACT,
    PASSWORD,
    STORED_CONTACT_FIELDS,
    UserSession,
    create_contact,
    stored_user,
)

FORGED_HASH = "$argon2id$v=19$m=65536,t=3,p=4$Zm9yZ2Vk$Zm9yZ2VkZm9yZ2VkZm9yZ2Vk"
# What a client might try to set: another owner, ids, a hash of its choosing, a role.
SMUGGLED: dict[str, Any] = {
    "user_id": 424242,
    "id": 999,
    "_id": 998,
    "password_hash": FORGED_HASH,
    "is_admin": True,
    "role": "admin",
    "version": 77,
    "id_key": 997,
    "name_key": "forged",
    "created_at": "2000-01-01T00:00:00Z",
}
USER_FIELDS = {"_id", "first_name", "last_name", "email", "password_hash", "created_at"}
# Nothing internal may appear in any response: hashes, Mongo's `_id`, derived keys.
LEAKS = re.compile(
    r"password_hash|\$argon2|refresh_hash|\"_id\"|id_key|name_key|phone_key|email_key|created_key"
    r"|is_admin|\"role\"|writer|revision_id"
)


def _assert_clean(*responses: Response) -> None:
    for response in responses:
        assert not LEAKS.search(response.text), (response.request.url.path, response.text)


async def _raw_users() -> list[dict[str, Any]]:
    return await User.get_pymongo_collection().find({}).to_list()


async def _raw_contacts() -> list[dict[str, Any]]:
    return await Contact.get_pymongo_collection().find({}).sort("_id").to_list()


def _assert_contact_stored_as_sent(raw: dict[str, Any], owner: int) -> None:
    assert set(raw) == STORED_CONTACT_FIELDS
    assert raw["user_id"] == owner
    assert raw["_id"] not in (998, 999)
    assert raw["id_key"] == raw["_id"]
    assert raw["name_key"] != "forged"
    assert raw["created_at"].year != 2000


async def test_register_ignores_ids_roles_and_hashes_in_the_body(client: AsyncClient) -> None:
    body = {
        "first_name": "Eve",
        "last_name": "Smuggler",
        "email": "eve@example.com",
        "password": PASSWORD,
        **SMUGGLED,
    }

    response = await client.post("/register", json=body)

    assert response.status_code in (201, 422), response.text
    _assert_clean(response)
    if response.status_code == 422:
        assert await User.find_all().count() == 0
        return
    assert response.json() == {
        "id": response.json()["id"],
        "first_name": "Eve",
        "last_name": "Smuggler",
        "email": "eve@example.com",
    }
    [raw] = await _raw_users()
    assert set(raw) == USER_FIELDS
    assert raw["_id"] not in (998, 999, 424242)
    assert raw["password_hash"] != FORGED_HASH
    assert raw["password_hash"].startswith("$argon2id$")
    assert raw["created_at"].year != 2000
    # The password sent is the one that works, not the smuggled hash's.
    login = await client.post("/login", json={"email": "eve@example.com", "password": PASSWORD})
    assert login.status_code == 200


async def test_login_with_extra_fields_stores_nothing_of_them(
    client: AsyncClient, alice: UserSession
) -> None:
    before = await stored_user(alice)
    body = {"email": alice.email, "password": PASSWORD, **SMUGGLED}

    response = await client.post("/login", json=body)

    assert response.status_code in (200, 422), response.text
    _assert_clean(response)
    assert await stored_user(alice) == before
    for session in await Session.get_pymongo_collection().find({}).to_list():
        assert session["user_id"] == alice.id
        assert not {"is_admin", "role", "password_hash", "id"} & set(session)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_contact_writes_ignore_owner_ids_and_internal_fields(
    client: AsyncClient, alice: UserSession, bob: UserSession, method: str
) -> None:
    body = {**CONTACT, **SMUGGLED, "user_id": bob.id, "name": "kept"}
    if method == "POST":
        response = await client.post("/contacts/", json=body, headers=alice.headers)
        assert response.status_code == 201, response.text
    else:
        created = await create_contact(client, alice)
        url = f"/contacts/{created['id']}"
        response = await client.request(method, url, json=body, headers=alice.headers)
        assert response.status_code == 200, response.text
        assert response.json()["id"] == created["id"]
        assert response.json()["version"] == 2

    _assert_clean(response)
    assert response.json()["user_id"] == alice.id
    assert response.json()["id"] not in (998, 999)
    [raw] = await _raw_contacts()
    _assert_contact_stored_as_sent(raw, alice.id)
    assert raw["name"] == "kept"
    assert await Contact.find({"user_id": bob.id}).count() == 0


async def test_batch_items_and_merge_bodies_ignore_owner_ids_and_internal_fields(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    items = [{**CONTACT, **SMUGGLED, "user_id": bob.id, "name": f"n{i}"} for i in range(2)]
    batch = await client.post(
        "/contacts/batch", json={"contacts": items, **SMUGGLED}, headers=alice.headers
    )
    assert batch.status_code == 200, batch.text
    ids = [r["contact"]["id"] for r in batch.json()["results"]]
    merge = await client.post(
        f"/contacts/{ids[0]}/merge",
        json={"other_id": ids[1], **SMUGGLED, "user_id": bob.id},
        headers=alice.headers,
    )

    assert merge.status_code in (200, 422), merge.text
    _assert_clean(batch, merge)
    raws = await _raw_contacts()
    assert raws
    for raw in raws:
        _assert_contact_stored_as_sent(raw, alice.id)
    assert await Contact.find({"user_id": bob.id}).count() == 0


@pytest.mark.parametrize("field", ["user_id", "id", "_id", "password_hash", "is_admin", "email"])
async def test_profile_patch_refuses_fields_it_does_not_own(
    client: AsyncClient, alice: UserSession, field: str
) -> None:
    before = await stored_user(alice)

    response = await client.patch(
        "/me",
        json={"first_name": "Changed", field: SMUGGLED.get(field, "x@example.com")},
        headers=alice.headers,
    )

    assert response.status_code == 422
    # The error names the field it refuses, and echoes no value.
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert "$argon2" not in response.text
    assert "424242" not in response.text
    assert await stored_user(alice) == before
    [raw] = await _raw_users()
    assert set(raw) == USER_FIELDS


async def test_no_response_carries_a_hash_or_an_internal_field(
    client: AsyncClient, alice: UserSession
) -> None:
    contact = await create_contact(client, alice)
    url = f"/contacts/{contact['id']}"
    responses = [
        await client.post("/login", json={"email": alice.email, "password": PASSWORD}),
        await client.post("/login", json={"email": alice.email, "password": "wrong password"}),
        await client.get("/me", headers=alice.headers),
        await client.patch("/me", json={"first_name": "Al"}, headers=alice.headers),
        await client.get("/me/sessions", headers=alice.headers),
        await client.get("/contacts/", headers=alice.headers),
        await client.get("/contacts/", params={"q": "chioma"}, headers=alice.headers),
        await client.get(url, headers=alice.headers),
        await client.put(url, json=CONTACT, headers=alice.headers),
        await client.patch(url, json={"name": "x"}, headers=alice.headers),
        await client.get("/contacts/changes", headers=alice.headers),
        await client.get("/contacts/export", params={"format": "csv"}, headers=alice.headers),
        await client.get("/contacts/export", headers=alice.headers),
        await client.post(
            "/contacts/batch", json={"contacts": [CONTACT, {"name": ""}]}, headers=alice.headers
        ),
        await client.post("/contacts/", json={"name": ""}, headers=alice.headers),
        await client.post(
            "/register",
            json={"first_name": "A", "last_name": "B", "email": alice.email, "password": PASSWORD},
        ),
    ]

    assert all(r.status_code < 500 for r in responses)
    _assert_clean(*responses)
