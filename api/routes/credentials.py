"""Reading login credentials from either of the two bodies `/login` accepts."""

import json
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from models.user import LoginIn

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
        fields = {"email": form.get("username"), "password": form.get("password")}
        return _validate(fields, renames={"email": "username"})
    if media_type == JSON or media_type.endswith("+json"):
        try:
            payload = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "Body is not valid JSON"}]
            ) from exc
        return _validate(payload)
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        detail=f"Send credentials as {JSON} or {FORM_TYPES[0]}",
    )


def _validate(data: object, renames: dict[str, str] | None = None) -> LoginIn:
    try:
        return LoginIn.model_validate(data)
    except ValidationError as exc:
        renames = renames or {}
        errors = [
            {**e, "loc": ("body", *(renames.get(str(p), p) for p in e["loc"]))}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise RequestValidationError(errors) from exc
