"""The lanes: each is one device of a user, sending a seeded mix of requests one at a time."""

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeGuard

import httpx

from scripts.soak.model import FIELDS, Tokens, User, claim, new_contact, padded, stored
from scripts.soak.recorder import Api

CONTACT = "/contacts/{id}"
JSON = {"Content-Type": "application/json"}
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
MAX_PAGES = 25


def ok(response: httpx.Response | None, status: int) -> TypeGuard[httpx.Response]:
    """The request got an answer, and it was `status`."""
    return response is not None and response.status_code == status


class Lane:
    def __init__(self, api: Api, user: User, number: int, rng: random.Random) -> None:
        self.api, self.user, self.number, self.rng = api, user, number, rng
        self.since: str | None = None  # this device's changes-feed cursor

    # -- sessions -------------------------------------------------------------------

    @property
    def tokens(self) -> Tokens:
        return self.user.sessions[self.number]

    async def log_in(self) -> bool:
        credentials = {"email": self.user.email, "password": self.user.password}
        answer = await self.api.call("POST", "/login", json=credentials, expect=(200,))
        self._keep_session(answer)
        return ok(answer, 200)

    def _keep_session(self, answer: httpx.Response | None) -> None:
        if ok(answer, 200):
            body = answer.json()
            self.user.sessions[self.number] = Tokens(body["access_token"], body["refresh_token"])
        else:
            self.user.sessions.pop(self.number, None)

    async def _refresh(self, refresh_token: str, expect: int) -> httpx.Response | None:
        body = {"refresh_token": refresh_token}
        return await self.api.call("POST", "/token/refresh", json=body, expect=(expect,))

    async def refused(self, access_token: str) -> None:
        await self.api.call(
            "GET", "/contacts/", params={"limit": 1}, token=access_token, expect=(401,)
        )

    async def refresh(self) -> None:
        self._keep_session(await self._refresh(self.tokens.refresh, 200))

    async def relogin(self) -> None:
        """Log out, check the token is refused now, and sign in again."""
        ended = self.tokens
        answer = await self.api.call("POST", "/logout", token=ended.access, expect=(200,))
        del self.user.sessions[self.number]
        if ok(answer, 200):
            self.user.revoked.append(ended)
            await self.refused(ended.access)
        await self.log_in()

    async def replay_refresh(self) -> None:
        """Present a spent refresh token, as a thief would: that must end the session."""
        spent = self.tokens.refresh
        self._keep_session(await self._refresh(spent, 200))
        if self.number not in self.user.sessions:
            return
        current = self.tokens
        await self._refresh(spent, 401)
        del self.user.sessions[self.number]
        await self.refused(current.access)
        await self.log_in()

    # -- contacts -------------------------------------------------------------------

    async def call(
        self, method: str, route: str, path: str | None = None, **kwargs: Any
    ) -> httpx.Response | None:
        return await self.api.call(method, route, path, token=self.tokens.access, **kwargs)

    def expected(self, fields: Mapping[str, Any], version: int) -> dict[str, Any]:
        return stored({**fields, "user_id": self.user.user_id, "version": version})

    def check(self, what: str, answer: Mapping[str, Any], expected: Mapping[str, Any]) -> None:
        if (got := stored(answer)) != expected:
            self.api.stats.fail(f"{what}: answered {got}, expected {expected}")

    def acknowledge(self, answer: Mapping[str, Any], sent: Mapping[str, str]) -> None:
        contact_id = answer["id"]
        if contact_id in self.user.contacts or contact_id in self.user.deleted:
            self.api.stats.fail(f"POST /contacts/ reused id {contact_id}")
        self.check(f"POST /contacts/ -> {contact_id}", answer, self.expected(sent, 1))
        # The answer, not what was sent: the final checks test that acks are durable.
        self.user.contacts[contact_id] = stored(answer)

    async def post(
        self, body: Mapping[str, str], key: str | None = None, expect: tuple[int, ...] = (201,)
    ) -> httpx.Response | None:
        headers = {"Idempotency-Key": key} if key else None
        return await self.call("POST", "/contacts/", json=body, headers=headers, expect=expect)

    async def create(self) -> None:
        body = new_contact(self.rng)
        answer = await self.post(padded(body, self.rng))
        if ok(answer, 201):
            self.acknowledge(answer.json(), body)

    async def create_idempotent(self) -> None:
        body, key = new_contact(self.rng), f"soak-{self.rng.getrandbits(64):016x}"
        mode = self.rng.choice(("retry", "race", "conflict"))
        if mode == "race":
            await self._race(body, key)
            return
        first = await self.post(body, key)
        if not ok(first, 201):
            return
        self.acknowledge(first.json(), body)
        if mode == "conflict":
            await self.post(new_contact(self.rng), key, expect=(422,))
            return
        again = await self.post(body, key)
        if ok(again, 201):
            replayed = again.headers.get("Idempotent-Replayed") == "true"
            if again.json()["id"] != first.json()["id"] or not replayed:
                self.api.stats.fail(f"Idempotency-Key {key} retried: {again.text[:120]}")

    async def _race(self, body: Mapping[str, str], key: str) -> None:
        # A retry may meet the first request still running: 409 then, never a second id.
        answers = await asyncio.gather(*(self.post(body, key, (201, 409)) for _ in range(2)))
        created = [answer.json() for answer in answers if ok(answer, 201) and answer]
        if len({answer["id"] for answer in created}) != 1:
            statuses = [answer and answer.status_code for answer in answers]
            self.api.stats.fail(f"racing creates with key {key}: {statuses}, {created}")
        if created:
            self.acknowledge(created[0], body)

    async def on_a_contact(self, action: Callable[[int], Awaitable[None]]) -> None:
        """Run `action` on a contact no other lane is using; with none, create one instead."""
        with claim(self.user, self.rng) as contact_id:
            if contact_id is not None:
                await action(contact_id)
                return
        await self.create()

    async def read(self) -> None:
        await self.on_a_contact(self._read)

    async def _read(self, contact_id: int) -> None:
        known, path = self.user.contacts[contact_id], f"/contacts/{contact_id}"
        if self.rng.random() < 0.25:
            tag = {"If-None-Match": f'"{known["version"]}"'}
            await self.call("GET", CONTACT, path, headers=tag, expect=(304,))
            return
        answer = await self.call("GET", CONTACT, path, expect=(200,))
        if ok(answer, 200):
            self.check(f"GET {path}", answer.json(), known)

    async def _write(self, contact_id: int, method: str, body: Mapping[str, Any]) -> None:
        known, path = self.user.contacts[contact_id], f"/contacts/{contact_id}"
        merged = method == "PATCH"
        headers = dict(MERGE_PATCH if merged else JSON)
        if self.rng.random() < 0.3:
            headers["If-Match"] = f'"{known["version"]}"'
        content = json.dumps(padded(body, self.rng))
        answer = await self.call(
            method, CONTACT, path, content=content, headers=headers, expect=(200,)
        )
        if ok(answer, 200):
            fields = {**known, **body} if merged else body
            expected = self.expected(fields, known["version"] + 1)
            self.check(f"{method} {path}", answer.json(), expected)
            self.user.contacts[contact_id] = stored(answer.json())

    async def replace(self) -> None:
        body = new_contact(self.rng)
        await self.on_a_contact(lambda contact_id: self._write(contact_id, "PUT", body))

    async def patch(self) -> None:
        fresh = new_contact(self.rng)
        changed = self.rng.sample(FIELDS, self.rng.randint(1, len(FIELDS)))
        body = {name: fresh[name] for name in changed}
        await self.on_a_contact(lambda contact_id: self._write(contact_id, "PATCH", body))

    async def delete(self) -> None:
        await self.on_a_contact(self._delete)

    async def _delete(self, contact_id: int) -> None:
        known, path = self.user.contacts[contact_id], f"/contacts/{contact_id}"
        tag = {"If-Match": f'"{known["version"]}"'} if self.rng.random() < 0.3 else None
        if ok(await self.call("DELETE", CONTACT, path, headers=tag, expect=(204,)), 204):
            del self.user.contacts[contact_id]
            self.user.deleted.add(contact_id)
            if self.rng.random() < 0.3:
                await self.call("GET", CONTACT, path, expect=(404,))
