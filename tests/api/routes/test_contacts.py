import asyncio

from httpx import AsyncClient

from models import Contact
from tests.helpers import CONTACT, UserSession, create_contact


async def test_create_returns_201_with_the_seed_shape(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.post("/contacts/", json=CONTACT, headers=alice.headers)

    assert response.status_code == 201
    body = response.json()
    assert body == {
        **CONTACT,
        "id": body["id"],
        "user_id": alice.id,
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "version": 1,
        "possible_duplicate_of": [],
    }
    assert response.headers["etag"] == '"1"'
    assert isinstance(body["id"], int)
    assert response.headers["location"].endswith(f"/contacts/{body['id']}")
    stored = await Contact.get(body["id"])
    assert stored is not None
    assert (stored.user_id, stored.name) == (alice.id, "chioma")


async def test_ids_are_sequential_integers(client: AsyncClient, alice: UserSession) -> None:
    first = await create_contact(client, alice)
    second = await create_contact(client, alice)

    assert second["id"] == first["id"] + 1


async def test_user_id_in_the_body_is_ignored(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    body = {**CONTACT, "user_id": bob.id, "id": 999, "_id": 998}
    response = await client.post("/contacts/", json=body, headers=alice.headers)

    assert response.status_code == 201
    assert response.json()["user_id"] == alice.id
    assert response.json()["id"] not in (998, 999)
    assert await Contact.find({"user_id": bob.id}).count() == 0


async def test_list_returns_only_the_callers_contacts_in_id_order(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    mine = [await create_contact(client, alice, name=f"a{i}") for i in range(3)]
    await create_contact(client, bob, name="not alice's")

    response = await client.get("/contacts/", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == mine
    assert response.headers["x-total-count"] == "3"


async def test_list_is_an_empty_array_for_a_new_user(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.get("/contacts/", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["x-total-count"] == "0"


async def test_list_pages_with_limit_and_offset(client: AsyncClient, alice: UserSession) -> None:
    ids = [(await create_contact(client, alice, name=f"c{i}"))["id"] for i in range(5)]

    response = await client.get("/contacts/?limit=2&offset=1", headers=alice.headers)

    assert [c["id"] for c in response.json()] == ids[1:3]
    assert response.headers["x-total-count"] == "5"


async def test_list_bounds_limit_and_offset(client: AsyncClient, alice: UserSession) -> None:
    for query in ("limit=0", "limit=501", "offset=-1", "limit=abc", "offset=99999999999999"):
        response = await client.get(f"/contacts/?{query}", headers=alice.headers)
        assert response.status_code == 422, query

    assert (await client.get("/contacts/?limit=500", headers=alice.headers)).status_code == 200


async def test_read_one(client: AsyncClient, alice: UserSession) -> None:
    created = await create_contact(client, alice)

    response = await client.get(f"/contacts/{created['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == created


async def test_put_replaces_every_field(client: AsyncClient, alice: UserSession) -> None:
    created = await create_contact(client, alice)
    new = {"name": "Ada", "phone_number": "+2348000000000", "email": "ada@example.org"}

    response = await client.put(f"/contacts/{created['id']}", json=new, headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {
        **new,
        "id": created["id"],
        "user_id": alice.id,
        "created_at": created["created_at"],
        "updated_at": response.json()["updated_at"],
        "version": 2,
    }
    assert response.headers["etag"] == '"2"'
    stored = await Contact.get(created["id"])
    assert stored is not None
    assert (stored.name, stored.phone_number, stored.email) == (
        "Ada",
        "+2348000000000",
        "ada@example.org",
    )


async def test_put_accepts_a_contact_as_read_back_without_moving_it(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    created = await create_contact(client, alice)
    echoed = {**created, "name": "renamed", "user_id": bob.id}

    response = await client.put(f"/contacts/{created['id']}", json=echoed, headers=alice.headers)

    assert response.status_code == 200
    assert response.json()["user_id"] == alice.id
    assert await Contact.find({"user_id": bob.id}).count() == 0


async def test_put_with_a_partial_body_is_422_and_changes_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    created = await create_contact(client, alice)

    response = await client.put(
        f"/contacts/{created['id']}", json={"name": "only"}, headers=alice.headers
    )

    assert response.status_code == 422
    stored = await Contact.get(created["id"])
    assert stored is not None
    assert stored.name == CONTACT["name"]


async def test_delete_returns_204_and_removes_it(client: AsyncClient, alice: UserSession) -> None:
    created = await create_contact(client, alice)

    response = await client.delete(f"/contacts/{created['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert response.content == b""
    assert await Contact.get(created["id"]) is None
    again = await client.get(f"/contacts/{created['id']}", headers=alice.headers)
    assert again.status_code == 404


async def test_other_users_contact_is_404_on_get_put_delete_and_unchanged(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    created = await create_contact(client, alice)
    url = f"/contacts/{created['id']}"
    replacement = {**CONTACT, "name": "hijacked"}

    responses = [
        await client.get(url, headers=bob.headers),
        await client.put(url, json=replacement, headers=bob.headers),
        await client.delete(url, headers=bob.headers),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    # The same answer as for an id that does not exist: nothing is confirmed.
    missing = await client.get("/contacts/987654", headers=bob.headers)
    assert {r.json()["detail"] for r in responses} == {missing.json()["detail"]}
    assert (await client.get(url, headers=alice.headers)).json() == created


async def test_unknown_id_is_404_and_non_integer_id_is_422(
    client: AsyncClient, alice: UserSession
) -> None:
    assert (await client.get("/contacts/424242", headers=alice.headers)).status_code == 404
    for bad in ("abc", "1.5", "0", "-3", str(2**64)):
        response = await client.get(f"/contacts/{bad}", headers=alice.headers)
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"] == ["path", "id"]


async def test_every_contacts_route_requires_a_token(
    client: AsyncClient, alice: UserSession
) -> None:
    created = await create_contact(client, alice)
    url = f"/contacts/{created['id']}"
    calls = [
        client.get("/contacts/"),
        client.post("/contacts/", json=CONTACT),
        client.get(url),
        client.put(url, json=CONTACT),
        client.delete(url),
    ]

    for response in [await call for call in calls]:
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert await Contact.find_all().count() == 1


async def test_fifty_concurrent_creates_get_fifty_distinct_ids(
    client: AsyncClient, alice: UserSession
) -> None:
    responses = await asyncio.gather(
        *(
            client.post("/contacts/", json={**CONTACT, "name": f"n{i}"}, headers=alice.headers)
            for i in range(50)
        )
    )

    assert [r.status_code for r in responses] == [201] * 50
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 50
    listed = await client.get("/contacts/?limit=500", headers=alice.headers)
    assert {c["id"] for c in listed.json()} == ids


async def test_the_list_is_in_numeric_id_order_past_nine_contacts(
    client: AsyncClient, alice: UserSession
) -> None:
    # The embedded store orders integer `_id`s as text (1, 10, 11, 2, ...); ten or
    # more contacts show that every order goes by id_key instead.
    ids = [(await create_contact(client, alice, name="same"))["id"] for _ in range(12)]

    ascending = await client.get("/contacts/", headers=alice.headers)
    descending = await client.get("/contacts/", params={"sort": "-id"}, headers=alice.headers)
    by_name = await client.get("/contacts/", params={"sort": "name"}, headers=alice.headers)

    assert [c["id"] for c in ascending.json()] == ids
    assert [c["id"] for c in descending.json()] == ids[::-1]
    assert [c["id"] for c in by_name.json()] == ids  # equal names: ties go by id
    paged: list[int] = []
    params: dict[str, str | int] = {"limit": 5}
    while True:
        page = await client.get("/contacts/", params=params, headers=alice.headers)
        paged += [c["id"] for c in page.json()]
        if "x-next-cursor" not in page.headers:
            break
        params = {"limit": 5, "cursor": page.headers["x-next-cursor"]}
    assert paged == ids


async def _walk(client: AsyncClient, user: UserSession, sort: str) -> list[int]:
    seen: list[int] = []
    params: dict[str, str | int] = {"sort": sort, "limit": 4}
    while True:
        page = await client.get("/contacts/", params=params, headers=user.headers)
        assert page.status_code == 200, page.text
        seen += [c["id"] for c in page.json()]
        if "x-next-cursor" not in page.headers:
            return seen
        params = {**params, "cursor": page.headers["x-next-cursor"]}


async def test_created_at_pages_hold_every_contact_created_at_the_same_instant(
    client: AsyncClient, alice: UserSession
) -> None:
    # An import creates its rows in one write, all with one created_at: the pages
    # must go through the tie by id, on every store.
    rows = "".join(f"Person {i},0803{i:07d},p{i}@example.com\r\n" for i in range(25))
    file = ("book.csv", f"name,phone_number,email\r\n{rows}".encode(), "text/csv")
    imported = await client.post("/contacts/import", files={"file": file}, headers=alice.headers)
    assert imported.json()["created"] == 25
    ids = [row["id"] for row in imported.json()["results"]]
    stored = await Contact.find(Contact.user_id == alice.id).to_list()
    assert len({contact.created_at for contact in stored}) == 1

    assert await _walk(client, alice, "created_at") == ids
    assert await _walk(client, alice, "-created_at") == ids[::-1]
