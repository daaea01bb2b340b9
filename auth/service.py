"""Accounts and sign-in: the core operations, free of HTTP."""

from contextlib import suppress
from dataclasses import dataclass

from pymongo.errors import DuplicateKeyError

from auth import throttle
from auth.errors import EmailAlreadyRegistered, IncorrectPassword, InvalidCredentials
from auth.passwords import PasswordHasher
from auth.sessions import Client, start_session
from auth.throttle import Limits
from auth.tokens import TokenClaims, TokenIssuer, TokenPair
from models import RevokedToken, User
from models.counter import next_id
from models.user import RegisterIn


@dataclass(frozen=True, slots=True)
class Auth:
    """What the app builds once at start-up and every auth operation needs."""

    tokens: TokenIssuer
    passwords: PasswordHasher
    limits: Limits


async def register_user(auth: Auth, data: RegisterIn, client: Client) -> User:
    await throttle.count(auth.limits.register(client.ip), auth.limits.window)
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


async def log_in(auth: Auth, email: str, password: str, client: Client) -> TokenPair:
    """Check the password (throttled per email and address) and start a session."""
    limits = auth.limits.login(email, client.ip)
    await throttle.count(limits, auth.limits.window)
    user = await User.find_one(User.email == email)
    if user is None:
        await auth.passwords.verify_dummy(password)
        raise InvalidCredentials
    if not await _verify(auth, user, password):
        raise InvalidCredentials
    await throttle.forgive(limits)
    return await start_session(auth.tokens, user.id, client)


async def confirm_password(auth: Auth, user: User, password: str, client: Client) -> None:
    """Ask for the password again before a sensitive change; throttled like a login."""
    limits = auth.limits.login(user.email, client.ip)
    await throttle.count(limits, auth.limits.window)
    if not await _verify(auth, user, password):
        raise IncorrectPassword
    await throttle.forgive(limits)


async def _verify(auth: Auth, user: User, password: str) -> bool:
    valid, new_hash = await auth.passwords.verify_and_update(password, user.password_hash)
    if valid and new_hash is not None:
        # Made with weaker or older parameters: upgrade it now that the password
        # is at hand, unless a password change got there first.
        await User.get_pymongo_collection().update_one(
            {"_id": user.id, "password_hash": user.password_hash},
            {"$set": {"password_hash": new_hash}},
        )
        user.password_hash = new_hash
    return valid


async def revoke(claims: TokenClaims) -> None:
    """Refuse this access token from now until it expires."""
    revoked = RevokedToken(jti=claims.jti, expires_at=claims.accepted_until)
    # A concurrent logout with the same token may have got there first; either way it is revoked.
    with suppress(DuplicateKeyError):
        await revoked.insert()


async def is_revoked(jti: str) -> bool:
    found = await RevokedToken.get_pymongo_collection().find_one(
        {"jti": jti}, projection={"_id": 1}
    )
    return found is not None
