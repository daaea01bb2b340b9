"""GET /contacts/changes: the snapshot, the feed after a cursor, its pages, lag and horizon."""

import asyncio
import base64
import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from contacts.sync import SETTLE_LAG, decode_cursor
from models import Contact, ContactTombstone
from models.counter import next_id
from tests.helpers import CONTACT, UserSession, bearer, create_contact

URL = "/contacts/changes"


async def changes(
    client: AsyncClient, user: UserSession, since: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """One successful call of the feed."""
    params: dict[str, str | int] = {}
    if since is not None:
        params["since"] = since
    if limit is not None:
        params["limit"] = limit
    response = await client.get(URL, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"changed", "deleted", "cursor", "has_more"}
    return body


async def settle() -> None:
    """Wait out the settle lag: the feed returns only changes at least this old."""
    await asyncio.sleep((SETTLE_LAG + timedelta(milliseconds=100)).total_seconds())


async def read(client: AsyncClient, user: UserSession, contact_id: int) -> dict[str, Any]:
    response = await client.get(f"/contacts/{contact_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def rename(client: AsyncClient, user: UserSession, contact_id: int, name: str) -> None:
    response = await client.patch(
        f"/contacts/{contact_id}", json={"name": name}, headers=user.headers
    )
    assert response.status_code == 200, response.text


async def delete(client: AsyncClient, user: UserSession, contact_id: int) -> None:
    response = await client.delete(f"/contacts/{contact_id}", headers=user.headers)
    assert response.status_code == 204, response.text


def encoded(state: str) -> str:
    return base64.urlsafe_b64encode(state.encode()).decode().rstrip("=")


@pytest.fixture
def short_horizon(app: FastAPI) -> Iterator[None]:
    """Deletions remembered for one second only: every cursor is past the horizon."""
    original = app.state.book
    app.state.book = dataclasses.replace(original, tombstone_lifetime=timedelta(seconds=1))
    yield
    app.state.book = original


async def test_without_since_every_live_contact_and_a_cursor(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    first, gone, last = [await create_contact(client, alice, name=f"a{i}") for i in range(3)]
    await delete(client, alice, gone["id"])
    await create_contact(client, bob, name="bob's")

    body = await changes(client, alice)

    assert body == {
        "changed": [first, last],
        "deleted": [],
        "cursor": body["cursor"],
        "has_more": False,
    }
    assert isinstance(body["cursor"], str)
    assert body["cursor"]
    # The deletion is remembered, but a snapshot has nothing to delete.
    assert await ContactTombstone.get(gone["id"]) is not None
    assert await Contact.find({"user_id": alice.id}).count() == 2


async def test_snapshot_pages_in_id_order_then_hands_over_to_the_feed(
    client: AsyncClient, alice: UserSession
) -> None:
    ids = [(await create_contact(client, alice, name=f"c{i}"))["id"] for i in range(3)]

    first = await changes(client, alice, limit=2)
    await delete(client, alice, ids[0])  # already sent: the feed must report it
    second = await changes(client, alice, since=first["cursor"], limit=2)

    assert [c["id"] for c in first["changed"]] == ids[:2]
    assert (first["deleted"], first["has_more"]) == ([], True)
    assert [c["id"] for c in second["changed"]] == ids[2:]
    assert (second["deleted"], second["has_more"]) == ([], False)
    await settle()
    feed = await changes(client, alice, since=second["cursor"])
    assert feed["deleted"] == [ids[0]]
    # The feed starts where the snapshot started, within the lag: the contacts
    # created just before it come again (harmless), the deleted one only as deleted.
    assert [c["id"] for c in feed["changed"]] == ids[1:]
    assert feed["has_more"] is False


async def test_creates_updates_and_deletes_after_a_cursor(
    client: AsyncClient, alice: UserSession
) -> None:
    updated, removed, untouched = [
        await create_contact(client, alice, name=f"c{i}") for i in range(3)
    ]
    await settle()
    start = await changes(client, alice)
    assert [c["id"] for c in start["changed"]] == [
        updated["id"],
        removed["id"],
        untouched["id"],
    ]

    await rename(client, alice, updated["id"], "once")
    await rename(client, alice, updated["id"], "twice")
    await delete(client, alice, removed["id"])
    added = await create_contact(client, alice, name="added")
    fleeting = await create_contact(client, alice, name="fleeting")
    await delete(client, alice, fleeting["id"])
    await settle()
    body = await changes(client, alice, since=start["cursor"])

    latest = await read(client, alice, updated["id"])
    assert latest["name"] == "twice"
    assert latest["version"] == 3
    assert body == {
        "changed": [latest, added],
        "deleted": [removed["id"], fleeting["id"]],
        "cursor": body["cursor"],
        "has_more": False,
    }
    assert body["cursor"] != start["cursor"]
    for contact_id in (removed["id"], fleeting["id"]):
        tombstone = await ContactTombstone.get(contact_id)
        assert tombstone is not None
        assert tombstone.user_id == alice.id
        assert await Contact.get(contact_id) is None
    # Nothing happened since: the next call is empty.
    again = await changes(client, alice, since=body["cursor"])
    assert (again["changed"], again["deleted"], again["has_more"]) == ([], [], False)


async def test_recent_changes_wait_for_the_lag_and_are_not_skipped(
    client: AsyncClient, alice: UserSession
) -> None:
    contact = await create_contact(client, alice)
    await settle()
    start = await changes(client, alice)

    await rename(client, alice, contact["id"], "just now")
    early = await changes(client, alice, since=start["cursor"])

    assert (early["changed"], early["deleted"], early["has_more"]) == ([], [], False)
    await settle()
    late = await changes(client, alice, since=early["cursor"])
    assert late["changed"] == [await read(client, alice, contact["id"])]
    assert late["changed"][0]["name"] == "just now"


async def test_small_pages_walk_contacts_and_tombstones_in_timestamp_order(
    client: AsyncClient, alice: UserSession
) -> None:
    ids = [(await create_contact(client, alice, name=f"c{i}"))["id"] for i in range(5)]
    await settle()
    start = await changes(client, alice)

    await rename(client, alice, ids[0], "renamed")
    await delete(client, alice, ids[1])
    added = (await create_contact(client, alice, name="added"))["id"]
    await delete(client, alice, ids[3])
    await rename(client, alice, ids[2], "renamed too")
    await settle()

    # The merged stream as stored: (timestamp, id, whether deleted).
    stream = []
    for contact_id in (ids[0], added, ids[2]):
        stored = await Contact.get(contact_id)
        assert stored is not None
        stream.append((stored.updated_at, contact_id, False))
    for contact_id in (ids[1], ids[3]):
        tombstone = await ContactTombstone.get(contact_id)
        assert tombstone is not None
        stream.append((tombstone.deleted_at, contact_id, True))
    stream.sort()
    assert [entry[1] for entry in stream] == [ids[0], ids[1], added, ids[3], ids[2]]

    cursor, pages = start["cursor"], []
    for _ in range(4):
        page = await changes(client, alice, since=cursor, limit=2)
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break

    assert [page["has_more"] for page in pages] == [True, True, False]
    for number, page in enumerate(pages):
        expected = stream[number * 2 : number * 2 + 2]
        assert [c["id"] for c in page["changed"]] == [e[1] for e in expected if not e[2]]
        assert page["deleted"] == [e[1] for e in expected if e[2]]
        for contact in page["changed"]:
            assert contact == await read(client, alice, contact["id"])
    last = await changes(client, alice, since=cursor, limit=2)
    assert (last["changed"], last["deleted"], last["has_more"]) == ([], [], False)


async def test_changes_at_the_same_instant_page_by_id(
    client: AsyncClient, alice: UserSession
) -> None:
    start = await changes(client, alice)
    # Stored directly: two contacts and a deletion stamped the same millisecond,
    # the one just after the cursor (in its second, which the store must not round).
    moment = datetime.fromtimestamp((decode_cursor(start["cursor"]).t + 1) / 1000, UTC)
    ids = [await next_id("contacts") for _ in range(3)]
    for contact_id in ids[:2]:
        await Contact(
            id=contact_id, user_id=alice.id, **CONTACT, created_at=moment, updated_at=moment
        ).insert()
    await ContactTombstone(
        id=ids[2], user_id=alice.id, deleted_at=moment, expires_at=moment + timedelta(days=1)
    ).insert()

    cursor, pages = start["cursor"], []
    for _ in range(4):
        page = await changes(client, alice, since=cursor, limit=1)
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break

    assert [[c["id"] for c in page["changed"]] for page in pages] == [[ids[0]], [ids[1]], []]
    assert [page["deleted"] for page in pages] == [[], [], [ids[2]]]
    assert [page["has_more"] for page in pages] == [True, True, False]


async def test_a_cursor_this_api_did_not_issue_is_422(
    client: AsyncClient, alice: UserSession
) -> None:
    await create_contact(client, alice)
    await create_contact(client, alice)
    listed = await client.get("/contacts/?limit=1", headers=alice.headers)
    list_cursor = listed.headers["x-next-cursor"]
    bad = [
        "",
        "garbage!",
        "caf\u00e9",
        "bm90IGpzb24",  # "not json"
        encoded("[]"),
        encoded('{"t": -1}'),
        encoded('{"t": "1700000000000"}'),
        encoded('{"t": 1700000000000.5}'),
        encoded('{"t": 1700000000000, "id": 0}'),
        encoded('{"t": 1700000000000, "snapshot": true}'),  # a snapshot needs its id
        encoded('{"t": 1700000000000, "extra": 1}'),
        encoded('{"t": 99999999999999999}'),
        list_cursor,
    ]

    for since in bad:
        response = await client.get(URL, params={"since": since}, headers=alice.headers)
        assert response.status_code == 422, (since, response.text)
        [issue] = response.json()["detail"]
        assert issue["type"] == "cursor_invalid", since
        assert issue["loc"] == ["query", "since"], since


async def test_a_cursor_past_the_horizon_or_ahead_of_the_clock(
    client: AsyncClient, alice: UserSession
) -> None:
    await create_contact(client, alice)
    ancient = encoded('{"t": 1000}')  # 1970: long past the 30-day horizon
    ahead = encoded(f'{{"t": {(time.time() + 60) * 1000:.0f}, "id": 1}}')

    expired = await client.get(URL, params={"since": ancient}, headers=alice.headers)
    early = await changes(client, alice, since=ahead)

    assert expired.status_code == 410
    assert "30 days" in expired.json()["detail"]
    # A cursor ahead of this server's clock (another replica's) is kept, never moved back.
    assert (early["changed"], early["deleted"], early["has_more"]) == ([], [], False)
    assert decode_cursor(early["cursor"]) == decode_cursor(ahead)


async def test_limit_and_cursor_length_are_bounded(
    client: AsyncClient, alice: UserSession
) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"limit": "abc"}, {"since": "x" * 201}):
        response = await client.get(URL, params=params, headers=alice.headers)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"][0] == "query"

    await create_contact(client, alice)
    assert len((await changes(client, alice, limit=500))["changed"]) == 1
    assert len((await changes(client, alice, limit=1))["changed"]) == 1


@pytest.mark.usefixtures("short_horizon")
async def test_a_cursor_older_than_the_horizon_is_410_and_a_full_resync_works(
    client: AsyncClient, alice: UserSession
) -> None:
    ids = [(await create_contact(client, alice, name=f"c{i}"))["id"] for i in range(2)]
    snapshot_page = await changes(client, alice, limit=1)
    snapshot = await changes(client, alice)

    for cursor in (snapshot_page["cursor"], snapshot["cursor"]):
        response = await client.get(URL, params={"since": cursor}, headers=alice.headers)
        assert response.status_code == 410, response.text
        detail = response.json()["detail"]
        assert "resync in full" in detail
        assert "without `since`" in detail

    resync = await changes(client, alice)
    assert [c["id"] for c in resync["changed"]] == ids
    assert await Contact.find({"user_id": alice.id}).count() == 2


async def test_another_users_changes_never_appear(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    mine = [(await create_contact(client, alice, name=f"a{i}"))["id"] for i in range(2)]
    theirs = [(await create_contact(client, bob, name=f"b{i}"))["id"] for i in range(2)]
    await settle()
    alice_start, bob_start = await changes(client, alice), await changes(client, bob)
    assert [c["id"] for c in alice_start["changed"]] == mine
    assert [c["id"] for c in bob_start["changed"]] == theirs

    await rename(client, bob, theirs[0], "bob's rename")
    await delete(client, bob, theirs[1])
    added = (await create_contact(client, alice, name="alice's"))["id"]
    await settle()
    alice_feed = await changes(client, alice, since=alice_start["cursor"])
    bob_feed = await changes(client, bob, since=bob_start["cursor"])

    assert [c["id"] for c in alice_feed["changed"]] == [added]
    assert {c["user_id"] for c in alice_feed["changed"]} == {alice.id}
    assert alice_feed["deleted"] == []
    assert [c["id"] for c in bob_feed["changed"]] == [theirs[0]]
    assert bob_feed["deleted"] == [theirs[1]]
    tombstone = await ContactTombstone.get(theirs[1])
    assert tombstone is not None
    assert tombstone.user_id == bob.id
    # A cursor carries no owner, so bob's reads only alice's own changes.
    crossed = await changes(client, alice, since=bob_start["cursor"])
    assert [c["id"] for c in crossed["changed"]] == [added]
    assert crossed["deleted"] == []


async def test_a_token_is_required(client: AsyncClient, alice: UserSession) -> None:
    await create_contact(client, alice)

    for headers in ({}, bearer("not-a-token")):
        response = await client.get(URL, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "changed" not in response.json()


async def test_openapi_documents_the_feed_and_its_errors(client: AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    operation = document["paths"]["/contacts/changes"]["get"]
    assert {"200", "401", "410", "422", "503"} <= set(operation["responses"])
    assert operation["responses"]["410"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }
    assert "\n" not in operation["description"]
    assert {p["name"] for p in operation["parameters"]} == {"since", "limit"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ChangesOut"}
    schema = document["components"]["schemas"]["ChangesOut"]
    assert set(schema["required"]) == {"changed", "deleted", "cursor", "has_more"}
