"""The human summary printed at the end."""

from collections.abc import Sequence

from scripts.soak.recorder import Stats

SHOWN_FAILURES = 10
HASHING = {("POST", "/login"), ("POST", "/register")}


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def summary(stats: Stats, wall: float) -> str:
    lines = [f"{'request':<34} outcomes"]
    for (method, route), outcomes in sorted(stats.routes.items(), key=lambda item: item[0][1]):
        counted = "  ".join(f"{name}={count}" for name, count in sorted(outcomes.items()))
        lines.append(f"{method + ' ' + route:<34} {counted}")
    rate = stats.workload / stats.workload_seconds if stats.workload_seconds else 0.0
    every = [value for values in stats.latencies.values() for value in values]
    # Registration and login hash a password (Argon2id, 64 MiB) and dominate the tail.
    cheap = [v for key, values in stats.latencies.items() if key not in HASHING for v in values]
    p50, p99, cheap99 = (
        percentile(values, q) * 1000 for values, q in ((every, 0.5), (every, 0.99), (cheap, 0.99))
    )
    lines += [
        f"requests: {stats.sent} ({stats.workload} in the workload at {rate:.0f} req/s), "
        f"latency p50 {p50:.0f} ms, p99 {p99:.0f} ms ({cheap99:.0f} ms without "
        f"/login and /register), wall {wall:.1f} s",
        f"failures: {len(stats.failures)}",
        *(f"  {failure}" for failure in stats.failures[:SHOWN_FAILURES]),
    ]
    return "\n".join(lines)
