"""Settings, read from the environment (and `.env`) by pydantic-settings."""

import os
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from auth.keys import SECRET_BYTES
from auth.passwords import PARALLELISM


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting must not print the secret or the
    # credentials in MONGODB_URL to the console.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    # Unset: start the embedded store under DATA_DIR. Set: use that MongoDB.
    mongodb_url: SecretStr | None = None
    mongodb_db: str = Field(default="contacts", min_length=1, max_length=63)
    # How long a request waits for an unreachable store before answering 503.
    mongodb_timeout_ms: int = Field(default=3000, ge=100, le=60_000)
    data_dir: Path = Path("data")
    jwt_secret: SecretStr | None = None
    jwt_issuer: str = Field(default="contacts-api", min_length=1)
    jwt_audience: str = Field(default="contacts-api", min_length=1)
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # Failed logins allowed per window: for one email from one client address,
    # and from one address in all. Registrations allowed per address and window.
    login_window_seconds: int = Field(default=15 * 60, ge=1, le=24 * 3600)
    login_limit_per_email: int = Field(default=5, ge=1)
    login_limit_per_ip: int = Field(default=50, ge=1)
    register_limit_per_ip: int = Field(default=20, ge=1)
    # Argon2 hashes computed at once by this process; each holds 64 MiB. Unset: one
    # per PARALLELISM cores this process may use (each hash already keeps that many
    # threads busy), at least one. More only thrash the caches: see BENCHMARKS.md.
    password_hash_concurrency: int | None = Field(default=None, ge=1, le=64)
    # Country calling code (e.g. 234, 1, 44) for storing numbers without one in
    # E.164 next to the original, so "0803..." and "+234803..." are one number.
    phone_default_country_code: str | None = Field(default=None, pattern=r"^[1-9][0-9]{0,2}$")
    # How long deletions are remembered for /contacts/changes; older cursors get 410.
    sync_horizon_days: int = Field(default=30, ge=1, le=3650)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator(
        "mongodb_url",
        "jwt_secret",
        "phone_default_country_code",
        "password_hash_concurrency",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `MONGODB_URL=` in a .env file means "not set", not "an empty URL".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _require_strong_secret(self) -> Self:
        secret = self.jwt_secret
        if secret is not None and len(secret.get_secret_value().encode()) < SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {SECRET_BYTES} bytes")
        if self.mongodb_url is not None and secret is None:
            # Every replica must sign with the same key, so none may invent its own.
            raise ValueError("JWT_SECRET is required when MONGODB_URL is set")
        return self

    @property
    def hash_concurrency(self) -> int:
        if self.password_hash_concurrency is not None:
            return self.password_hash_concurrency
        return max(1, len(os.sched_getaffinity(0)) // PARALLELISM)

    @property
    def embedded(self) -> bool:
        return self.mongodb_url is None
