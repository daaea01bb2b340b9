"""Every request of the soak goes through Api.call, which times it and judges its status."""

import asyncio
import itertools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

REQUEST_TIMEOUT = 15.0
SHOWN_BODY = 200


@dataclass
class Stats:
    routes: defaultdict[tuple[str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    latencies: defaultdict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    failures: list[str] = field(default_factory=list)
    sent: int = 0
    last_write: float = 0.0  # monotonic time of the latest write's answer
    workload: int = 0  # requests sent by the workload, before the checks
    workload_seconds: float = 0.0

    def fail(self, message: str) -> None:
        self.failures.append(message)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def has_json_detail(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "detail" in body


class Api:
    """An httpx client with at most `concurrency` requests in flight, all recorded."""

    _ids = itertools.count(1)

    def __init__(self, base_url: str, stats: Stats, concurrency: int) -> None:
        self.stats = stats
        self._slots = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=REQUEST_TIMEOUT, limits=limits, trust_env=False
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        route: str,
        path: str | None = None,
        *,
        expect: tuple[int, ...],
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response | None:
        """Send one request; None (and a failure) when no answer came back.

        `route` is the template the summary groups by; `path` the URL when it differs.
        Any status outside `expect`, any 5xx, and any 4xx without a JSON `detail` is a
        failure, reported with the request id that the API's log line carries too.
        """
        request_id = f"soak-{next(self._ids)}"
        sent_headers = {"X-Request-ID": request_id, **(headers or {})}
        if token is not None:
            sent_headers |= bearer(token)
        label = f"{method} {path or route} [{request_id}]"
        self.stats.sent += 1
        async with self._slots:
            started = time.monotonic()
            try:
                response = await self._client.request(
                    method, path or route, headers=sent_headers, **kwargs
                )
            except httpx.HTTPError as error:
                self._record(method, route, "error", started)
                self.stats.fail(f"{label}: {type(error).__name__}: {error}")
                return None
        self._record(method, route, f"{response.status_code // 100}xx", started)
        self._judge(label, response, expect)
        if method != "GET" and response.is_success:
            self.stats.last_write = time.monotonic()
        return response

    def _record(self, method: str, route: str, outcome: str, started: float) -> None:
        self.stats.latencies[method, route].append(time.monotonic() - started)
        self.stats.routes[method, route][outcome] += 1

    def _judge(self, label: str, response: httpx.Response, expect: tuple[int, ...]) -> None:
        status = response.status_code
        if status not in expect or status >= 500:
            shown = response.text[:SHOWN_BODY]
            self.stats.fail(f"{label}: {status}, expected {expect}: {shown}")
        elif status >= 400 and not has_json_detail(response):
            self.stats.fail(f"{label}: {status} without a JSON detail: {response.text[:80]}")
        elif status == 401 and "Bearer" not in response.headers.get("WWW-Authenticate", ""):
            self.stats.fail(f"{label}: 401 without WWW-Authenticate: Bearer")
