"""Request ids, the per-request JSON log line, and the health probes."""

import json
import logging
from typing import Any

import pytest
from httpx import AsyncClient

from api.logs import JsonFormatter
from tests.helpers import PASSWORD, UserSession, create_contact


def _access(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.fields for r in caplog.records if r.name == "api.access"]  # type: ignore[attr-defined]


async def test_a_request_id_is_made_when_absent_and_echoed_when_given(client: AsyncClient) -> None:
    made = await client.get("/healthz")
    given = await client.get("/healthz", headers={"X-Request-ID": "mobile-42.retry:1"})

    assert len(made.headers["x-request-id"]) == 32
    assert given.headers["x-request-id"] == "mobile-42.retry:1"


@pytest.mark.parametrize("offered", ["", "x" * 129, "a b", "<script>", "ü"])
async def test_an_unsafe_request_id_is_replaced(client: AsyncClient, offered: str) -> None:
    response = await client.get("/healthz", headers={b"X-Request-ID": offered.encode()})

    assert response.headers["x-request-id"] != offered
    assert len(response.headers["x-request-id"]) == 32


async def test_each_request_logs_one_line_with_its_route_status_and_user(
    client: AsyncClient, alice: UserSession, caplog: pytest.LogCaptureFixture
) -> None:
    contact = await create_contact(client, alice)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="api.access"):
        response = await client.get(
            f"/contacts/{contact['id']}?cursor=abc",
            headers={**alice.headers, "X-Request-ID": "r1"},
        )

    [entry] = _access(caplog)
    assert response.status_code == 200
    assert entry["method"] == "GET"
    assert entry["path"] == "/contacts/{id}"  # the template: no ids, no query string
    assert (entry["status"], entry["request_id"], entry["user_id"]) == (200, "r1", alice.id)
    assert isinstance(entry["duration_ms"], float)


async def test_a_head_request_is_logged_as_head_against_the_get_route(
    client: AsyncClient, alice: UserSession, caplog: pytest.LogCaptureFixture
) -> None:
    contact = await create_contact(client, alice)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="api.access"):
        response = await client.head(f"/contacts/{contact['id']}", headers=alice.headers)

    [entry] = _access(caplog)
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["etag"] == '"1"'
    assert (entry["method"], entry["path"], entry["status"]) == ("HEAD", "/contacts/{id}", 200)


async def test_tokens_and_passwords_never_reach_the_logs(
    client: AsyncClient, alice: UserSession, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await client.post("/login", json={"email": alice.email, "password": PASSWORD})
        await client.get("/contacts/", headers=alice.headers)
        await client.get(f"/contacts/?access_token={alice.token}")
        await client.post("/token/refresh", json={"refresh_token": alice.refresh_token})
        await client.get("/logout", headers=alice.headers)

    formatter = JsonFormatter()
    # Everything the server side logged (the test's own HTTP client logs its URLs).
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    written = "\n".join(formatter.format(record) for record in server)
    assert _access(caplog)
    for secret in (alice.token, alice.refresh_token, PASSWORD):
        assert secret not in written


def test_a_log_line_is_one_json_object_with_the_fields_merged() -> None:
    record = logging.LogRecord("api.access", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"status": 201, "path": "/contacts/"}

    line = JsonFormatter().format(record)

    assert "\n" not in line
    parsed = json.loads(line)
    assert (parsed["level"], parsed["logger"], parsed["message"]) == (
        "info",
        "api.access",
        "request",
    )
    assert (parsed["status"], parsed["path"]) == (201, "/contacts/")


async def test_the_probes_need_no_token(client: AsyncClient) -> None:
    live = await client.get("/healthz")
    ready = await client.get("/readyz")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
