"""Possible duplicates on create (flag or reject) and merging one contact into another."""

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from models import Contact, ContactTombstone
from tests.helpers import CONTACT, UserSession, create_contact

OTHER = {"name": "someone else", "phone_number": "08030000000", "email": "else@example.com"}


@pytest.fixture
def nigerian_book(app: FastAPI) -> Iterator[None]:
    """Numbers without a country code are read as Nigerian (+234) for this test."""
    original = app.state.book
    app.state.book = dataclasses.replace(original, country_code="234")
    try:
        yield
    finally:
        app.state.book = original


async def post(client: AsyncClient, user: UserSession, query: str = "", **fields: Any) -> Response:
    return await client.post(f"/contacts/{query}", json={**OTHER, **fields}, headers=user.headers)


async def snapshot(contact_id: int) -> dict[str, Any] | None:
    contact = await Contact.get(contact_id)
    return None if contact is None else contact.model_dump()


async def test_a_contact_without_a_match_has_no_possible_duplicates(
    client: AsyncClient, alice: UserSession
) -> None:
    await create_contact(client, alice)

    response = await post(client, alice)

    assert response.status_code == 201
    assert response.json()["possible_duplicate_of"] == []
    assert await Contact.find({"user_id": alice.id}).count() == 2


@pytest.mark.parametrize(
    "same",
    [
        {"phone_number": CONTACT["phone_number"]},
        {"email": CONTACT["email"]},
        {"email": CONTACT["email"].upper()},
        {"email": "GhJhKj@Gmail.Com"},
    ],
)
async def test_the_same_phone_or_email_is_flagged(
    client: AsyncClient, alice: UserSession, same: dict[str, str]
) -> None:
    first = await create_contact(client, alice)

    response = await post(client, alice, **same)

    assert response.status_code == 201
    assert response.json()["possible_duplicate_of"] == [first["id"]]
    assert await Contact.get(response.json()["id"]) is not None


async def test_every_match_is_listed_in_id_order(client: AsyncClient, alice: UserSession) -> None:
    by_phone = await create_contact(client, alice, email="a@example.com")
    await create_contact(client, alice, phone_number="+4470000000", email="b@example.com")
    by_email = await create_contact(client, alice, phone_number="+4470000001")

    response = await post(client, alice, **CONTACT)

    assert response.json()["possible_duplicate_of"] == [by_phone["id"], by_email["id"]]


async def test_another_format_of_the_number_is_not_flagged_without_a_country_code(
    client: AsyncClient, alice: UserSession
) -> None:
    await create_contact(client, alice, phone_number="09068641485")

    response = await post(client, alice, phone_number="+2349068641485")

    assert response.json()["possible_duplicate_of"] == []


@pytest.mark.usefixtures("nigerian_book")
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("09068641485", "+2349068641485"),
        ("+2349068641485", "09068641485"),
        ("002349068641485", "9068641485"),
    ],
)
async def test_numbers_alike_in_e164_are_flagged_with_a_country_code(
    client: AsyncClient, alice: UserSession, first: str, second: str
) -> None:
    existing = await create_contact(client, alice, phone_number=first)

    response = await post(client, alice, phone_number=second)

    assert response.json()["possible_duplicate_of"] == [existing["id"]]
    stored = await Contact.get(existing["id"])
    assert stored is not None
    assert stored.phone_key == "+2349068641485"
    assert stored.phone_number == first  # stored as typed; only the key is normalised


async def test_reject_refuses_a_duplicate_with_409_and_stores_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    first = await create_contact(client, alice)

    response = await post(client, alice, "?on_duplicate=reject", email=CONTACT["email"].upper())

    assert response.status_code == 409
    assert response.json() == {"detail": response.json()["detail"], "duplicate_of": [first["id"]]}
    assert isinstance(response.json()["detail"], str)
    assert await Contact.find_all().count() == 1


async def test_reject_without_a_match_creates(client: AsyncClient, alice: UserSession) -> None:
    await create_contact(client, alice)

    response = await post(client, alice, "?on_duplicate=reject")

    assert response.status_code == 201
    assert response.json()["possible_duplicate_of"] == []
    assert await Contact.find_all().count() == 2


