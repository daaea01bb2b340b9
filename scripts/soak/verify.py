"""The end checks: each user's book equals what was acknowledged, and logouts still hold."""

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

from scripts.soak.model import Tokens, User, stored
from scripts.soak.recorder import Api
from scripts.soak.workload import CONTACT, MAX_PAGES, ok

PAGE = 50
SYNC_HOLD_BACK = 2.5  # the changes feed holds back changes younger than 2 s
REVOKED_SAMPLE = 10

Book = dict[int, dict[str, Any]]


async def log_in(api: Api, user: User) -> Tokens | None:
    credentials = {"email": user.email, "password": user.password}
    answer = await api.call("POST", "/login", json=credentials, expect=(200,))
    if not ok(answer, 200):
        return None
    body = answer.json()
    return Tokens(body["access_token"], body["refresh_token"])


async def token_of(api: Api, user: User) -> str | None:
    """A live session's access token: a lane's if any is left, else a new login."""
    if (token := user.token()) is None and (tokens := await log_in(api, user)):
        user.sessions[-1] = tokens
        token = tokens.access
    return token


def compare(api: Api, what: str, got: Mapping[int, Any], want: Mapping[int, Any]) -> None:
    missing, extra = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    if missing:
        api.stats.fail(f"{what}: acknowledged contacts missing: {missing[:10]}")
    if extra:
        api.stats.fail(f"{what}: contacts never acknowledged: {extra[:10]}")
    changed = [i for i in sorted(want.keys() & got.keys()) if got[i] != want[i]]
    for contact_id in changed[:3]:
        api.stats.fail(f"{what}: #{contact_id} is {got[contact_id]}, acked {want[contact_id]}")


async def listed_book(api: Api, token: str) -> Book | None:
    book: Book = {}
    params: dict[str, Any] = {"limit": PAGE}
    for _ in range(MAX_PAGES * 10):
        answer = await api.call("GET", "/contacts/", params=params, token=token, expect=(200,))
        if not ok(answer, 200):
            return None
        book |= {contact["id"]: stored(contact) for contact in answer.json()}
        if not (cursor := answer.headers.get("X-Next-Cursor")):
            return book
        params["cursor"] = cursor
    return None


async def synced_book(api: Api, token: str) -> Book | None:
    """A fresh device's first sync: the changes feed from the start."""
    book: Book = {}
    params: dict[str, Any] = {}
    for _ in range(MAX_PAGES * 10):
        answer = await api.call(
            "GET", "/contacts/changes", params=params, token=token, expect=(200,)
        )
        if not ok(answer, 200):
            return None
        body = answer.json()
        book |= {contact["id"]: stored(contact) for contact in body["changed"]}
        if not body["has_more"]:
            return book
        params["since"] = body["cursor"]
    return None


async def verify_user(api: Api, user: User, phase: str, sync: bool) -> None:
    what = f"{phase}, user {user.user_id}"
    if (token := await token_of(api, user)) is None:
        api.stats.fail(f"{what}: could not log in to check the book")
        return
    if (book := await listed_book(api, token)) is not None:
        compare(api, f"{what}, list", book, user.contacts)
    if sync and (book := await synced_book(api, token)) is not None:
        compare(api, f"{what}, changes feed", book, user.contacts)
    await asyncio.gather(
        *(
            api.call("GET", CONTACT, f"/contacts/{i}", token=token, expect=(404,))
            for i in sorted(user.deleted)
        )
    )


async def end_one_session(api: Api, user: User) -> None:
    """So that there is a logged-out token to check even when the mix logged none out."""
    if (tokens := await log_in(api, user)) is None:
        return
    if ok(await api.call("POST", "/logout", token=tokens.access, expect=(200,)), 200):
        user.revoked.append(tokens)


async def verify_revoked(api: Api, users: Sequence[User]) -> None:
    """Logged-out access tokens and their refresh tokens stay refused."""
    ended = [tokens for user in users for tokens in user.revoked][:REVOKED_SAMPLE]
    for tokens in ended:
        await api.call("GET", "/contacts/", token=tokens.access, expect=(401,))
        body = {"refresh_token": tokens.refresh}
        await api.call("POST", "/token/refresh", json=body, expect=(401,))


async def verify(api: Api, users: Sequence[User], phase: str, sync: bool) -> None:
    if sync:
        # Let the latest writes age past the feed's hold-back, so it must show them all.
        await asyncio.sleep(max(0.0, api.stats.last_write + SYNC_HOLD_BACK - time.monotonic()))
    await asyncio.gather(*(verify_user(api, user, phase, sync) for user in users if user.user_id))
    await verify_revoked(api, users)
    contacts = sum(len(user.contacts) for user in users)
    deleted = sum(len(user.deleted) for user in users)
    revoked = min(REVOKED_SAMPLE, sum(len(user.revoked) for user in users))
    checks = "list" + (" and changes feed" if sync else "")
    print(
        f"soak: {phase}: checked {contacts} contacts by {checks}, {deleted} deleted ids, "
        f"{revoked} logged-out sessions",
        flush=True,
    )
