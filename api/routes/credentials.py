"""Reading login credentials from either of the two bodies `/login` accepts."""

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from models.credentials import LoginIn

JSON = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# OpenAPI for a body FastAPI cannot infer: JSON as the seed sends it, or the OAuth2
# password form that Swagger UI's Authorize button (and Postman's OAuth2 helper) sends.
LOGIN_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        JSON: {"schema": LoginIn.model_json_schema()},
        FORM_TYPES[0]: {
            "schema": {
                "type": "object",
                "required": ["username", "password"],
                "properties": {
                    "username": {"type": "string", "description": "The account's email"},
                    "password": {"type": "string", "format": "password"},
                    "grant_type": {"type": "string", "enum": ["password"]},
                },
            }
        },
    },
}


async def read_login(request: Request) -> LoginIn:
    media_type = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if media_type in FORM_TYPES:
        form = await request.form()
        sent = {"email": form.get("username"), "password": form.get("password")}
        fields = {name: value for name, value in sent.items() if value is not None}
        return _validate(lambda: LoginIn.model_validate(fields), renames={"email": "username"})
    if media_type == JSON or media_type.endswith("+json"):
        body = await request.body()
        # pydantic's own parser: malformed, non-UTF-8 or absurdly nested JSON is a
        # validation error (422) rather than an exception from the json module.
        return _validate(lambda: LoginIn.model_validate_json(body))
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        detail=f"Send credentials as {JSON} or {FORM_TYPES[0]}",
    )


def _validate(parse: Callable[[], LoginIn], renames: dict[str, str] | None = None) -> LoginIn:
    try:
        return parse()
    except ValidationError as exc:
        renames = renames or {}
        errors = [
            {**e, "loc": ("body", *(renames.get(str(p), p) for p in e["loc"]))}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise RequestValidationError(errors) from exc
