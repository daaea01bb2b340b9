"""What clients send to prove who they are, and the tokens they get back."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.fields import NewPassword, NormalizedEmail, Password


class LoginIn(BaseModel):
    email: NormalizedEmail
    password: Password

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"email": "chioma@example.com", "password": "correct horse battery"}]
        }
    )


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096, repr=False)


class PasswordChange(BaseModel):
    current_password: Password
    new_password: NewPassword


class PasswordConfirmation(BaseModel):
    """The account's password, asked again before an irreversible step."""

    password: Password


class TokenOut(BaseModel):
    token: str = Field(description="The access token (the seed's field name).")
    access_token: str = Field(description="The same token, under the OAuth2 name.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Exchange it at POST /token/refresh for new tokens; usable once."
    )
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires.")
