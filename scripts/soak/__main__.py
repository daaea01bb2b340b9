"""`python -m scripts.soak`: see the package docstring."""

import argparse
import asyncio
import contextlib
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

from scripts.soak import __doc__ as usage
from scripts.soak.drive import make_users, run_workload
from scripts.soak.recorder import Api, Stats
from scripts.soak.report import summary
from scripts.soak.server import Server, ServerError
from scripts.soak.verify import end_one_session, verify

LOOPBACK = ("http://127.0.0.1:", "http://localhost:", "http://[::1]:")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.soak",
        description=(usage or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=3000, help="about this many requests")
    parser.add_argument("--users", type=int, default=12, help="virtual users")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight")
    parser.add_argument("--seed", type=int, default=1, help="seeds the mix of requests")
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="stop sending new requests after this"
    )
    parser.add_argument("--base-url", help="soak this running API instead of starting one")
    args = parser.parse_args(argv)
    if min(args.requests, args.users, args.concurrency) < 1:
        parser.error("--requests, --users and --concurrency must be at least 1")
    if args.base_url and not args.base_url.startswith(LOOPBACK):
        parser.error("--base-url must be a loopback address")
    return args


async def soak(args: argparse.Namespace, server: Server | None, stats: Stats) -> None:
    url = await server.start() if server else args.base_url
    print(
        f"soak: {args.requests} requests, {args.users} users, concurrency {args.concurrency}, "
        f"seed {args.seed}, against {url}",
        flush=True,
    )
    api = Api(url, stats, args.concurrency)
    try:
        users = make_users(args.users, secrets.token_hex(4))
        started = time.monotonic()
        await run_workload(
            api,
            users,
            concurrency=args.concurrency,
            seed=args.seed,
            budget=args.requests,
            seconds=args.max_seconds,
        )
        stats.workload, stats.workload_seconds = stats.sent, time.monotonic() - started
        if stats.workload < args.requests:
            print(f"soak: --max-seconds reached after {stats.workload} requests", flush=True)
        if not any(user.revoked for user in users) and users[0].user_id:
            await end_one_session(api, users[0])
        await verify(api, users, "before restart" if server else "at the end", sync=not server)
        if server:
            await api.aclose()
            # The lanes' tokens are kept: they must still work (the signing key persists).
            api = Api(await server.restart(), stats, args.concurrency)
            await verify(api, users, "after restart", sync=True)
    finally:
        await api.aclose()


async def main_async(args: argparse.Namespace, root: Path, stats: Stats) -> None:
    server = None if args.base_url else Server(root)
    if task := asyncio.current_task():
        # SIGTERM (a CI timeout, say) unwinds like Ctrl-C, so the server is stopped too.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await soak(args, server, stats)
    except ServerError as error:
        stats.fail(str(error))
    finally:
        if server:
            try:
                await server.stop()
            except ServerError as error:
                stats.fail(str(error))
            if stats.failures:
                print(f"soak: the API's last log lines:\n{server.log_tail()}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    stats = Stats()
    started = time.monotonic()
    # A store killed outright may still be closing files while the directory goes.
    with tempfile.TemporaryDirectory(prefix="contacts-soak-", ignore_cleanup_errors=True) as root:
        try:
            asyncio.run(main_async(args, Path(root), stats))
        except (KeyboardInterrupt, asyncio.CancelledError):
            print("soak: interrupted; the server is stopped", file=sys.stderr)
            return 130
    print(summary(stats, time.monotonic() - started))
    return 1 if stats.failures else 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
