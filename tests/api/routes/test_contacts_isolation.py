"""Bob can neither see nor touch Alice's contacts, whatever he sends.

Every route that reads or writes contacts, with every query parameter and
conditional header it takes, and with Alice's own ids and cursors in Bob's hands.
"""

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient, Response

from models import Contact, ContactTombstone
from tests.helpers import UserSession, create_contact

# Alice's contacts carry this in their names and emails: it must never reach Bob.
MARK = "alicesecret"
SORTS = ["id", "-id", "name", "-name", "created_at", "-created_at"]


async def _alices_book(client: AsyncClient, alice: UserSession) -> list[dict[str, Any]]:
    return [
        await create_contact(
            client,
            alice,
            name=f"{MARK} {i}",
            phone_number=f"+23480{i:08d}",
            email=f"{MARK}{i}@example.com",
        )
        for i in range(3)
    ]


async def _raw(contact_id: int) -> dict[str, Any] | None:
    return await Contact.get_pymongo_collection().find_one({"_id": contact_id})


async def _raw_book(user: UserSession) -> list[dict[str, Any]]:
    cursor = Contact.get_pymongo_collection().find({"user_id": user.id}).sort("_id")
    return await cursor.to_list()


def _assert_not_found(responses: list[Response], missing: Response) -> None:
    """404 with the body of an id that does not exist: nothing is confirmed."""
    assert [r.status_code for r in responses] == [404] * len(responses), [
        (r.request.method, r.request.url.path, r.status_code, r.text[:120])
        for r in responses
        if r.status_code != 404
    ]
    assert {r.content for r in responses} == {missing.content}
    assert all(MARK not in r.text and "etag" not in r.headers for r in responses)


