"""The account: its document and the schemas of registration and login."""

from datetime import datetime
from typing import Annotated, Literal

from beanie import Document, Indexed
from pydantic import BaseModel, ConfigDict, Field

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


class LoginIn(BaseModel):
    email: NormalizedEmail
    # Only bounded: a too-short password simply does not match (401), which
    # says nothing about the policy the account was created under.
    password: Annotated[str, Field(min_length=1, max_length=128, repr=False)]


class TokenOut(BaseModel):
    token: str = Field(description="The access token (the seed's field name).")
    access_token: str = Field(description="The same token, under the OAuth2 name.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
