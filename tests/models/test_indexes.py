"""The indexes that correctness relies on exist on the store the tests run against."""

from typing import Any

from beanie import Document
from fastapi import FastAPI
from httpx import AsyncClient
from pymongo import ASCENDING

from models import Contact, ContactTombstone, RevokedToken, User, init_models, is_embedded_store
from models.contact import backfill_id_keys
from tests.helpers import UserSession, create_contact


async def _indexes(model: type[Document]) -> list[dict[str, Any]]:
    info = await model.get_pymongo_collection().index_information()
    return [{**spec, "keys": [name for name, _ in spec["key"]]} for spec in info.values()]


async def test_user_email_is_unique(client: AsyncClient) -> None:
    indexes = await _indexes(User)

    assert any(i["keys"] == ["email"] and i.get("unique") for i in indexes)


async def test_revoked_tokens_have_a_unique_jti_and_a_ttl_on_expiry(client: AsyncClient) -> None:
    indexes = await _indexes(RevokedToken)

    assert any(i["keys"] == ["jti"] and i.get("unique") for i in indexes)
    ttl = [i for i in indexes if i["keys"] == ["expires_at"]]
    assert len(ttl) == 1
    assert ttl[0]["expireAfterSeconds"] == 0


async def test_every_contact_index_starts_with_the_owner_and_orders_end_with_the_id(
    client: AsyncClient,
) -> None:
    embedded = await is_embedded_store(Contact.get_pymongo_collection().database)
    indexes = [i["keys"] for i in await _indexes(Contact) if i["keys"] != ["_id"]]

    feed_tail = [] if embedded else ["_id"]
    assert sorted(indexes) == sorted(
        [
            ["user_id", "id_key"],
            ["user_id", "name_key", "id_key"],
            ["user_id", "created_key", "id_key"],
            ["user_id", "updated_at", *feed_tail],
            ["user_id", "phone_key"],
            ["user_id", "email_key"],
        ]
    )


async def test_start_up_drops_indexes_of_older_releases_and_keeps_the_rest(
    app: FastAPI, client: AsyncClient
) -> None:
    contacts = Contact.get_pymongo_collection()
    # What releases before id_key made (MongoDB's shape; the embedded store's was a prefix).
    await contacts.create_index([("user_id", ASCENDING), ("name_key", ASCENDING)])
    before = sorted(i["keys"] for i in await _indexes(Contact))

    await init_models(app.state.database)

    after = sorted(i["keys"] for i in await _indexes(Contact))
    assert ["user_id", "name_key"] in before
    assert after == sorted(k for k in before if k != ["user_id", "name_key"])
    assert any(i["keys"] == ["expires_at"] for i in await _indexes(ContactTombstone))


async def test_start_up_gives_contacts_stored_without_an_id_key_theirs(
    app: FastAPI, client: AsyncClient, alice: UserSession
) -> None:
    created = [await create_contact(client, alice, name=f"c{i}") for i in range(12)]
    contacts = Contact.get_pymongo_collection()
    # As a release before id_key stored them.
    await contacts.update_many({}, {"$unset": {"id_key": ""}})

    assert await backfill_id_keys() == 12
    assert await backfill_id_keys() == 0

    stored = {doc["_id"]: doc["id_key"] async for doc in contacts.find()}
    assert stored == {c["id"]: c["id"] for c in created}
    listed = await client.get("/contacts/", headers=alice.headers)
    assert [c["id"] for c in listed.json()] == [c["id"] for c in created]


async def test_tombstones_expire_and_are_indexed_for_the_changes_feed(
    client: AsyncClient,
) -> None:
    embedded = await is_embedded_store(ContactTombstone.get_pymongo_collection().database)
    indexes = await _indexes(ContactTombstone)

    tail = [] if embedded else ["_id"]
    assert ["user_id", "deleted_at", *tail] in [i["keys"] for i in indexes]
    ttl = [i for i in indexes if i["keys"] == ["expires_at"]]
    assert len(ttl) == 1
    assert ttl[0]["expireAfterSeconds"] == 0
