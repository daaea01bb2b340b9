"""The run's data, written straight to the store in the documents' own shape.

Users: one with 100 contacts (the usual book), one with many (S5), one that
receives the creates of S3, and a few that only log in (S4). Contacts take ids
1..n and the counters are left at n, so the API's next id cannot collide.
"""

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import MongoClient

from auth.passwords import PasswordHasher

PASSWORD = "bench password 4 the load run"  # noqa: S105  # throw-away data in a throw-away store
SMALL, BIG, WRITER, FIRST_LOGIN = 1, 2, 3, 4
BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Seeded:
    small_ids: range  # the small book's contact ids
    big_ids: range
    login_users: int
    seconds: float  # how long writing the big book took


def email(user_id: int) -> str:
    return f"user{user_id}@bench.example.com"


def _contact(contact_id: int, user_id: int, moment: datetime) -> dict[str, Any]:
    name = f"Contact {contact_id:07d}"
    phone = f"+1555{contact_id:08d}"
    return {
        "_id": contact_id,
        "id_key": contact_id,
        "user_id": user_id,
        "name": name,
        "phone_number": phone,
        "email": f"c{contact_id}@example.com",
        "name_key": name.casefold(),
        "phone_key": phone,
        "email_key": f"c{contact_id}@example.com",
        "created_key": int(moment.timestamp() * 1000),
        "created_at": moment,
        "updated_at": moment,
        "version": 1,
    }


def seed(url: str, database: str, big: int, login_users: int) -> Seeded:
    client: MongoClient[dict[str, Any]] = MongoClient(url, tz_aware=True)
    db = client[database]
    moment = datetime.now(UTC).replace(microsecond=0)
    # The hash the app itself makes, so a login never rehashes (an extra write).
    password_hash = asyncio.run(PasswordHasher(1).hash(PASSWORD))
    users = range(1, FIRST_LOGIN + login_users)
    db.users.insert_many(
        {
            "_id": user,
            "first_name": "Bench",
            "last_name": f"User {user}",
            "email": email(user),
            "password_hash": password_hash,
            "created_at": moment,
        }
        for user in users
    )
    small_ids, big_ids = range(1, 101), range(101, 101 + big)
    db.contacts.insert_many(_contact(i, SMALL, moment) for i in small_ids)
    started = time.perf_counter()
    for first in range(big_ids.start, big_ids.stop, BATCH):
        batch = range(first, min(first + BATCH, big_ids.stop))
        db.contacts.insert_many((_contact(i, BIG, moment) for i in batch), ordered=False)
    seconds = time.perf_counter() - started
    db.counters.insert_many(
        [{"_id": "users", "seq": users[-1]}, {"_id": "contacts", "seq": big_ids.stop - 1}]
    )
    client.close()
    return Seeded(small_ids, big_ids, login_users, seconds)


def log_in(base_url: str, user_id: int) -> str:
    """An access token from the API's own /login: a real session for a real user."""
    body = json.dumps({"email": email(user_id), "password": PASSWORD}).encode()
    request = urllib.request.Request(  # noqa: S310  # loopback
        f"{base_url}/login", body, {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310  # loopback
        token: str = json.load(reply)["access_token"]
    return token
