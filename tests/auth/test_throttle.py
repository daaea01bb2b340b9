"""Login and registration limits, over HTTP, with the app's limits swapped for small ones."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Protocol

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from auth.throttle import Limits
from models import AttemptCounter, User
from tests.helpers import PASSWORD, make_user, register

PER_EMAIL, PER_IP, REGISTER_PER_IP = 3, 6, 4
# Long enough that the counting tests never see a window end while they run;
# the recovery test uses SHORT_WINDOW and waits it out.
WINDOW = timedelta(seconds=60)
SHORT_WINDOW = timedelta(seconds=2)
OTHER_ADDRESS = "203.0.113.7"
WRONG = "not the password"


class SetLimits(Protocol):
    def __call__(self, window: timedelta = ...) -> None: ...


@pytest.fixture
def limit(app: FastAPI) -> Iterator[SetLimits]:
    """Swap the app's limits for small ones (configuration, not a mock) until the test ends.

    Not `monkeypatch.setattr(app.state, ...)`: pytest 9 looks for the old value in
    the instance `__dict__`, where Starlette's `State` keeps nothing, so its undo
    deletes `app.state.auth` and breaks the session's app for every later test.
    """
    original = app.state.auth

    def swap(window: timedelta = WINDOW) -> None:
        limits = Limits(
            window=window,
            login_per_email=PER_EMAIL,
            login_per_ip=PER_IP,
            register_per_ip=REGISTER_PER_IP,
        )
        app.state.auth = dataclasses.replace(original, limits=limits)

    yield swap
    app.state.auth = original


@pytest.fixture
async def elsewhere(app: FastAPI, client: AsyncClient) -> AsyncIterator[AsyncClient]:
    """A client calling from another address than `client` (127.0.0.1)."""
    transport = ASGITransport(app=app, client=(OTHER_ADDRESS, 1234))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _login(client: AsyncClient, email: str, password: str = PASSWORD) -> Response:
    return await client.post("/login", json={"email": email, "password": password})


def _assert_throttled(response: Response, window: timedelta = WINDOW) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/json"
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit()
    seconds = int(retry_after)
    assert 1 <= seconds <= window.total_seconds()
    assert response.json() == {"detail": f"Too many attempts; retry in {seconds} seconds"}
    return seconds


async def test_failed_logins_for_one_email_lock_it_even_for_the_right_password(
    client: AsyncClient, limit: SetLimits
) -> None:
    await register(client, "victim@example.com")
    limit(SHORT_WINDOW)

    for _ in range(PER_EMAIL):
        assert (await _login(client, "victim@example.com", WRONG)).status_code == 401
    locked = await _login(client, "victim@example.com")

    retry_after = _assert_throttled(locked, SHORT_WINDOW)
    assert "token" not in locked.json()
    await asyncio.sleep(retry_after)
    recovered = await _login(client, "victim@example.com")
    assert recovered.status_code == 200, recovered.text
    assert recovered.json()["token"]


async def test_a_parallel_burst_of_guesses_gets_no_more_tries_than_the_limit(
    client: AsyncClient, limit: SetLimits
) -> None:
    await register(client, "victim@example.com")
    limit()

    burst = await asyncio.gather(
        *(_login(client, "victim@example.com", f"{WRONG} {i}") for i in range(4 * PER_EMAIL))
    )

    statuses = [response.status_code for response in burst]
    # Counted before the password is checked, so racing requests can't all slip in.
    # (At most, not exactly: each also counts against the per-address limit, in
    # whatever order the racing requests reach the two counters.)
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) <= PER_EMAIL
    assert statuses.count(429) >= 3 * PER_EMAIL


async def test_lockout_is_per_email_and_address(
    client: AsyncClient, elsewhere: AsyncClient, limit: SetLimits
) -> None:
    await register(client, "victim@example.com")
    await register(client, "bystander@example.com")
    limit()
    for _ in range(PER_EMAIL):
        assert (await _login(client, "victim@example.com", WRONG)).status_code == 401
    _assert_throttled(await _login(client, "victim@example.com"))

    # Another email from the same address is judged on its own...
    assert (await _login(client, "bystander@example.com", WRONG)).status_code == 401
    assert (await _login(client, "bystander@example.com")).status_code == 200
    # ...and the locked email from another address is not locked at all.
    assert (await _login(elsewhere, "victim@example.com")).status_code == 200
    assert (await _login(elsewhere, "victim@example.com", WRONG)).status_code == 401
    # From the first address it still is.
    _assert_throttled(await _login(client, "victim@example.com"))


async def test_failures_across_emails_lock_the_address(
    client: AsyncClient, elsewhere: AsyncClient, limit: SetLimits
) -> None:
    await register(client, "real@example.com")
    limit()

    # Fewer than PER_EMAIL per email, so only the per-address limit can trip.
    for i in range(PER_IP):
        email = f"guess{i // (PER_EMAIL - 1)}@example.com"
        assert (await _login(client, email, WRONG)).status_code == 401
    _assert_throttled(await _login(client, "real@example.com"))
    _assert_throttled(await _login(client, "fresh@example.com", WRONG))

    assert (await _login(elsewhere, "real@example.com")).status_code == 200
    assert (await _login(elsewhere, "guess0@example.com", WRONG)).status_code == 401


async def test_a_success_does_not_unlock_the_address(
    client: AsyncClient, limit: SetLimits
) -> None:
    await register(client, "real@example.com")
    limit()

    for i in range(PER_IP - 1):
        assert (await _login(client, f"guess{i}@example.com", WRONG)).status_code == 401
    # Not counted as a failure, and not wiping out the failures before it.
    assert (await _login(client, "real@example.com")).status_code == 200
    assert (await _login(client, "last@example.com", WRONG)).status_code == 401

    _assert_throttled(await _login(client, "real@example.com"))


async def test_successful_logins_alone_are_never_throttled(
    client: AsyncClient, limit: SetLimits
) -> None:
    await register(client, "frequent@example.com")
    limit()

    for _ in range(PER_IP + 1):
        assert (await _login(client, "frequent@example.com")).status_code == 200


async def test_registrations_per_address_are_limited(
    client: AsyncClient, elsewhere: AsyncClient, limit: SetLimits
) -> None:
    limit()
    statuses: list[int] = []
    for email in ["a@example.com", "b@example.com", "a@example.com", "c@example.com"]:
        body = {"first_name": "T", "last_name": "U", "email": email, "password": PASSWORD}
        statuses.append((await client.post("/register", json=body)).status_code)
    assert statuses == [201, 201, 409, 201]
    assert len(statuses) == REGISTER_PER_IP

    body = {"first_name": "T", "last_name": "U", "email": "d@example.com", "password": PASSWORD}
    _assert_throttled(await client.post("/register", json=body))

    assert await User.find(User.email == "d@example.com").count() == 0
    assert await User.find_all().count() == 3
    assert (await elsewhere.post("/register", json=body)).status_code == 201


async def test_counters_never_store_an_email_or_address(
    client: AsyncClient, elsewhere: AsyncClient, limit: SetLimits
) -> None:
    user = await make_user(client, "Private.Person@example.com")
    limit()
    await _login(client, user.email, WRONG)
    await _login(elsewhere, user.email, WRONG)
    await elsewhere.post(
        "/register",
        json={"first_name": "T", "last_name": "U", "email": "x@example.com", "password": PASSWORD},
    )

    counters = await AttemptCounter.get_pymongo_collection().find({}).to_list()

    # login-email and login-ip for both addresses, register-ip for both.
    assert len(counters) == 6
    for counter in counters:
        assert set(counter) == {"_id", "hits", "expires_at"}
        scope, _, digest = counter["_id"].partition(":")
        assert scope in {"login-email", "login-ip", "register-ip"}
        assert len(digest) == 64
        assert int(digest, 16) >= 0
        text = repr(counter).lower()
        for secret in ("private.person", "example.com", "127.0.0.1", OTHER_ADDRESS):
            assert secret not in text


async def test_password_confirmations_are_throttled_like_logins(
    client: AsyncClient, limit: SetLimits
) -> None:
    limit()  # first: a counter keeps the window it was opened with
    user = await make_user(client, "confirm@example.com")
    wrong = {"current_password": WRONG, "new_password": "a brand new passphrase"}

    for _ in range(PER_EMAIL):
        response = await client.post("/me/password", json=wrong, headers=user.headers)
        assert response.status_code == 400
    right = {"password": PASSWORD}
    _assert_throttled(await client.request("DELETE", "/me", json=right, headers=user.headers))
    _assert_throttled(await _login(client, user.email))

    assert await User.find(User.email == user.email).count() == 1