async def test_every_method_on_alices_contact_is_404_for_bob_whatever_the_preconditions(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    hers = (await _alices_book(client, alice))[0]
    his = await create_contact(client, bob, name="bob's own")
    url = f"/contacts/{hers['id']}"
    before = await _raw_book(alice)
    bobs_before = await _raw_book(bob)
    replacement = {"name": "hijacked", "phone_number": "+15550000000", "email": "x@example.com"}
    # Conditions Alice's contact meets (its ETag, "*") and one it does not: none
    # may turn the 404 into a 304, a 412 or a write.
    conditions = ['"1"', "*", '"2"', 'W/"1"']

    responses = [
        await client.get(url, headers=bob.headers),
        await client.head(url, headers=bob.headers),
        *[
            await client.get(url, headers={**bob.headers, "If-None-Match": tag})
            for tag in conditions
        ],
        await client.put(url, json=replacement, headers=bob.headers),
        await client.patch(url, json={"name": "hijacked"}, headers=bob.headers),
        await client.patch(
            url,
            content=b'{"name": "hijacked"}',
            headers={**bob.headers, "Content-Type": "application/merge-patch+json"},
        ),
        await client.delete(url, headers=bob.headers),
        *[
            await client.put(url, json=replacement, headers={**bob.headers, "If-Match": tag})
            for tag in conditions
        ],
        *[
            await client.patch(
                url, json={"name": "hijacked"}, headers={**bob.headers, "If-Match": tag}
            )
            for tag in conditions
        ],
        *[
            await client.delete(url, headers={**bob.headers, "If-Match": tag})
            for tag in conditions
        ],
        # Alice's contact as the one kept.
        await client.post(f"{url}/merge", json={"other_id": his["id"]}, headers=bob.headers),
    ]
    # Alice's contact as the one merged in (and deleted): answered as for an id
    # that does not exist (a 404, or a 422 naming `other_id`), whichever it is.
    merge_in = f"/contacts/{his['id']}/merge"
    taken = await client.post(merge_in, json={"other_id": hers["id"]}, headers=bob.headers)
    unknown = await client.post(merge_in, json={"other_id": 987654}, headers=bob.headers)
    assert taken.status_code in (404, 422)
    assert (taken.status_code, taken.content) == (unknown.status_code, unknown.content)

    missing = await client.get("/contacts/987654", headers=bob.headers)
    head_missing = await client.head("/contacts/987654", headers=bob.headers)
    # HEAD answers as for a missing id (whatever that answer is): no leak either.
    assert (head_missing.status_code, head_missing.content) == (
        responses[1].status_code,
        responses[1].content,
    )
    _assert_not_found([r for r in responses if r.request.method != "HEAD"], missing)
    assert await _raw_book(alice) == before
    assert await _raw_book(bob) == bobs_before
    assert await ContactTombstone.find_all().count() == 0
    assert (await client.get(url, headers=alice.headers)).json() == hers


async def test_bob_racing_writes_on_alices_contact_change_nothing(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    hers = (await _alices_book(client, alice))[0]
    url = f"/contacts/{hers['id']}"
    before = await _raw(hers["id"])
    replacement = {"name": "hijacked", "phone_number": "+15550000000", "email": "x@example.com"}

    responses = await asyncio.gather(
        *(client.put(url, json=replacement, headers=bob.headers) for _ in range(10)),
        *(client.patch(url, json={"name": "hijacked"}, headers=bob.headers) for _ in range(10)),
        *(client.delete(url, headers=bob.headers) for _ in range(10)),
    )

    assert {r.status_code for r in responses} == {404}
    assert await _raw(hers["id"]) == before


def _list_queries(alices_cursors: list[str], alice: UserSession) -> list[dict[str, Any]]:
    """Every list parameter, alone and combined, including ones aimed at Alice's rows."""
    queries: list[dict[str, Any]] = [{}]
    queries += [{"q": q} for q in ("", " ", MARK, f"{MARK} 1", "example.com", "0800", ".*", "$")]
    queries += [{"q": q} for q in ('{"$ne": null}', "[a-z]", "\\", "%", "*", "|", "(?i)")]
    queries += [{"sort": sort} for sort in SORTS]
    queries += [{"limit": limit} for limit in (1, 2, 500)]
    queries += [{"offset": offset} for offset in (0, 1, 2, 3, 1_000_000_000)]
    queries += [{"cursor": cursor} for cursor in alices_cursors]
    queries += [
        {"sort": sort, "q": MARK, "limit": 500, "offset": 0} for sort in SORTS
    ]  # every order of a search that matches Alice's rows only
    # Parameters the route does not take, naming Alice: ignored, never obeyed.
    queries += [
        {"user_id": alice.id},
        {"user_id[$ne]": 0},
        {"owner": alice.id},
        {"filter": f'{{"user_id": {alice.id}}}'},
        {"all": "true"},
    ]
    return queries


async def _alices_cursors(client: AsyncClient, alice: UserSession) -> list[str]:
    """The next-page cursors Alice's own lists hand out, one per sort order and search."""
    cursors = []
    queries: list[dict[str, str | int]] = [{"sort": sort, "limit": 1} for sort in SORTS]
    queries.append({"q": MARK, "limit": 1})
    for params in queries:
        page = await client.get("/contacts/", params=params, headers=alice.headers)
        assert page.status_code == 200
        cursors.append(page.headers["x-next-cursor"])
    return cursors


async def test_bobs_list_never_shows_alices_contacts_whatever_he_asks(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    await _alices_book(client, alice)
    bobs = {(await create_contact(client, bob, name=f"bob {i}"))["id"] for i in range(2)}
    cursors = await _alices_cursors(client, alice)
    queries = _list_queries(cursors, alice)

    for params in queries:
        response = await client.get("/contacts/", params=params, headers=bob.headers)
        assert response.status_code in (200, 422), (params, response.text)
        assert MARK not in response.text, params
        if response.status_code == 422:
            continue
        listed = response.json()
        assert {c["user_id"] for c in listed} <= {bob.id}, params
        assert {c["id"] for c in listed} <= bobs, params
        assert int(response.headers["x-total-count"]) <= len(bobs), params
        # Following Bob's pages to the end never reaches Alice's rows either.
        while "x-next-cursor" in response.headers:
            follow = {k: v for k, v in params.items() if k in ("q", "sort", "limit")}
            follow["cursor"] = response.headers["x-next-cursor"]
            response = await client.get("/contacts/", params=follow, headers=bob.headers)
            assert response.status_code == 200, (params, response.text)
            assert {c["id"] for c in response.json()} <= bobs, params


async def test_bobs_changes_feed_never_shows_alices_contacts_or_deletions(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    book = await _alices_book(client, alice)
    bobs = {(await create_contact(client, bob, name="bob"))["id"]}
    before = await client.get("/contacts/changes", headers=alice.headers)
    alices_cursor = before.json()["cursor"]
    await client.patch(f"/contacts/{book[0]['id']}", json={"name": "x"}, headers=alice.headers)
    await client.delete(f"/contacts/{book[1]['id']}", headers=alice.headers)
    await asyncio.sleep(2.2)  # past the feed's settle lag

    for params in (
        {},
        {"limit": 1},
        {"limit": 500},
        {"since": alices_cursor},
        {"since": alices_cursor, "limit": 1},
        {"user_id": alice.id},
    ):
        response = await client.get("/contacts/changes", params=params, headers=bob.headers)
        assert response.status_code in (200, 422), (params, response.text)
        assert MARK not in response.text, params
        if response.status_code == 200:
            body = response.json()
            assert {c["id"] for c in body["changed"]} <= bobs, params
            assert body["deleted"] == [], params


@pytest.mark.parametrize(
    "params", [{}, {"format": "csv"}, {"format": "vcf"}, {"user_id": 1}, {"format": "json"}]
)
async def test_bobs_export_never_holds_alices_contacts(
    client: AsyncClient, alice: UserSession, bob: UserSession, params: dict[str, Any]
) -> None:
    await _alices_book(client, alice)
    await create_contact(client, bob, name="bob's own")

    response = await client.get(
        "/contacts/export", params={**params, "user_id": alice.id}, headers=bob.headers
    )

    assert response.status_code in (200, 422)
    assert MARK not in response.text
    if response.status_code == 200:
        assert "bob's own" in response.text


async def test_bob_cannot_batch_delete_alices_contacts(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    book = await _alices_book(client, alice)
    before = await _raw_book(alice)
    ids = [c["id"] for c in book]

    response = await client.post("/contacts/batch-delete", json={"ids": ids}, headers=bob.headers)

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": i, "status": 404} for i in ids]
    assert response.json()["deleted"] == 0
    assert await _raw_book(alice) == before
    assert await ContactTombstone.find_all().count() == 0
