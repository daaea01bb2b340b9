"""The OpenAPI document as client generators read it: what no single route can say.

Mobile teams generate their clients from this document, so it lists every status
an operation can answer with the body's schema, and checks with Redocly's
`recommended` rules (scripts/check_openapi.sh).
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.responses import JSON, ErrorOut, ValidationErrorOut

# For `openapi_extra=` on routes that need no token: an explicit "no security",
# where leaving `security` out would read as "forgotten".
NO_TOKEN: dict[str, Any] = {"security": []}

# The URL prefix every path is relative to. Relative, so the document holds
# wherever it is served (local, staging, production, or behind a proxy's root
# path, which FastAPI then lists first); mobile apps set the host per build.
SERVERS = [{"url": "/", "description": "The host serving this document"}]

_REF = "#/components/schemas/"
_FASTAPI_422 = {"$ref": _REF + "HTTPValidationError"}
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def install_openapi(app: FastAPI, max_body_bytes: int) -> None:
    """Have `app.openapi()` finish FastAPI's document with the app-wide answers."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(build(), max_body_bytes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(document: dict[str, Any], max_body_bytes: int) -> dict[str, Any]:
    """Add what middleware and handlers answer for every route: 413 and one 422 shape."""
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = operation["responses"]
            # BodyLimit refuses a large body before routing, and only bodies are large.
            if "requestBody" in operation and "413" not in responses:
                responses["413"] = _too_large(max_body_bytes)
            # The validation handler answers FastAPI's 422s without `input`, and
            # every other 422 of the app is a ValidationErrorOut: one type for clients.
            invalid = responses.get("422", {}).get("content", {}).get(JSON, {})
            if invalid.get("schema") == _FASTAPI_422:
                invalid["schema"] = {"$ref": _REF + ValidationErrorOut.__name__}
                invalid["example"] = {"detail": [_example_issue(operation)]}
                responses["422"]["description"] = "A parameter or the body failed validation"
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def _example_issue(operation: dict[str, Any]) -> dict[str, Any]:
    """A validation error this operation really answers with, as the app words it."""
    if "requestBody" in operation:
        return {"type": "missing", "loc": ["body"], "msg": "Field required"}
    for parameter in operation.get("parameters", []):
        schema, loc = parameter["schema"], [parameter["in"], parameter["name"]]
        if schema.get("type") == "integer":
            return {
                "type": "int_parsing",
                "loc": loc,
                "msg": "Input should be a valid integer, unable to parse string as an integer",
            }
        if "enum" in schema:
            *rest, last = [f"'{value}'" for value in schema["enum"]]
            choices = f"{', '.join(rest)} or {last}" if rest else last
            # The app's choices are Literal types, whose error is not pydantic's `enum`.
            return {"type": "literal_error", "loc": loc, "msg": f"Input should be {choices}"}
        if "maxLength" in schema:
            return {
                "type": "string_too_long",
                "loc": loc,
                "msg": f"String should have at most {schema['maxLength']} characters",
            }
    return {"type": "value_error", "loc": ["query"], "msg": "Value error"}


def _too_large(max_bytes: int) -> dict[str, Any]:
    """What `api.middleware.BodyLimit` answers."""
    return {
        "description": f"The body is larger than {max_bytes} bytes",
        "content": {
            JSON: {
                "schema": {"$ref": _REF + ErrorOut.__name__},
                "example": {"detail": f"Request body is larger than {max_bytes} bytes"},
            }
        },
    }
