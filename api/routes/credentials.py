"""Reading the token endpoints' bodies: JSON, or the OAuth2 form (RFC 6749 §4.3, §6)."""

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from models.credentials import LoginIn, RefreshIn

M = TypeVar("M", bound=BaseModel)

JSON = "application/json"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _request_body(model: type[BaseModel], form: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI for a body FastAPI cannot infer: JSON as the seed sends it, or the
    # OAuth2 form that Swagger UI's Authorize button and Postman's OAuth2 helper send.
    return {
        "required": True,
        "content": {
            JSON: {"schema": model.model_json_schema()},
            FORM_TYPES[0]: {"schema": form},
        },
    }


LOGIN_REQUEST_BODY = _request_body(
    LoginIn,
    {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": {
                "type": "string",
                "format": "email",
                "description": "The account's email",
            },
            "password": {"type": "string", "format": "password", "minLength": 1, "maxLength": 128},
            "grant_type": {"type": "string", "enum": ["password"]},
        },
    },
)
REFRESH_REQUEST_BODY = _request_body(
    RefreshIn,
    {
        "type": "object",
        "required": ["refresh_token"],
        "properties": {
            "refresh_token": {"type": "string", "minLength": 1, "maxLength": 4096},
            "grant_type": {"type": "string", "enum": ["refresh_token"]},
        },
    },
)


async def read_login(request: Request) -> LoginIn:
    return await _read(request, LoginIn, form_names={"email": "username"})


async def read_refresh(request: Request) -> RefreshIn:
    return await _read(request, RefreshIn)


async def _read(request: Request, model: type[M], form_names: dict[str, str] | None = None) -> M:
    """Validate the body as `model`, from JSON or from a form whose field names
    may differ (`form_names` maps the model's name to the form's)."""
    form_names = form_names or {}
    media_type = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if media_type in FORM_TYPES:
        form = await request.form()
        sent = {field: form.get(form_names.get(field, field)) for field in model.model_fields}
        fields = {name: value for name, value in sent.items() if value is not None}
        return _validate(lambda: model.model_validate(fields), form_names)
    if media_type == JSON or media_type.endswith("+json"):
        body = await request.body()
        # pydantic's own parser: malformed, non-UTF-8 or absurdly nested JSON is a
        # validation error (422) rather than an exception from the json module.
        return _validate(lambda: model.model_validate_json(body))
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        detail=f"Send the body as {JSON} or {FORM_TYPES[0]}",
    )


def _validate(parse: Callable[[], M], renames: dict[str, str] | None = None) -> M:
    try:
        return parse()
    except ValidationError as exc:
        renames = renames or {}
        errors = [
            {**e, "loc": ("body", *(renames.get(str(p), p) for p in e["loc"]))}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise RequestValidationError(errors) from exc
