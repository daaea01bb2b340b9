"""Liveness and readiness, for load balancers and orchestrators; no authentication."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.openapi import NO_TOKEN
from api.responses import UNAVAILABLE

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "ready"]


@router.get("/healthz", name="check_liveness", response_model=Health, openapi_extra=NO_TOKEN)
async def healthz() -> Health:
    """The process is up and serving; the database is not consulted."""
    return Health(status="ok")


@router.get(
    "/readyz",
    name="check_readiness",
    response_model=Health,
    responses=UNAVAILABLE,
    openapi_extra=NO_TOKEN,
)
async def readyz(request: Request) -> Health:
    """The database answers a ping: 200; otherwise 503 with Retry-After."""
    # An unreachable store raises ConnectionFailure, which answers 503 like anywhere else.
    await request.app.state.database.command("ping")
    return Health(status="ready")
