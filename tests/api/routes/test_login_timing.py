"""POST /login: an unknown email and a wrong password are indistinguishable, timing included."""

import dataclasses
import statistics
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from auth.throttle import Limits
from tests.helpers import UserSession

ROUNDS = 15
UNKNOWN_EMAIL = "nobody-here@example.com"
WRONG_PASSWORD = "not alice's password"
# The slower median may be at most this much slower than the faster one.
MAX_RATIO = 1.25


@pytest.fixture
def unthrottled(app: FastAPI) -> Iterator[None]:
    """Raise the login limits so that all the failures below reach the password check.

    The app's limits are swapped for generous ones (configuration, not a mock)
    and put back afterwards. Not `monkeypatch.setattr(app.state, ...)`: its undo
    deletes `app.state.auth` and breaks the session's app for every later test.
    """
    original = app.state.auth
    generous = dataclasses.replace(
        original.limits,
        login_per_email=10 * ROUNDS,
        login_per_ip=10 * ROUNDS,
    )
    app.state.auth = dataclasses.replace(original, limits=generous)
    try:
        yield
    finally:
        app.state.auth = original


async def _timed_login(client: AsyncClient, email: str) -> tuple[float, Response]:
    started = time.perf_counter()
    response = await client.post("/login", json={"email": email, "password": WRONG_PASSWORD})
    return time.perf_counter() - started, response


@pytest.mark.usefixtures("unthrottled")
async def test_unknown_email_and_wrong_password_answer_alike_and_take_alike_long(
    app: FastAPI, client: AsyncClient, alice: UserSession
) -> None:
    assert isinstance(app.state.auth.limits, Limits)
    # One of each first, untimed: thread pools and connections warm up.
    for email in (UNKNOWN_EMAIL, alice.email):
        await _timed_login(client, email)

    unknown: list[float] = []
    wrong: list[float] = []
    responses: list[Response] = []
    for round_ in range(ROUNDS):
        # Alternate which goes first, so drift in the machine's load (other
        # processes, a garbage collection) falls on both sides alike.
        order = [UNKNOWN_EMAIL, alice.email] if round_ % 2 == 0 else [alice.email, UNKNOWN_EMAIL]
        for email in order:
            seconds, response = await _timed_login(client, email)
            (unknown if email == UNKNOWN_EMAIL else wrong).append(seconds)
            responses.append(response)

    # The same answer, byte for byte: status, body and the bearer challenge.
    assert {r.status_code for r in responses} == {401}
    assert {r.content for r in responses} == {b'{"detail":"Incorrect email or password"}'}
    assert {r.headers["www-authenticate"] for r in responses} == {"Bearer"}
    # A ratio, not a difference in milliseconds: Argon2id takes 0.1-0.3 s here
    # and more on a loaded machine, so only the proportion is stable from one
    # machine to the next. It holds because log_in (auth/service.py) spends a
    # full Argon2id verification against a dummy hash (verify_dummy) when the
    # email has no account: without it an unknown email answers after one
    # database lookup, many times faster than a wrong password.
    slow, fast = sorted((statistics.median(unknown), statistics.median(wrong)), reverse=True)
    assert slow / fast <= MAX_RATIO, (
        f"unknown email {statistics.median(unknown):.3f}s, "
        f"wrong password {statistics.median(wrong):.3f}s"
    )
