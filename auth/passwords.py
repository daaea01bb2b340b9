"""Argon2id hashing, kept off the event loop and bounded in parallelism."""

import secrets

import anyio
from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher

from models.passwords import normalize

# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes), above
# OWASP's minimum of 19 MiB, 2 passes, 1 lane. Stated here rather than left to
# the library's defaults, so a dependency upgrade cannot weaken them silently;
# hashes made with other parameters are upgraded at the next successful login.
TIME_COST, MEMORY_COST_KIB, PARALLELISM = 3, 64 * 1024, 4


class PasswordHasher:
    """Hash and verify passwords in worker threads.

    Each Argon2 call holds 64 MiB for tens of milliseconds; the limiter caps how
    many run at once (4 → 256 MiB) so a burst of logins can neither exhaust
    memory nor take every thread that other requests need.
    """

    def __init__(self, max_parallel: int = 4) -> None:
        self._context = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM
                ),
            )
        )
        self._limiter = anyio.CapacityLimiter(max_parallel)
        # A real hash of a random secret: verifying against it costs what a real
        # verification costs, which hides whether an email has an account.
        self._dummy_hash = self._context.hash(secrets.token_urlsafe(32))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(
            self._context.hash, normalize(password), limiter=self._limiter
        )

    async def verify(self, password: str, password_hash: str) -> bool:
        valid, _ = await self.verify_and_update(password, password_hash)
        return valid

    async def verify_and_update(
        self, password: str, password_hash: str
    ) -> tuple[bool, str | None]:
        """Whether the password matches, and a new hash when the stored one is outdated."""
        return await anyio.to_thread.run_sync(
            self._verify_sync, normalize(password), password_hash, limiter=self._limiter
        )

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a verification for an account that does not exist."""
        await self.verify(password, self._dummy_hash)

    def _verify_sync(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        try:
            return self._context.verify_and_update(password, password_hash)
        except PwdlibError:
            return False, None
