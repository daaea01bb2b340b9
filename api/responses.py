"""What the OpenAPI document says each route may answer: error bodies, headers, examples.

Routes pass these to `responses=`; `api.errors` produces the answers themselves.
"""

from typing import Any

from pydantic import BaseModel

from auth.errors import (
    EmailAlreadyRegistered,
    IncorrectPassword,
    InvalidToken,
)
from contacts.errors import CursorExpired, DuplicateContact, KeyInProgress, PreconditionFailed

RETRY_AFTER_SECONDS = 5
UNPARSABLE_BODY = "There was an error parsing the body"
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class ErrorOut(BaseModel):
    detail: str


class ConflictOut(BaseModel):
    detail: str
    duplicate_of: list[int] | None = None


class ValidationIssue(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(BaseModel):
    detail: list[ValidationIssue]


Responses = dict[int | str, dict[str, Any]]

JSON = "application/json"
STORE_UNAVAILABLE = "The database is unavailable; please retry shortly"
RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before retrying",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


def _error(
    status_code: int,
    message: str,
    example: str,
    headers: dict[str, Any] | None = None,
) -> Responses:
    """A documented error: its schema, an example body as the app sends it, its headers."""
    response: dict[str, Any] = {
        "model": ErrorOut,
        "description": message,
        "content": {JSON: {"example": {"detail": example}}},
    }
    if headers:
        response["headers"] = headers
    return {status_code: response}


def validation_error(message: str, example: dict[str, Any]) -> Responses:
    """A 422 in the one shape every validation error has, whatever found it."""
    return {
        422: {
            "model": ValidationErrorOut,
            "description": message,
            "content": {JSON: {"example": {"detail": [example]}}},
        }
    }


# For `responses=` on routes, so the OpenAPI document lists every error a route returns.
UNAUTHORIZED = _error(
    401,
    "Missing, invalid, expired or logged-out token",
    InvalidToken.detail,
    headers={
        "WWW-Authenticate": {
            "description": "Always `Bearer`",
            "required": True,
            "schema": {"type": "string", "enum": ["Bearer"]},
        }
    },
)
NOT_FOUND = _error(404, "No such contact among the caller's contacts", "Contact not found")
SESSION_NOT_FOUND = _error(404, "No such session among the caller's sessions", "Session not found")
INCORRECT_PASSWORD = _error(
    400, "The password given to confirm the change is wrong", IncorrectPassword.detail
)
TOO_MANY_ATTEMPTS = _error(
    429,
    "Too many attempts from this client; retry after `Retry-After` seconds",
    "Too many attempts; retry in 42 seconds",
    headers={"Retry-After": RETRY_AFTER},
)
CONFLICT = _error(409, "The email is already registered", EmailAlreadyRegistered.detail)
KEY_IN_PROGRESS: Responses = {
    409: {
        "model": ConflictOut,
        "description": "With `on_duplicate=reject`: contacts with this phone or email exist "
        "(`duplicate_of`); or a request with this `Idempotency-Key` is still running "
        "(retry after `Retry-After`)",
        "headers": {
            "Retry-After": {
                **RETRY_AFTER,
                "description": "Seconds to wait; only when the key is still running",
                "required": False,
            }
        },
        "content": {
            JSON: {
                "examples": {
                    "duplicate": {
                        "summary": "`on_duplicate=reject` and a matching contact exists",
                        "value": {"detail": f"{DuplicateContact.detail}: 1", "duplicate_of": [1]},
                    },
                    "in_progress": {
                        "summary": "The same `Idempotency-Key` is still being answered",
                        "value": {"detail": KeyInProgress.detail},
                    },
                }
            }
        },
    }
}
PRECONDITION_FAILED = _error(
    412, "`If-Match` names a version the contact is no longer at", PreconditionFailed.detail
)
GONE = _error(
    410, "The cursor is older than the deletion history kept; resync in full", CursorExpired.detail
)
UNAVAILABLE = _error(
    503,
    "The database is unreachable; retry after `Retry-After` seconds",
    STORE_UNAVAILABLE,
    headers={"Retry-After": RETRY_AFTER},
)
UNSUPPORTED_MEDIA = _error(
    415,
    "The body is neither JSON nor a form",
    "Send the body as application/json or application/x-www-form-urlencoded",
)


def invalid_body(required_field: str) -> Responses:
    """The 422 of a body FastAPI does not document itself (the token endpoints parse
    their own) or that is checked further, with the example of a required field left out."""
    issue = {"type": "missing", "loc": ["body", required_field], "msg": "Field required"}
    return validation_error("The body failed validation", issue)
