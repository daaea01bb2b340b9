"""One store, one app and one event loop for the whole run; clean collections per test.

The store is the embedded NX-27017 server started through the app's own
`EmbeddedStore`, or the MongoDB named by MONGODB_URL when that is set (a fresh
database per run, dropped at the end).
"""

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from api.config import Settings
from api.main import create_app
from api.store import EmbeddedStore
from auth.sessions import Client, start_session
from models import DOCUMENT_MODELS, Counter, User, init_models
from tests.helpers import TEST_SECRET, UserSession, register

BASE_URL = "http://testserver"


@pytest.fixture(scope="session")
async def mongodb_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if url := os.environ.get("MONGODB_URL"):
        yield url
        return
    store = EmbeddedStore(tmp_path_factory.mktemp("store"))
    yield await store.start()
    await store.stop()


@pytest.fixture(scope="session")
def settings(mongodb_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        _env_file=None,  # a developer's .env must not leak in
        mongodb_url=SecretStr(mongodb_url),
        mongodb_db=f"contacts_test_{secrets.token_hex(4)}",
        jwt_secret=SecretStr(TEST_SECRET),
        data_dir=tmp_path_factory.mktemp("data"),
        cors_origins=["https://app.example.com"],
        # Every test client is one address; tests of the limit set their own.
        register_limit_per_ip=10_000,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application
    if os.environ.get("MONGODB_URL"):
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(os.environ["MONGODB_URL"])
        await client.drop_database(settings.mongodb_db)
        await client.close()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """An HTTP client on a store emptied of every document (indexes kept)."""
    database = app.state.database
    if User.get_pymongo_collection().database.client is not database.client:
        # A test started an app of its own, which re-bound Beanie's process-wide
        # document classes; bind them back to this session's database.
        await init_models(database)
    await asyncio.gather(
        *(model.get_pymongo_collection().delete_many({}) for model in DOCUMENT_MODELS)
    )
    async with AsyncClient(transport=ASGITransport(app=app), base_url=BASE_URL) as http:
        yield http


@pytest.fixture(scope="session")
async def registered(app: FastAPI) -> dict[str, dict[str, Any]]:
    """alice's and bob's stored accounts, registered once through the API.

    Registering and logging in costs four Argon2 computations per test; the
    `alice` and `bob` fixtures put these documents back instead, and open a
    session with the same core call /login makes once the password is checked.
    Tests of registration and login themselves go through HTTP as ever.
    """
    async with AsyncClient(transport=ASGITransport(app=app), base_url=BASE_URL) as http:
        for model in DOCUMENT_MODELS:
            await model.get_pymongo_collection().delete_many({})
        for email in ("alice@example.com", "bob@example.com"):
            await register(http, email)
    users = User.get_pymongo_collection().find()
    return {user["email"]: user async for user in users}


async def _restore(app: FastAPI, account: dict[str, Any]) -> UserSession:
    await User.get_pymongo_collection().insert_one(dict(account))
    # Later registrations in the test must not be handed this id again.
    await Counter.get_pymongo_collection().update_one(
        {"_id": "users"}, {"$max": {"seq": account["_id"]}}, upsert=True
    )
    # What the test client would have sent to /login.
    client = Client(ip="127.0.0.1", user_agent=f"python-httpx/{httpx.__version__}")
    pair = await start_session(app.state.auth.tokens, account["_id"], client)
    return UserSession(account["_id"], account["email"], pair.access.token, pair.refresh.token)


@pytest.fixture
async def alice(
    app: FastAPI, client: AsyncClient, registered: dict[str, dict[str, Any]]
) -> UserSession:
    return await _restore(app, registered["alice@example.com"])


@pytest.fixture
async def bob(
    app: FastAPI, client: AsyncClient, registered: dict[str, dict[str, Any]]
) -> UserSession:
    return await _restore(app, registered["bob@example.com"])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
