"""The signing secret of local (embedded-store) mode, made once and kept on disk."""

import os
import secrets
from pathlib import Path

from pydantic import SecretStr

SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> SecretStr:
    """Return the secret stored at `path`, creating it (mode 0600) on first use.

    Kept on disk so that tokens survive a restart; created with O_EXCL so two
    processes starting at once agree on one secret.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < SECRET_BYTES:
            raise ValueError(f"{path} holds a secret shorter than {SECRET_BYTES} bytes") from None
        return SecretStr(secret)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secret + "\n")
    return SecretStr(secret)
