"""Before measuring: the baseline must answer exactly what the API answers."""

import json
import urllib.request
from typing import Any

from bench.procs import Server

# Headers both must send alike; Link is compared with each server's own address cut out.
COMPARED = ("x-total-count", "x-next-cursor", "link", "etag", "content-type")


def fetch(
    server: Server, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310  # the harness's own loopback servers
        server.url + path,
        data,
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310  # loopback
        headers = {
            name.lower(): value.replace(server.url, "") for name, value in reply.headers.items()
        }
        return reply.status, headers, json.load(reply)


def same_answer(api: Server, baseline: Server, path: str, token: str) -> None:
    """The same status, compared headers and JSON for one GET, or SystemExit."""
    status_a, headers_a, body_a = fetch(api, path, token)
    status_b, headers_b, body_b = fetch(baseline, path, token)
    wanted_a = {name: headers_a.get(name) for name in COMPARED}
    wanted_b = {name: headers_b.get(name) for name in COMPARED}
    if (status_a, wanted_a, body_a) != (status_b, wanted_b, body_b):
        raise SystemExit(
            f"the baseline answers GET {path} differently from the API:\n"
            f"  api:      {status_a} {wanted_a} {str(body_a)[:300]}\n"
            f"  baseline: {status_b} {wanted_b} {str(body_b)[:300]}"
        )


def same_create(api: Server, baseline: Server, token: str) -> None:
    """A create answers the same shape from both (ids and times differ, of course)."""
    answers = []
    for n, server in enumerate((api, baseline)):
        contact = {"name": f" Check {n} ", "phone_number": f"+1999000000{n}"}
        contact["email"] = f"check{n}@Example.COM"
        status, headers, body = fetch(server, "/contacts/", token, contact)
        shape = {key: type(value).__name__ for key, value in body.items()}
        location = headers.get("location", "").replace(str(body.get("id")), "{id}")
        answers.append((status, shape, location, headers.get("etag"), body["name"]))
    names = {answer[4] for answer in answers}
    trimmed = {f"Check {n}" for n in range(2)}
    if answers[0][:4] != answers[1][:4] or names != trimmed:
        raise SystemExit(f"the baseline creates differently from the API: {answers}")
