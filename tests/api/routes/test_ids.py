"""Which path segments under /contacts/ are contact ids."""

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from api.routes.ids import SIBLINGS
from tests.helpers import UserSession


def test_every_literal_path_beside_an_id_is_reserved(app: FastAPI) -> None:
    literal = {
        path.removeprefix("/contacts/")
        for path in app.openapi()["paths"]
        if path.startswith("/contacts/") and path.count("/") == 2 and "{" not in path
    }

    assert literal - {""} == set(SIBLINGS)


@pytest.mark.parametrize("segment", ["abc", "exports", "export-all", "1.5", "-1"])
async def test_any_other_segment_is_an_id_so_a_bad_one_is_422(
    client: AsyncClient, alice: UserSession, segment: str
) -> None:
    response = await client.put(
        f"/contacts/{segment}",
        json={"name": "n", "phone_number": "09068641485", "email": "n@example.com"},
        headers=alice.headers,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "id"]


async def test_a_reserved_name_with_more_after_it_is_no_route(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await client.post(
        "/contacts/export/merge", json={"other_id": 1}, headers=alice.headers
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