@pytest.mark.parametrize("value", ["REJECT", "ignore", "", "flag,reject"])
async def test_an_unknown_on_duplicate_is_422_and_stores_nothing(
    client: AsyncClient, alice: UserSession, value: str
) -> None:
    response = await client.post(
        "/contacts/", params={"on_duplicate": value}, json=OTHER, headers=alice.headers
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "on_duplicate"]
    assert await Contact.find_all().count() == 0


@pytest.mark.parametrize("query", ["", "?on_duplicate=reject"])
async def test_another_users_identical_contact_is_never_a_duplicate(
    client: AsyncClient, alice: UserSession, bob: UserSession, query: str
) -> None:
    await create_contact(client, bob, **OTHER)

    response = await post(client, alice, query)

    assert response.status_code == 201
    assert response.json()["possible_duplicate_of"] == []


async def test_merge_keeps_the_targets_fields_and_deletes_the_other(
    client: AsyncClient, alice: UserSession
) -> None:
    target = await create_contact(client, alice)
    other = await create_contact(client, alice, **OTHER)

    response = await client.post(
        f"/contacts/{target['id']}/merge", json={"other_id": other["id"]}, headers=alice.headers
    )

    assert response.status_code == 200
    assert response.json() == {
        **target,
        "version": 2,
        "updated_at": response.json()["updated_at"],
    }
    assert response.headers["etag"] == '"2"'
    stored = await Contact.get(target["id"])
    assert stored is not None
    assert (stored.name, stored.phone_number, stored.email, stored.version) == (
        CONTACT["name"],
        CONTACT["phone_number"],
        CONTACT["email"],
        2,
    )
    assert await Contact.get(other["id"]) is None
    gone = await client.get(f"/contacts/{other['id']}", headers=alice.headers)
    assert gone.status_code == 404
    tombstone = await ContactTombstone.get(other["id"])
    assert tombstone is not None
    assert tombstone.user_id == alice.id
    assert await ContactTombstone.get(target["id"]) is None


async def test_merging_a_contact_into_itself_is_422_and_changes_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    target = await create_contact(client, alice)
    before = await snapshot(target["id"])

    response = await client.post(
        f"/contacts/{target['id']}/merge", json={"other_id": target["id"]}, headers=alice.headers
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "other_id"]
    assert await snapshot(target["id"]) == before
    assert await ContactTombstone.find_all().count() == 0


async def test_merging_in_a_contact_not_owned_is_422_and_changes_neither(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    target = await create_contact(client, alice)
    his = await create_contact(client, bob, **OTHER)
    before = [await snapshot(target["id"]), await snapshot(his["id"])]
    url = f"/contacts/{target['id']}/merge"

    responses = [
        await client.post(url, json={"other_id": his["id"]}, headers=alice.headers),
        await client.post(url, json={"other_id": 987654}, headers=alice.headers),
    ]

    # The path's contact exists; the body's reference is the fault, as for any field.
    # Another user's id and a missing one get the same answer.
    assert [r.status_code for r in responses] == [422, 422]
    assert responses[0].json() == responses[1].json()
    assert responses[0].json()["detail"][0]["type"] == "contact_not_found"
    assert responses[0].json()["detail"][0]["loc"] == ["body", "other_id"]
    assert [await snapshot(target["id"]), await snapshot(his["id"])] == before
    assert await ContactTombstone.find_all().count() == 0


async def test_another_users_contact_is_404_on_patch_and_merge(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    hers = await create_contact(client, alice)
    his = await create_contact(client, bob, **OTHER)
    before = [await snapshot(hers["id"]), await snapshot(his["id"])]
    url = f"/contacts/{hers['id']}"

    responses = [
        await client.patch(url, json={"name": "hijacked"}, headers=bob.headers),
        await client.patch(
            url, json={"name": "hijacked"}, headers={**bob.headers, "If-Match": "*"}
        ),
        await client.post(f"{url}/merge", json={"other_id": his["id"]}, headers=bob.headers),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert [await snapshot(hers["id"]), await snapshot(his["id"])] == before
    assert await ContactTombstone.find_all().count() == 0
