import asyncio
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient

from models import RevokedToken, User
from tests.helpers import PASSWORD, UserSession, bearer, login, register

NEW_USER = {
    "first_name": "  Chioma ",
    "last_name": "Okafor",
    "email": "Chioma@Example.COM",
    "password": "correct horse battery",
}


# --- register ---------------------------------------------------------------


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
    assert NEW_USER["password"] not in stored.password_hash


async def test_register_never_returns_or_stores_the_password(client: AsyncClient) -> None:
    response = await client.post("/register", json=NEW_USER)

    assert NEW_USER["password"] not in response.text
    stored = await User.get(response.json()["id"])
    assert stored is not None
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


# --- login --------------------------------------------------------------------


async def test_login_with_json_returns_the_seed_and_oauth2_fields(client: AsyncClient) -> None:
    await register(client, "login@example.com")

    response = await client.post(
        "/login", json={"email": "LOGIN@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "access_token", "token_type", "expires_in"}
    assert body["token"] == body["access_token"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    assert response.headers["cache-control"] == "no-store"


async def test_login_with_the_oauth2_password_form(client: AsyncClient) -> None:
    user = await register(client, "form@example.com")

    response = await client.post(
        "/login",
        data={"username": "form@example.com", "password": PASSWORD, "grant_type": "password"},
    )

    assert response.status_code == 200
    token = response.json()["access_token"]
    contacts = await client.get("/contacts/", headers=bearer(token))
    assert contacts.status_code == 200
    assert user["id"] > 0


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


# --- logout -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_logout_revokes_only_the_presented_token(
    client: AsyncClient, alice: UserSession, bob: UserSession, method: str
) -> None:
    second_alice_token = await login(client, alice.email)

    response = await client.request(method, "/logout", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {"detail": "Logged out"}
    refused = await client.get("/contacts/", headers=alice.headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/contacts/", headers=bearer(second_alice_token))).status_code == 200
    assert (await client.get("/contacts/", headers=bob.headers)).status_code == 200


async def test_logout_twice_is_401(client: AsyncClient, alice: UserSession) -> None:
    assert (await client.post("/logout", headers=alice.headers)).status_code == 200

    assert (await client.post("/logout", headers=alice.headers)).status_code == 401


async def test_logout_stores_the_revocation_until_the_token_expires(
    client: AsyncClient, alice: UserSession
) -> None:
    before = datetime.now(UTC)
    await client.post("/logout", headers=alice.headers)

    revoked = await RevokedToken.find_all().to_list()
    assert len(revoked) == 1
    assert revoked[0].user_id == alice.id
    lifetime = (revoked[0].expires_at - before).total_seconds()
    assert 30 * 60 - 5 <= lifetime <= 30 * 60 + 5


async def test_logout_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.get("/logout")

    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


async def test_concurrent_logouts_with_one_token_all_succeed_or_401(
    client: AsyncClient, alice: UserSession
) -> None:
    responses = await asyncio.gather(
        *(client.post("/logout", headers=alice.headers) for _ in range(10))
    )

    assert {r.status_code for r in responses} <= {200, 401}
    assert 200 in {r.status_code for r in responses}
    assert await RevokedToken.find_all().count() == 1
    assert (await client.get("/contacts/", headers=alice.headers)).status_code == 401
