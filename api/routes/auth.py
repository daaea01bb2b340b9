"""Registration, login and logout."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel

from api.errors import CONFLICT, UNAUTHORIZED, UNAVAILABLE, UNSUPPORTED_MEDIA
from api.routes.credentials import LOGIN_REQUEST_BODY, read_login
from auth.deps import AuthDep, ValidToken
from auth.service import authenticate, register_user, revoke
from models.user import LoginIn, RegisterIn, RegisterOut, TokenOut

router = APIRouter(tags=["auth"], responses=UNAVAILABLE)


class LoggedOut(BaseModel):
    detail: str


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=RegisterOut,
    responses=CONFLICT,
)
async def register(body: RegisterIn, auth: AuthDep) -> RegisterOut:
    """Create an account; the email is case-insensitively unique."""
    user = await register_user(auth, body)
    return RegisterOut.model_validate(user)


@router.post(
    "/login",
    response_model=TokenOut,
    responses={**UNAUTHORIZED, **UNSUPPORTED_MEDIA},
    openapi_extra={"requestBody": LOGIN_REQUEST_BODY},
)
async def login(
    credentials: Annotated[LoginIn, Depends(read_login)], auth: AuthDep, response: Response
) -> TokenOut:
    """Exchange email and password (JSON, or the OAuth2 password form) for a bearer token."""
    user = await authenticate(auth, credentials.email, credentials.password)
    issued = auth.tokens.issue(user.id)
    # RFC 6749 §5.1: responses carrying tokens must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return TokenOut(token=issued.token, access_token=issued.token, expires_in=issued.expires_in)


# GET is the seed's; POST is what HTTP semantics and most clients expect.
@router.get("/logout", response_model=LoggedOut, responses=UNAUTHORIZED)
@router.post("/logout", response_model=LoggedOut, responses=UNAUTHORIZED)
async def logout(claims: ValidToken) -> LoggedOut:
    """Revoke the presented token; the user's other tokens keep working."""
    await revoke(claims)
    return LoggedOut(detail="Logged out")
