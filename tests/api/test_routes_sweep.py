"""Promises that hold for every route at once, checked route by route.

The table below names one well-formed request per operation that needs a
token; a test checks that it covers every such operation the app serves, so a
new route joins these sweeps or fails that test.
"""

import asyncio
import logging
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from api.logs import JsonFormatter
from models import Contact, User
from tests.helpers import CONTACT, PASSWORD, UserSession, bearer, create_contact

MAX_BODY = 1024 * 1024
VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nTEL:+2348031234567\r\nEND:VCARD\r\n"

Call = tuple[str, str, dict[str, Any]]


def _secured_calls(contact_id: int, other_id: int, session_id: str) -> list[Call]:
    """One valid request per operation that needs a token (destructive ones last)."""
    one = f"/contacts/{contact_id}"
    return [
        ("GET", "/contacts/", {"params": {"q": "chioma", "limit": 10}}),
        ("POST", "/contacts/", {"json": CONTACT}),
        ("POST", "/contacts/batch", {"json": {"contacts": [CONTACT]}}),
        ("GET", "/contacts/changes", {}),
        ("GET", "/contacts/export", {"params": {"format": "csv"}}),
        ("POST", "/contacts/import", {"files": {"file": ("a.vcf", VCARD, "text/vcard")}}),
        ("GET", one, {}),
        ("PUT", one, {"json": CONTACT}),
        ("PATCH", one, {"json": {"name": "patched"}}),
        ("POST", f"{one}/merge", {"json": {"other_id": other_id}}),
        ("GET", "/me", {}),
        ("PATCH", "/me", {"json": {"first_name": "Changed"}}),
        ("GET", "/me/sessions", {}),
        (
            "POST",
            "/me/password",
            {"json": {"current_password": PASSWORD, "new_password": "a brand new passphrase"}},
        ),
        ("DELETE", f"/me/sessions/{session_id}", {}),
        ("POST", "/contacts/batch-delete", {"json": {"ids": [other_id]}}),
        ("DELETE", one, {}),
        ("DELETE", "/me/sessions", {}),
        ("POST", "/logout/all", {}),
        ("GET", "/logout", {}),
        ("POST", "/logout", {}),
        ("DELETE", "/me", {"json": {"password": PASSWORD}}),
    ]


def _template(path: str, contact_id: int, session_id: str) -> str:
    return path.replace(f"/contacts/{contact_id}", "/contacts/{id}").replace(
        f"/me/sessions/{session_id}", "/me/sessions/{id}"
    )


async def _calls(client: AsyncClient, alice: UserSession) -> tuple[list[Call], str]:
    contact = await create_contact(client, alice)
    other = await create_contact(client, alice, name="other", phone_number="+15550001111")
    session_id = jwt.decode(alice.token, options={"verify_signature": False})["sid"]
    return _secured_calls(contact["id"], other["id"], session_id), session_id


def test_the_table_covers_every_operation_that_needs_a_token(app: FastAPI) -> None:
    secured = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if operation.get("security")
    }
    table = {(m, _template(p, 1, "s")) for m, p, _ in _secured_calls(1, 2, "s")}

    assert table == secured


async def _send(
    client: AsyncClient, call: Call, headers: dict[str, str], **extra: Any
) -> Response:
    method, path, kwargs = call
    params = {**kwargs.get("params", {}), **extra.get("params", {})}
    return await client.request(method, path, **{**kwargs, "params": params}, headers=headers)


async def _alices_state(alice: UserSession) -> tuple[Any, ...]:
    contacts = await Contact.get_pymongo_collection().find({}).sort("_id").to_list()
    user = await User.get_pymongo_collection().find_one({"_id": alice.id})
    return (contacts, user)


async def test_after_logout_the_token_is_refused_by_every_route_and_changes_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    calls, _ = await _calls(client, alice)
    assert (await client.post("/logout", headers=alice.headers)).status_code == 200
    before = await _alices_state(alice)

    for call in calls:
        response = await _send(client, call, alice.headers)
        assert response.status_code == 401, (call[:2], response.text)
        assert response.json() == {"detail": "Invalid or expired token"}
        assert response.headers["www-authenticate"] == "Bearer"
    assert await _alices_state(alice) == before


async def test_fifty_requests_on_every_route_racing_a_logout_are_refused_once_it_answered(
    client: AsyncClient, alice: UserSession
) -> None:
    calls, _ = await _calls(client, alice)
    reads = [c for c in calls if c[0] == "GET" and c[1] != "/logout"]
    loop = asyncio.get_running_loop()
    answered: list[float] = []

    async def log_out() -> None:
        response = await client.post("/logout", headers=alice.headers)
        answered.append(loop.time())
        assert response.status_code == 200

    async def race(call: Call) -> tuple[float, int]:
        started = loop.time()
        return started, (await _send(client, call, alice.headers)).status_code

    racing = [race(reads[i % len(reads)]) for i in range(50)]
    results = await asyncio.gather(*racing[:25], log_out(), *racing[25:])
    outcomes = [r for r in results if r is not None]

    assert {status for _, status in outcomes} <= {200, 401}
    assert all(status == 401 for started, status in outcomes if started > answered[0])
    for call in reads:
        assert (await _send(client, call, alice.headers)).status_code == 401, call[:2]


