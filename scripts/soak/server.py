"""The throw-away API under soak: scripts/with_api.py's, driven from asyncio."""

import asyncio
from pathlib import Path

from scripts import with_api

# High enough that the soak's registrations and logins never meet a 429.
LIMITS = ("LOGIN_LIMIT_PER_EMAIL", "LOGIN_LIMIT_PER_IP", "REGISTER_LIMIT_PER_IP")

ServerError = with_api.ApiError


class Server:
    """`python -m api` on DATA_DIR under `root`; a restart keeps the directory and port."""

    def __init__(self, root: Path) -> None:
        self._api = with_api.Api(
            root / "data", root / "server.log", dict.fromkeys(LIMITS, "100000")
        )

    async def start(self) -> str:
        await asyncio.to_thread(self._api.start)
        return self._api.url

    async def stop(self) -> None:
        await asyncio.to_thread(self._api.stop)

    async def restart(self) -> str:
        await self.stop()
        return await self.start()

    def log_tail(self) -> str:
        return self._api.log_tail(15)
