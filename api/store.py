"""The embedded NX-27017 server: a MongoDB-wire store on SQLite under DATA_DIR."""

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


class StoreStartError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    # Linux only: if the API process is killed outright, take the store with it
    # instead of leaving an orphan that holds the pid file.
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class EmbeddedStore:
    """Runs one NX-27017 server process on a free loopback port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        # Chosen free at the first start and kept, so a restart comes back where
        # connected clients look for it.
        self.port: int | None = None
        # One SQLite file per database name, so MONGODB_DB isolates here as on MongoDB
        # (with a single --db file, every database name shares one namespace).
        self.databases_dir = data_dir / "databases"
        # Our own pid file: the server's default one is shared machine-wide.
        self.pid_path = data_dir / "nx-27017.pid"
        self.log_path = data_dir / "nx-27017.log"
        self._process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> str:
        # Private: the store holds password hashes and listens without authentication.
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if (pid := self._running_pid()) is not None:
            raise StoreStartError(
                f"Another API instance is using {self.data_dir} (store pid {pid}); "
                "stop it or set DATA_DIR to another directory"
            )
        # Left by a crash; the server itself would take a reused pid for a live instance.
        self.pid_path.unlink(missing_ok=True)
        port = self.port = self.port or _free_port()
        self._process = process = await asyncio.create_subprocess_exec(
            *self._command(port),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        await self._wait_until_listening(process, port)
        self.url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        return self.url

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            log.warning("embedded store did not stop in %.0f s; killing it", STOP_TIMEOUT)
            process.kill()
            await process.wait()

    def _command(self, port: int) -> list[str]:
        executable = Path(sys.executable).with_name("nx-27017")
        program = [str(executable)] if executable.exists() else [shutil.which("nx-27017") or ""]
        if not program[0]:
            raise StoreStartError("the nx-27017 package is not installed; run `make install`")
        return [
            *program,
            "--data-dir", str(self.databases_dir),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--pid-file", str(self.pid_path),
            "--log-file", str(self.log_path),
        ]  # fmt: skip

    async def _wait_until_listening(self, process: asyncio.subprocess.Process, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise StoreStartError(self._failure("exited during start-up"))
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return
        await self.stop()
        raise StoreStartError(self._failure(f"did not listen within {START_TIMEOUT:.0f} s"))

    def _running_pid(self) -> int | None:
        """The pid in our pid file if that process is a live store (a stale file is ignored)."""
        try:
            pid = int(self.pid_path.read_text().strip())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        # After a reboot the pid may belong to an unrelated process; where /proc
        # tells us, only a store process counts.
        cmdline = Path(f"/proc/{pid}/cmdline")
        with contextlib.suppress(OSError):
            if b"nx-27017" not in cmdline.read_bytes():
                return None
        return pid

    def _failure(self, what: str) -> str:
        tail = ""
        with contextlib.suppress(OSError):
            tail = "\n  ".join(self.log_path.read_text(errors="replace").splitlines()[-5:])
        return f"embedded store {what} (log: {self.log_path})\n  {tail}"
