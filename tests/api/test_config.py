import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.config import Settings

STRONG = "s" * 32


def _settings(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_defaults_are_the_local_embedded_setup() -> None:
    settings = _settings()

    assert settings.embedded
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.data_dir == Path("data")
    assert settings.mongodb_db == "contacts"
    assert settings.access_token_minutes == 30
    assert settings.cors_origins == []


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db:27017")
    monkeypatch.setenv("JWT_SECRET", STRONG)
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("DATA_DIR", "/srv/contacts")
    monkeypatch.setenv("ACCESS_TOKEN_MINUTES", "15")

    settings = Settings(_env_file=None)

    assert not settings.embedded
    assert settings.mongodb_url is not None
    assert settings.mongodb_url.get_secret_value() == "mongodb://db:27017"
    assert (settings.port, settings.access_token_minutes) == (9000, 15)
    assert settings.data_dir == Path("/srv/contacts")


def test_reads_a_dotenv_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"PORT=8123\nJWT_SECRET={STRONG}\n")

    settings = Settings(_env_file=env_file)

    assert settings.port == 8123
    assert settings.jwt_secret is not None


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example ,")

    settings = Settings(_env_file=None)

    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_a_blank_mongodb_url_means_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", "  ")

    assert Settings(_env_file=None).embedded


def test_mongodb_url_without_a_secret_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET is required"):
        _settings(mongodb_url="mongodb://db:27017")


@pytest.mark.parametrize("mongodb_url", [None, "mongodb://db:27017"])
def test_a_secret_under_32_bytes_refuses_to_start(mongodb_url: str | None) -> None:
    env = {"jwt_secret": "s" * 31} | ({"mongodb_url": mongodb_url} if mongodb_url else {})

    with pytest.raises(ValidationError, match="at least 32 bytes"):
        _settings(**env)


def test_the_secret_is_never_shown_in_repr_or_errors() -> None:
    settings = _settings(mongodb_url="mongodb://user:pw@db:27017", jwt_secret=STRONG)

    assert STRONG not in repr(settings)
    assert "pw@" not in repr(settings)
    with pytest.raises(ValidationError) as refused:
        _settings(mongodb_url="mongodb://user:hunter2@db:27017", jwt_secret="short-secret")
    assert "hunter2" not in str(refused.value)
    assert "short-secret" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("port", "0"), ("port", "70000"), ("access_token_minutes", "0"), ("mongodb_timeout_ms", "5")],
)
def test_out_of_range_numbers_are_refused(name: str, value: str) -> None:
    with pytest.raises(ValidationError):
        _settings(**{name: value})


def test_hash_concurrency_defaults_to_one_hash_per_four_usable_cores() -> None:
    cores = len(os.sched_getaffinity(0))

    assert Settings(_env_file=None).hash_concurrency == max(1, cores // 4)
    assert Settings(_env_file=None, password_hash_concurrency="").hash_concurrency == max(
        1, cores // 4
    )
    assert Settings(_env_file=None, password_hash_concurrency=3).hash_concurrency == 3
