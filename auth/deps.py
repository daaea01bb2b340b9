"""The bearer-token dependencies every protected route uses."""

import asyncio
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from auth.errors import InvalidToken, MissingToken
from auth.service import Auth, is_revoked
from auth.sessions import Client, is_active
from auth.tokens import TokenClaims, TokenKind
from models import User

# Reads only the Authorization header: a token in a query string is never accepted.
oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="login", refreshUrl="token/refresh", auto_error=False
)


# The dependencies below do no I/O, yet are `async def`: FastAPI runs a plain `def`
# dependency in its thread pool, a hand-off per request that cost more than the work.
async def get_auth(request: Request) -> Auth:
    auth: Auth = request.app.state.auth
    return auth


AuthDep = Annotated[Auth, Depends(get_auth)]


async def get_client(request: Request) -> Client:
    # Behind a proxy this is the forwarded address when the proxy is trusted
    # (uvicorn's --forwarded-allow-ips), else the proxy's own.
    return Client(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


ClientDep = Annotated[Client, Depends(get_client)]


async def get_valid_token(
    request: Request, auth: AuthDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> TokenClaims:
    """Decode the access token; refuse it if it was logged out or its session ended."""
    if not token:
        raise MissingToken
    claims = auth.tokens.decode(token, TokenKind.ACCESS)
    # Asked of the store on every request, concurrently (fail closed: a store
    # error propagates as 503), never trusting the TTL monitor to have run.
    revoked, active = await asyncio.gather(
        is_revoked(claims.jti), is_active(claims.user_id, claims.session_id)
    )
    if revoked or not active:
        raise InvalidToken
    request.state.user_id = claims.user_id  # for the request's log line
    return claims


ValidToken = Annotated[TokenClaims, Depends(get_valid_token)]


async def get_current_user_id(claims: ValidToken) -> int:
    return claims.user_id


CurrentUserId = Annotated[int, Depends(get_current_user_id)]


async def get_current_user(claims: ValidToken) -> User:
    user = await User.get(claims.user_id)
    if user is None:  # deleted while the token was in flight
        raise InvalidToken
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
