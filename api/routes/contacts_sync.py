"""GET /contacts/changes: what changed since a cursor, for offline sync."""

from fastapi import APIRouter

from api.errors import UNAUTHORIZED, UNAVAILABLE

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)
