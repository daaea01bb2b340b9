"""Where domain and infrastructure errors become HTTP responses: one place, all JSON."""

import logging
import re

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.requests import HEADER as REQUEST_ID_HEADER
from api.responses import BEARER_CHALLENGE, RETRY_AFTER_SECONDS, STORE_UNAVAILABLE, UNPARSABLE_BODY
from auth.errors import (
    AuthenticationError,
    IncorrectPassword,
    TooManyAttempts,
)
from contacts.errors import CursorExpired, DuplicateContact, KeyInProgress, PreconditionFailed
from models.errors import Conflict, DomainError, InvalidInput, NotFound

log = logging.getLogger(__name__)

UNPARSABLE_MULTIPART = "Invalid multipart data."  # Starlette's words


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
    if exc.status_code == status.HTTP_400_BAD_REQUEST and exc.detail == UNPARSABLE_MULTIPART:
        # Starlette's words for a multipart body it cannot split: invalid input (422).
        return JSONResponse(
            {
                "detail": [
                    {
                        "type": "multipart_invalid",
                        "loc": ["body"],
                        "msg": "Body is not valid multipart/form-data",
                    }
                ]
            },
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # Starlette names only the methods of the first route whose path matched;
        # RFC 9110 wants every method the resource has.
        methods = _allowed_methods(request)
        return JSONResponse(
            {"detail": "Method Not Allowed"},
            status_code=exc.status_code,
            headers={"Allow": ", ".join(sorted(methods))},
        )
    return await http_exception_handler(request, exc)


def _allowed_methods(request: Request) -> set[str]:
    """The methods the OpenAPI document lists for every path template matching this path.

    A literal path wins over templates, as in routing: `/contacts/export` is never an `{id}`.
    """
    paths: dict[str, dict[str, object]] = request.app.openapi()["paths"]
    if (literal := paths.get(request.url.path)) is not None:
        matching = [literal]
    else:
        matching = [
            operations
            for template, operations in paths.items()
            if re.fullmatch(
                re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), request.url.path
            )
        ]
    methods = {method.upper() for operations in matching for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return methods


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable during %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": STORE_UNAVAILABLE},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unexpected(request: Request, _: Exception) -> JSONResponse:
    # No details for the client; the server logs the traceback, since Starlette
    # re-raises the exception after this response is sent. This answer comes from
    # Starlette's outermost middleware, past RequestLog's tagging, so tag it here:
    # the request id is what ties a user's report to that traceback.
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse(
        {"detail": "Internal server error"},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types every handler as taking Exception; it dispatches by class.
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    # Covers server-selection timeouts, refused connections and dropped sockets.
    app.add_exception_handler(ConnectionFailure, _store_unavailable)
    app.add_exception_handler(Exception, _unexpected)
