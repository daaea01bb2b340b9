"""Set the users up and run every lane until the request budget or the time is spent."""

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence

from scripts.soak import mistakes, reads
from scripts.soak.model import User
from scripts.soak.recorder import Api
from scripts.soak.workload import Lane, ok

Op = Callable[[Lane, Sequence[Lane]], Awaitable[None]]


# Weights: mostly contact traffic. Logins are rare because each costs an Argon2 hash
# (about 0.2 s of server CPU), which would otherwise dominate the run.
OPS: tuple[tuple[Op, float], ...] = (
    (lambda lane, _: lane.create(), 20),
    (lambda lane, _: lane.create_idempotent(), 5),
    (lambda lane, _: lane.read(), 16),
    (lambda lane, _: lane.replace(), 8),
    (lambda lane, _: lane.patch(), 8),
    (lambda lane, _: lane.delete(), 7),
    (lambda lane, _: reads.list_pages(lane), 8),
    (lambda lane, _: reads.changes(lane), 5),
    (lambda lane, _: lane.refresh(), 3),
    (mistakes.make_mistake, 8),
    (lambda lane, _: lane.relogin(), 1.0),
    (lambda lane, _: lane.replay_refresh(), 0.4),
)


def make_users(count: int, run_tag: str) -> list[User]:
    # The run tag keeps emails unique across runs against one long-running server.
    return [
        User(i, f"soak{i}.{run_tag}@example.com", f"soak password {run_tag} {i}")
        for i in range(count)
    ]


async def register(api: Api, user: User) -> None:
    body = {"first_name": "Soak", "last_name": f"User {user.index}"}
    body |= {"email": user.email, "password": user.password}
    answer = await api.call("POST", "/register", json=body, expect=(201,))
    if ok(answer, 201):
        user.user_id = answer.json()["id"]


def make_lanes(api: Api, users: Sequence[User], concurrency: int, seed: int) -> list[Lane]:
    """Enough lanes (devices) to keep `concurrency` requests in flight."""
    per_user = max(1, math.ceil(concurrency / len(users)))
    return [
        Lane(api, user, number, random.Random(f"{seed}:{user.index}:{number}"))  # noqa: S311
        for user in users
        if user.user_id
        for number in range(per_user)
    ]


async def drive(lane: Lane, lanes: Sequence[Lane], done: Callable[[], bool]) -> None:
    operations, weights = zip(*OPS, strict=True)
    while not done():
        if lane.number not in lane.user.sessions and not await lane.log_in():
            return  # reported already; without a session this lane can do nothing
        await lane.rng.choices(operations, weights)[0](lane, lanes)


async def run_workload(
    api: Api, users: Sequence[User], *, concurrency: int, seed: int, budget: int, seconds: float
) -> None:
    await asyncio.gather(*(register(api, user) for user in users))
    lanes = make_lanes(api, users, concurrency, seed)
    await asyncio.gather(*(lane.log_in() for lane in lanes))
    deadline = time.monotonic() + seconds

    def done() -> bool:
        return api.stats.sent >= budget or time.monotonic() >= deadline

    await asyncio.gather(*(drive(lane, lanes, done) for lane in lanes))
