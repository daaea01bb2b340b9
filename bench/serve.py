"""`python -m bench.serve api|baseline PORT [WORKERS]`: one server, as `python -m api` runs.

Both apps get the same uvicorn settings. The log configuration is handed to
uvicorn (rather than set up here, as `python -m api` does) so that every worker
process logs alike; the API's one JSON line per request is part of its cost.
"""

import sys
from typing import Any

import uvicorn

TARGETS = {"api": "api.main:create_app", "baseline": "bench.baseline:create_app"}

LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "api.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    # uvicorn's own INFO lines (startup, shutdown) are noise in the server log.
    "loggers": {"uvicorn": {"level": "WARNING"}},
}


def main(argv: list[str]) -> None:
    app, port, *rest = argv
    uvicorn.run(
        TARGETS[app],
        factory=True,
        host="127.0.0.1",
        port=int(port),
        workers=int(rest[0]) if rest else 1,
        loop="uvloop",
        http="httptools",
        access_log=False,
        proxy_headers=True,
        log_config=LOG_CONFIG,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
