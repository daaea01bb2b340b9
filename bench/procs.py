"""The processes of a run: servers started and stopped by pid, and their CPU time from /proc."""

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

READY_TIMEOUT = 60.0


def _die_with_parent() -> None:
    # A server must not outlive a harness that was killed outright.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stat_fields(pid: int) -> list[str]:
    # The command name (field 2) may contain spaces; everything after its ")" splits cleanly.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (uvicorn's workers and whatever they start)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                parents[int(entry.name)] = int(_stat_fields(int(entry.name))[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of `pid` and its descendants so far."""
    ticks = 0
    for each in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError, IndexError):
            stat = _stat_fields(each)
            ticks += int(stat[11]) + int(stat[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """One `python -m bench.serve` process: the API or the baseline."""

    app: str
    port: int
    env: dict[str, str]
    log_path: Path
    workers: int = 1
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def label(self) -> str:
        return self.app if self.workers == 1 else f"{self.app} x{self.workers}"

    async def start(self) -> None:
        argv = ["-m", "bench.serve", self.app, str(self.port), str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                *argv,
                env={**os.environ, **self.env},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                break
            if await asyncio.to_thread(self._answers):
                return
            await asyncio.sleep(0.2)
        await self.stop()
        tail = "\n  ".join(self.log_path.read_text(errors="replace").splitlines()[-10:])
        raise RuntimeError(f"{self.label} did not start (log {self.log_path}):\n  {tail}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as reply:  # noqa: S310
                return bool(reply.status == 200)
        except OSError:
            return False

    def cpu_seconds(self) -> float:
        assert self.process is not None  # noqa: S101
        return cpu_seconds(self.process.pid)

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
