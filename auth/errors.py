"""Authentication failures. Each becomes a 401 with `WWW-Authenticate: Bearer`."""

from models.errors import Conflict, DomainError


class AuthenticationError(DomainError):
    detail = "Could not validate credentials"


class InvalidCredentials(AuthenticationError):
    # One message for an unknown email and a wrong password, so a caller cannot
    # tell which accounts exist.
    detail = "Incorrect email or password"


class InvalidToken(AuthenticationError):
    detail = "Invalid or expired token"


class MissingToken(AuthenticationError):
    detail = "Not authenticated"


class EmailAlreadyRegistered(Conflict):
    detail = "An account with this email already exists"
