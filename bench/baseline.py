"""The baseline: the least FastAPI + raw PyMongo app that does the API's work.

The benchmarked endpoints only, without Beanie, response models or middleware: the
JWT checks of auth/tokens.py, the two lookups of auth/deps.py (concurrently), the
queries of contacts/listing.py and contacts/service.py, the same JSON (checked).
"""

import asyncio
import base64
import binascii
import json
import os
import re
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import jwt
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, EmailStr, Field, StringConstraints
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

Doc = dict[str, Any]
REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]
FIELDS = ("id", "name", "phone_number", "email", "user_id", "created_at", "updated_at")
# What contacts/listing.py reads of each listed row.
ROW = [*FIELDS[1:], "version", "name_key", "created_key"]
_NOT_DIGITS = re.compile(r"[^0-9]")


class ContactIn(BaseModel):
    name: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1F\x7F]*$"
        ),
    ]
    phone_number: Annotated[str, Field(pattern=r"^\+?[0-9]{7,15}$")]
    email: EmailStr


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(os.environ["MONGODB_URL"], tz_aware=True)
    app.state.db = client[os.environ.get("MONGODB_DB", "contacts")]
    yield
    await client.close()


def now() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def unauthorized() -> HTTPException:
    return HTTPException(401, "Invalid or expired token", {"WWW-Authenticate": "Bearer"})


async def current_user(request: Request) -> int:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized()
    try:
        decoded = jwt.decode_complete(
            token,
            os.environ["JWT_SECRET"],
            algorithms=["HS256"],
            options={"require": REQUIRED_CLAIMS},
            issuer=os.environ.get("JWT_ISSUER", "contacts-api"),
            audience=os.environ.get("JWT_AUDIENCE", "contacts-api"),
            leeway=10,
        )
        user_id, payload = int(decoded["payload"]["sub"]), decoded["payload"]
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
        raise unauthorized() from exc
    if decoded["header"].get("typ") != "at+jwt" or user_id < 1:
        raise unauthorized()
    db: AsyncDatabase[Doc] = request.app.state.db
    alive = {"_id": payload["sid"], "user_id": user_id, "expires_at": {"$gt": now()}}
    revoked, active = await asyncio.gather(
        db.revoked_tokens.find_one({"jti": payload["jti"]}, projection={"_id": 1}),
        db.sessions.find_one(alive, projection={"_id": 1}),
    )
    if revoked is not None or active is None:
        raise unauthorized()
    return user_id


UserId = Annotated[int, Depends(current_user)]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def out(doc: Doc) -> Doc:
    row = {name: doc["_id" if name == "id" else name] for name in FIELDS}
    row["created_at"], row["updated_at"] = stamp(doc["created_at"]), stamp(doc["updated_at"])
    row["version"] = doc["version"]
    return row


def as_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status, headers, media_type="application/json")


def after_id(cursor: str) -> int:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if state["sort"] != "id" or state["q"] is not None or state["after"] is not None:
            raise ValueError("another query's cursor")
        return int(state["id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise HTTPException(422, "Invalid cursor") from exc


async def list_contacts(
    *,
    request: Request,
    user_id: UserId,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    total: bool = True,
) -> Response:
    contacts = request.app.state.db.contacts
    owned = {"user_id": {"$eq": user_id}}  # as models.contact.owned_by()
    query = owned if cursor is None else {**owned, "id_key": {"$gt": after_id(cursor)}}
    found = contacts.find(query, ROW).sort([("id_key", 1)]).skip(offset).limit(limit + 1)
    headers: dict[str, str] = {}
    if total:
        counted = contacts.aggregate([{"$match": owned}, {"$count": "n"}])
        rows, counts = await asyncio.gather(found.to_list(), (await counted).to_list())
        headers["X-Total-Count"] = str(counts[0]["n"] if counts else 0)
    else:
        rows = await found.to_list()
    if len(rows) > limit:
        state = {"sort": "id", "q": None, "after": None, "id": rows[limit - 1]["_id"]}
        raw = json.dumps(state, separators=(",", ":")).encode()
        headers["X-Next-Cursor"] = following = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        url = request.url.remove_query_params("offset").include_query_params(cursor=following)
        headers["Link"] = f'<{url}>; rel="next"'
    return as_json([out(row) for row in rows[:limit]], headers=headers)


async def read_contact(request: Request, id: int, user_id: UserId) -> Response:
    doc = await request.app.state.db.contacts.find_one({"_id": id, "user_id": user_id})
    if doc is None:
        raise HTTPException(404, "Contact not found")
    return as_json(out(doc), headers={"ETag": f'"{doc["version"]}"'})


def derived_keys(body: ContactIn) -> dict[str, str]:  # contacts/phones.py, no country code
    folded = unicodedata.normalize("NFKD", body.name.casefold())
    digits = _NOT_DIGITS.sub("", body.phone_number)
    return {
        "name_key": "".join(c for c in folded if not unicodedata.combining(c)),
        "phone_key": f"+{digits}" if body.phone_number.startswith("+") else digits,
        "email_key": body.email.lower(),
    }


async def create_contact(
    request: Request,
    body: ContactIn,
    user_id: UserId,
    on_duplicate: Literal["flag", "reject"] = "flag",
) -> Response:
    db: AsyncDatabase[Doc] = request.app.state.db
    fields, keys = body.model_dump(), derived_keys(body)
    lookups = [
        db.contacts.find({"user_id": {"$eq": user_id}, key: {"$eq": keys[key]}}, {"_id": 1})
        for key in ("phone_key", "email_key")
    ]
    found = await asyncio.gather(*(lookup.to_list() for lookup in lookups))
    duplicates = sorted({doc["_id"] for docs in found for doc in docs})
    if duplicates and on_duplicate == "reject":
        return as_json({"detail": "Duplicate contact", "duplicate_of": duplicates}, 409)
    counter = await db.counters.find_one_and_update(
        {"_id": "contacts"},
        {"$inc": {"seq": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    assert counter is not None  # noqa: S101  # upsert=True always returns one
    moment = now()
    doc = {"_id": counter["seq"], "id_key": counter["seq"], "user_id": user_id, **fields, **keys}
    doc["version"] = 1
    doc |= {"created_key": int(moment.timestamp() * 1000), "created_at": moment}
    doc["updated_at"] = moment
    await db.contacts.insert_one(doc)
    headers = {"Location": str(request.url_for("read_contact", id=doc["_id"])), "ETag": '"1"'}
    return as_json({**out(doc), "possible_duplicate_of": duplicates}, 201, headers)


async def healthz() -> Response:
    return as_json({"status": "ok"})


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan, openapi_url=None)
    app.add_api_route("/healthz", healthz)
    app.add_api_route("/contacts/", list_contacts)
    app.add_api_route("/contacts/", create_contact, methods=["POST"])
    app.add_api_route("/contacts/{id}", read_contact, name="read_contact")
    return app
