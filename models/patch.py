"""JSON Merge Patch bodies (RFC 7396) over documents whose fields are all required."""

from typing import Any

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError


class MergePatch(BaseModel):
    """Absent fields stay as they are; `null` would remove a field, and none may go.

    Subclasses declare each field as `<type> | SkipJsonSchema[None] = None`, so
    the schema shows the real type and absence is told apart from `null`.
    """

    # Defaults are not validated, so this sees only the nulls a client sent.
    @field_validator("*")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("null_field", "This field cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
