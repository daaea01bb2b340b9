"""Argon2id hashing, kept off the event loop, bounded in parallelism, and yielding to it."""

import asyncio
import contextlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError
from pwdlib.hashers.argon2 import Argon2Hasher

from models.passwords import normalize

# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes), above
# OWASP's minimum of 19 MiB, 2 passes, 1 lane. Stated here rather than left to
# the library's defaults, so a dependency upgrade cannot weaken them silently;
# hashes made with other parameters are upgraded at the next successful login.
TIME_COST, MEMORY_COST_KIB, PARALLELISM = 3, 64 * 1024, 4
# Niceness of the hashing threads (0 is normal, 19 the lowest priority).
HASHING_NICENESS = 10

T = TypeVar("T")


def _yield_to_requests() -> None:
    # Each hash keeps PARALLELISM lane threads busy, started from this thread and so
    # inheriting its priority (Linux keeps niceness per thread). At a lower priority,
    # a burst of logins takes the cores only when requests that need no hashing
    # don't want them. Where the OS can't, hashing runs at normal priority.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class PasswordHasher:
    """Hash and verify passwords in a pool of low-priority threads of their own.

    Each Argon2 call holds 64 MiB for tens of milliseconds; the pool's size caps how
    many run at once (4 → 256 MiB) so a burst of logins can neither exhaust memory
    nor take the threads that other blocking work needs.
    """

    def __init__(self, max_parallel: int = 4) -> None:
        self._context = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM
                ),
            )
        )
        self._pool = ThreadPoolExecutor(
            max_parallel, thread_name_prefix="argon2", initializer=_yield_to_requests
        )
        # A real hash of a random secret: verifying against it costs what a real
        # verification costs, which hides whether an email has an account.
        self._dummy_hash = self._context.hash(secrets.token_urlsafe(32))

    def close(self) -> None:
        """Let the threads go once the hashes under way are done."""
        self._pool.shutdown(wait=False)

    async def _run(self, work: Callable[..., T], *args: str) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

    async def hash(self, password: str) -> str:
        return await self._run(self._context.hash, normalize(password))

    async def verify(self, password: str, password_hash: str) -> bool:
        valid, _ = await self.verify_and_update(password, password_hash)
        return valid

    async def verify_and_update(
        self, password: str, password_hash: str
    ) -> tuple[bool, str | None]:
        """Whether the password matches, and a new hash when the stored one is outdated."""
        return await self._run(self._verify_sync, normalize(password), password_hash)

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of a verification for an account that does not exist."""
        await self.verify(password, self._dummy_hash)

    def _verify_sync(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        try:
            return self._context.verify_and_update(password, password_hash)
        except PwdlibError:
            return False, None
