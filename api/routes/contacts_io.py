"""GET /contacts/export and POST /contacts/import: vCard 4.0 and CSV."""

from fastapi import APIRouter

from api.errors import UNAUTHORIZED, UNAVAILABLE

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)
