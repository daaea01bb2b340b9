"""The application factory and its lifespan: store → client → Beanie → auth."""

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from api.config import Settings
from api.errors import install_error_handlers
from api.middleware import BodyLimit, HeadAsGet
from api.openapi import SERVERS, install_openapi
from api.requests import RequestLog
from api.routes import auth as auth_routes
from api.routes import contact, contacts, contacts_bulk, contacts_io, contacts_sync, health
from api.routes import me as me_routes
from api.store import EmbeddedStore
from auth.keys import load_or_create_secret
from auth.passwords import PasswordHasher
from auth.service import Auth
from auth.throttle import Limits
from auth.tokens import TokenIssuer, TokenPolicy
from contacts.service import BookConfig
from models import init_models

log = logging.getLogger("api")

MAX_BODY_BYTES = 1024 * 1024

DESCRIPTION = """
Sign-up, login and a personal address book for mobile apps.

Log in with `POST /login`, then send the access token as `Authorization: Bearer <token>`.
When it expires, exchange the refresh token at `POST /token/refresh` for a new pair;
each refresh token works once. Every error is JSON: `{"detail": ...}`.
"""


TAGS = [
    {"name": "auth", "description": "Registration, login, token refresh and logout."},
    {"name": "account", "description": "The caller's profile, password, sessions and account."},
    {"name": "contacts", "description": "The caller's address book, sync and files."},
    {"name": "health", "description": "Liveness and readiness probes; no token needed."},
]


def _redact(url: str) -> str:
    """The URL's hosts only: credentials and options stay out of the logs."""
    scheme, _, rest = url.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    return f"{scheme}://{authority.rsplit('@', 1)[-1]}"


def _signing_secret(settings: Settings) -> SecretStr:
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    # Settings refuses MONGODB_URL without JWT_SECRET, so only embedded mode gets here.
    return load_or_create_secret(settings.data_dir / "jwt-secret")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    async with AsyncExitStack() as stack:
        if settings.mongodb_url is None:
            store = EmbeddedStore(settings.data_dir)
            url = await store.start()
            stack.push_async_callback(store.stop)
            log.info("store: embedded NX-27017 (data in %s)", settings.data_dir.absolute())
        else:
            url = settings.mongodb_url.get_secret_value()
            log.info("store: MongoDB at %s (database %r)", _redact(url), settings.mongodb_db)

        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
            connectTimeoutMS=settings.mongodb_timeout_ms,
        )
        stack.push_async_callback(client.close)
        # Beanie binds the document classes process-wide: one app per process.
        app.state.database = client[settings.mongodb_db]
        await init_models(app.state.database)

        app.state.auth = build_auth(settings)
        stack.callback(app.state.auth.passwords.close)
        app.state.book = BookConfig(
            country_code=settings.phone_default_country_code,
            tombstone_lifetime=timedelta(days=settings.sync_horizon_days),
        )
        yield


def build_auth(settings: Settings) -> Auth:
    policy = TokenPolicy(
        access_lifetime=timedelta(minutes=settings.access_token_minutes),
        refresh_lifetime=timedelta(days=settings.refresh_token_days),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    limits = Limits(
        window=timedelta(seconds=settings.login_window_seconds),
        login_per_email=settings.login_limit_per_email,
        login_per_ip=settings.login_limit_per_ip,
        register_per_ip=settings.register_limit_per_ip,
    )
    return Auth(
        tokens=TokenIssuer(_signing_secret(settings), policy),
        passwords=PasswordHasher(settings.hash_concurrency),
        limits=limits,
    )


def _operation_id(route: APIRoute) -> str:
    """The route's name in camelCase (`list_contacts` -> `listContacts`): stable and
    readable method names for clients generated from the OpenAPI document."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Contacts API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        openapi_tags=TAGS,
        contact={"name": "Contacts API maintainers"},
        license_info={"name": "MIT", "identifier": "MIT"},
        servers=SERVERS,
    )
    install_openapi(app, max_body_bytes=MAX_BODY_BYTES)
    app.state.settings = settings
    install_error_handlers(app)
    if settings.cors_origins:
        # Bearer tokens, not cookies: credentials mode is never needed.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-None-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=[
                "X-Total-Count",
                "X-Next-Cursor",
                "Link",
                "Location",
                "ETag",
                "Retry-After",
                "Idempotent-Replayed",
                "X-Request-ID",
            ],
        )
    # Address-book entries are small: a larger body is a mistake or an attack.
    # Added after CORS, so it runs before it and before anything reads the body.
    app.add_middleware(
        BodyLimit,
        max_bytes=MAX_BODY_BYTES,
        per_path={"/contacts/import": contacts_io.MAX_IMPORT_BYTES},
    )
    app.add_middleware(HeadAsGet)
    # Outermost: every answer, a 413 or a CORS preflight included, is logged and tagged.
    app.add_middleware(RequestLog)
    # Routes are matched in this order, one by one: the hottest first. (`{id}` never
    # claims /contacts/export and its siblings; see api/routes/ids.py.)
    for module in (contact, contacts, contacts_sync, contacts_bulk, contacts_io):
        app.include_router(module.router)
    app.include_router(auth_routes.router)
    app.include_router(me_routes.router)
    app.include_router(health.router)
    return app
