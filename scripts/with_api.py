"""Run a command against a throw-away API: `python -m scripts.with_api [-e K=V ...] -- CMD ...`.

The API is `make run`'s (`python -m api`) on a free loopback port, with its own
empty DATA_DIR (so the embedded store), stopped and deleted again afterwards.
CMD finds it in the environment as API_URL. The exit status is CMD's, or 1 if
the API would not start; the API's log is printed when either fails.

`running_api()` is the same thing for Python callers (the soak test).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError

from api.store import STOP_TIMEOUT as STORE_STOP_TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
# Well past the app's own wait for the embedded store to stop, so a store slow to
# close its files on a busy machine is not mistaken for an API that ignores SIGTERM.
STOP_TIMEOUT = STORE_STOP_TIMEOUT + 20


class ApiError(RuntimeError):
    """The API would not start, or would not stop cleanly."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ready(url: str) -> bool:
    try:
        # Our own loopback URL, never user input.
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (URLError, OSError):
        return False


def _routine(line: str) -> bool:
    # An access record of a request below 500: the noise around what went wrong.
    return '"logger": "api.access"' in line and '"status": 5' not in line


class Api:
    """One `python -m api` process; `restart()` brings it back on the same port and data."""

    def __init__(self, data_dir: Path, log_path: Path, env: Mapping[str, str]) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        # Variables beat .env, and a blank MONGODB_URL means the embedded store, so a
        # developer's .env can't point a throw-away run at a real database.
        self._env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATA_DIR": str(data_dir),
            "MONGODB_URL": "",
            **env,
        }
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "api"],
                cwd=ROOT,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own process group: Ctrl-C reaches only our caller, which then
                # stops the API in order.
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self._process.poll() is None:
            if _ready(self.url):
                return
            time.sleep(0.3)
        self.stop()
        raise ApiError(f"the API did not become ready on {self.url}; its log:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM, which runs the app's shutdown; an unclean exit is an ApiError."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise ApiError(f"the API ignored SIGTERM for {STOP_TIMEOUT:.0f} s") from None
        if code not in (0, -signal.SIGTERM):
            raise ApiError(f"the API exited with {code} on SIGTERM")

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 50) -> str:
        """The log's last lines, leaving out the access records of requests that succeeded."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        kept = [line for line in text.splitlines() if not _routine(line)]
        return "\n".join(kept[-lines:])


@contextmanager
def running_api(env: Mapping[str, str] | None = None) -> Iterator[Api]:
    """A started API on a temporary DATA_DIR, stopped and removed on exit."""
    # A store killed outright may still be closing files while the directory goes.
    with tempfile.TemporaryDirectory(prefix="contacts-api-", ignore_cleanup_errors=True) as tmp:
        api = Api(Path(tmp) / "data", Path(tmp) / "api.log", env or {})
        try:
            api.start()
            yield api
        finally:
            api.stop()


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.with_api", description=__doc__)
    parser.add_argument(
        "-e", "--env", action="append", default=[], metavar="KEY=VALUE", help="API setting"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD [ARGS...]")
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command given")
    if bad := [item for item in args.env if "=" not in item]:
        parser.error(f"--env wants KEY=VALUE, got {bad[0]!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    env = dict(item.split("=", 1) for item in args.env)
    try:
        with running_api(env) as api:
            print(f"with_api: API on {api.url} (temporary data)", file=sys.stderr, flush=True)
            # Running the caller's command is this tool's purpose.
            status = subprocess.call(args.command, env={**os.environ, "API_URL": api.url})  # noqa: S603
            if status != 0:
                print(
                    f"with_api: {args.command[0]} exited {status}; the API's log:", file=sys.stderr
                )
                print(api.log_tail(), file=sys.stderr)
            return status
    except ApiError as error:
        print(f"with_api: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
