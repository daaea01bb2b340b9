"""The bodies of the batch endpoints: a request, and a result per item."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api.responses import ValidationIssue
from contacts.errors import DuplicateContact
from contacts.service import MAX_BATCH
from models.contact import CONTACT_EXAMPLE, STORED_EXAMPLE, ContactCreated
from models.fields import BodyId

STORE_UNAVAILABLE = "The database became unavailable; this item was not created"


class BatchCreateIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"contacts": [CONTACT_EXAMPLE, {"name": "no phone or email"}]}]
        }
    )

    contacts: list[JsonValue] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"1-{MAX_BATCH} contacts shaped as for `POST /contacts/`. Each is "
        "validated on its own: an invalid one is reported in its result, not as a 422 "
        "of the whole request. Unknown fields (`id`, `user_id`, ...) are ignored.",
    )


# `detail` has a default yet is always sent: required in the documented answer.
ALWAYS_SENT = ConfigDict(json_schema_serialization_defaults_required=True)


class CreatedItem(BaseModel):
    index: int = Field(description="The item's position in `contacts`")
    status: Literal[201]
    contact: ContactCreated


class InvalidItem(BaseModel):
    index: int
    status: Literal[422]
    errors: list[ValidationIssue] = Field(
        description='As in a 422 body; `loc` is `["body", "contacts", index, field]`.'
    )


class DuplicateItem(BaseModel):
    model_config = ALWAYS_SENT

    index: int
    status: Literal[409]
    detail: str = DuplicateContact.detail
    duplicate_of: list[int]


class UnavailableItem(BaseModel):
    model_config = ALWAYS_SENT

    index: int
    status: Literal[503]
    detail: str = STORE_UNAVAILABLE


def _without_discriminator(schema: dict[str, Any]) -> None:
    # OpenAPI's discriminator names a string property, and client generators (and
    # schema validators) read `status` as text there: the integer `const` of each
    # branch already tells them apart, so the document keeps the plain `oneOf`.
    schema.pop("discriminator", None)


CreateResult = Annotated[
    CreatedItem | InvalidItem | DuplicateItem | UnavailableItem,
    Field(discriminator="status", json_schema_extra=_without_discriminator),
]


class BatchCreateOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "index": 0,
                            "status": 201,
                            "contact": {
                                **STORED_EXAMPLE,
                                "id": 7,
                                "possible_duplicate_of": [],
                            },
                        },
                        {
                            "index": 1,
                            "status": 422,
                            "errors": [
                                {
                                    "type": "missing",
                                    "loc": ["body", "contacts", 1, "phone_number"],
                                    "msg": "Field required",
                                },
                                {
                                    "type": "missing",
                                    "loc": ["body", "contacts", 1, "email"],
                                    "msg": "Field required",
                                },
                            ],
                        },
                    ],
                    "created": 1,
                    "failed": 1,
                }
            ]
        }
    )

    results: list[CreateResult] = Field(
        description="One per item, in input order. A 503 item (the database became "
        "unreachable part-way) was not created, nor was any item after it; retry those."
    )
    created: int
    failed: int = Field(description="Items not created, whatever the reason")


class BatchDeleteIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ids": [7, 8, 12]}]})

    ids: list[BodyId] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"1-{MAX_BATCH} contact ids; a repeated id is deleted and reported once",
    )


class DeleteResult(BaseModel):
    id: int
    status: Literal[204, 404] = Field(
        description="204: deleted; 404: not among the caller's contacts"
    )


class BatchDeleteOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {"id": 7, "status": 204},
                        {"id": 8, "status": 204},
                        {"id": 12, "status": 404},
                    ],
                    "deleted": 2,
                    "missing": 1,
                }
            ]
        }
    )

    results: list[DeleteResult] = Field(
        description="One per distinct id, in order of first occurrence"
    )
    deleted: int
    missing: int
