"""JSON Merge Patch bodies (RFC 7396) over documents whose fields are all required.

Patch bodies are TypedDicts with total=False: an absent key is simply absent,
and each present value is validated against the field's own type alone (a
model with `X | None` fields would report every bad value twice, once per
branch of the union).
"""

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _not_null(value: object) -> object:
    # `null` in a merge patch removes the field, and no field may go.
    if value is None:
        raise PydanticCustomError("null_field", "This field cannot be null")
    return value


# Annotate each patchable field with it: Annotated[ContactName, NotNull].
NotNull = BeforeValidator(_not_null)
