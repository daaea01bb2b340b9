"""The app's lifespan in its two modes, restarts, and a store that goes away."""

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr

from api.config import Settings
from api.main import _redact, create_app
from api.store import EmbeddedStore
from tests.helpers import CONTACT, PASSWORD, bearer, login, register


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(settings)
    async with (
        LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager,
        AsyncClient(transport=ASGITransport(app=manager.app), base_url="http://t") as client,
    ):
        yield client


def embedded(data_dir: Path) -> Settings:
    # Explicit Nones: a MONGODB_URL in the environment (the suite on MongoDB) must not
    # turn these embedded-mode tests into tests of that server.
    return Settings(_env_file=None, data_dir=data_dir, mongodb_url=None, jwt_secret=None)


async def test_embedded_mode_keeps_everything_across_a_restart(data_dir: Path) -> None:
    async with serve(embedded(data_dir)) as client:
        user = await register(client, "persist@example.com")
        kept_token = await login(client, "persist@example.com")
        revoked_token = await login(client, "persist@example.com")
        created = await client.post("/contacts/", json=CONTACT, headers=bearer(kept_token))
        assert (await client.post("/logout", headers=bearer(revoked_token))).status_code == 200

    assert (data_dir / "jwt-secret").is_file()

    async with serve(embedded(data_dir)) as client:
        listed = await client.get("/contacts/", headers=bearer(kept_token))
        assert listed.status_code == 200  # same signing secret after the restart
        kept = {k: v for k, v in created.json().items() if k != "possible_duplicate_of"}
        assert listed.json() == [kept]
        refused = await client.get("/contacts/", headers=bearer(revoked_token))
        assert refused.status_code == 401  # the logout outlived the restart
        assert await login(client, "persist@example.com", PASSWORD)
        again = await client.post(
            "/register",
            json={
                "first_name": "a",
                "last_name": "b",
                "email": user["email"],
                "password": "x" * 8,
            },
        )
        assert again.status_code == 409
        # The counters survived too: ids continue rather than restart at 1.
        second = await client.post("/contacts/", json=CONTACT, headers=bearer(kept_token))
        assert second.json()["id"] == created.json()["id"] + 1


async def test_startup_logs_which_store_is_in_use(
    data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api"):
        async with serve(embedded(data_dir)):
            pass

    store_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("store:")]
    assert store_lines == [f"store: embedded NX-27017 (data in {data_dir})"]


def test_the_logged_url_keeps_hosts_and_drops_credentials() -> None:
    url = "mongodb+srv://admin:hunter2@cluster0.example.net/contacts?authSource=admin"

    assert _redact(url) == "mongodb+srv://cluster0.example.net"
    assert _redact("mongodb://a:1,b:2/?replicaSet=rs0") == "mongodb://a:1,b:2"
    assert _redact("mongodb://u:p@db:27017/?appName=x@y") == "mongodb://db:27017"


async def test_an_unreachable_store_answers_503_fast_and_recovers(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    url = await store.start()
    settings = Settings(
        _env_file=None,
        mongodb_url=SecretStr(url),
        jwt_secret=SecretStr("o" * 32),
        mongodb_timeout_ms=500,
    )
    try:
        async with serve(settings) as client:
            await register(client, "outage@example.com")
            token = await login(client, "outage@example.com")
            await store.stop()

            started = time.monotonic()
            down = await client.get("/contacts/", headers=bearer(token))
            elapsed = time.monotonic() - started
            login_down = await client.post(
                "/login", json={"email": "outage@example.com", "password": PASSWORD}
            )

            assert down.status_code == 503
            assert down.headers["retry-after"] == "5"
            assert down.json() == {"detail": "The database is unavailable; please retry shortly"}
            assert login_down.status_code == 503
            not_ready = await client.get("/readyz")
            assert (not_ready.status_code, not_ready.headers["retry-after"]) == (503, "5")
            assert (await client.get("/healthz")).status_code == 200  # alive all the same
            # Generous bound: the point is "no hang", the timeout setting is 0.5 s.
            assert elapsed < 5

            await store.start()  # on the same port
            up = await client.get("/contacts/", headers=bearer(token))
            assert up.status_code == 200
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await store.stop()
