"""The caller's address book as a collection: list and create."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

from api.deps import BookDep, RejectDuplicates, etag
from api.responses import KEY_IN_PROGRESS, UNAUTHORIZED, UNAVAILABLE
from auth.deps import CurrentUserId
from contacts.idempotency import StoredResponse, fingerprint, run_once
from contacts.listing import ListQuery, Sort, count_matches, read_page
from contacts.service import create_contact
from models.contact import ContactCreated, ContactIn, ContactOut

MAX_PAGE = 500
MAX_OFFSET = 1_000_000_000

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)

ETAG_HEADER = {
    "ETag": {
        "description": 'The contact\'s version, `"<version>"`; send it back in `If-Match`',
        "required": True,
        "schema": {"type": "string", "examples": ['"1"']},
    }
}


@router.get(
    "/",
    response_model=list[ContactOut],
    responses={
        200: {
            "headers": {
                "X-Total-Count": {
                    "description": "Contacts matching `q`, all pages; absent with `total=false`",
                    "schema": {"type": "integer", "minimum": 0},
                },
                "X-Next-Cursor": {
                    "description": "The `cursor` of the next page; absent on the last page",
                    "schema": {"type": "string"},
                },
                "Link": {
                    "description": 'The next page\'s URL, `<...>; rel="next"`; absent on the '
                    "last page",
                    "schema": {"type": "string"},
                },
            }
        }
    },
)
async def list_contacts(
    *,
    user_id: CurrentUserId,
    request: Request,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of a name, email or phone number")
    ] = None,
    sort: Sort = "id",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="From `X-Next-Cursor`: the next page")
    ] = None,
    total: Annotated[
        bool,
        Query(
            description="`false`: leave out `X-Total-Count`. A page costs the same however "
            "large the book; an exact count grows with it, so clients that page on by "
            "cursor can skip it after the first page."
        ),
    ] = True,
) -> Response:
    """List the caller's contacts; page with `cursor` (keyset) or `offset`."""
    query = ListQuery(user_id, q, sort, limit, offset, cursor)
    headers: dict[str, str] = {}
    if total:
        page, count = await asyncio.gather(read_page(query), count_matches(user_id, q))
        headers["X-Total-Count"] = str(count)
    else:
        page = await read_page(query)
    if page.next_cursor is not None:
        following = request.url.remove_query_params("offset").include_query_params(
            cursor=page.next_cursor
        )
        headers["X-Next-Cursor"] = page.next_cursor
        headers["Link"] = f'<{following}>; rel="next"'
    # Validated and serialised once, by pydantic, rather than once here and again
    # against response_model (which still documents the shape).
    rows = CONTACT_LIST.dump_json(CONTACT_LIST.validate_python(page.contacts))
    return Response(rows, media_type="application/json", headers=headers)


CONTACT_LIST = TypeAdapter(list[ContactOut])


# What a client (or a stateful fuzzer) can do next with the new contact's id.
CREATED_CONTACT_LINKS = {
    f"{verb.title()}TheNewContact": {
        "operationId": f"{verb}Contact",
        "parameters": {"id": "$response.body#/id"},
        "description": f"{verb.title()} the contact just created",
    }
    for verb in ("read", "replace", "patch", "delete")
} | {
    "MergeIntoTheNewContact": {
        "operationId": "mergeContacts",
        "parameters": {"id": "$response.body#/id"},
        "description": "Merge another contact into the one just created",
    }
}


@router.post(
    "/",
    name="create_contact",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactCreated,
    responses={
        201: {
            "headers": {
                "Location": {
                    "description": "URL of the new contact, `/contacts/{id}`",
                    "required": True,
                    "schema": {"type": "string", "format": "uri"},
                },
                **ETAG_HEADER,
                "Idempotent-Replayed": {
                    "description": "`true` when this replays the first answer to the same "
                    "`Idempotency-Key`; absent otherwise",
                    "schema": {"type": "string", "enum": ["true"]},
                },
            },
            "links": CREATED_CONTACT_LINKS,
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
    reject: RejectDuplicates,
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
        contact, duplicates = await create_contact(book, user_id, body, reject_duplicates=reject)
        created = ContactCreated.model_validate(contact)
        created.possible_duplicate_of = duplicates
        location = str(request.url_for("read_contact", id=contact.id))
        headers = {"Location": location, "ETag": etag(contact)}
        return StoredResponse(201, created.model_dump(mode="json"), headers)

    if idempotency_key is None:
        answer = await run()
    else:
        request_digest = fingerprint([body.model_dump(mode="json"), reject])
        answer, replayed = await run_once(user_id, idempotency_key, request_digest, run)
        if replayed:
            answer.headers["Idempotent-Replayed"] = "true"
    return JSONResponse(answer.body, status_code=answer.status_code, headers=answer.headers)
