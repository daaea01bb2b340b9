"""Signed access tokens (JWT, HS256). Pure functions of a secret and a clock: no I/O."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import SecretStr

from auth.errors import InvalidToken

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("sub", "jti", "iat", "exp")
# Tolerates small clock differences between replicas, nothing more.
LEEWAY = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    jti: str
    expires_at: datetime

    @property
    def accepted_until(self) -> datetime:
        """The last moment `decode` still accepts this token: a revocation must outlive it."""
        return self.expires_at + LEEWAY


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: TokenClaims
    expires_in: int


class TokenIssuer:
    def __init__(self, secret: SecretStr, lifetime: timedelta) -> None:
        self._key = secret.get_secret_value()
        self._lifetime = lifetime

    def issue(self, user_id: int, *, now: datetime | None = None) -> IssuedToken:
        issued_at = (now or datetime.now(UTC)).replace(microsecond=0)
        expires_at = issued_at + self._lifetime
        jti = secrets.token_urlsafe(16)
        payload = {"sub": str(user_id), "jti": jti, "iat": issued_at, "exp": expires_at}
        token = jwt.encode(payload, self._key, algorithm=ALGORITHM)
        return IssuedToken(
            token=token,
            claims=TokenClaims(user_id=user_id, jti=jti, expires_at=expires_at),
            expires_in=int(self._lifetime.total_seconds()),
        )

    def decode(self, token: str) -> TokenClaims:
        """Verify signature, algorithm and lifetime; raise InvalidToken otherwise."""
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={"require": list(REQUIRED_CLAIMS)},
                leeway=LEEWAY,
            )
            user_id = int(payload["sub"])
            jti = payload["jti"]
            expires_at = datetime.fromtimestamp(payload["exp"], UTC)
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
            raise InvalidToken from exc
        if not isinstance(jti, str) or not jti or user_id < 1:
            raise InvalidToken
        return TokenClaims(user_id=user_id, jti=jti, expires_at=expires_at)
