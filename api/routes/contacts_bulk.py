"""POST /contacts/batch and /contacts/batch-delete: many contacts, a result per item."""

from fastapi import APIRouter

from api.errors import UNAUTHORIZED, UNAVAILABLE

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)