@pytest.mark.parametrize(
    "name", ["token", "access_token", "Authorization", "authorization", "bearer", "jwt"]
)
async def test_a_token_in_the_query_string_is_refused_by_every_route_and_never_logged(
    client: AsyncClient, alice: UserSession, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    calls, _ = await _calls(client, alice)
    before = await _alices_state(alice)
    value = alice.token if name.lower() != "authorization" else f"Bearer {alice.token}"

    with caplog.at_level(logging.DEBUG):
        for call in calls:
            response = await _send(client, call, {}, params={name: value})
            assert response.status_code == 401, (call[:2], response.text)
            assert response.json() == {"detail": "Not authenticated"}

    assert await _alices_state(alice) == before
    # Everything the server side logged (the test's own HTTP client logs its URLs).
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert server
    written = "\n".join(JsonFormatter().format(record) for record in server)
    assert alice.token not in written
    assert alice.token.split(".")[2] not in written  # not even the signature


async def test_tokens_in_headers_are_never_logged_whatever_the_outcome(
    client: AsyncClient, alice: UserSession, caplog: pytest.LogCaptureFixture
) -> None:
    calls, _ = await _calls(client, alice)
    forged = alice.token[:-4] + ("AAAA" if not alice.token.endswith("AAAA") else "BBBB")

    with caplog.at_level(logging.DEBUG):
        for call in calls:
            await _send(client, call, bearer(forged))
        await client.post("/token/refresh", json={"refresh_token": alice.refresh_token})
        await client.post("/token/refresh", json={"refresh_token": alice.refresh_token})
        for call in calls:  # successes, then 401s once DELETE /me has run
            await _send(client, call, alice.headers)

    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    written = "\n".join(JsonFormatter().format(record) for record in server)
    for secret in (alice.token, forged, alice.refresh_token, PASSWORD):
        assert secret not in written
    for part in (alice.token.split(".")[2], alice.refresh_token.split(".")[2]):
        assert part not in written


BODY_ROUTES = [
    ("POST", "/register"),
    ("POST", "/login"),
    ("POST", "/token/refresh"),
    ("POST", "/contacts/"),
    ("POST", "/contacts/batch"),
    ("POST", "/contacts/batch-delete"),
    ("PUT", "/contacts/{id}"),
    ("PATCH", "/contacts/{id}"),
    ("POST", "/contacts/{id}/merge"),
    ("PATCH", "/me"),
    ("POST", "/me/password"),
    ("DELETE", "/me"),
]


def test_the_body_table_covers_every_json_body(app: FastAPI) -> None:
    with_json = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    }

    assert set(BODY_ROUTES) == with_json


