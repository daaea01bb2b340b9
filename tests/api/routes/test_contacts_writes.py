"""PUT, PATCH and DELETE of one contact: versions, ETags, preconditions and concurrency."""

import asyncio
import json
from datetime import datetime
from typing import Any

import pytest
from httpx import AsyncClient, Response

from contacts.phones import name_key, normalize_phone
from models import Contact, ContactTombstone
from tests.helpers import CONTACT, UserSession, create_contact

MERGE_PATCH = "application/merge-patch+json"
NEW = {"name": "Ada Obi", "phone_number": "+2348000000001", "email": "ada@example.org"}


async def stored(contact_id: int) -> Contact:
    contact = await Contact.get(contact_id)
    assert contact is not None
    return contact


def fields_of(contact: Contact) -> dict[str, Any]:
    fields: dict[str, Any] = contact.model_dump(
        include={"name", "phone_number", "email", "version"}
    )
    return fields


def assert_etag_is_version(response: Response) -> None:
    assert response.headers["etag"] == f'"{response.json()["version"]}"'


async def patch(
    client: AsyncClient, user: UserSession, contact_id: int, body: object, **headers: str
) -> Response:
    return await client.patch(
        f"/contacts/{contact_id}",
        content=json.dumps(body),
        headers={**user.headers, "Content-Type": MERGE_PATCH, **headers},
    )


async def test_every_single_contact_response_carries_its_version_as_etag(
    client: AsyncClient, alice: UserSession
) -> None:
    created = await client.post("/contacts/", json=CONTACT, headers=alice.headers)
    url = f"/contacts/{created.json()['id']}"
    other = await create_contact(client, alice, name="other")
    responses = [
        created,
        await client.get(url, headers=alice.headers),
        await client.put(url, json=NEW, headers=alice.headers),
        await client.patch(url, json={"name": "x"}, headers=alice.headers),
        await client.post(f"{url}/merge", json={"other_id": other["id"]}, headers=alice.headers),
        await client.get(url, headers=alice.headers),
    ]

    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200, 200]
    assert [r.json()["version"] for r in responses] == [1, 1, 2, 3, 4, 4]
    for response in responses:
        assert_etag_is_version(response)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_writes_bump_version_and_updated_at_but_not_created_at(
    client: AsyncClient, alice: UserSession, method: str
) -> None:
    created = await create_contact(client, alice)
    await asyncio.sleep(0.01)  # the clock is read to the millisecond

    response = await client.request(
        method, f"/contacts/{created['id']}", json=NEW, headers=alice.headers
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["created_at"]) == (2, created["created_at"])
    updated_at = datetime.fromisoformat(body["updated_at"])
    assert updated_at > datetime.fromisoformat(created["updated_at"])
    after = await stored(created["id"])
    assert (after.version, after.updated_at) == (2, updated_at)
    assert after.created_at == datetime.fromisoformat(created["created_at"])


@pytest.mark.parametrize("content_type", [MERGE_PATCH, "application/json"])
async def test_patch_changes_only_the_fields_given(
    client: AsyncClient, alice: UserSession, content_type: str
) -> None:
    created = await create_contact(client, alice)

    response = await patch(
        client, alice, created["id"], {"name": "Émeka"}, **{"Content-Type": content_type}
    )

    assert response.status_code == 200
    assert response.json() == {
        **created,
        "name": "Émeka",
        "version": 2,
        "updated_at": response.json()["updated_at"],
    }
    after = await stored(created["id"])
    assert fields_of(after) == {**CONTACT, "name": "Émeka", "version": 2}
    # The search key follows the new name; the others are untouched.
    assert after.name_key == "emeka"
    assert (after.phone_key, after.email_key) == (CONTACT["phone_number"], CONTACT["email"])
    found = await client.get("/contacts/", params={"q": "EMEKA"}, headers=alice.headers)
    assert [c["id"] for c in found.json()] == [created["id"]]


@pytest.mark.parametrize("field", ["name", "phone_number", "email"])
async def test_patch_with_null_for_a_field_is_422_and_changes_nothing(
    client: AsyncClient, alice: UserSession, field: str
) -> None:
    created = await create_contact(client, alice)

    response = await patch(client, alice, created["id"], {"name": "kept?", field: None})

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert fields_of(await stored(created["id"])) == {**CONTACT, "version": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone_number": "0906-864-1485"}, "phone_number"),
        ({"email": "not-an-email"}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "fine", "email": "broken@"}, "email"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_invalid_values_are_422_and_change_nothing(
    client: AsyncClient, alice: UserSession, method: str, body: dict[str, str], field: str
) -> None:
    created = await create_contact(client, alice)

    response = await client.request(
        method,
        f"/contacts/{created['id']}",
        json=body if method == "PATCH" else {**CONTACT, **body},
        headers=alice.headers,
    )

    assert response.status_code == 422
    assert fields_of(await stored(created["id"])) == {**CONTACT, "version": 1}
    # One error per field, located as on create (not per branch of an internal union).
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]


async def test_patch_ignores_unknown_fields(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    created = await create_contact(client, alice)
    body = {"name": "new", "nickname": "x", "version": 99, "user_id": bob.id, "id": 999}

    response = await patch(client, alice, created["id"], body)

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["version"]) == (created["id"], 2)
    assert response.json()["user_id"] == alice.id
    raw = await Contact.get_pymongo_collection().find_one({"_id": created["id"]})
    assert raw is not None
    assert "nickname" not in raw
    assert (raw["user_id"], raw["version"], raw["name"]) == (alice.id, 2, "new")


