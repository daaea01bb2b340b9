"""Bad requests a client makes by mistake (or on purpose): each must get its 4xx, never a 5xx.

The writes among them must change nothing, which the final comparison proves.
"""

from collections.abc import Awaitable, Callable, Sequence

from scripts.soak.model import claim, new_contact
from scripts.soak.workload import CONTACT, MERGE_PATCH, Lane

Mistake = Callable[[Lane, Sequence[Lane]], Awaitable[object]]


async def bad_phone(lane: Lane, _: Sequence[Lane]) -> object:
    body = {**new_contact(lane.rng), "phone_number": lane.rng.choice(("12-34", "123", "+" * 9))}
    return await lane.post(body, expect=(422,))


async def unknown_id(lane: Lane, _: Sequence[Lane]) -> object:
    deleted = sorted(lane.user.deleted)
    # Far beyond any id this run makes, yet small enough to be a valid id everywhere.
    contact_id = lane.rng.choice(deleted) if deleted else 10**12
    method = lane.rng.choice(("GET", "DELETE"))
    return await lane.call(method, CONTACT, f"/contacts/{contact_id}", expect=(404,))


async def foreign_id(lane: Lane, lanes: Sequence[Lane]) -> object:
    """Another user's contact looks exactly like a missing one, and can't be replaced."""
    other = lane.rng.choice(lanes).user
    ids = sorted(other.contacts.keys() | other.deleted)
    if other is lane.user or not ids:
        return None
    path = f"/contacts/{lane.rng.choice(ids)}"
    if lane.rng.random() < 0.5:
        return await lane.call("GET", CONTACT, path, expect=(404,))
    return await lane.call("PUT", CONTACT, path, json=new_contact(lane.rng), expect=(404,))


async def bad_token(lane: Lane, _: Sequence[Lane]) -> object:
    revoked = [tokens.access for tokens in lane.user.revoked]
    token = lane.rng.choice(revoked) if revoked else "not-a-token"
    return await lane.api.call("GET", "/contacts/", token=token, expect=(401,))


async def non_integer_id(lane: Lane, _: Sequence[Lane]) -> object:
    return await lane.call("GET", CONTACT, "/contacts/abc", expect=(422,))


async def stale_write(lane: Lane, _: Sequence[Lane]) -> object:
    """A write conditional on an old version, or a merge patch removing a required field."""
    with claim(lane.user, lane.rng) as contact_id:
        if contact_id is None:
            return None
        path = f"/contacts/{contact_id}"
        if lane.rng.random() < 0.5:
            stale = {"If-Match": f'"{lane.user.contacts[contact_id]["version"] - 1}"'}
            body = new_contact(lane.rng)
            return await lane.call("PUT", CONTACT, path, json=body, headers=stale, expect=(412,))
        null = '{"name": null}'
        return await lane.call(
            "PATCH", CONTACT, path, content=null, headers=MERGE_PATCH, expect=(422,)
        )


MISTAKES: tuple[Mistake, ...] = (
    bad_phone,
    unknown_id,
    foreign_id,
    bad_token,
    non_integer_id,
    stale_write,
)


async def make_mistake(lane: Lane, lanes: Sequence[Lane]) -> None:
    await lane.rng.choice(MISTAKES)(lane, lanes)
