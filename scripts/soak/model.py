"""What the server acknowledged: the expected state that the checks compare against."""

import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("name", "phone_number", "email")
# A few non-ASCII names, so that what is stored and listed is checked beyond ASCII.
NAMES = ("Chioma", "Emeka", "Ada", "Émeka", "Zoë", "Ngozi", "Tunde", "Şebnem", "李雷", "Olu")


@dataclass
class Tokens:
    access: str
    refresh: str


@dataclass
class User:
    index: int
    email: str
    password: str
    user_id: int = 0
    # id -> the fields, user_id and version of the latest acknowledged write.
    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    busy: set[int] = field(default_factory=set)  # contacts a lane is working on now
    sessions: dict[int, Tokens] = field(default_factory=dict)  # lane -> its live session
    revoked: list[Tokens] = field(default_factory=list)  # sessions ended by logout

    def token(self) -> str | None:
        return next((tokens.access for tokens in self.sessions.values()), None)


@contextmanager
def claim(user: User, rng: random.Random) -> Iterator[int | None]:
    """One of the user's contacts that no other lane is using, for the duration."""
    free = sorted(user.contacts.keys() - user.busy)
    if not free:
        yield None
        return
    contact_id = rng.choice(free)
    user.busy.add(contact_id)
    try:
        yield contact_id
    finally:
        user.busy.discard(contact_id)


def new_contact(rng: random.Random) -> dict[str, str]:
    """A valid body, already in the form the API stores (so its answer must echo it)."""
    name = f"{rng.choice(NAMES)} {rng.randrange(10**6)}"
    phone = ("+" if rng.random() < 0.5 else "") + str(rng.randrange(10**6, 10**12))
    return {"name": name, "phone_number": phone, "email": f"c{rng.randrange(10**9)}@example.com"}


def padded(body: Mapping[str, str], rng: random.Random) -> dict[str, str]:
    """The body as sent: sometimes with spaces around the name, which the API trims."""
    if "name" in body and rng.random() < 0.2:
        return {**body, "name": f"  {body['name']} "}
    return dict(body)


def stored(body: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a contact the model holds; timestamps are the server's own business."""
    return {key: body.get(key) for key in (*FIELDS, "user_id", "version")}
