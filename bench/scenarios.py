"""Measuring: a warm-up that is thrown away, then a bounded wrk run with CPU read around it."""

import asyncio
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.load import Load, Outcome, drive
from bench.procs import Server, cpu_seconds


@dataclass(frozen=True, slots=True)
class Plan:
    seconds: int  # each measured run
    warmup: int  # each discarded run before it
    reps: int  # runs per server, alternated A B A B to cancel drift
    slow_seconds: int  # runs whose requests take seconds each (S5 on the big book)
    connections: int = 32
    logins: int = 12  # S4's concurrent logins


@dataclass
class Sample:
    requests: int
    rps: float
    errors: int
    percentiles_ms: dict[str, float]
    cpu_per_1k: float  # the server's CPU seconds (all its processes) per 1,000 requests
    store_cpu_per_1k: float


@dataclass
class Result:
    scenario: str
    variant: str
    server: str
    connections: int
    samples: list[Sample] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(self.value(sample, name) for sample in self.samples)

    @staticmethod
    def value(sample: Sample, name: str) -> float:
        if name.startswith("p"):
            return sample.percentiles_ms[name[1:]]
        number: float = getattr(sample, name)
        return number

    @property
    def errors(self) -> int:
        return sum(sample.errors for sample in self.samples)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Bench:
    """The store and the plan of one run; collects every result."""

    def __init__(self, store_pid: int, plan: Plan) -> None:
        self.store_pid = store_pid
        self.plan = plan
        self.results: list[Result] = []
        self.notes: dict[str, Any] = {}

    async def sample(
        self, server: Server, load: Load, seconds: int, warmup: bool = True
    ) -> Sample:
        if warmup and self.plan.warmup:
            await drive(server.url, load, self.plan.warmup)
        cpu, store = server.cpu_seconds(), cpu_seconds(self.store_pid)
        outcome = await drive(server.url, load, seconds)
        return self.to_sample(
            outcome, server.cpu_seconds() - cpu, cpu_seconds(self.store_pid) - store
        )

    @staticmethod
    def to_sample(outcome: Outcome, cpu: float, store_cpu: float) -> Sample:
        per_1k = 1000 / outcome.requests if outcome.requests else 0.0
        return Sample(
            requests=outcome.requests,
            rps=outcome.rps,
            errors=outcome.errors,
            percentiles_ms=outcome.percentiles_ms,
            cpu_per_1k=cpu * per_1k,
            store_cpu_per_1k=store_cpu * per_1k,
        )

    async def compare(
        self,
        scenario: str,
        variant: str,
        servers: list[Server],
        load: Callable[[Server], Load],
        *,
        seconds: int | None = None,
        reps: int | None = None,
        slow: bool = False,
    ) -> list[Result]:
        """Measure each server `reps` times, interleaved (A B A B).

        `slow`: requests take seconds each. wrk abandons the one in flight when
        it stops, and the store keeps working on it, so such runs get no warm-up
        and a pause after them instead.
        """
        results = [
            Result(scenario, variant, server.label, load(server).connections) for server in servers
        ]
        for _ in range(reps or self.plan.reps):
            for server, result in zip(servers, results, strict=True):
                seconds = seconds or self.plan.seconds
                sample = await self.sample(server, load(server), seconds, warmup=not slow)
                result.samples.append(sample)
                if slow:
                    await asyncio.sleep(10)
                print(f"  {scenario} {variant:<34} {server.label:<12} {_line(sample)}", flush=True)
        self.results += results
        return results

    async def during(
        self, scenario: str, variant: str, server: Server, probe: Load, background: Load
    ) -> Result:
        """Measure `probe` while `background` runs from before its warm-up to after its end."""
        span = self.plan.warmup + self.plan.seconds + 2
        behind = asyncio.create_task(drive(server.url, background, span))
        await asyncio.sleep(1)  # let the burst build up before the probe starts
        result = Result(scenario, variant, server.label, probe.connections)
        result.samples.append(await self.sample(server, probe, self.plan.seconds))
        burst = await behind
        print(f"  {scenario} {variant:<34} {server.label:<12} {_line(result.samples[0])}")
        load = Result(scenario, "the logins themselves", server.label, background.connections)
        load.samples.append(self.to_sample(burst, 0.0, 0.0))
        self.results += [result, load]
        return result


def _line(sample: Sample) -> str:
    p = sample.percentiles_ms
    return (
        f"{sample.rps:8.1f} req/s  p50 {p['50']:8.2f} ms  p99 {p['99']:8.2f} ms  "
        f"errors {sample.errors}  cpu/1k {sample.cpu_per_1k:6.2f} s"
    )
