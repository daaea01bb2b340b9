"""What a signed-in user does to their own account."""

from auth.passwords import PasswordHasher
from auth.service import revoke
from auth.sessions import end_sessions
from auth.tokens import TokenClaims
from models import Contact, User
from models.user import ProfileUpdate


async def update_profile(user: User, patch: ProfileUpdate) -> User:
    changes = dict(patch)
    if changes:
        await user.set(changes)
    return user


async def change_password(
    passwords: PasswordHasher, user: User, new_password: str, claims: TokenClaims
) -> None:
    """Store the new hash and end every other session: a thief's included."""
    new_hash = await passwords.hash(new_password)
    await user.set({User.password_hash: new_hash})
    await end_sessions(user.id, keep=claims.session_id)


async def delete_account(user: User, claims: TokenClaims) -> None:
    """Remove the user and everything of theirs.

    Sessions go first: from then on no token of the user is accepted, so
    nothing new can be written while the rest is deleted.
    """
    await end_sessions(user.id)
    await Contact.find(Contact.user_id == user.id).delete()
    await user.delete()
    await revoke(claims)
