"""`python -m bench [--smoke] [--out DIR]`: start, seed, check, measure, report.

One NX-27017 store for the whole run, with two databases: a small one (S1-S4,
S6) and one holding a book of 100,000 contacts (S5). Each has its own API and
baseline, pointed at it by MONGODB_URL and MONGODB_DB, so both apps read
exactly the same data.
"""

import argparse
import asyncio
import json
import secrets
import socket
import tempfile
import time
from pathlib import Path

from api.store import EmbeddedStore
from bench import check, report, suite
from bench.load import require_wrk
from bench.procs import Server
from bench.scenarios import Bench, Plan
from bench.seed import BIG, SMALL, WRITER, log_in, seed

ROOT = Path(__file__).resolve().parent.parent
# Three runs a server, not two: a median of three shrugs off one noisy neighbour.
FULL = Plan(seconds=6, warmup=2, reps=3, slow_seconds=20)
SMOKE = Plan(seconds=1, warmup=0, reps=1, slow_seconds=1, connections=8, logins=2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


SCENARIOS = ("S1", "S2", "S3", "S4", "S5", "S6")


class Run:
    def __init__(self, workdir: Path, store_url: str) -> None:
        self.workdir = workdir
        self.env = {
            "MONGODB_URL": store_url,
            "JWT_SECRET": secrets.token_urlsafe(32),
            "ACCESS_TOKEN_MINUTES": "240",
            # Every login comes from 127.0.0.1; S4 must measure hashing, not 429s.
            "LOGIN_LIMIT_PER_EMAIL": "1000000",
            "LOGIN_LIMIT_PER_IP": "1000000",
            "DATA_DIR": str(workdir / "data"),
        }
        self.servers: list[Server] = []

    async def server(self, app: str, database: str, workers: int = 1) -> Server:
        env = {**self.env, "MONGODB_DB": database}
        log = self.workdir / f"{app}-{database}-{workers}.log"
        server = Server(app, _free_port(), env, log, workers)
        self.servers.append(server)
        await server.start()
        return server

    async def pair(self, database: str, users: tuple[int, ...]) -> suite.Pair:
        api = await self.server("api", database)
        baseline = await self.server("baseline", database)
        tokens = {user: await asyncio.to_thread(log_in, api.url, user) for user in users}
        return suite.Pair(api, baseline, tokens)

    async def stop(self) -> None:
        await asyncio.gather(*(server.stop() for server in self.servers))


async def measure(args: argparse.Namespace, workdir: Path) -> Bench:
    plan = SMOKE if args.smoke else FULL
    store = EmbeddedStore(workdir / "store")
    url = await store.start()
    run = Run(workdir, url)
    try:
        bench = Bench(int(store.pid_path.read_text()), plan)
        small_seed = await asyncio.to_thread(seed, url, "bench_small", 0, 16)
        small = await run.pair("bench_small", (SMALL, WRITER))
        check.same_answer(small.api, small.baseline, suite.PAGE, small.tokens[SMALL])
        check.same_answer(small.api, small.baseline, "/contacts/7", small.tokens[SMALL])
        check.same_create(small.api, small.baseline, small.tokens[WRITER])
        wanted = args.only
        if "S1" in wanted:
            await suite.s1_list(bench, small)
        if "S2" in wanted:
            await suite.s2_read(bench, small, small_seed)
        if "S6" in wanted:
            two = await run.server("api", "bench_small", workers=2)
            await suite.s6_workers(bench, small.api, two, small.tokens[SMALL])
            await two.stop()
        if "S4" in wanted:
            await suite.s4_health(bench, small, small_seed)
        if "S5" in wanted:
            await _book_size(args, bench, run, url, small)
        # Last: every create grows the small collection, which the others read.
        if "S3" in wanted:
            await suite.s3_create(bench, small)
    finally:
        await run.stop()
        await store.stop()
    return bench


async def _book_size(
    args: argparse.Namespace, bench: Bench, run: Run, url: str, small: suite.Pair
) -> None:
    started = time.perf_counter()
    big_seed = await asyncio.to_thread(seed, url, "bench_big", args.big, 0)
    bench.notes["seed_seconds"] = time.perf_counter() - started
    bench.notes["big_book"] = args.big
    big = await run.pair("bench_big", (SMALL, BIG))
    check.same_answer(big.api, big.baseline, suite.PAGE, big.tokens[BIG])
    await suite.s5_book_size(bench, small, big, big_seed)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="seconds, tiny data: CI's check")
    parser.add_argument("--big", type=int, help="contacts in S5's big book (default 100,000)")
    parser.add_argument("--out", type=Path, help="where the report goes (default: the repo)")
    parser.add_argument(
        "--only",
        type=lambda text: {part.strip().upper() for part in text.split(",")},
        default=set(SCENARIOS),
        help="some scenarios, e.g. S2,S4 (the report then goes to a temporary directory)",
    )
    args = parser.parse_args()
    if unknown := args.only - set(SCENARIOS):
        parser.error(f"no such scenario: {', '.join(sorted(unknown))}")
    partial = args.only != set(SCENARIOS)
    args.big = args.big or (500 if args.smoke else 100_000)
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        bench = asyncio.run(measure(args, workdir))
        out = args.out or (workdir / "report" if args.smoke or partial else ROOT)
        raw = [result.as_dict() for result in bench.results]
        (out / "bench" / "results").mkdir(parents=True, exist_ok=True)
        (out / "bench/results/results.json").write_text(
            json.dumps({"notes": bench.notes, "results": raw}, indent=1)
        )
        report.write(out, bench, "make bench" + (" BENCH_ARGS=--smoke" if args.smoke else ""))
        errors = sum(result.errors for result in bench.results)
    if errors:
        print(f"{errors} requests failed: see the tables above")
        return 1
    print(
        f"report: {out / 'BENCHMARKS.md'}" if args.out or not (args.smoke or partial) else "done"
    )
    return 0
