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


# Placeholders, not tokens: each is a JWT in real answers.
ACCESS_TOKEN_EXAMPLE = "<access token, a JWT>"  # noqa: S105
REFRESH_TOKEN_EXAMPLE = "<refresh token, a JWT>"  # noqa: S105


class RefreshIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refresh_token": REFRESH_TOKEN_EXAMPLE}]}
    )

    refresh_token: str = Field(min_length=1, max_length=4096, repr=False)


class PasswordChange(BaseModel):
    current_password: Password
    new_password: NewPassword


class PasswordConfirmation(BaseModel):
    """The account's password, asked again before an irreversible step."""

    password: Password


class TokenOut(BaseModel):
    model_config = ConfigDict(
        json_schema_serialization_defaults_required=True,  # `token_type` is always sent
        json_schema_extra={
            "examples": [
                {
                    "token": ACCESS_TOKEN_EXAMPLE,
                    "access_token": ACCESS_TOKEN_EXAMPLE,
                    "token_type": "bearer",
                    "expires_in": 1800,
                    "refresh_token": REFRESH_TOKEN_EXAMPLE,
                    "refresh_expires_in": 2592000,
                }
            ]
        },
    )

    token: str = Field(description="The access token (the seed's field name).")
    access_token: str = Field(description="The same token, under the OAuth2 name.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Exchange it at POST /token/refresh for new tokens; usable once."
    )
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires.")
