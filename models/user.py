"""The account: its document and the schemas of registration and the profile."""

from datetime import datetime
from typing import Annotated, Self

from beanie import Document, Indexed
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from models.fields import NewPassword, NormalizedEmail, PersonName, utcnow


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
    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str
    email: str


class ProfileUpdate(BaseModel):
    """A JSON merge patch of the profile: absent fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"first_name": "Chi"}]}
    )

    # Not nullable (a name cannot be removed); SkipJsonSchema keeps the schema honest.
    first_name: PersonName | SkipJsonSchema[None] = None
    last_name: PersonName | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise PydanticCustomError("null_field", "{field} cannot be null", {"field": name})
        return self

    def changes(self) -> dict[str, str]:
        return self.model_dump(exclude_unset=True)
