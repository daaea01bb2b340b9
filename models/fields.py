"""Field types shared by the request schemas, so every entry point validates alike."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from models.passwords import MAX_LENGTH, MIN_LENGTH, normalize, reject_common

# The seed's pattern, verbatim. `[0-9]` rather than `\d`, which would also admit
# non-ASCII digits such as Arabic-Indic numerals.
PHONE_PATTERN = r"^\+?[0-9]{7,15}$"

# The largest integer a JSON number holds exactly everywhere (JavaScript's
# Number.MAX_SAFE_INTEGER); a larger id would reach a mobile or web client
# already rounded. It is also far inside MongoDB's int64, so a bigger id is
# refused at the edge rather than overflowing BSON encoding.
MAX_ID = 2**53 - 1


def _integral(value: object) -> object:
    # JSON has one number type, and JSON Schema counts 2.0 as the integer 2; some
    # encoders (JavaScript's among them, for large values) write ids that way.
    # Strings and booleans stay refused: strict mode rejects them below.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A contact id in a request body: a JSON integer (2 or 2.0), never "2" or true.
# Field first: the other way round, its bounds leak into the JSON Schema as `ge`/`le`.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True), BeforeValidator(_integral)]

# Printable text only: control characters (NUL, escapes, line breaks) in a name
# are never intended and break the clients and exports that display them.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1F\x7F]*$"
PersonName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=NO_CONTROL_CHARACTERS
    ),
]
ContactName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=NO_CONTROL_CHARACTERS
    ),
]
PhoneNumber = Annotated[
    str, Field(pattern=PHONE_PATTERN, examples=["09068641485", "+2349068641485"])
]
# Case-insensitive uniqueness: users are stored and looked up by the lowercased
# form that email-validator normalises to.
NormalizedEmail = Annotated[EmailStr, AfterValidator(str.lower)]


def _nfkc(value: object) -> object:
    return normalize(value) if isinstance(value, str) else value


# Normalised first, so the length is counted in characters of the password as
# it is hashed (an accent typed as a separate mark is not a second character).
# Never truncated; repr=False keeps it out of logs and tracebacks.
NewPassword = Annotated[
    str,
    Field(
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        repr=False,
        description="8-128 characters, any script; not one of the most common passwords.",
        json_schema_extra={"format": "password"},
    ),
    BeforeValidator(_nfkc),  # listed after Field, it runs before the length check
    AfterValidator(reject_common),
]
# A password being checked, not chosen: only bounded, so a wrong one is simply
# wrong and says nothing about the policy it was chosen under.
Password = Annotated[
    str,
    Field(
        min_length=1, max_length=MAX_LENGTH, repr=False, json_schema_extra={"format": "password"}
    ),
    BeforeValidator(_nfkc),
]


def utcnow() -> datetime:
    """Now, in UTC, to the millisecond: what BSON stores, so a value returned
    at creation equals the value read back later."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
