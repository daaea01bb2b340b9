"""Every error is JSON, documented, and leaks nothing."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from api.config import Settings
from api.main import create_app
from tests.helpers import UserSession


async def test_unknown_paths_are_json_404(client: AsyncClient) -> None:
    response = await client.get("/nope")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


async def test_unsupported_methods_are_405_with_allow(client: AsyncClient) -> None:
    response = await client.patch("/register", json={})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {"detail": "Method Not Allowed"}


async def test_an_internal_error_is_a_generic_json_500(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    # No lifespan: this route needs no store.
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "secret internals" not in response.text


async def test_cors_allows_the_configured_origin_only(client: AsyncClient) -> None:
    headers = {"Access-Control-Request-Method": "GET", "Origin": "https://app.example.com"}
    allowed = await client.options("/contacts/", headers=headers)
    denied = await client.options(
        "/contacts/", headers={**headers, "Origin": "https://evil.example"}
    )

    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in denied.headers
    assert "access-control-allow-credentials" not in allowed.headers


def test_openapi_documents_every_error_each_route_returns(app: FastAPI) -> None:
    paths: dict[str, Any] = app.openapi()["paths"]
    expected = {
        ("/register", "post"): {"201", "409", "422", "429", "503"},
        ("/login", "post"): {"200", "401", "415", "422", "429", "503"},
        ("/token/refresh", "post"): {"200", "401", "415", "422", "503"},
        ("/logout", "get"): {"200", "401", "503"},
        ("/logout", "post"): {"200", "401", "503"},
        ("/logout/all", "post"): {"200", "401", "503"},
        ("/me", "get"): {"200", "401", "503"},
        ("/me", "patch"): {"200", "401", "422", "503"},
        ("/me", "delete"): {"204", "400", "401", "422", "429", "503"},
        ("/me/password", "post"): {"204", "400", "401", "422", "429", "503"},
        ("/me/sessions", "get"): {"200", "401", "503"},
        ("/me/sessions", "delete"): {"204", "401", "503"},
        ("/me/sessions/{id}", "delete"): {"204", "401", "404", "422", "503"},
        ("/contacts/", "get"): {"200", "401", "422", "503"},
        ("/contacts/", "post"): {"201", "401", "409", "422", "503"},
        ("/contacts/{id}", "get"): {"200", "304", "401", "404", "422", "503"},
        ("/contacts/{id}", "put"): {"200", "401", "404", "412", "422", "503"},
        ("/contacts/{id}", "patch"): {"200", "401", "404", "412", "422", "503"},
        ("/contacts/{id}", "delete"): {"204", "401", "404", "412", "422", "503"},
        ("/contacts/{id}/merge", "post"): {"200", "401", "404", "422", "503"},
        ("/contacts/changes", "get"): {"200", "401", "410", "422", "503"},
        ("/contacts/batch", "post"): {"200", "401", "422", "503"},
        ("/contacts/batch-delete", "post"): {"200", "401", "422", "503"},
        ("/contacts/export", "get"): {"200", "401", "422", "503"},
        ("/contacts/import", "post"): {"200", "401", "413", "415", "422", "503"},
    }

    for (path, method), codes in expected.items():
        assert codes <= set(paths[path][method]["responses"]), (path, method)


def test_openapi_login_accepts_json_and_the_oauth2_form(app: FastAPI) -> None:
    schema = app.openapi()
    content = schema["paths"]["/login"]["post"]["requestBody"]["content"]

    assert set(content) == {"application/json", "application/x-www-form-urlencoded"}
    refresh = schema["paths"]["/token/refresh"]["post"]["requestBody"]["content"]
    assert set(refresh) == set(content)
    flows = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == "login"
    assert flows["password"]["refreshUrl"] == "token/refresh"


@pytest.mark.parametrize(
    "content", [b"[" * 100_000 + b"]" * 100_000, b'{"name": ' + b"9" * 5000 + b"}"]
)
async def test_json_the_parser_gives_up_on_is_422_everywhere(
    client: AsyncClient, alice: UserSession, content: bytes
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    for path in ("/register", "/login", "/token/refresh", "/contacts/"):
        response = await client.post(path, content=content, headers=headers)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_bodies_over_one_mebibyte_are_413(client: AsyncClient, alice: UserSession) -> None:
    huge = {"name": "n" * (1024 * 1024), "phone_number": "1234567", "email": "a@example.com"}

    response = await client.post("/contacts/", json=huge, headers=alice.headers)

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is larger than 1048576 bytes"}


async def test_chunked_bodies_are_limited_too(client: AsyncClient, alice: UserSession) -> None:
    async def chunks(count: int) -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(count):
            yield b"n" * 65536
        yield b'", "phone_number": "1234567", "email": "a@example.com"}'

    headers = {**alice.headers, "Content-Type": "application/json"}
    too_big = await client.post("/contacts/", content=chunks(17), headers=headers)
    fits = await client.post("/contacts/", content=chunks(1), headers=headers)

    assert too_big.status_code == 413
    assert fits.status_code == 422  # read whole and validated: the name is too long
    assert fits.json()["detail"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/contacts/", "GET, HEAD, POST"),
        ("OPTIONS", "/contacts/1", "DELETE, GET, HEAD, PATCH, PUT"),
        ("PUT", "/me", "DELETE, GET, HEAD, PATCH"),
        ("DELETE", "/logout", "GET, HEAD, POST"),
        # Literal paths beside /contacts/{id} are not ids, whatever the method.
        ("PUT", "/contacts/export", "GET, HEAD"),
        ("DELETE", "/contacts/changes", "GET, HEAD"),
        ("PATCH", "/contacts/import", "POST"),
        ("PUT", "/contacts/batch", "POST"),
        ("DELETE", "/contacts/batch-delete", "POST"),
    ],
)
async def test_a_405_names_every_method_of_the_resource(
    client: AsyncClient, alice: UserSession, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path, headers=alice.headers)

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json() == {"detail": "Method Not Allowed"}


async def test_a_multipart_body_that_cannot_be_split_is_422(
    client: AsyncClient, alice: UserSession
) -> None:
    headers = {**alice.headers, "Content-Type": "multipart/form-data; boundary=XX"}

    response = await client.post(
        "/contacts/import", content=b"--XX\r\n\xc3\xb8\x06--XX--\r\n", headers=headers
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "multipart_invalid"
