"""Failures of the auth core; `api.errors` alone decides their HTTP shape."""

import math
from datetime import datetime

from models.errors import Conflict, DomainError
from models.fields import utcnow


class AuthenticationError(DomainError):
    """Becomes a 401 with `WWW-Authenticate: Bearer`."""

    detail = "Could not validate credentials"


class InvalidCredentials(AuthenticationError):
    # One message for an unknown email and a wrong password, so a caller cannot
    # tell which accounts exist.
    detail = "Incorrect email or password"


class InvalidToken(AuthenticationError):
    detail = "Invalid or expired token"


class MissingToken(AuthenticationError):
    detail = "Not authenticated"


class IncorrectPassword(DomainError):
    # Not a 401: the caller's token is fine, and clients treat a 401 as "sign in again".
    detail = "The password is incorrect"


class EmailAlreadyRegistered(Conflict):
    detail = "An account with this email already exists"


class TooManyAttempts(DomainError):
    detail = "Too many attempts; retry later"

    def __init__(self, resets_at: datetime) -> None:
        self.retry_after = max(1, math.ceil((resets_at - utcnow()).total_seconds()))
        super().__init__(f"Too many attempts; retry in {self.retry_after} seconds")
