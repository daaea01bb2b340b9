"""GET /contacts/: search, sort orders and keyset pages (X-Next-Cursor and Link)."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from models import Contact
from models.contact import epoch_ms
from tests.helpers import UserSession, create_contact

# Ties in name_key ("ada" x3, "emeka" x2) and accents that must sort with their letters.
NAMES = ["emeka", "Ada", "bob", "Émeka", "ada", "Cy", "Ádá", "zed"]
T0 = datetime(2021, 5, 1, tzinfo=UTC)
# Ties in created_at too, in an order unlike the ids'.
CREATED = [T0 + timedelta(days=d) for d in (2, 1, 2, 0, 1, 2, 0, 1)]
ORDER = {  # positions in NAMES, in the order each sort lists them
    "id": [0, 1, 2, 3, 4, 5, 6, 7],
    "name": [1, 4, 6, 2, 5, 0, 3, 7],
    "created_at": [3, 6, 1, 4, 7, 0, 2, 5],
}
SORTS = ["id", "-id", "name", "-name", "created_at", "-created_at"]
NEXT_LINK = re.compile(r'^<([^>]+)>; rel="next"$')


def expected_order(ids: list[int], sort: str) -> list[int]:
    ordered = [ids[i] for i in ORDER[sort.lstrip("-")]]
    return ordered[::-1] if sort.startswith("-") else ordered


async def set_created_at(contact_id: int, when: datetime) -> None:
    # A whole-document replace: the embedded store keeps $set dates as strings.
    # created_key is created_at in ms, as every write path stores it.
    collection = Contact.get_pymongo_collection()
    document = await collection.find_one({"_id": contact_id})
    assert document is not None
    moved = {**document, "created_at": when, "created_key": epoch_ms(when)}
    await collection.replace_one({"_id": contact_id}, moved)


@pytest.fixture
async def book(client: AsyncClient, alice: UserSession, bob: UserSession) -> list[int]:
    """Alice's eight contacts (ids in NAMES order) and two of Bob's that must never show."""
    ids = []
    for i, (name, created) in enumerate(zip(NAMES, CREATED, strict=True)):
        contact = await create_contact(client, alice, name=name, email=f"c{i}@example.com")
        await set_created_at(contact["id"], created)
        ids.append(contact["id"])
    for name in ("ada", "Émeka"):
        await create_contact(client, bob, name=name)
    return ids


async def list_ids(client: AsyncClient, user: UserSession, **params: Any) -> list[int]:
    response = await client.get("/contacts/", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return [contact["id"] for contact in response.json()]


async def walk(client: AsyncClient, user: UserSession, sort: str, via: str) -> list[list[int]]:
    """Every page of limit 2, following X-Next-Cursor or the Link header to the end."""
    pages: list[list[int]] = []
    response = await client.get(
        "/contacts/", params={"sort": sort, "limit": 2}, headers=user.headers
    )
    while True:
        assert response.status_code == 200, response.text
        assert response.headers["x-total-count"] == "8"
        pages.append([contact["id"] for contact in response.json()])
        cursor, link = response.headers.get("x-next-cursor"), response.headers.get("link")
        assert (cursor is None) == (link is None)
        if cursor is None or link is None:
            return pages
        assert len(pages) < 10, "the pages never end"
        url = NEXT_LINK.fullmatch(link)
        assert url is not None, link
        if via == "link":
            response = await client.get(url.group(1), headers=user.headers)
        else:
            params = {"sort": sort, "limit": 2, "cursor": cursor}
            response = await client.get("/contacts/", params=params, headers=user.headers)


async def test_the_default_is_every_contact_in_id_order_with_a_total(
    client: AsyncClient, alice: UserSession, book: list[int]
) -> None:
    response = await client.get("/contacts/", headers=alice.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert [c["id"] for c in response.json()] == book
    assert [c["name"] for c in response.json()] == NAMES
    assert response.headers["x-total-count"] == "8"
    assert "x-next-cursor" not in response.headers
    assert "link" not in response.headers


@pytest.mark.parametrize("sort", SORTS)
async def test_each_sort_orders_ties_by_id(
    client: AsyncClient, alice: UserSession, book: list[int], sort: str
) -> None:
    assert await list_ids(client, alice, sort=sort) == expected_order(book, sort)


@pytest.mark.parametrize("via", ["cursor", "link"])
@pytest.mark.parametrize("sort", SORTS)
async def test_keyset_pages_list_every_contact_once_in_order(
    client: AsyncClient, alice: UserSession, book: list[int], sort: str, via: str
) -> None:
    pages = await walk(client, alice, sort, via)

    # Eight contacts, two a page: the last page is full and has no next page.
    assert [len(page) for page in pages] == [2, 2, 2, 2]
    assert [i for page in pages for i in page] == expected_order(book, sort)


async def test_the_link_keeps_the_query_and_drops_offset(
    client: AsyncClient, alice: UserSession, book: list[int]
) -> None:
    params: dict[str, str | int] = {"sort": "-name", "q": "ad", "limit": 1, "offset": 1}
    first = await client.get("/contacts/", params=params, headers=alice.headers)

    link = NEXT_LINK.fullmatch(first.headers["link"])
    assert link is not None
    assert "offset=" not in link.group(1)
    following = await client.get(link.group(1), headers=alice.headers)
    # Names containing "ad", by -name (ties by -id): Ádá(6), ada(4), Ada(1); offset skips Ádá.
    assert [c["id"] for c in first.json()] == [book[4]]
    assert [c["id"] for c in following.json()] == [book[1]]
    assert "link" not in following.headers
    # The total counts every match, not the page.
    assert first.headers["x-total-count"] == following.headers["x-total-count"] == "3"


async def test_offset_still_pages_and_its_cursor_continues_after_it(
    client: AsyncClient, alice: UserSession, book: list[int]
) -> None:
    first = await client.get(
        "/contacts/", params={"sort": "name", "offset": 2, "limit": 3}, headers=alice.headers
    )
    rest = await list_ids(
        client, alice, sort="name", limit=3, cursor=first.headers["x-next-cursor"]
    )

    by_name = expected_order(book, "name")
    assert [c["id"] for c in first.json()] == by_name[2:5]
    assert rest == by_name[5:8]


@pytest.mark.parametrize(
    ("second", "issued_for"),
    [
        ({"sort": "-name"}, {"sort": "name"}),
        ({}, {"sort": "name"}),
        ({"sort": "name", "q": "a"}, {"sort": "name"}),
        ({"sort": "id"}, {"sort": "id", "q": "a"}),
        ({"sort": "id", "q": "A"}, {"sort": "id", "q": "a"}),
        ({"sort": "created_at"}, {"sort": "-created_at"}),
    ],
)
async def test_a_cursor_serves_only_the_sort_and_q_it_was_issued_for(
    client: AsyncClient,
    alice: UserSession,
    book: list[int],
    second: dict[str, str],
    issued_for: dict[str, str],
) -> None:
    first = await client.get(
        "/contacts/", params={**issued_for, "limit": 1}, headers=alice.headers
    )
    cursor = first.headers["x-next-cursor"]

    response = await client.get(
        "/contacts/", params={**second, "cursor": cursor}, headers=alice.headers
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "cursor"]]


def forged(state: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!!",
        "é",
        "eyJ9",  # base64 of a cut-off JSON object
        forged({"sort": "name"}),
        forged({"sort": "sideways", "q": None, "after": None, "id": 1}),
        forged({"sort": "created_at", "q": None, "after": "yesterday", "id": 1}),
        forged({"sort": "created_at", "q": None, "after": 10**20, "id": 1}),
        forged({"sort": "created_at", "q": None, "after": -1, "id": 1}),
        forged({"sort": "name", "q": None, "after": 5, "id": 1}),
        forged({"sort": "id", "q": None, "after": "x", "id": 1}),
        forged([1, 2]),
    ],
)
async def test_a_garbage_cursor_is_422(
    client: AsyncClient, alice: UserSession, book: list[int], cursor: str
) -> None:
    response = await client.get("/contacts/", params={"cursor": cursor}, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(
    "state",
    [
        {"sort": "id", "q": None, "after": None, "id": 2**70},
        {"sort": "name", "q": None, "after": 2**70, "id": 1},
    ],
)
async def test_a_forged_cursor_with_an_out_of_range_number_is_422_not_500(
    app: FastAPI, alice: UserSession, state: dict[str, Any]
) -> None:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(
            "/contacts/",
            params={"sort": state["sort"], "cursor": forged(state)},
            headers=alice.headers,
        )

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_limit_over_500_is_422(client: AsyncClient, alice: UserSession) -> None:
    response = await client.get("/contacts/", params={"limit": 501}, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("sort", ["name", "-created_at", "id"])
async def test_keyset_pages_survive_inserts_and_deletes_between_reads(
    client: AsyncClient, alice: UserSession, book: list[int], sort: str
) -> None:
    first = await client.get(
        "/contacts/", params={"sort": sort, "limit": 3}, headers=alice.headers
    )
    seen = [c["id"] for c in first.json()]
    # Between reads: delete one row already read and one not yet read; add two rows.
    unread = expected_order(book, sort)[5]
    for gone in (seen[1], unread):
        response = await client.delete(f"/contacts/{gone}", headers=alice.headers)
        assert response.status_code == 204
    for name in ("aaa", "zzz"):
        await create_contact(client, alice, name=name)

    cursor = first.headers["x-next-cursor"]
    while cursor:
        params: dict[str, str | int] = {"sort": sort, "limit": 3, "cursor": cursor}
        response = await client.get("/contacts/", params=params, headers=alice.headers)
        assert response.status_code == 200
        seen += [c["id"] for c in response.json()]
        cursor = response.headers.get("x-next-cursor", "")

    throughout = [i for i in expected_order(book, sort) if i not in (seen[1], unread)]
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in throughout] == throughout
    assert unread not in seen


SEARCHABLE = [
    {"name": "Émeka Obi", "phone_number": "+2348031234567", "email": "emeka@example.com"},
    {"name": "ada obi", "phone_number": "08031112222", "email": "Ada.Lovelace@Example.ORG"},
    {"name": "Chioma", "phone_number": "09068641485", "email": "chi@mail.ng"},
]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("emeka", [0]),
        ("EMEKA", [0]),
        ("émékà", [0]),
        ("ADA", [1]),
        ("a ob", [0, 1]),
        ("ada ob", [1]),
        ("obi", [0, 1]),
        ("lovelace@EXAMPLE.org", [1]),
        ("mail.ng", [2]),
        ("0803", [1]),
        ("+234 803", [0]),
        ("803", [0, 1]),
        ("906 864-14", [2]),
        ("(0906)", [2]),
        ("nobody", []),
        ("", [0, 1, 2]),
    ],
)
async def test_q_searches_names_emails_and_phone_digits_of_the_caller_only(
    client: AsyncClient, alice: UserSession, bob: UserSession, q: str, expected: list[int]
) -> None:
    ids = [(await create_contact(client, alice, **fields))["id"] for fields in SEARCHABLE]
    for fields in SEARCHABLE:  # Bob's copies match every query above; none may show.
        await create_contact(client, bob, **fields)

    response = await client.get("/contacts/", params={"q": q}, headers=alice.headers)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [ids[i] for i in expected]
    assert response.headers["x-total-count"] == str(len(expected))


async def test_total_false_leaves_out_the_count_and_the_link_keeps_it_so(
    client: AsyncClient, alice: UserSession, book: list[int]
) -> None:
    first = await client.get(
        "/contacts/", params={"limit": 5, "total": "false"}, headers=alice.headers
    )
    link = NEXT_LINK.fullmatch(first.headers["link"])
    assert link is not None
    second = await client.get(link.group(1), headers=alice.headers)

    assert "x-total-count" not in first.headers
    assert "x-total-count" not in second.headers
    assert "total=false" in link.group(1)
    assert [c["id"] for c in first.json() + second.json()] == book


async def test_total_must_be_a_boolean(client: AsyncClient, alice: UserSession) -> None:
    response = await client.get("/contacts/", params={"total": "maybe"}, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "total"]
