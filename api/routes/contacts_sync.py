"""GET /contacts/changes: what changed since a cursor, for offline sync."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import BookDep
from api.responses import GONE, UNAUTHORIZED, UNAVAILABLE, validation_error
from auth.deps import CurrentUserId
from contacts.errors import InvalidSyncCursor
from contacts.sync import MAX_CHANGES, read_changes
from models.contact import ContactOut

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)

INVALID_QUERY = validation_error(
    "`since` is not a cursor this API issued, or `limit` is out of range",
    {
        "type": InvalidSyncCursor.kind,
        "loc": list(InvalidSyncCursor.loc),
        "msg": InvalidSyncCursor.detail,
    },
)


class ChangesOut(BaseModel):
    changed: list[ContactOut] = Field(
        description="Contacts created or changed after the cursor, each once, as they are now"
    )
    deleted: list[int] = Field(description="Ids of contacts deleted after the cursor")
    cursor: str = Field(description="Pass it as `since` on the next call")
    has_more: bool = Field(description="More changes are waiting: call again now with `cursor`")


@router.get(
    "/changes",
    name="list_contact_changes",
    response_model=ChangesOut,
    responses={**GONE, **INVALID_QUERY, **UNAUTHORIZED, **UNAVAILABLE},
)
async def read_contact_changes(
    user_id: CurrentUserId,
    book: BookDep,
    since: Annotated[
        str | None,
        Query(
            max_length=200,
            description="The `cursor` of the last call; without it, every contact "
            "(start or restart a sync here)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES)] = MAX_CHANGES,
) -> ChangesOut:
    """Contacts changed and deleted since the cursor `since` (all contacts without it)."""
    changes = await read_changes(user_id, since, limit, history=book.tombstone_lifetime)
    return ChangesOut(
        changed=[ContactOut.model_validate(contact) for contact in changes.changed],
        deleted=changes.deleted,
        cursor=changes.cursor,
        has_more=changes.has_more,
    )
