"""POST /contacts/batch and /contacts/batch-delete: a result per item, stored state to match."""

from typing import Any

import pytest
from httpx import AsyncClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import AutoReconnect

from contacts.service import MAX_BATCH
from models import Contact, ContactTombstone
from models.fields import MAX_ID
from tests.helpers import CONTACT, STORED_CONTACT_FIELDS, UserSession, create_contact


def item(i: int, **fields: Any) -> dict[str, Any]:
    """A valid contact with its own phone and email, so none flags another."""
    return {
        "name": f"person {i}",
        "phone_number": f"+1555{i:07d}",
        "email": f"p{i}@example.com",
        **fields,
    }


async def batch(
    client: AsyncClient, user: UserSession, contacts: list[Any], query: str = ""
) -> dict[str, Any]:
    response = await client.post(
        f"/contacts/batch{query}", json={"contacts": contacts}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def batch_delete(client: AsyncClient, user: UserSession, ids: list[int]) -> dict[str, Any]:
    response = await client.post("/contacts/batch-delete", json={"ids": ids}, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def stored_names(user: UserSession) -> list[str]:
    return [c.name for c in await Contact.find({"user_id": user.id}).sort("_id").to_list()]


async def test_batch_creates_every_item_in_input_order(
    client: AsyncClient, alice: UserSession
) -> None:
    items = [item(i) for i in range(3)]

    body = await batch(client, alice, items)

    assert (body["created"], body["failed"]) == (3, 0)
    assert [(r["index"], r["status"]) for r in body["results"]] == [(0, 201), (1, 201), (2, 201)]
    contacts = [r["contact"] for r in body["results"]]
    ids = [c["id"] for c in contacts]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    for sent, contact in zip(items, contacts, strict=True):
        assert contact == {
            **sent,
            "id": contact["id"],
            "user_id": alice.id,
            "created_at": contact["created_at"],
            "updated_at": contact["created_at"],
            "version": 1,
            "possible_duplicate_of": [],
        }
        read = await client.get(f"/contacts/{contact['id']}", headers=alice.headers)
        assert read.json() == {k: v for k, v in contact.items() if k != "possible_duplicate_of"}
    assert await stored_names(alice) == ["person 0", "person 1", "person 2"]


async def test_bad_items_are_reported_and_good_ones_stored(
    client: AsyncClient, alice: UserSession
) -> None:
    items = [
        item(0),
        {"name": "no email", "phone_number": "+15550000001"},
        item(2, phone_number="12ab"),
        item(3, name="   "),
        item(4),
    ]

    body = await batch(client, alice, items)

    assert (body["created"], body["failed"]) == (2, 3)
    assert [r["status"] for r in body["results"]] == [201, 422, 422, 422, 201]
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3, 4]
    errors = {r["index"]: r["errors"] for r in body["results"] if r["status"] == 422}
    assert errors[1] == [
        {"type": "missing", "loc": ["body", "contacts", 1, "email"], "msg": "Field required"}
    ]
    assert [(e["type"], e["loc"]) for e in errors[2]] == [
        ("string_pattern_mismatch", ["body", "contacts", 2, "phone_number"])
    ]
    assert [(e["type"], e["loc"]) for e in errors[3]] == [
        ("string_too_short", ["body", "contacts", 3, "name"])
    ]
    # Never the offending input echoed back, nor pydantic's links.
    assert all(set(e) == {"type", "loc", "msg"} for issues in errors.values() for e in issues)
    assert await stored_names(alice) == ["person 0", "person 4"]
    assert await Contact.find_all().count() == 2


async def test_all_items_bad_stores_nothing_and_still_answers_200(
    client: AsyncClient, alice: UserSession
) -> None:
    body = await batch(client, alice, [{}, {"name": "x"}])

    assert (body["created"], body["failed"]) == (0, 2)
    assert [r["status"] for r in body["results"]] == [422, 422]
    assert {tuple(e["loc"]) for e in body["results"][0]["errors"]} == {
        ("body", "contacts", 0, "name"),
        ("body", "contacts", 0, "phone_number"),
        ("body", "contacts", 0, "email"),
    }
    assert await Contact.find_all().count() == 0


async def test_batch_of_the_maximum_size_is_accepted(
    client: AsyncClient, alice: UserSession
) -> None:
    body = await batch(client, alice, [item(i) for i in range(MAX_BATCH)])

    assert (body["created"], body["failed"]) == (MAX_BATCH, 0)
    assert await Contact.find({"user_id": alice.id}).count() == MAX_BATCH


@pytest.mark.parametrize(
    "payload",
    [
        {"contacts": [item(i) for i in range(MAX_BATCH + 1)]},
        {"contacts": []},
        {},
        {"contacts": item(0)},
        [item(0)],
    ],
    ids=["over-max", "empty", "no-contacts", "not-a-list", "bare-list"],
)
async def test_malformed_batch_is_422_and_stores_nothing(
    client: AsyncClient, alice: UserSession, payload: Any
) -> None:
    response = await client.post("/contacts/batch", json=payload, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert await Contact.find_all().count() == 0


async def test_an_item_that_is_not_an_object_fails_alone(
    client: AsyncClient, alice: UserSession
) -> None:
    body = await batch(client, alice, [item(0), "not an object", None, [], 5, item(1)])

    assert [result["status"] for result in body["results"]] == [201, 422, 422, 422, 422, 201]
    assert body["results"][1]["errors"][0]["loc"] == ["body", "contacts", 1]
    assert (body["created"], body["failed"]) == (2, 4)
    assert await Contact.find({"user_id": alice.id}).count() == 2


async def test_duplicates_are_flagged_per_item_including_earlier_items(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    existing = await create_contact(client, alice, phone_number="+15559999999")
    await create_contact(client, bob, email="shared@example.com")  # someone else's: no flag

    body = await batch(
        client,
        alice,
        [
            item(0, phone_number="+15559999999"),
            item(1, email="shared@example.com"),
            item(2, email="P0@EXAMPLE.com"),
        ],
    )

    assert [r["status"] for r in body["results"]] == [201, 201, 201]
    flags = [r["contact"]["possible_duplicate_of"] for r in body["results"]]
    first_id = body["results"][0]["contact"]["id"]
    assert flags == [[existing["id"]], [], [first_id]]
    assert await Contact.find({"user_id": alice.id}).count() == 4


async def test_reject_refuses_duplicates_per_item(client: AsyncClient, alice: UserSession) -> None:
    existing = await create_contact(client, alice, phone_number="+15559999999")

    body = await batch(
        client,
        alice,
        [item(0, phone_number="+15559999999"), item(1), item(2, email="p1@example.com")],
        query="?on_duplicate=reject",
    )

    created_id = body["results"][1]["contact"]["id"]
    assert body["results"][0] == {
        "index": 0,
        "status": 409,
        "detail": "A contact with this phone number or email already exists",
        "duplicate_of": [existing["id"]],
    }
    assert body["results"][1]["status"] == 201
    assert body["results"][2]["status"] == 409
    assert body["results"][2]["duplicate_of"] == [created_id]
    assert (body["created"], body["failed"]) == (1, 2)
    assert await stored_names(alice) == [CONTACT["name"], "person 1"]


async def test_unknown_on_duplicate_is_422(client: AsyncClient, alice: UserSession) -> None:
    response = await client.post(
        "/contacts/batch?on_duplicate=merge", json={"contacts": [item(0)]}, headers=alice.headers
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "on_duplicate"]
    assert await Contact.find_all().count() == 0


async def test_ids_and_owners_in_items_are_ignored_and_never_stored(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    smuggled = {
        "user_id": bob.id,
        "id": 999,
        "_id": 998,
        "version": 50,
        "name_key": "forged",
        "is_admin": True,
    }

    body = await batch(client, alice, [item(0, **smuggled), item(1, **smuggled)])

    contacts = [r["contact"] for r in body["results"]]
    assert [c["user_id"] for c in contacts] == [alice.id, alice.id]
    assert [c["version"] for c in contacts] == [1, 1]
    assert not {c["id"] for c in contacts} & {998, 999}
    assert await Contact.find({"user_id": bob.id}).count() == 0
    raw = await Contact.get_pymongo_collection().find({}).to_list()
    assert [doc["_id"] for doc in raw] == [c["id"] for c in contacts]
    assert all(set(doc) == STORED_CONTACT_FIELDS for doc in raw)
    assert [doc["name_key"] for doc in raw] == ["person 0", "person 1"]


async def test_batch_delete_own_missing_and_other_users_ids(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    first = await create_contact(client, alice, name="first")
    second = await create_contact(client, alice, name="second")
    kept = await create_contact(client, alice, name="kept")
    bobs = await create_contact(client, bob, name="bob's")
    missing = bobs["id"] + 1000

    body = await batch_delete(client, alice, [first["id"], missing, bobs["id"], second["id"]])

    assert body == {
        "results": [
            {"id": first["id"], "status": 204},
            {"id": missing, "status": 404},
            {"id": bobs["id"], "status": 404},
            {"id": second["id"], "status": 204},
        ],
        "deleted": 2,
        "missing": 2,
    }
    assert await stored_names(alice) == ["kept"]
    assert (await client.get(f"/contacts/{bobs['id']}", headers=bob.headers)).json() == bobs
    assert (await client.get(f"/contacts/{kept['id']}", headers=alice.headers)).json() == kept
    tombstones = await ContactTombstone.find_all().sort("_id").to_list()
    assert [(t.id, t.user_id) for t in tombstones] == [
        (first["id"], alice.id),
        (second["id"], alice.id),
    ]


async def test_batch_delete_reports_a_repeated_id_once(
    client: AsyncClient, alice: UserSession
) -> None:
    first = await create_contact(client, alice, name="first")
    second = await create_contact(client, alice, name="second")

    body = await batch_delete(client, alice, [second["id"], first["id"], second["id"], 424242])

    assert body == {
        "results": [
            {"id": second["id"], "status": 204},
            {"id": first["id"], "status": 204},
            {"id": 424242, "status": 404},
        ],
        "deleted": 2,
        "missing": 1,
    }
    assert await Contact.find_all().count() == 0
    assert await ContactTombstone.find_all().count() == 2


async def test_batch_delete_of_the_maximum_size_is_accepted(
    client: AsyncClient, alice: UserSession
) -> None:
    created = await batch(client, alice, [item(i) for i in range(3)])
    ids = [r["contact"]["id"] for r in created["results"]]
    absent = [10_000 + i for i in range(MAX_BATCH - len(ids))]

    body = await batch_delete(client, alice, ids + absent)

    assert (body["deleted"], body["missing"]) == (3, MAX_BATCH - 3)
    assert await Contact.find_all().count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"ids": []},
        {"ids": list(range(1, MAX_BATCH + 2))},
        {"ids": [0]},
        {"ids": [-1]},
        {"ids": [2**53]},
        {"ids": ["abc"]},
        {"ids": [1.5]},
        {"ids": 1},
        {},
    ],
    ids=[
        "empty",
        "over-max",
        "zero",
        "negative",
        "past-json-safe",
        "text",
        "fraction",
        "scalar",
        "none",
    ],
)
async def test_malformed_batch_delete_is_422_and_deletes_nothing(
    client: AsyncClient, alice: UserSession, payload: Any
) -> None:
    created = await create_contact(client, alice)

    response = await client.post("/contacts/batch-delete", json=payload, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "ids"]
    assert (await client.get(f"/contacts/{created['id']}", headers=alice.headers)).json() == (
        created
    )


async def test_largest_id_is_accepted_by_batch_delete(
    client: AsyncClient, alice: UserSession
) -> None:
    body = await batch_delete(client, alice, [MAX_ID])

    assert body == {"results": [{"id": MAX_ID, "status": 404}], "deleted": 0, "missing": 1}


async def test_both_routes_require_a_token(client: AsyncClient, alice: UserSession) -> None:
    created = await create_contact(client, alice)
    calls = [
        ("/contacts/batch", {"contacts": [item(0)]}, {}),
        ("/contacts/batch-delete", {"ids": [created["id"]]}, {}),
        ("/contacts/batch", {"contacts": [item(0)]}, {"Authorization": "Bearer nonsense"}),
        ("/contacts/batch-delete", {"ids": [created["id"]]}, {"Authorization": "Bearer x"}),
    ]

    for url, payload, headers in calls:
        response = await client.post(url, json=payload, headers=headers)
        assert response.status_code == 401, url
        assert response.headers["www-authenticate"] == "Bearer"
    assert await stored_names(alice) == [CONTACT["name"]]
    assert await ContactTombstone.find_all().count() == 0


def fail_contact_inserts_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """Make the driver lose the connection on every contact insert after the first `allowed`."""
    original = AsyncCollection.insert_one
    done = 0

    async def insert_one(self: AsyncCollection[Any], *args: Any, **kwargs: Any) -> Any:
        nonlocal done
        if self.name == "contacts":
            if done >= allowed:
                raise AutoReconnect("connection lost (test)")
            done += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(AsyncCollection, "insert_one", insert_one)


async def test_store_lost_mid_batch_reports_what_was_created(
    client: AsyncClient, alice: UserSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_contact_inserts_after(monkeypatch, allowed=2)

    body = await batch(client, alice, [item(0), {"name": "bad"}, item(2), item(3), item(4)])

    assert [r["status"] for r in body["results"]] == [201, 422, 201, 503, 503]
    assert body["results"][3] == {
        "index": 3,
        "status": 503,
        "detail": "The database became unavailable; this item was not created",
    }
    assert (body["created"], body["failed"]) == (2, 3)
    assert await stored_names(alice) == ["person 0", "person 2"]


async def test_store_lost_before_anything_was_created_is_503(
    client: AsyncClient, alice: UserSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_contact_inserts_after(monkeypatch, allowed=0)

    response = await client.post(
        "/contacts/batch", json={"contacts": [item(0), item(1)]}, headers=alice.headers
    )

    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert await Contact.find_all().count() == 0


async def test_openapi_documents_both_routes(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    for path in ("/contacts/batch", "/contacts/batch-delete"):
        operation = schema["paths"][path]["post"]
        assert {"200", "401", "422", "503"} <= set(operation["responses"]), path
        assert operation["summary"]
        assert operation["description"].count("\n") == 0
        assert operation["requestBody"]["required"] is True
    components = schema["components"]["schemas"]
    for name in ("BatchCreateIn", "BatchCreateOut", "BatchDeleteIn", "BatchDeleteOut"):
        assert components[name]["examples"], name
    assert components["BatchCreateIn"]["properties"]["contacts"]["maxItems"] == MAX_BATCH
    assert components["BatchDeleteIn"]["properties"]["ids"]["minItems"] == 1
