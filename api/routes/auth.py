"""Registration, login, token refresh and logout."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel

from api.openapi import NO_TOKEN
from api.responses import (
    CONFLICT,
    TOO_MANY_ATTEMPTS,
    UNAUTHORIZED,
    UNAVAILABLE,
    UNSUPPORTED_MEDIA,
    invalid_body,
)
from api.routes.credentials import (
    LOGIN_REQUEST_BODY,
    REFRESH_REQUEST_BODY,
    read_login,
    read_refresh,
)
from auth.deps import AuthDep, ClientDep, ValidToken
from auth.service import log_in, register_user, revoke
from auth.sessions import end_session, end_sessions, rotate
from auth.tokens import TokenPair
from models.credentials import LoginIn, RefreshIn, TokenOut
from models.user import RegisterIn, RegisterOut

router = APIRouter(tags=["auth"], responses=UNAVAILABLE)


class LoggedOut(BaseModel):
    detail: str


@router.post(
    "/register",
    name="register_user",
    status_code=status.HTTP_201_CREATED,
    response_model=RegisterOut,
    responses={
        201: {
            "headers": {
                "Location": {
                    "description": "URL of the account's profile, `/me` (read with a token)",
                    "required": True,
                    "schema": {"type": "string", "format": "uri"},
                }
            }
        },
        **CONFLICT,
        **TOO_MANY_ATTEMPTS,
    },
    openapi_extra=NO_TOKEN,
)
async def register(
    body: RegisterIn, auth: AuthDep, client: ClientDep, request: Request, response: Response
) -> RegisterOut:
    """Create an account; the email is case-insensitively unique."""
    user = await register_user(auth, body, client)
    response.headers["Location"] = str(request.url_for("read_me"))
    return RegisterOut.model_validate(user)


@router.post(
    "/login",
    name="log_in",
    response_model=TokenOut,
    responses={
        **UNAUTHORIZED,
        **UNSUPPORTED_MEDIA,
        **invalid_body("email"),
        **TOO_MANY_ATTEMPTS,
    },
    openapi_extra={"requestBody": LOGIN_REQUEST_BODY, **NO_TOKEN},
)
async def login(
    credentials: Annotated[LoginIn, Depends(read_login)],
    auth: AuthDep,
    client: ClientDep,
    response: Response,
) -> TokenOut:
    """Exchange email and password (JSON, or the OAuth2 password form) for a token pair."""
    pair = await log_in(auth, credentials.email, credentials.password, client)
    return _tokens(pair, response)


@router.post(
    "/token/refresh",
    name="refresh_tokens",
    response_model=TokenOut,
    responses={**UNAUTHORIZED, **UNSUPPORTED_MEDIA, **invalid_body("refresh_token")},
    openapi_extra={"requestBody": REFRESH_REQUEST_BODY, **NO_TOKEN},
)
async def refresh(
    body: Annotated[RefreshIn, Depends(read_refresh)],
    auth: AuthDep,
    client: ClientDep,
    response: Response,
) -> TokenOut:
    """Spend a refresh token for a new pair; reusing a spent one ends its session."""
    pair = await rotate(auth.tokens, body.refresh_token, client)
    return _tokens(pair, response)


def _tokens(pair: TokenPair, response: Response) -> TokenOut:
    # RFC 6749 §5.1: responses carrying tokens must not be cached.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return TokenOut(
        token=pair.access.token,
        access_token=pair.access.token,
        expires_in=pair.access.expires_in,
        refresh_token=pair.refresh.token,
        refresh_expires_in=pair.refresh.expires_in,
    )


# GET is the seed's; POST is what HTTP semantics and most clients expect.
@router.get("/logout", name="log_out_via_get", response_model=LoggedOut, responses=UNAUTHORIZED)
@router.post("/logout", name="log_out", response_model=LoggedOut, responses=UNAUTHORIZED)
async def logout(claims: ValidToken) -> LoggedOut:
    """Revoke the presented token and end its session; other sessions keep working."""
    await end_session(claims.user_id, claims.session_id)
    await revoke(claims)
    return LoggedOut(detail="Logged out")


@router.post(
    "/logout/all", name="log_out_everywhere", response_model=LoggedOut, responses=UNAUTHORIZED
)
async def logout_everywhere(claims: ValidToken) -> LoggedOut:
    """End every session of the caller, this one included, on every device."""
    await end_sessions(claims.user_id)
    await revoke(claims)
    return LoggedOut(detail="Logged out of every session")
