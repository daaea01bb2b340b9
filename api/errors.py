"""Where domain and infrastructure errors become HTTP responses: one place, all JSON."""

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from auth.errors import AuthenticationError, IncorrectPassword, TooManyAttempts
from contacts.errors import CursorExpired, DuplicateContact, KeyInProgress, PreconditionFailed
from models.errors import Conflict, DomainError, InvalidInput, NotFound

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNPARSABLE_BODY = "There was an error parsing the body"
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class ErrorOut(BaseModel):
    detail: str


class DuplicateOut(BaseModel):
    detail: str
    duplicate_of: list[int]


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


def _error(status_code: int, message: str) -> Responses:
    return {status_code: {"model": ErrorOut, "description": message}}


# For `responses=` on routes, so the OpenAPI document lists every error a route returns.
UNAUTHORIZED = _error(401, "Missing, invalid, expired or logged-out token")
NOT_FOUND = _error(404, "No such contact among the caller's contacts")
SESSION_NOT_FOUND = _error(404, "No such session among the caller's sessions")
INCORRECT_PASSWORD = _error(400, "The password given to confirm the change is wrong")
TOO_MANY_ATTEMPTS: Responses = {
    429: {
        "model": ErrorOut,
        "description": "Too many attempts from this client; retry after `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
}
CONFLICT = _error(409, "The email is already registered")
DUPLICATE: Responses = {
    409: {
        "model": DuplicateOut,
        "description": "With `on_duplicate=reject`: contacts with this phone or email exist",
    }
}
KEY_IN_PROGRESS: Responses = {
    409: {
        "model": ConflictOut,
        "description": "With `on_duplicate=reject`: contacts with this phone or email exist "
        "(`duplicate_of`); or a request with this `Idempotency-Key` is still running "
        "(retry after `Retry-After`)",
    }
}
PRECONDITION_FAILED = _error(412, "`If-Match` names a version the contact is no longer at")
GONE = _error(410, "The cursor is older than the deletion history kept; resync in full")
UNAVAILABLE = _error(503, "The database is unreachable; retry after `Retry-After` seconds")
UNSUPPORTED_MEDIA = _error(415, "The body is neither JSON nor a form")
# FastAPI documents 422 only for bodies it parses itself; the token endpoints parse their own.
INVALID_BODY: Responses = {
    422: {"model": ValidationErrorOut, "description": "The body failed validation"}
}

_STATUS: list[tuple[type[DomainError], int]] = [
    (AuthenticationError, status.HTTP_401_UNAUTHORIZED),
    (IncorrectPassword, status.HTTP_400_BAD_REQUEST),
    (TooManyAttempts, status.HTTP_429_TOO_MANY_REQUESTS),
    (PreconditionFailed, status.HTTP_412_PRECONDITION_FAILED),
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (CursorExpired, status.HTTP_410_GONE),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
]


async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
    code = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
    headers = BEARER_CHALLENGE if code == status.HTTP_401_UNAUTHORIZED else None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, KeyInProgress):
        headers = {"Retry-After": "1"}
    body: dict[str, object] = {"detail": exc.detail}
    if isinstance(exc, DuplicateContact):
        body["duplicate_of"] = exc.duplicate_of
    if isinstance(exc, InvalidInput):
        # Shaped like every other 422, so clients read one format.
        body["detail"] = [{"type": exc.kind, "loc": list(exc.loc), "msg": exc.detail}]
    return JSONResponse(body, status_code=code, headers=headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    # Drop the offending input: it may be a password, and echoing it back would
    # put it in client logs and proxies.
    errors = [{k: v for k, v in e.items() if k not in ("input", "url")} for e in exc.errors()]
    return JSONResponse(
        {"detail": jsonable_encoder(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == status.HTTP_400_BAD_REQUEST and exc.detail == UNPARSABLE_BODY:
        # FastAPI's words for JSON its parser gave up on (nesting past the recursion
        # limit, integers past Python's digit limit): malformed JSON like any other.
        return JSONResponse(
            {
                "detail": [
                    {"type": "json_invalid", "loc": ["body"], "msg": "Body is not valid JSON"}
                ]
            },
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return await http_exception_handler(request, exc)


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable during %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": "The database is unavailable; please retry shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unexpected(_: Request, __: Exception) -> JSONResponse:
    # No details for the client; the server logs the traceback, since Starlette
    # re-raises the exception after this response is sent.
    return JSONResponse(
        {"detail": "Internal server error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types every handler as taking Exception; it dispatches by class.
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    # Covers server-selection timeouts, refused connections and dropped sockets.
    app.add_exception_handler(ConnectionFailure, _store_unavailable)
    app.add_exception_handler(Exception, _unexpected)
