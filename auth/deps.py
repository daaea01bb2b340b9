"""The bearer-token dependencies every protected route uses."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from auth.errors import InvalidToken, MissingToken
from auth.service import Auth, is_revoked
from auth.tokens import TokenClaims

# Reads only the Authorization header: a token in a query string is never accepted.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login", auto_error=False)


def get_auth(request: Request) -> Auth:
    auth: Auth = request.app.state.auth
    return auth


AuthDep = Annotated[Auth, Depends(get_auth)]


async def get_valid_token(
    auth: AuthDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> TokenClaims:
    """Decode the bearer token and refuse it if it was logged out."""
    if not token:
        raise MissingToken
    claims = auth.tokens.decode(token)
    # Checked on every request (fail closed: a store error propagates as 503),
    # never trusting the TTL monitor to have removed an entry yet.
    if await is_revoked(claims.jti):
        raise InvalidToken
    return claims


ValidToken = Annotated[TokenClaims, Depends(get_valid_token)]


async def get_current_user_id(claims: ValidToken) -> int:
    return claims.user_id


CurrentUserId = Annotated[int, Depends(get_current_user_id)]
