"""Accounts and sign-in: the core operations, free of HTTP."""

from contextlib import suppress
from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from auth.errors import EmailAlreadyRegistered, InvalidCredentials
from auth.passwords import PasswordHasher
from auth.tokens import TokenClaims, TokenIssuer
from models import RevokedToken, User
from models.counter import next_id
from models.user import RegisterIn


@dataclass(frozen=True, slots=True)
class Auth:
    """What the app builds once at start-up and every auth operation needs."""

    tokens: TokenIssuer
    passwords: PasswordHasher


async def register_user(auth: Auth, data: RegisterIn) -> User:
    # Hash first: the expensive step should not hold an id for longer than needed.
    password_hash = await auth.passwords.hash(data.password)
    user = User(
        id=await next_id("users"),
        first_name=data.first_name,
        last_name=data.last_name,
        email=data.email,
        password_hash=password_hash,
    )
    try:
        await user.insert()
    except DuplicateKeyError as exc:
        raise EmailAlreadyRegistered from exc
    return user


async def authenticate(auth: Auth, email: str, password: str) -> User:
    user = await User.find_one(User.email == email)
    if user is None:
        await auth.passwords.verify_dummy(password)
        raise InvalidCredentials
    if not await auth.passwords.verify(password, user.password_hash):
        raise InvalidCredentials
    return user


async def revoke(claims: TokenClaims) -> None:
    """Refuse this token from now until it expires."""
    revoked = RevokedToken(
        jti=claims.jti, user_id=claims.user_id, expires_at=claims.accepted_until
    )
    # A concurrent logout with the same token may have got there first; either way it is revoked.
    with suppress(DuplicateKeyError):
        await revoked.insert()


async def is_revoked(jti: str) -> bool:
    return await RevokedToken.find_one(RevokedToken.jti == jti) is not None
