"""An address-book entry: its document and the ContactBase schema family."""

from beanie import Document
from pydantic import BaseModel, ConfigDict, EmailStr
from pymongo import ASCENDING, IndexModel

from models.fields import ContactName, PhoneNumber


class Contact(Document):
    id: int  # type: ignore[assignment]  # integer ids are part of the contract
    user_id: int
    name: str
    phone_number: str
    email: str

    class Settings:
        name = "contacts"
        # The owner index depends on the server: see owner_index().


def owner_index(embedded_store: bool) -> IndexModel:
    """The index behind the owner-filtered lookup and the owner's list in id order.

    On MongoDB, (user_id, _id) also yields the list order without a sort. The
    embedded store breaks every insert into a collection whose compound index
    names `_id`, so there the index is on user_id alone.
    """
    keys = (
        [("user_id", ASCENDING)]
        if embedded_store
        else [("user_id", ASCENDING), ("_id", ASCENDING)]
    )
    return IndexModel(keys)


class ContactBase(BaseModel):
    name: ContactName
    phone_number: PhoneNumber
    email: EmailStr


class ContactIn(ContactBase):
    """Body of create and full replace.

    Unknown fields are ignored, so a client may send back a contact exactly as it
    read it (with `id` and `user_id`); neither is ever taken from the body.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "chioma", "phone_number": "09068641485", "email": "ghjhkj@gmail.com"}
            ]
        }
    )


class ContactOut(BaseModel):
    # Plain types: stored contacts were validated on the way in, and re-running
    # email validation on every listed row would only cost time.
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    phone_number: str
    email: str
    user_id: int
