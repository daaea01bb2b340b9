"""One contact of the caller's: read, replace, patch, delete, merge."""

from typing import Annotated

from fastapi import APIRouter, Body, Header, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from api.deps import BookDep, IfMatch, OwnedContact, etag, get_owned_contact, set_etag
from api.responses import NOT_FOUND, PRECONDITION_FAILED, UNAUTHORIZED, UNAVAILABLE, Responses
from api.routes.contacts import ETAG_HEADER
from api.routes.ids import CONTACT_PATH
from auth.deps import CurrentUserId
from contacts.service import delete_contact, merge_into, update_contact
from models.contact import ContactIn, ContactOut, ContactPatch
from models.errors import NotFound
from models.fields import BodyId

MERGE_PATCH = "application/merge-patch+json"

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)

WITH_ETAG: Responses = {200: {"headers": ETAG_HEADER}}
WRITE_ERRORS: Responses = {**NOT_FOUND, **PRECONDITION_FAILED}


@router.get(
    CONTACT_PATH,
    response_model=ContactOut,
    responses={
        **WITH_ETAG,
        304: {"description": "`If-None-Match` names the current version", "headers": ETAG_HEADER},
        **NOT_FOUND,
    },
)
async def read_contact(
    contact: OwnedContact, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    """Read one of the caller's contacts; its ETag is its version."""
    headers = {"ETag": etag(contact)}
    if if_none_match is not None and _matches_weakly(if_none_match, headers["ETag"]):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    # The hottest read: serialised once, not validated again against response_model.
    body = ContactOut.model_validate(contact).model_dump_json()
    return Response(body, media_type="application/json", headers=headers)


@router.put(CONTACT_PATH, response_model=ContactOut, responses={**WITH_ETAG, **WRITE_ERRORS})
async def replace_contact(
    body: ContactIn, contact: OwnedContact, book: BookDep, if_match: IfMatch, response: Response
) -> ContactOut:
    """Replace all fields of a contact; with `If-Match`, only if it is still at that version."""
    # One atomic write of the whole body: concurrent PUTs leave one complete body, never a mix.
    written = await update_contact(book, contact, body.model_dump(), if_match)
    set_etag(response, written)
    return ContactOut.model_validate(written)


@router.patch(
    CONTACT_PATH,
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


@router.delete(
    CONTACT_PATH,
    name="delete_contact",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=WRITE_ERRORS,
)
async def remove_contact(contact: OwnedContact, book: BookDep, if_match: IfMatch) -> None:
    """Delete a contact; with `If-Match`, only if it is still at that version."""
    await delete_contact(book, contact, if_match)


def _invalid_other_id(kind: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": ("body", "other_id"), "msg": message}])


def _matches_weakly(if_none_match: str, current: str) -> bool:
    """RFC 9110 §13.1.2: `*`, or any listed tag equal to ours once `W/` is dropped."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or current in tags


class MergeIn(BaseModel):
    other_id: BodyId = Field(description="The contact merged in, then deleted")


@router.post(
    f"{CONTACT_PATH}/merge", response_model=ContactOut, responses={**WITH_ETAG, **NOT_FOUND}
)
async def merge_contacts(
    target: OwnedContact,
    body: Annotated[MergeIn, Body()],
    user_id: CurrentUserId,
    book: BookDep,
    response: Response,
) -> ContactOut:
    """Merge another contact into this one (this one's fields win unless empty), deleting it."""
    if body.other_id == target.id:
        raise _invalid_other_id("value_error", "A contact cannot be merged into itself")
    try:
        other = await get_owned_contact(body.other_id, user_id)
    except NotFound:
        # The path names the resource; a bad reference in the body is the body's
        # fault, as for any other field (and still says nothing of whose it is).
        raise _invalid_other_id("contact_not_found", "No contact of yours has this id") from None
    written = await merge_into(book, target, other)
    set_etag(response, written)
    return ContactOut.model_validate(written)
