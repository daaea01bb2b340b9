"""One JSON log line per request, tied together by an X-Request-ID.

Logged: method, the route's path template (never the query string, which may
carry cursors or stray tokens), status, duration, request id and the caller's
user id when a token named one. Never a header or a body.
"""

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("api.access")

HEADER = "X-Request-ID"
# Accepted from clients as is: short and plain, so it is safe in logs and headers.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered and _ACCEPTABLE.fullmatch(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        method = scope["method"]  # as the client sent it, whatever inner layers see
        status = 500  # if the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            fields = _entry(scope, method, status, started, request_id)
            log.info("request", extra={"fields": fields})


def _entry(
    scope: Scope, method: str, status: int, started: float, request_id: str
) -> dict[str, Any]:
    route = scope.get("route")
    return {
        "method": method,
        # path_format drops convertors: `/contacts/{id}`, as the OpenAPI document names it.
        "path": getattr(route, "path_format", None) or "(unmatched)",
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "request_id": request_id,
        "user_id": scope.get("state", {}).get("user_id"),
    }


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
