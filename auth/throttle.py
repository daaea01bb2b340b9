"""Limits on guessing passwords and on sign-ups, counted in the database.

Keys are hashed: the counters say how often, never which email or address.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from auth.errors import TooManyAttempts
from models.attempts import count_attempt, uncount_attempt


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    maximum: int


@dataclass(frozen=True, slots=True)
class Limits:
    window: timedelta
    # Failed logins for one email from one client address. Scoped to the address
    # so that a flood against an email from elsewhere never locks its owner out.
    login_per_email: int
    # Failed logins from one client address, whatever the emails.
    login_per_ip: int
    # Registrations (successful or not) from one client address.
    register_per_ip: int

    def login(self, email: str, ip: str | None) -> list[Limit]:
        return [
            Limit(_key("login-email", email, ip), self.login_per_email),
            Limit(_key("login-ip", ip), self.login_per_ip),
        ]

    def register(self, ip: str | None) -> list[Limit]:
        return [Limit(_key("register-ip", ip), self.register_per_ip)]


def _key(scope: str, *parts: str | None) -> str:
    digest = hashlib.sha256("\x00".join(part or "" for part in parts).encode()).hexdigest()
    return f"{scope}:{digest}"


async def count(limits: Sequence[Limit], window: timedelta) -> None:
    """Count one attempt against every limit; refuse it if any is exceeded.

    Counted before the attempt is made, so a burst of parallel guesses cannot
    all slip in ahead of the first recorded failure.
    """
    tallies = await asyncio.gather(*(count_attempt(limit.key, window) for limit in limits))
    exceeded = [t for limit, t in zip(limits, tallies, strict=True) if t.hits > limit.maximum]
    if exceeded:
        raise TooManyAttempts(max(t.resets_at for t in exceeded))


async def forgive(limits: Sequence[Limit]) -> None:
    """Take back an attempt that succeeded: only failures count, and earlier ones stay."""
    await asyncio.gather(*(uncount_attempt(limit.key) for limit in limits))
