"""Small HTTP helpers shared by the tests."""

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from models import User

TEST_SECRET = "test-signing-secret-of-at-least-32-bytes!"
PASSWORD = "correct horse battery"
# Every field of a login or refresh response: the seed's, OAuth2's and the refresh pair.
TOKEN_FIELDS = {
    "token",
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "refresh_expires_in",
}
CONTACT: dict[str, Any] = {
    "name": "chioma",
    "phone_number": "09068641485",
    "email": "ghjhkj@gmail.com",
}


@dataclass
class UserSession:
    id: int
    email: str
    token: str
    refresh_token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def register(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    body = {"first_name": "Test", "last_name": "User", "email": email, "password": password}
    response = await client.post("/register", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def log_in(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """The whole token response of a successful login."""
    response = await client.post("/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


async def login(client: AsyncClient, email: str, password: str = PASSWORD) -> str:
    token: str = (await log_in(client, email, password))["token"]
    return token


async def make_user(client: AsyncClient, email: str) -> UserSession:
    user = await register(client, email)
    tokens = await log_in(client, email)
    return UserSession(user["id"], email, tokens["token"], tokens["refresh_token"])


async def create_contact(client: AsyncClient, user: UserSession, **fields: Any) -> dict[str, Any]:
    """Create a contact; return it as a read returns it (without the create-only flags)."""
    response = await client.post("/contacts/", json={**CONTACT, **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    result.pop("possible_duplicate_of")
    return result


async def stored_user(user: UserSession) -> User:
    """The user's document as stored now."""
    stored = await User.get(user.id)
    assert stored is not None
    return stored


async def new_session(client: AsyncClient, user: UserSession) -> UserSession:
    """Another login of the same user: a second session, as from another device."""
    tokens = await log_in(client, user.email)
    return UserSession(user.id, user.email, tokens["token"], tokens["refresh_token"])


async def token_works(client: AsyncClient, session: UserSession) -> bool:
    """Whether the session's access token is still accepted."""
    response = await client.get("/me", headers=session.headers)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def refresh_status(client: AsyncClient, session: UserSession) -> int:
    response = await client.post("/token/refresh", json={"refresh_token": session.refresh_token})
    return response.status_code


async def login_status(client: AsyncClient, email: str, password: str) -> int:
    response = await client.post("/login", json={"email": email, "password": password})
    return response.status_code


# Every field a stored contact document has: nothing a client sent beyond these.
STORED_CONTACT_FIELDS = {
    "_id",
    "id_key",
    "user_id",
    "name",
    "phone_number",
    "email",
    "name_key",
    "phone_key",
    "email_key",
    "created_key",
    "created_at",
    "updated_at",
    "version",
}