# If-Match compares strongly: a weak tag, like a malformed one, matches nothing.
MATCHING = ['"1"', "*", '"7", "1"', ' "1" ']
NOT_MATCHING = ['"2"', '"0"', 'W/"1"', "1", '"one"', '"1', "**"]


@pytest.mark.parametrize(
    ("if_match", "status"), [(m, 200) for m in MATCHING] + [(m, 412) for m in NOT_MATCHING]
)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_if_match_guards_writes(
    client: AsyncClient, alice: UserSession, method: str, if_match: str, status: int
) -> None:
    created = await create_contact(client, alice)

    response = await client.request(
        method,
        f"/contacts/{created['id']}",
        json=NEW,
        headers={**alice.headers, "If-Match": if_match},
    )

    assert response.status_code == status, response.text
    after = await stored(created["id"])
    if status == 200:
        assert fields_of(after) == {**NEW, "version": 2}
        assert_etag_is_version(response)
    else:
        assert response.headers["content-type"] == "application/json"
        assert isinstance(response.json()["detail"], str)
        assert fields_of(after) == {**CONTACT, "version": 1}


@pytest.mark.parametrize(
    ("if_match", "status"), [('"1"', 412), ('W/"2"', 412), ('"2"', 204), ("*", 204), (None, 204)]
)
async def test_delete_honours_if_match_and_leaves_a_tombstone(
    client: AsyncClient, alice: UserSession, if_match: str | None, status: int
) -> None:
    created = await create_contact(client, alice)
    url = f"/contacts/{created['id']}"
    await client.patch(url, json={"name": "moved on"}, headers=alice.headers)
    headers = alice.headers if if_match is None else {**alice.headers, "If-Match": if_match}

    response = await client.delete(url, headers=headers)

    assert response.status_code == status
    if status == 412:
        assert (await stored(created["id"])).version == 2
        assert await ContactTombstone.get(created["id"]) is None
        assert (await client.get(url, headers=alice.headers)).status_code == 200
        return
    assert await Contact.get(created["id"]) is None
    tombstone = await ContactTombstone.get(created["id"])
    assert tombstone is not None
    assert tombstone.user_id == alice.id
    assert tombstone.expires_at > tombstone.deleted_at


# RFC 9110 §13.1.2: If-None-Match compares weakly, and "*" matches any current version.
@pytest.mark.parametrize("if_none_match", ['"1"', '"5", "1"', 'W/"1"', "*"])
async def test_if_none_match_of_the_current_etag_is_304_and_of_a_stale_one_200(
    client: AsyncClient, alice: UserSession, if_none_match: str
) -> None:
    created = await create_contact(client, alice)
    url = f"/contacts/{created['id']}"

    current = await client.get(url, headers={**alice.headers, "If-None-Match": if_none_match})
    await client.patch(url, json={"name": "changed"}, headers=alice.headers)
    stale = await client.get(url, headers={**alice.headers, "If-None-Match": '"1"'})

    assert current.status_code == 304
    assert current.headers["etag"] == '"1"'
    assert current.content == b""
    assert stale.status_code == 200
    assert stale.headers["etag"] == '"2"'
    assert stale.json()["name"] == "changed"


async def test_fifty_concurrent_patches_all_apply(client: AsyncClient, alice: UserSession) -> None:
    created = await create_contact(client, alice)
    bodies = [{"name": f"name{i}"} if i % 2 else {"email": f"e{i}@example.com"} for i in range(50)]

    responses = await asyncio.gather(*(patch(client, alice, created["id"], b) for b in bodies))

    assert [r.status_code for r in responses] == [200] * 50
    assert sorted(r.json()["version"] for r in responses) == list(range(2, 52))
    after = await stored(created["id"])
    assert after.version == 51
    # The stored value of each field is the one written last (at the highest version).
    for field in ("name", "email"):
        writes = [
            (r.json()["version"], b[field])
            for r, b in zip(responses, bodies, strict=True)
            if field in b
        ]
        assert getattr(after, field) == max(writes)[1]
    assert after.name_key == after.name
    assert after.email_key == after.email


RACERS = 50


async def test_concurrent_puts_leave_exactly_one_submitted_body(
    client: AsyncClient, alice: UserSession
) -> None:
    created = await create_contact(client, alice)
    bodies = [
        {"name": f"Náme{i}", "phone_number": f"+1555000{i:04d}", "email": f"u{i}@example.com"}
        for i in range(RACERS)
    ]
    url = f"/contacts/{created['id']}"

    responses = await asyncio.gather(
        *(client.put(url, json=b, headers=alice.headers) for b in bodies)
    )

    assert [r.status_code for r in responses] == [200] * RACERS
    # Each PUT is one atomic write: the versions are 2..RACERS+1 with no gaps or
    # repeats, and what is stored is exactly the body that got the last one.
    versions = [r.json()["version"] for r in responses]
    assert sorted(versions) == list(range(2, RACERS + 2))
    after = await stored(created["id"])
    last = bodies[versions.index(RACERS + 1)]
    assert fields_of(after) == {**last, "version": RACERS + 1}
    assert after.name_key == name_key(last["name"])
    assert after.phone_key == normalize_phone(last["phone_number"])
    assert after.email_key == last["email"]


async def test_concurrent_patches_with_the_same_if_match_let_one_win(
    client: AsyncClient, alice: UserSession
) -> None:
    created = await create_contact(client, alice)

    responses = await asyncio.gather(
        *(
            patch(client, alice, created["id"], {"name": f"w{i}"}, **{"If-Match": '"1"'})
            for i in range(10)
        )
    )

    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] + [412] * 9
    winner = responses[statuses.index(200)].json()
    after = await stored(created["id"])
    assert (after.name, after.version) == (winner["name"], 2)
