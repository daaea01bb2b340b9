"""The caller's address book."""

import asyncio
from typing import Annotated

from beanie.exceptions import DocumentNotFound
from fastapi import APIRouter, Query, Request, Response, status

from api.deps import OwnedContact
from api.errors import NOT_FOUND, UNAUTHORIZED, UNAVAILABLE
from auth.deps import CurrentUserId
from models import Contact
from models.contact import ContactIn, ContactOut
from models.counter import next_id
from models.errors import NotFound

MAX_PAGE = 500
MAX_OFFSET = 1_000_000_000

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)


@router.get("/", response_model=list[ContactOut])
async def list_contacts(
    user_id: CurrentUserId,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ContactOut]:
    """List the caller's contacts in id order; the total is in `X-Total-Count`."""
    owned = {"user_id": user_id}
    contacts, total = await asyncio.gather(
        Contact.find(owned).sort("_id").skip(offset).limit(limit).to_list(),
        Contact.find(owned).count(),
    )
    response.headers["X-Total-Count"] = str(total)
    return [ContactOut.model_validate(contact) for contact in contacts]


@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    response_model=ContactOut,
    responses={201: {"headers": {"Location": {"description": "URL of the new contact"}}}},
)
async def create_contact(
    body: ContactIn, user_id: CurrentUserId, request: Request, response: Response
) -> ContactOut:
    """Add a contact to the caller's address book."""
    contact = Contact(id=await next_id("contacts"), user_id=user_id, **body.model_dump())
    await contact.insert()
    response.headers["Location"] = str(request.url_for("read_contact", id=contact.id))
    return ContactOut.model_validate(contact)


@router.get("/{id}", response_model=ContactOut, responses=NOT_FOUND)
async def read_contact(contact: OwnedContact) -> ContactOut:
    """Read one of the caller's contacts."""
    return ContactOut.model_validate(contact)


@router.put("/{id}", response_model=ContactOut, responses=NOT_FOUND)
async def replace_contact(body: ContactIn, contact: OwnedContact) -> ContactOut:
    """Replace all fields of one of the caller's contacts."""
    for field, value in body.model_dump().items():
        setattr(contact, field, value)
    try:
        # A whole-document replace: concurrent PUTs leave one complete body, never a mix.
        await contact.replace()
    except DocumentNotFound as exc:  # deleted between the read and this write
        raise NotFound("Contact not found") from exc
    return ContactOut.model_validate(contact)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_contact(contact: OwnedContact) -> None:
    """Delete one of the caller's contacts."""
    await contact.delete()
