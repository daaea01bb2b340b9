"""What openapi.json promises the generated mobile clients, and that the app keeps it.

Redocly's lint (scripts/check_openapi.sh) checks the document's form; these check
the promises only this project makes: every error with its body's schema, headers
typed and, where marked required, really sent.
"""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import CONTACT, PASSWORD, UserSession, bearer, create_contact, log_in

PUBLIC = {
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/register", "post"),
    ("/login", "post"),
    ("/token/refresh", "post"),
}


def _operations(app: FastAPI) -> dict[tuple[str, str], dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return {(path, method): op for path, ops in paths.items() for method, op in ops.items()}


def test_the_document_is_served_relative_to_its_own_host(app: FastAPI) -> None:
    document = app.openapi()

    assert document["openapi"].startswith("3.1.")
    assert [server["url"] for server in document["servers"]] == ["/"]


def test_every_operation_says_whether_it_needs_a_token(app: FastAPI) -> None:
    for key, operation in _operations(app).items():
        if key in PUBLIC:
            assert operation["security"] == [], key
        else:
            assert operation["security"] == [{"OAuth2PasswordBearer": []}], key
            assert "401" in operation["responses"], key


def test_every_error_has_a_json_schema_and_an_example(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for key, operation in _operations(app).items():
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            media = response["content"]["application/json"]
            name = media["schema"]["$ref"].rsplit("/", 1)[-1]
            assert name in {"ErrorOut", "ConflictOut", "ValidationErrorOut"}, (key, code)
            assert name in schemas
            examples = [media["example"]] if "example" in media else []
            examples += [example["value"] for example in media.get("examples", {}).values()]
            assert examples, (key, code)
            assert all("detail" in example for example in examples), (key, code)
    # One 422 type for clients: FastAPI's own validation schemas are replaced.
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas


def test_every_body_may_be_refused_as_too_large(app: FastAPI) -> None:
    for key, operation in _operations(app).items():
        if "requestBody" in operation:
            assert "413" in operation["responses"], key


def test_retry_after_and_the_bearer_challenge_are_documented(app: FastAPI) -> None:
    for key, operation in _operations(app).items():
        responses = operation["responses"]
        for code in ("429", "503"):
            if code in responses:
                header = responses[code]["headers"]["Retry-After"]
                assert header["required"] is True, (key, code)
                assert header["schema"]["type"] == "integer"
        if "401" in responses:
            assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True, key


def test_every_response_header_has_a_schema(app: FastAPI) -> None:
    for key, operation in _operations(app).items():
        for code, response in operation["responses"].items():
            for name, header in response.get("headers", {}).items():
                assert "schema" in header, (key, code, name)


def test_examples_are_the_seed_s(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]

    assert schemas["ContactIn"]["examples"] == [CONTACT]
    assert set(schemas["RegisterIn"]["examples"][0]) == {
        "first_name",
        "last_name",
        "email",
        "password",
    }
    for name in ("ContactOut", "ContactCreated", "TokenOut", "RegisterOut"):
        assert schemas[name]["examples"], name
    assert schemas["ContactOut"]["examples"][0].items() >= CONTACT.items()


async def test_register_answers_with_the_location_of_the_profile(client: AsyncClient) -> None:
    body = {"first_name": "Chioma", "last_name": "Okafor", "email": "c@example.com"}

    response = await client.post("/register", json={**body, "password": PASSWORD})

    assert response.status_code == 201
    tokens = await log_in(client, "c@example.com")
    profile = await client.get(response.headers["location"], headers=bearer(tokens["token"]))
    assert profile.status_code == 200
    assert profile.json() == response.json()


async def test_the_headers_documented_as_required_are_sent(
    app: FastAPI, client: AsyncClient, alice: UserSession
) -> None:
    operations = _operations(app)

    def required(path: str, method: str, code: str) -> set[str]:
        headers = operations[path, method]["responses"][code].get("headers", {})
        return {name.lower() for name, header in headers.items() if header.get("required")}

    created = await client.post("/contacts/", json=CONTACT, headers=alice.headers)
    assert required("/contacts/", "post", "201") == {"location", "etag"}
    assert required("/contacts/", "post", "201") <= set(created.headers)

    listed = await client.get("/contacts/", headers=alice.headers)
    assert required("/contacts/", "get", "200") <= set(listed.headers)

    read = await client.get(created.headers["location"], headers=alice.headers)
    assert required("/contacts/{id}", "get", "200") <= set(read.headers)

    anonymous = await client.get("/contacts/")
    assert anonymous.status_code == 401
    assert required("/contacts/", "get", "401") <= set(anonymous.headers)


@pytest.mark.parametrize(
    ("method", "url", "body", "operation"),
    [
        ("GET", "/contacts/?sort=surname", None, ("/contacts/", "get")),
        ("POST", "/contacts/", None, ("/contacts/", "post")),
        ("GET", "/contacts/export?format=xml", None, ("/contacts/export", "get")),
        ("GET", "/contacts/seven", None, ("/contacts/{id}", "get")),
        ("PATCH", "/contacts/{id}", None, ("/contacts/{id}", "patch")),
        ("DELETE", "/me/sessions/" + "s" * 65, None, ("/me/sessions/{id}", "delete")),
        ("DELETE", "/me", None, ("/me", "delete")),
        ("POST", "/register", None, ("/register", "post")),
        ("POST", "/login", {"password": PASSWORD}, ("/login", "post")),
        ("POST", "/token/refresh", {}, ("/token/refresh", "post")),
        ("POST", "/contacts/batch", {}, ("/contacts/batch", "post")),
        ("POST", "/contacts/batch-delete", {}, ("/contacts/batch-delete", "post")),
    ],
)
async def test_documented_422_examples_are_what_the_app_answers(
    *,
    app: FastAPI,
    client: AsyncClient,
    alice: UserSession,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    operation: tuple[str, str],
) -> None:
    documented = _operations(app)[operation]["responses"]["422"]["content"]["application/json"]

    contact = await create_contact(client, alice)  # found, so only the body is wrong

    response = await client.request(
        method, url.format(id=contact["id"]), json=body, headers=alice.headers
    )

    assert response.status_code == 422
    issues = [{k: v for k, v in e.items() if k != "ctx"} for e in response.json()["detail"]]
    assert documented["example"]["detail"][0] in issues
