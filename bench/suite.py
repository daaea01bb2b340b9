"""The scenarios S1-S6, each against servers that run.py has started and seeded."""

from collections.abc import Callable
from dataclasses import dataclass

from bench.load import Load
from bench.procs import Server
from bench.scenarios import Bench
from bench.seed import FIRST_LOGIN, Seeded
from contacts.listing import encode_cursor

PAGE = "/contacts/?limit=50"
PROBE_PAUSE_MS = "20"  # a health checker's pace, not a flood: 2 probes x 50/s


@dataclass(frozen=True, slots=True)
class Pair:
    """An API and its baseline on the same database, with a token per seeded user."""

    api: Server
    baseline: Server
    tokens: dict[int, str]

    @property
    def both(self) -> list[Server]:
        return [self.api, self.baseline]


async def s1_list(bench: Bench, pair: Pair) -> None:
    print("S1: GET /contacts/?limit=50, the 100-contact book")
    page = Load("get", (PAGE,), bench.plan.connections, pair.tokens[1])
    await bench.compare("S1", "list, 50 of 100 contacts", pair.both, lambda _: page)


async def s2_read(bench: Bench, pair: Pair, seeded: Seeded) -> None:
    print("S2: GET /contacts/{id}, random ids of the 100-contact book")
    ids = (str(seeded.small_ids.start), str(seeded.small_ids.stop - 1))
    read = Load("ids", ids, bench.plan.connections, pair.tokens[1])
    await bench.compare("S2", "read one contact", pair.both, lambda _: read)


async def s3_create(bench: Bench, pair: Pair) -> None:
    print("S3: POST /contacts/, every body unique")
    runs = iter(range(100, 1000))  # each run's bodies differ from every other run's

    def create(_: Server) -> Load:
        return Load("create", (str(next(runs)),), bench.plan.connections, pair.tokens[3])

    await bench.compare("S3", "create a contact", pair.both, create)


async def s4_health(bench: Bench, pair: Pair, seeded: Seeded) -> None:
    print(f"S4: /healthz while {bench.plan.logins} logins run, against idle")
    probe = Load("probe", ("/healthz", PROBE_PAUSE_MS), 2)
    await bench.compare("S4", "healthz, idle", [pair.api], lambda _: probe, reps=1)
    users = (str(FIRST_LOGIN), str(seeded.login_users))
    logins = Load("login", users, bench.plan.logins)
    await bench.during("S4", "healthz, during the login burst", pair.api, probe, logins)


async def s5_book_size(bench: Bench, small: Pair, big: Pair, seeded: Seeded) -> None:
    size = len(seeded.big_ids)
    print(f"S5: the same page for 100 vs {size:,} contacts, one connection")
    deep = encode_cursor("id", None, None, seeded.big_ids.stop - 101)
    variants = [
        (small, 1, "100 contacts (small store)", PAGE),
        (big, 1, f"100 contacts (beside {size:,})", PAGE),
        (big, 2, f"{size:,} contacts, first page", PAGE),
        (big, 2, f"{size:,} contacts, deep page (cursor)", f"{PAGE}&cursor={deep}"),
        # The same two without X-Total-Count: the page alone, apart from the exact count.
        (big, 2, f"{size:,} contacts, first page, total=false", f"{PAGE}&total=false"),
        (big, 2, f"{size:,}, deep page, total=false", f"{PAGE}&cursor={deep}&total=false"),
    ]
    for pair, user, variant, path in variants:
        # Each request on the big store takes seconds: longer runs, fewer of them.
        slow = pair is big and bench.plan.slow_seconds > bench.plan.seconds
        load = Load("get", (path,), 1, pair.tokens[user])
        await bench.compare(
            "S5",
            variant,
            pair.both,
            _same(load),
            seconds=bench.plan.slow_seconds if slow else None,
            reps=1 if slow else None,
            slow=slow,
        )


def _same(load: Load) -> Callable[[Server], Load]:
    return lambda _: load


async def s6_workers(bench: Bench, one: Server, two: Server, token: str) -> None:
    connections = bench.plan.connections * 2
    print(f"S6: S1's list on one worker vs two, {connections} connections")
    page = Load("get", (PAGE,), connections, token)
    await bench.compare("S6", "list, 1 vs 2 workers", [one, two], lambda _: page)
