"""Load from wrk: a C program, so it takes far less of the two cores than the servers do."""

import asyncio
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")
INSTALL_HINT = (
    "wrk is not installed: `sudo apt-get install wrk` (Debian, Ubuntu) or `brew install wrk`"
)


@dataclass(frozen=True, slots=True)
class Load:
    """What wrk sends: a mode of wrk.lua, its arguments, and how many connections."""

    mode: str
    args: tuple[str, ...]
    connections: int
    token: str = "-"  # noqa: S105  # wrk.lua: send no Authorization header


@dataclass(frozen=True, slots=True)
class Outcome:
    requests: int
    seconds: float
    errors: int
    percentiles_ms: dict[str, float]  # "50", "99", "99.9", ...

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(INSTALL_HINT)
    return found


async def drive(url: str, load: Load, seconds: int) -> Outcome:
    """Run wrk against `url` for `seconds` (whole seconds: wrk's -d takes no fraction)."""
    threads = min(2, load.connections)
    command = [require_wrk(), "-t", str(threads), "-c", str(load.connections)]
    command += ["-d", f"{max(1, seconds)}s", "--timeout", "10s", "-s", str(SCRIPT), url]
    process = await asyncio.create_subprocess_exec(
        *command,
        "--",
        load.token,
        *load.args,
        env={**os.environ, "BENCH_MODE": load.mode},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    lines = [line for line in out.decode().splitlines() if line.startswith('{"requests"')]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({process.returncode}): {err.decode()}{out.decode()}")
    raw = json.loads(lines[-1])
    return Outcome(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=raw["errors"],
        percentiles_ms={key: value / 1000 for key, value in raw["percentiles_us"].items()},
    )
