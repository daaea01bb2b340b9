"""Signed tokens (JWT, HS256): short-lived access tokens and single-use refresh tokens.

Pure functions of a secret and a clock: no I/O. Both kinds carry the session id
(`sid`), so ending a session ends every token it issued.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pydantic import SecretStr

from auth.errors import InvalidToken

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "sid", "jti", "iat", "exp")
# Tolerates small clock differences between replicas, nothing more.
LEEWAY = timedelta(seconds=10)


class TokenKind(StrEnum):
    """The JWT header `typ` (RFC 8725 §3.11): a token of one kind is refused as the other."""

    ACCESS = "at+jwt"  # RFC 9068's media type for access tokens
    REFRESH = "refresh+jwt"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    session_id: str
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


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: IssuedToken
    refresh: IssuedToken


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    issuer: str
    audience: str


class TokenIssuer:
    def __init__(self, secret: SecretStr, policy: TokenPolicy) -> None:
        self._key = secret.get_secret_value()
        self.policy = policy

    def issue(
        self, kind: TokenKind, user_id: int, session_id: str, *, now: datetime | None = None
    ) -> IssuedToken:
        lifetime = (
            self.policy.access_lifetime
            if kind is TokenKind.ACCESS
            else self.policy.refresh_lifetime
        )
        issued_at = (now or datetime.now(UTC)).replace(microsecond=0)
        claims = TokenClaims(
            user_id=user_id,
            session_id=session_id,
            jti=secrets.token_urlsafe(16),
            expires_at=issued_at + lifetime,
        )
        payload = {
            "iss": self.policy.issuer,
            "aud": self.policy.audience,
            "sub": str(user_id),
            "sid": session_id,
            "jti": claims.jti,
            "iat": issued_at,
            "exp": claims.expires_at,
        }
        token = jwt.encode(payload, self._key, algorithm=ALGORITHM, headers={"typ": kind})
        return IssuedToken(token, claims, expires_in=int(lifetime.total_seconds()))

    def issue_pair(self, user_id: int, session_id: str) -> TokenPair:
        return TokenPair(
            access=self.issue(TokenKind.ACCESS, user_id, session_id),
            refresh=self.issue(TokenKind.REFRESH, user_id, session_id),
        )

    def decode(self, token: str, kind: TokenKind) -> TokenClaims:
        """Verify signature, algorithm, kind, issuer, audience and lifetime; else InvalidToken."""
        try:
            decoded = jwt.decode_complete(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={"require": list(REQUIRED_CLAIMS)},
                issuer=self.policy.issuer,
                audience=self.policy.audience,
                leeway=LEEWAY,
            )
            payload = decoded["payload"]
            claims = TokenClaims(
                user_id=int(payload["sub"]),
                session_id=payload["sid"],
                jti=payload["jti"],
                expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            )
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
            raise InvalidToken from exc
        # The header is covered by the signature, so `typ` can be trusted here.
        if decoded["header"].get("typ") != kind or not _well_formed(claims):
            raise InvalidToken
        return claims


def _well_formed(claims: TokenClaims) -> bool:
    return (
        claims.user_id >= 1
        and isinstance(claims.jti, str)
        and bool(claims.jti)
        and isinstance(claims.session_id, str)
        and bool(claims.session_id)
    )
