"""Dependencies that load *and* authorise, written once."""

from typing import Annotated

from fastapi import Depends, Path

from auth.deps import CurrentUserId
from models import Contact
from models.errors import NotFound
from models.fields import MAX_ID

ContactId = Annotated[int, Path(alias="id", ge=1, le=MAX_ID, description="The contact's id")]


async def get_owned_contact(contact_id: ContactId, user_id: CurrentUserId) -> Contact:
    """The caller's contact with this id; 404 whether it is someone else's or absent."""
    # One owner-filtered query: another user's contact is indistinguishable from
    # a missing one, so its existence is never confirmed.
    contact = await Contact.find_one({"_id": contact_id, "user_id": user_id})
    if contact is None:
        raise NotFound("Contact not found")
    return contact


OwnedContact = Annotated[Contact, Depends(get_owned_contact)]
