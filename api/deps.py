"""Dependencies that load *and* authorise, written once, and the address book's headers."""

import re
from typing import Annotated, Literal

from fastapi import Depends, Header, Path, Query, Request, Response

from auth.deps import CurrentUserId
from contacts.service import BookConfig, Precondition
from models import Contact
from models.errors import NotFound
from models.fields import MAX_ID

ContactId = Annotated[int, Path(alias="id", ge=1, le=MAX_ID, description="The contact's id")]
# One entity tag of an If-Match list: weak tags are kept only to be refused,
# since If-Match compares strongly (RFC 9110 §13.1.1).
_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*')


# No I/O in these, but `async def`: a plain `def` dependency costs a thread-pool hop.
async def get_book(request: Request) -> BookConfig:
    book: BookConfig = request.app.state.book
    return book


BookDep = Annotated[BookConfig, Depends(get_book)]


async def get_owned_contact(contact_id: ContactId, user_id: CurrentUserId) -> Contact:
    """The caller's contact with this id; 404 whether it is someone else's or absent."""
    # One owner-filtered query: another user's contact is indistinguishable from
    # a missing one, so its existence is never confirmed. PyMongo straight, then the
    # model: on the hottest read Beanie's query machinery cost more than the lookup.
    found = await Contact.get_pymongo_collection().find_one(
        {"_id": contact_id, "user_id": user_id}
    )
    if found is None:
        raise NotFound("Contact not found")
    contact: Contact = Contact.model_validate(found)
    return contact


OwnedContact = Annotated[Contact, Depends(get_owned_contact)]


def etag(contact: Contact) -> str:
    return f'"{contact.version}"'


def set_etag(response: Response, contact: Contact) -> None:
    response.headers["ETag"] = etag(contact)


async def get_precondition(
    request: Request,
    if_match: Annotated[
        str | None,
        Header(
            description='Write only if the contact is still at this ETag (`"<version>"`); '
            "otherwise 412. `*` matches any version."
        ),
    ] = None,
) -> Precondition | None:
    if if_match is None:
        return None
    # Several If-Match lines are one list (RFC 9110 §5.3).
    items = ",".join(request.headers.getlist("if-match")).split(",")
    if any(item.strip() == "*" for item in items):
        return Precondition(tags=None)
    # Tags are compared as the strings we issue: a malformed or weak tag, or one
    # spelled differently ("01"), matches nothing, so the write is refused (412).
    matches = [match for item in items if (match := _ENTITY_TAG.fullmatch(item))]
    return Precondition(tags=frozenset(m.group(2) for m in matches if not m.group(1)))


IfMatch = Annotated[Precondition | None, Depends(get_precondition)]


async def reject_duplicates(
    on_duplicate: Annotated[
        Literal["flag", "reject"],
        Query(
            description="`flag` (default): create, listing `possible_duplicate_of`; "
            "`reject`: refuse with 409 a contact whose phone or email exists already",
        ),
    ] = "flag",
) -> bool:
    return on_duplicate == "reject"


RejectDuplicates = Annotated[bool, Depends(reject_duplicates)]
