"""The caller's address book: list, create, read, replace, patch, delete, merge."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import BookDep, IfMatch, OwnedContact, etag, get_owned_contact, set_etag
from api.errors import (
    KEY_IN_PROGRESS,
    NOT_FOUND,
    PRECONDITION_FAILED,
    UNAUTHORIZED,
    UNAVAILABLE,
    Responses,
)
from auth.deps import CurrentUserId
from contacts.idempotency import StoredResponse, fingerprint, run_once
from contacts.listing import ListQuery, Sort, read_page, search_filter
from contacts.service import create_contact, delete_contact, merge_into, update_contact
from models import Contact
from models.contact import ContactCreated, ContactIn, ContactOut, ContactPatch
from models.fields import MAX_ID

MAX_PAGE = 500
MAX_OFFSET = 1_000_000_000
MERGE_PATCH = "application/merge-patch+json"

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)

ETAG_HEADER = {"ETag": {"description": 'The contact\'s version, `"<version>"`'}}
WITH_ETAG: Responses = {200: {"headers": ETAG_HEADER}}
WRITE_ERRORS: Responses = {**NOT_FOUND, **PRECONDITION_FAILED}


@router.get(
    "/",
    response_model=list[ContactOut],
    responses={
        200: {
            "headers": {
                "X-Total-Count": {"description": "Contacts matching `q`, all pages"},
                "X-Next-Cursor": {"description": "The `cursor` of the next page, if any"},
                "Link": {"description": 'The next page\'s URL, `rel="next"`'},
            }
        }
    },
)
async def list_contacts(
    *,
    user_id: CurrentUserId,
    request: Request,
    response: Response,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of a name, email or phone number")
    ] = None,
    sort: Sort = "id",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="From `X-Next-Cursor`: the next page")
    ] = None,
) -> list[ContactOut]:
    """List the caller's contacts; page with `cursor` (keyset) or `offset`."""
    query = ListQuery(user_id, q, sort, limit, offset, cursor)
    page, total = await asyncio.gather(
        read_page(query), Contact.find(search_filter(user_id, q)).count()
    )
    response.headers["X-Total-Count"] = str(total)
    if page.next_cursor is not None:
        following = request.url.remove_query_params("offset").include_query_params(
            cursor=page.next_cursor
        )
        response.headers["X-Next-Cursor"] = page.next_cursor
        response.headers["Link"] = f'<{following}>; rel="next"'
    return [ContactOut.model_validate(contact) for contact in page.contacts]


@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactCreated,
    responses={
        201: {
            "headers": {
                "Location": {"description": "URL of the new contact"},
                **ETAG_HEADER,
                "Idempotent-Replayed": {"description": "`true` when this replays a first answer"},
            }
        },
        **KEY_IN_PROGRESS,  # also documents the 409 of on_duplicate=reject
    },
)
async def create(
    *,
    body: ContactIn,
    user_id: CurrentUserId,
    book: BookDep,
    request: Request,
    on_duplicate: Annotated[
        str,
        Query(
            pattern="^(flag|reject)$",
            description="`flag` (default): create and list `possible_duplicate_of`; "
            "`reject`: 409 instead",
        ),
    ] = "flag",
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=255,
            description="Retries with the same key and body within 24 h get the first "
            "response back instead of creating another contact",
        ),
    ] = None,
) -> Response:
    """Add a contact; one sharing a phone or email with another is flagged (or refused)."""

    async def run() -> StoredResponse:
        contact, duplicates = await create_contact(
            book, user_id, body, reject_duplicates=on_duplicate == "reject"
        )
        created = ContactCreated.model_validate(
            {
                **ContactOut.model_validate(contact).model_dump(),
                "possible_duplicate_of": duplicates,
            }
        )
        location = str(request.url_for("read_contact", id=contact.id))
        headers = {"Location": location, "ETag": etag(contact)}
        return StoredResponse(201, created.model_dump(mode="json"), headers)

    if idempotency_key is None:
        answer = await run()
    else:
        request_digest = fingerprint([body.model_dump(mode="json"), on_duplicate])
        answer, replayed = await run_once(user_id, idempotency_key, request_digest, run)
        if replayed:
            answer.headers["Idempotent-Replayed"] = "true"
    return JSONResponse(answer.body, status_code=answer.status_code, headers=answer.headers)


@router.get(
    "/{id}",
    response_model=ContactOut,
    responses={
        **WITH_ETAG,
        304: {"description": "`If-None-Match` names the current version"},
        **NOT_FOUND,
    },
)
async def read_contact(
    contact: OwnedContact,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
) -> ContactOut | Response:
    """Read one of the caller's contacts; its ETag is its version."""
    if if_none_match is not None and _matches_weakly(if_none_match, etag(contact)):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(contact)})
    set_etag(response, contact)
    return ContactOut.model_validate(contact)


@router.put("/{id}", response_model=ContactOut, responses={**WITH_ETAG, **WRITE_ERRORS})
async def replace_contact(
    body: ContactIn, contact: OwnedContact, book: BookDep, if_match: IfMatch, response: Response
) -> ContactOut:
    """Replace all fields of a contact; with `If-Match`, only if it is still at that version."""
    # One atomic write of the whole body: concurrent PUTs leave one complete body, never a mix.
    written = await update_contact(book, contact, body.model_dump(), if_match)
    set_etag(response, written)
    return ContactOut.model_validate(written)


@router.patch(
    "/{id}",
    response_model=ContactOut,
    responses={**WITH_ETAG, **WRITE_ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"$ref": "#/components/schemas/ContactPatch"}}
                for media in (MERGE_PATCH, "application/json")
            },
        }
    },
)
async def patch_contact(
    body: ContactPatch, contact: OwnedContact, book: BookDep, if_match: IfMatch, response: Response
) -> ContactOut:
    """Change only the fields given (JSON Merge Patch); `null` for a field is 422."""
    written = await update_contact(book, contact, dict(body), if_match)
    set_etag(response, written)
    return ContactOut.model_validate(written)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE_ERRORS)
async def remove_contact(contact: OwnedContact, book: BookDep, if_match: IfMatch) -> None:
    """Delete a contact; with `If-Match`, only if it is still at that version."""
    await delete_contact(book, contact, if_match)


def _matches_weakly(if_none_match: str, current: str) -> bool:
    """RFC 9110 §13.1.2: `*`, or any listed tag equal to ours once `W/` is dropped."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or current in tags


class MergeIn(BaseModel):
    other_id: int = Field(ge=1, le=MAX_ID, description="The contact merged in, then deleted")


@router.post("/{id}/merge", response_model=ContactOut, responses={**WITH_ETAG, **NOT_FOUND})
async def merge_contacts(
    target: OwnedContact,
    body: Annotated[MergeIn, Body()],
    user_id: CurrentUserId,
    book: BookDep,
    response: Response,
) -> ContactOut:
    """Merge another contact into this one (this one's fields win unless empty), deleting it."""
    if body.other_id == target.id:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("body", "other_id"),
                    "msg": "A contact cannot be merged into itself",
                }
            ]
        )
    other = await get_owned_contact(body.other_id, user_id)
    written = await merge_into(book, target, other)
    set_etag(response, written)
    return ContactOut.model_validate(written)
