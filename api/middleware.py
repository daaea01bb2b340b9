"""ASGI middleware that must answer before FastAPI reads a request."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Refuse request bodies over `max_bytes` with a JSON 413, before anything parses them.

    A declared Content-Length is checked up front. A chunked body (no length) is
    read here, at most the limit + 1 bytes of it, and handed on whole. Paths in
    `per_path` (exact matches) get their own limit, such as an upload endpoint.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, per_path: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.max_bytes)
        declared = _content_length(scope)
        if declared is not None:
            if declared > limit:
                await _refuse(send, limit)
            else:
                await self.app(scope, receive, send)
            return
        first = await _read_chunked(receive, limit)
        if first is None:
            await _refuse(send, limit)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return first

        await self.app(scope, replay, send)


async def _read_chunked(receive: Receive, limit: int) -> Message | None:
    """The whole body as one message, or None when it exceeds the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message  # a disconnect: pass it on as it is
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"Request body is larger than {limit} bytes"})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # malformed; HTTP servers refuse these before we see them
    return None


class HeadAsGet:
    """Answer HEAD wherever GET answers, as RFC 9110 requires: GET's status and headers, no body.

    FastAPI routes only the methods they declare, so HEAD would otherwise be a 405
    (whose Allow header names HEAD). The inner app sees a GET in a copy of the
    scope; the server still sees HEAD, so it expects no body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, headers_only)
        finally:
            # The access log names the route the GET matched.
            if "route" in as_get:
                scope["route"] = as_get["route"]
