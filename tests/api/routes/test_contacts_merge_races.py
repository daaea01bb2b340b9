"""Merges racing other writes: never both contacts gone, never an acknowledged edit undone."""

import asyncio

import pytest
from httpx import AsyncClient

from models import Contact
from tests.helpers import UserSession, create_contact


async def test_merging_a_pair_both_ways_at_once_keeps_one_of_them(
    client: AsyncClient, alice: UserSession
) -> None:
    for _ in range(5):
        a = await create_contact(client, alice, name="a")
        b = await create_contact(client, alice, name="b")

        one, other = await asyncio.gather(
            client.post(
                f"/contacts/{a['id']}/merge", json={"other_id": b["id"]}, headers=alice.headers
            ),
            client.post(
                f"/contacts/{b['id']}/merge", json={"other_id": a["id"]}, headers=alice.headers
            ),
        )

        assert {one.status_code, other.status_code} <= {200, 404, 412}
        left = await Contact.find({"_id": {"$in": [a["id"], b["id"]]}}).to_list()
        assert left, "both contacts of the pair were deleted"
        merged = [r for r in (one, other) if r.status_code == 200]
        if merged:
            assert [c.id for c in left] == [merged[0].json()["id"]]


async def test_a_merge_never_undoes_an_edit_acknowledged_meanwhile(
    client: AsyncClient, alice: UserSession
) -> None:
    for attempt in range(5):
        target = await create_contact(client, alice, name="Old")
        other = await create_contact(client, alice, name="other")

        merge, edit = await asyncio.gather(
            client.post(
                f"/contacts/{target['id']}/merge",
                json={"other_id": other["id"]},
                headers=alice.headers,
            ),
            client.patch(
                f"/contacts/{target['id']}", json={"name": f"New {attempt}"}, headers=alice.headers
            ),
        )

        assert edit.status_code == 200, edit.text
        assert merge.status_code in (200, 412), merge.text
        stored = await Contact.get(target["id"])
        assert stored is not None
        assert stored.name == f"New {attempt}"  # the acknowledged edit stands


@pytest.mark.parametrize("other_id", [True, "2", 2.5])
async def test_an_id_must_be_a_json_integer(
    client: AsyncClient, alice: UserSession, other_id: object
) -> None:
    target = await create_contact(client, alice)
    other = await create_contact(client, alice)
    assert other["id"] == 2

    merged = await client.post(
        f"/contacts/{target['id']}/merge", json={"other_id": other_id}, headers=alice.headers
    )
    deleted = await client.post(
        "/contacts/batch-delete", json={"ids": [other_id]}, headers=alice.headers
    )

    assert (merged.status_code, deleted.status_code) == (422, 422)
    assert await Contact.find(Contact.user_id == alice.id).count() == 2


async def test_an_integral_number_is_an_id_as_json_schema_says(
    client: AsyncClient, alice: UserSession
) -> None:
    target, other, third = [await create_contact(client, alice) for _ in range(3)]

    merged = await client.post(
        f"/contacts/{target['id']}/merge",
        json={"other_id": float(other["id"])},
        headers=alice.headers,
    )
    deleted = await client.post(
        "/contacts/batch-delete", json={"ids": [float(third["id"])]}, headers=alice.headers
    )

    assert merged.status_code == 200
    assert deleted.json()["results"] == [{"id": third["id"], "status": 204}]
    assert await Contact.find(Contact.user_id == alice.id).count() == 1
