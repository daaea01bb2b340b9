"""The app itself refuses to start with a signing secret under 32 bytes outside embedded mode."""

import pytest
from pydantic import ValidationError

from api.main import create_app

SHORT = "s" * 31


@pytest.mark.parametrize("secret", [SHORT, "é" * 15])  # 31 and 30 bytes
def test_create_app_refuses_a_short_secret_with_mongodb(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db.invalid:27017")
    monkeypatch.setenv("JWT_SECRET", secret)

    with pytest.raises(ValidationError, match="at least 32 bytes") as refused:
        create_app()

    assert secret not in str(refused.value)


def test_create_app_accepts_exactly_32_bytes_with_mongodb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URL", "mongodb://db.invalid:27017")
    monkeypatch.setenv("JWT_SECRET", "é" * 16)  # 16 characters, 32 bytes

    assert create_app().state.settings.jwt_secret is not None