@pytest.mark.parametrize(("method", "template"), BODY_ROUTES)
async def test_a_body_over_one_mebibyte_is_413_on_every_route(
    client: AsyncClient, alice: UserSession, method: str, template: str
) -> None:
    contact = await create_contact(client, alice)
    path = template.replace("{id}", str(contact["id"]))
    before = await _alices_state(alice)
    padding = "n" * MAX_BODY
    body = f'{{"name": "{padding}", "email": "a@example.com", "password": "x"}}'.encode()

    response = await client.request(
        method,
        path,
        content=body,
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 413, response.text
    assert response.json() == {"detail": f"Request body is larger than {MAX_BODY} bytes"}
    assert await _alices_state(alice) == before


OVER_LONG: list[tuple[str, str, dict[str, Any], list[Any]]] = [
    ("POST", "/contacts/", {"json": {**CONTACT, "name": "n" * 201}}, ["body", "name"]),
    (
        "POST",
        "/contacts/",
        {"json": {**CONTACT, "phone_number": "1" * 16}},
        ["body", "phone_number"],
    ),
    (
        "POST",
        "/contacts/",
        {"json": {**CONTACT, "email": "a" * 250 + "@example.com"}},
        ["body", "email"],
    ),
    (
        "POST",
        "/contacts/",
        {"json": CONTACT, "headers": {"Idempotency-Key": "k" * 256}},
        ["header", "idempotency-key"],
    ),
    ("PATCH", "/contacts/{id}", {"json": {"name": "n" * 201}}, ["body", "name"]),
    ("PUT", "/contacts/{id}", {"json": {**CONTACT, "name": "n" * 201}}, ["body", "name"]),
    ("GET", "/contacts/", {"params": {"q": "q" * 201}}, ["query", "q"]),
    ("GET", "/contacts/", {"params": {"cursor": "c" * 1001}}, ["query", "cursor"]),
    ("GET", "/contacts/changes", {"params": {"since": "c" * 201}}, ["query", "since"]),
    ("PATCH", "/me", {"json": {"first_name": "f" * 101}}, ["body", "first_name"]),
    ("DELETE", "/me/sessions/" + "s" * 200, {}, ["path", "id"]),
    (
        "POST",
        "/register",
        {
            "json": {
                "first_name": "A",
                "last_name": "l" * 101,
                "email": "new@example.com",
                "password": PASSWORD,
            }
        },
        ["body", "last_name"],
    ),
    (
        "POST",
        "/register",
        {
            "json": {
                "first_name": "A",
                "last_name": "B",
                "email": "new@example.com",
                "password": "p" * 100_000,
            }
        },
        ["body", "password"],
    ),
    (
        "POST",
        "/login",
        {"json": {"email": "a@example.com", "password": "p" * 100_000}},
        ["body", "password"],
    ),
    ("POST", "/token/refresh", {"json": {"refresh_token": "r" * 4097}}, ["body", "refresh_token"]),
    (
        "POST",
        "/me/password",
        {"json": {"current_password": PASSWORD, "new_password": "p" * 129}},
        ["body", "new_password"],
    ),
]


@pytest.mark.parametrize("case", OVER_LONG)
async def test_over_long_strings_are_422_naming_the_field(
    client: AsyncClient, alice: UserSession, case: tuple[str, str, dict[str, Any], list[Any]]
) -> None:
    method, template, kwargs, loc = case
    contact = await create_contact(client, alice)
    before = await _alices_state(alice)
    path = template.replace("{id}", str(contact["id"]))
    headers = {**alice.headers, **kwargs.get("headers", {})}

    response = await client.request(
        method, path, **{k: v for k, v in kwargs.items() if k != "headers"}, headers=headers
    )

    assert response.status_code == 422, response.text
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert "input" not in response.text
    assert await _alices_state(alice) == before


@pytest.mark.parametrize("limit", [501, 10_000, 2**63])
async def test_a_limit_above_the_maximum_is_422(
    client: AsyncClient, alice: UserSession, limit: int
) -> None:
    for path in ("/contacts/", "/contacts/changes"):
        response = await client.get(path, params={"limit": limit}, headers=alice.headers)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _concrete(template: str) -> str:
    return template.replace("/contacts/{id}", "/contacts/1").replace(
        "/sessions/{id}", "/sessions/s"
    )


async def test_every_unsupported_method_on_every_path_is_405_with_allow(
    app: FastAPI, client: AsyncClient, alice: UserSession
) -> None:
    wrong: list[tuple[str, str, int, str | None]] = []
    for template, operations in app.openapi()["paths"].items():
        supported = {method.upper() for method in operations}
        allow = supported | ({"HEAD"} if "GET" in supported else set())
        for method in sorted(set(METHODS) - supported):
            response = await client.request(method, _concrete(template), headers=alice.headers)
            if response.status_code != 405 or response.headers.get("allow") != ", ".join(
                sorted(allow)
            ):
                wrong.append(
                    (method, template, response.status_code, response.headers.get("allow"))
                )
            else:
                assert response.json() == {"detail": "Method Not Allowed"}

    assert wrong == []


@pytest.fixture
def failing_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the list route fail inside, as a bug would (a module function, not app.state)."""

    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("internal detail: /srv/secret/path.py line 42, db password hunter2")

    monkeypatch.setattr("api.routes.contacts.read_page", broken)


@pytest.mark.usefixtures("failing_list")
async def test_an_error_inside_a_real_route_is_a_generic_json_500(
    app: FastAPI, alice: UserSession
) -> None:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/contacts/", headers=alice.headers)

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Internal server error"}
    for leak in ("Traceback", "RuntimeError", "internal detail", "hunter2", ".py", "line 42"):
        assert leak not in response.text


@pytest.mark.usefixtures("failing_list")
async def test_a_500_carries_the_request_id(app: FastAPI, alice: UserSession) -> None:
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/contacts/", headers={**alice.headers, "X-Request-ID": "r-500"})

    assert response.status_code == 500
    assert response.headers.get("x-request-id") == "r-500"


@pytest.mark.parametrize("path", ["/healthz", "/contacts/", "/me"])
async def test_head_is_served_wherever_get_is(
    client: AsyncClient, alice: UserSession, path: str
) -> None:
    get = await client.get(path, headers=alice.headers)
    head = await client.head(path, headers=alice.headers)

    assert (head.status_code, head.content) == (get.status_code, b"")
