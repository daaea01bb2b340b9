"""`python -m api`: serve on HOST:PORT (what `make run` and the container do)."""

import uvicorn

from api.config import Settings
from api.logs import configure


def main() -> None:
    settings = Settings()
    configure()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        # The app logs each request itself (api.requests), as JSON with its request id.
        access_log=False,
        log_config=None,  # keep the JSON handler configured above
    )


if __name__ == "__main__":
    main()
