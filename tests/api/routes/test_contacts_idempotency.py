"""POST /contacts/ with an Idempotency-Key: a retried create is answered, not repeated."""

import asyncio
from datetime import timedelta
from typing import Any

from httpx import AsyncClient, Response

from models import Contact, IdempotencyRecord
from models.fields import utcnow
from tests.helpers import CONTACT, UserSession

KEY = "7d0c5f6e-1d1b-4c3e-9a53-2f6a7e8b9c01"


async def _create(
    client: AsyncClient,
    user: UserSession,
    key: str | None = KEY,
    body: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> Response:
    headers = {**user.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return await client.post(
        "/contacts/", json=body or CONTACT, headers=headers, params=params or {}
    )


async def _reopen_the_key(lease_left: timedelta) -> None:
    """Put the stored record back to `pending`, its lease ending `lease_left` from now."""
    record = await IdempotencyRecord.find_one()
    assert record is not None
    record.state, record.status_code, record.body = "pending", None, None
    record.lease_until = utcnow() + lease_left
    await record.replace()


async def test_a_retry_with_the_same_key_replays_the_first_response(
    client: AsyncClient, alice: UserSession
) -> None:
    first = await _create(client, alice)
    retry = await _create(client, alice)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"]
    assert retry.headers["etag"] == first.headers["etag"]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await Contact.find(Contact.user_id == alice.id).count() == 1


async def test_without_a_key_every_post_creates(client: AsyncClient, alice: UserSession) -> None:
    first, second = await _create(client, alice, key=None), await _create(client, alice, key=None)

    assert first.json()["id"] != second.json()["id"]
    assert await Contact.find(Contact.user_id == alice.id).count() == 2


async def test_the_same_key_with_another_body_is_422_and_creates_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    await _create(client, alice)

    other = await _create(client, alice, body={**CONTACT, "name": "someone else"})

    assert other.status_code == 422
    assert other.json()["detail"] == [
        {
            "type": "idempotency_key_reused",
            "loc": ["header", "Idempotency-Key"],
            "msg": "This Idempotency-Key was used with a different request",
        }
    ]
    assert await Contact.find(Contact.user_id == alice.id).count() == 1


async def test_keys_are_per_user(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    mine, theirs = await _create(client, alice), await _create(client, bob)

    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["user_id"] == bob.id
    assert "idempotent-replayed" not in theirs.headers
    assert await Contact.find_all().count() == 2


async def test_racing_duplicates_of_one_key_create_exactly_one_contact(
    client: AsyncClient, alice: UserSession
) -> None:
    responses = await asyncio.gather(*(_create(client, alice) for _ in range(20)))

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 1
    assert await Contact.find(Contact.user_id == alice.id).count() == 1


async def test_a_refused_first_request_is_not_remembered(
    client: AsyncClient, alice: UserSession
) -> None:
    existing = await _create(client, alice, key=None)
    reject = {"on_duplicate": "reject"}

    refused = await _create(client, alice, params=reject)
    assert refused.status_code == 409
    assert await IdempotencyRecord.find_all().count() == 0

    await client.delete(f"/contacts/{existing.json()['id']}", headers=alice.headers)
    retried = await _create(client, alice, params=reject)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


async def test_an_expired_key_runs_the_request_again(
    client: AsyncClient, alice: UserSession
) -> None:
    first = await _create(client, alice)
    record = await IdempotencyRecord.find_one()
    assert record is not None
    assert record.expires_at - record.created_at == timedelta(hours=24)
    record.expires_at = utcnow() - timedelta(seconds=1)
    await record.replace()

    again = await _create(client, alice)

    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in again.headers


async def test_a_key_held_by_a_dead_request_is_taken_over(
    client: AsyncClient, alice: UserSession
) -> None:
    await _create(client, alice)
    # As a worker that crashed mid-request would leave it: pending, lease run out.
    await _reopen_the_key(lease_left=timedelta(seconds=-1))

    taken_over = await _create(client, alice)

    assert taken_over.status_code == 201
    assert "idempotent-replayed" not in taken_over.headers
    assert await Contact.find(Contact.user_id == alice.id).count() == 2


async def test_a_key_held_by_a_live_request_is_409_with_retry_after(
    client: AsyncClient, alice: UserSession
) -> None:
    await _create(client, alice)
    await _reopen_the_key(lease_left=timedelta(minutes=1))  # as while the first still runs

    busy = await _create(client, alice)

    assert busy.status_code == 409
    assert busy.headers["retry-after"] == "1"
    assert "in progress" in busy.json()["detail"]
    assert await Contact.find(Contact.user_id == alice.id).count() == 1


async def test_the_key_is_stored_only_as_a_digest(client: AsyncClient, alice: UserSession) -> None:
    await _create(client, alice)

    record = await IdempotencyRecord.find_one()
    assert record is not None
    assert KEY not in record.id
    assert record.id.startswith(f"{alice.id}:")


async def test_an_empty_or_over_long_key_is_422(client: AsyncClient, alice: UserSession) -> None:
    for key in ("", "k" * 256):
        response = await _create(client, alice, key=key)
        assert response.status_code == 422, key
        assert response.json()["detail"][0]["loc"] == ["header", "idempotency-key"]
    assert await Contact.find_all().count() == 0
