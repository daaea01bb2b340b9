import stat
from pathlib import Path

import pytest

from auth.keys import SECRET_BYTES, load_or_create_secret


def test_creates_a_private_random_secret_once(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "jwt-secret"

    first = load_or_create_secret(path)
    second = load_or_create_secret(path)

    assert first.get_secret_value() == second.get_secret_value()
    assert len(first.get_secret_value()) >= SECRET_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_different_data_dirs_get_different_secrets(tmp_path: Path) -> None:
    one = load_or_create_secret(tmp_path / "a" / "jwt-secret")
    two = load_or_create_secret(tmp_path / "b" / "jwt-secret")

    assert one.get_secret_value() != two.get_secret_value()


def test_refuses_a_short_stored_secret(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    path.write_text("too-short\n")

    with pytest.raises(ValueError, match="shorter than"):
        load_or_create_secret(path)
