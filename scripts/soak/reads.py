"""Reads whose answers can't be compared exactly while other lanes write: list and sync.

They are checked for what must hold anyway: a contact deleted (acknowledged) before the
read began never shows up, and one acknowledged before it and untouched since is listed.
"""

from typing import Any

from scripts.soak.workload import MAX_PAGES, Lane, ok


async def read_pages(lane: Lane, limit: int) -> list[int] | None:
    """The ids of every page of the list, in order; None if it could not be read whole."""
    ids: list[int] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        answer = await lane.call("GET", "/contacts/", params=params, expect=(200,))
        if not ok(answer, 200):
            return None
        ids += [contact["id"] for contact in answer.json()]
        if not (cursor := answer.headers.get("X-Next-Cursor")):
            return ids
    return None


async def list_pages(lane: Lane) -> None:
    user = lane.user
    present, gone = set(user.contacts) - user.busy, set(user.deleted)
    ids = await read_pages(lane, lane.rng.randint(10, 100))
    if ids is None:
        return
    if ids != sorted(set(ids)):
        lane.api.stats.fail(f"user {user.user_id}: list pages out of order or repeated: {ids}")
    # Whatever was deleted or busy meanwhile may rightly be missing now.
    missing = present - set(ids) - user.deleted - user.busy
    resurrected = gone & set(ids)
    if missing or resurrected:
        lane.api.stats.fail(
            f"user {user.user_id}: list misses {sorted(missing)}, shows deleted {resurrected}"
        )


async def changes(lane: Lane) -> None:
    """Follow this device's changes feed from its last cursor until nothing is waiting."""
    user = lane.user
    for _ in range(MAX_PAGES):
        params = {"since": lane.since} if lane.since else {}
        answer = await lane.call("GET", "/contacts/changes", params=params, expect=(200,))
        if not ok(answer, 200):
            return
        body = answer.json()
        foreign = [item["id"] for item in body["changed"] if item["user_id"] != user.user_id]
        # A deletion this user never had acknowledged, nor has in flight, is a phantom.
        phantom = set(body["deleted"]) - user.deleted - user.busy
        if foreign or phantom:
            lane.api.stats.fail(f"user {user.user_id}: changes feed {foreign=} {phantom=}")
        lane.since = body["cursor"]
        if not body["has_more"]:
            return
