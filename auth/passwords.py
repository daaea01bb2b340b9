"""Argon2id hashing, kept off the event loop and bounded in parallelism."""

import secrets
import unicodedata

import anyio
from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher


def _normalize(password: str) -> str:
    # NFKC so that the same password typed on two keyboards (composed vs.
    # decomposed accents, full-width digits) hashes alike.
    return unicodedata.normalize("NFKC", password)


class PasswordHasher:
    """Hash and verify passwords in worker threads.

    Each Argon2 call holds tens of MiB for tens of milliseconds; the limiter caps
    how many run at once so a burst of logins cannot exhaust memory or starve
    the threads that other requests need.
    """

    def __init__(self, max_parallel: int = 4) -> None:
        self._context = PasswordHash((Argon2Hasher(),))
        self._limiter = anyio.CapacityLimiter(max_parallel)
        # A real hash of a random secret: verifying against it costs what a real
        # verification costs, which hides whether an email has an account.
        self._dummy_hash = self._context.hash(secrets.token_urlsafe(32))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(
            self._context.hash, _normalize(password), limiter=self._limiter
        )

    async def verify(self, password: str, password_hash: str) -> bool:
        return await anyio.to_thread.run_sync(
            self._verify_sync, _normalize(password), password_hash, limiter=self._limiter
        )

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a verification for an account that does not exist."""
        await self.verify(password, self._dummy_hash)

    def _verify_sync(self, password: str, password_hash: str) -> bool:
        try:
            return self._context.verify(password, password_hash)
        except PwdlibError:
            return False
