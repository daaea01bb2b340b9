"""The indexes that correctness relies on exist on the store the tests run against."""

from typing import Any

from beanie import Document
from httpx import AsyncClient

from models import Contact, ContactTombstone, RevokedToken, User, is_embedded_store


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


async def test_every_contact_index_starts_with_the_owner_and_ends_with_id_on_mongodb(
    client: AsyncClient,
) -> None:
    embedded = await is_embedded_store(Contact.get_pymongo_collection().database)
    indexes = [i["keys"] for i in await _indexes(Contact) if i["keys"] != ["_id"]]

    tail = [] if embedded else ["_id"]
    assert sorted(indexes) == sorted(
        [
            ["user_id", *tail],
            ["user_id", "name_key", *tail],
            ["user_id", "created_key", *tail],
            ["user_id", "updated_at", *tail],
            ["user_id", "phone_key"],
            ["user_id", "email_key"],
        ]
    )


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
