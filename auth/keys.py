"""The signing secret of local (embedded-store) mode, made once and kept on disk."""

import os
import secrets
import tempfile
from contextlib import suppress
from pathlib import Path

from pydantic import SecretStr

SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> SecretStr:
    """Return the secret stored at `path`, creating it (mode 0600) on first use.

    Kept on disk so that tokens survive a restart. Written to a temporary file and
    linked into place, so a crash never leaves an empty secret behind and two
    processes starting at once agree on one secret (the first link wins).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".jwt-secret-")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:  # mkstemp makes it 0600
                file.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
                file.flush()
                os.fsync(file.fileno())
            # FileExistsError: another process won the race; its secret is used.
            with suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < SECRET_BYTES:
        raise ValueError(f"{path} holds a secret shorter than {SECRET_BYTES} bytes")
    return SecretStr(secret)
