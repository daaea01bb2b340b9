"""The account: its document and the schemas of registration and the profile."""

from datetime import datetime
from typing import Annotated

from beanie import Document, Indexed
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from models.fields import NewPassword, NormalizedEmail, PersonName, utcnow
from models.patch import NotNull


class User(Document):
    id: int  # type: ignore[assignment]  # integer ids are part of the contract
    first_name: str
    last_name: str
    # Stored lowercased; the unique index is what makes two racing sign-ups of
    # one address end with exactly one account.
    email: Annotated[str, Indexed(unique=True)]
    password_hash: str
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "users"


class RegisterIn(BaseModel):
    first_name: PersonName
    last_name: PersonName
    email: NormalizedEmail
    password: NewPassword

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "first_name": "Chioma",
                    "last_name": "Okafor",
                    "email": "chioma@example.com",
                    "password": "correct horse battery",
                }
            ]
        }
    )


class RegisterOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "first_name": "Chioma",
                    "last_name": "Okafor",
                    "email": "chioma@example.com",
                }
            ]
        },
    )

    id: int
    first_name: str
    last_name: str
    email: str


class ProfileUpdate(TypedDict, total=False):
    """A JSON merge patch of the profile: absent fields stay as they are."""

    __pydantic_config__ = ConfigDict(  # type: ignore[misc]
        extra="forbid", json_schema_extra={"examples": [{"first_name": "Chi"}]}
    )

    first_name: Annotated[PersonName, NotNull]
    last_name: Annotated[PersonName, NotNull]
