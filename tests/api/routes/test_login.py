"""POST /login, with JSON or the OAuth2 password form."""

import pytest
from httpx import AsyncClient

from tests.helpers import PASSWORD, TOKEN_FIELDS, bearer, register


async def test_login_with_json_returns_the_seed_and_oauth2_fields(client: AsyncClient) -> None:
    await register(client, "login@example.com")

    response = await client.post(
        "/login", json={"email": "LOGIN@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token"] == body["access_token"]
    assert body["refresh_token"] not in (body["token"], "")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    assert response.headers["cache-control"] == "no-store"


async def test_login_with_the_oauth2_password_form(client: AsyncClient) -> None:
    await register(client, "form@example.com")

    response = await client.post(
        "/login",
        data={"username": "form@example.com", "password": PASSWORD, "grant_type": "password"},
    )

    assert response.status_code == 200
    assert response.json()["refresh_token"]
    token = response.json()["access_token"]
    contacts = await client.get("/contacts/", headers=bearer(token))
    assert contacts.status_code == 200


async def test_login_with_a_multipart_form(client: AsyncClient) -> None:
    await register(client, "multipart@example.com")

    response = await client.post(
        "/login",
        files={"username": (None, "multipart@example.com"), "password": (None, PASSWORD)},
    )

    assert response.status_code == 200


async def test_unknown_email_and_wrong_password_get_the_same_401(client: AsyncClient) -> None:
    await register(client, "known@example.com")

    wrong_password = await client.post(
        "/login", json={"email": "known@example.com", "password": "not the password"}
    )
    unknown_email = await client.post(
        "/login", json={"email": "nobody@example.com", "password": "not the password"}
    )

    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert (
        wrong_password.json() == unknown_email.json() == {"detail": "Incorrect email or password"}
    )


async def test_login_form_errors_name_the_form_field(client: AsyncClient) -> None:
    response = await client.post("/login", data={"username": "not-an-email", "password": "x"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "username"]


@pytest.mark.parametrize(
    "body",
    [{"email": "a@example.com"}, {"password": "x"}, {"email": {"$ne": None}, "password": "x"}],
)
async def test_login_with_missing_or_operator_fields_is_422(
    client: AsyncClient, body: object
) -> None:
    response = await client.post("/login", json=body)

    assert response.status_code == 422


async def test_login_with_an_unsupported_body_type_is_415(client: AsyncClient) -> None:
    response = await client.post(
        "/login", content="email=a", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


@pytest.mark.parametrize(
    "content", [b"{nope", b"", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b'"\\ud800"']
)
async def test_login_with_invalid_json_is_422(client: AsyncClient, content: bytes) -> None:
    response = await client.post(
        "/login", content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]
