"""POST /register."""

import asyncio

import pytest
from httpx import AsyncClient

from models import User
from tests.helpers import login, register

NEW_USER = {
    "first_name": "  Chioma ",
    "last_name": "Okafor",
    "email": "Chioma@Example.COM",
    "password": "correct horse battery",
}


async def test_register_returns_201_and_the_public_profile(client: AsyncClient) -> None:
    response = await client.post("/register", json=NEW_USER)

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "first_name": "Chioma",
        "last_name": "Okafor",
        "email": "chioma@example.com",
    }
    assert isinstance(body["id"], int)
    stored = await User.get(body["id"])
    assert stored is not None
    assert stored.email == "chioma@example.com"
    assert stored.password_hash.startswith("$argon2id$")
    assert NEW_USER["password"] not in response.text
    assert NEW_USER["password"] not in stored.model_dump_json()


@pytest.mark.parametrize(
    "email", ["chioma@example.com", "CHIOMA@EXAMPLE.COM", "Chioma@Example.com"]
)
async def test_duplicate_email_in_any_case_is_409(client: AsyncClient, email: str) -> None:
    assert (await client.post("/register", json=NEW_USER)).status_code == 201

    response = await client.post("/register", json={**NEW_USER, "email": email})

    assert response.status_code == 409
    assert response.json() == {"detail": "An account with this email already exists"}
    assert await User.find_all().count() == 1


async def test_twenty_concurrent_registrations_of_one_email_make_one_account(
    client: AsyncClient,
) -> None:
    variants = ["racer@example.com", "RACER@example.com", "Racer@Example.Com", "racer@EXAMPLE.com"]
    responses = await asyncio.gather(
        *(client.post("/register", json={**NEW_USER, "email": variants[i % 4]}) for i in range(20))
    )

    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert await User.find(User.email == "racer@example.com").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", ""),
        ("first_name", "   "),
        ("first_name", "nul\x00byte"),
        ("last_name", "line\nbreak"),
        ("last_name", "x" * 101),
        ("email", "not-an-email"),
        ("email", {"$gt": ""}),
        ("password", "short7!"),
        ("password", "p" * 129),
        ("password", 12345678),
    ],
)
async def test_register_rejects_bad_fields_with_422(
    client: AsyncClient, field: str, value: object
) -> None:
    response = await client.post("/register", json={**NEW_USER, field: value})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert await User.find_all().count() == 0


async def test_password_limits_are_inclusive_and_never_truncated(client: AsyncClient) -> None:
    longest = "p" * 127 + "q"
    body = {**NEW_USER, "email": "long@example.com", "password": longest}
    assert (await client.post("/register", json=body)).status_code == 201
    shortest = {**NEW_USER, "email": "short@example.com", "password": "8 chars!"}
    assert (await client.post("/register", json=shortest)).status_code == 201

    # A truncating hash would accept the first 127 characters alone.
    truncated = await client.post(
        "/login", json={"email": "long@example.com", "password": "p" * 127}
    )
    assert truncated.status_code == 401
    assert (await login(client, "long@example.com", longest)).count(".") == 2


async def test_unicode_passwords_work_in_any_normal_form(client: AsyncClient) -> None:
    composed = "pâsswörd-ünïcödé-密码"
    await register(client, "unicode@example.com", composed)
    decomposed = "pa\u0302sswo\u0308rd-u\u0308ni\u0308co\u0308de\u0301-密码"

    assert await login(client, "unicode@example.com", composed)
    assert await login(client, "unicode@example.com", decomposed)


async def test_validation_errors_never_echo_the_password(client: AsyncClient) -> None:
    secret = "s3cr3t!"
    response = await client.post("/register", json={**NEW_USER, "password": secret})

    assert response.status_code == 422
    assert secret not in response.text
    assert "input" not in response.json()["detail"][0]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"first_name": "a",', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"null", "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
async def test_malformed_bodies_are_422(
    client: AsyncClient, content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/register", content=content, headers={"Content-Type": content_type}
    )

    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
