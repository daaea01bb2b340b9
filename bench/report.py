"""BENCHMARKS.md's measured section, and the latency plot.

Only the part between the markers is rewritten: the findings written by hand
around it survive a re-run.
"""

import os
import platform
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.scenarios import Bench, Result

START, END = "<!-- results:start -->", "<!-- results:end -->"
PLOT = "bench/results/latency.png"


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
             if line.startswith("model name")),
            cpu,
        )  # fmt: skip
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)  # noqa: S607
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"{(wrk.stdout or wrk.stderr).split(' Copyright')[0].strip()}; load average at the end "
        f"{os.getloadavg()[0]:.2f} (the machine is shared)"
    )


def _verdict(value: float, budget: float, at_least: bool) -> str:
    ok = value >= budget if at_least else value <= budget
    return f"**{value:.2f}x** ({'≥' if at_least else '≤'} {budget}: {'met' if ok else 'MISSED'})"


def _table(results: list[Result]) -> list[str]:
    lines = [
        "| variant | server | conns | req/s | p50 ms | p99 ms | errors | server CPU s/1k req "
        "| store CPU s/1k req |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        lines.append(
            f"| {r.variant} | {r.server} | {r.connections} | {r.median('rps'):.1f} "
            f"| {r.median('p50'):.2f} | {r.median('p99'):.2f} | {r.errors} "
            f"| {r.median('cpu_per_1k'):.2f} | {r.median('store_cpu_per_1k'):.2f} |"
        )
    return lines


def _ratios(a: Result, b: Result, budgets: dict[str, float]) -> list[str]:
    rows = {
        "req/s": (a.median("rps") / b.median("rps"), budgets.get("rps"), True),
        "p99": (a.median("p99") / b.median("p99"), budgets.get("p99"), False),
        "CPU per request": (
            a.median("cpu_per_1k") / max(b.median("cpu_per_1k"), 1e-9),
            budgets.get("cpu"),
            False,
        ),
    }
    return [
        f"- {name}, {a.server} / {b.server}: "
        + (_verdict(value, budget, at_least) if budget else f"{value:.2f}x")
        for name, (value, budget, at_least) in rows.items()
    ]


def sections(bench: Bench) -> list[str]:
    by: Callable[[str], list[Result]] = lambda s: [r for r in bench.results if r.scenario == s]  # noqa: E731
    out: list[str] = []
    titles = {
        "S1": "S1: `GET /contacts/?limit=50` (100-contact book)",
        "S2": "S2: `GET /contacts/{id}`",
        "S3": "S3: `POST /contacts/`",
        "S4": "S4: `/healthz` during a login burst",
        "S5": "S5: the same page, 100 vs 100,000 contacts",
        "S6": "S6: one worker vs two",
    }
    budgets = {
        "S1": {"rps": 0.85, "p99": 1.25, "cpu": 1.3},
        "S2": {"rps": 0.85, "p99": 1.25, "cpu": 1.3},
        "S3": {"rps": 0.8},
        "S6": {"rps": 1.6},
    }
    for scenario, title in titles.items():
        results = by(scenario)
        if not results:
            continue
        out += ["", f"### {title}", "", *_table(results), ""]
        if scenario in budgets:
            first, second = (results[1], results[0]) if scenario == "S6" else results[:2]
            out += _ratios(first, second, budgets[scenario])
        elif scenario == "S4":
            idle, burst = results[0].median("p99"), results[1].median("p99")
            out.append(
                f"- healthz p99 during the burst / idle: {_verdict(burst / idle, 3, False)}"
            )
        else:
            out += _book_ratios(results)
    return out


def _book_ratios(results: list[Result]) -> list[str]:
    lines = []
    for server in ("api", "baseline"):
        mine = [r for r in results if r.server == server]
        reference = mine[0].median("p50")
        for r in mine[1:]:
            ratio = r.median("p50") / reference
            shown = _verdict(ratio, 1.5, False) if server == "api" else f"{ratio:.2f}x"
            lines.append(f"- {server}: p50 of “{r.variant}” / “{mine[0].variant}”: {shown}")
    return lines


def plot(path: Path, bench: Bench) -> None:
    # Here, not at the top: `make lint` runs without the bench extra installed.
    import matplotlib  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    figure, axes = plt.subplots(1, 2, figsize=(13, 5))
    for axis, scenario in zip(axes, ("S1", "S5"), strict=True):
        for r in (r for r in bench.results if r.scenario == scenario):
            points = sorted(r.samples[0].percentiles_ms, key=float)
            values = [statistics_median(r, p) for p in points]
            style = "-" if r.server == "api" else "--"
            label = r.server if scenario == "S1" else f"{r.server}: {r.variant}"
            axis.plot([f"p{p}" for p in points], values, style, marker="o", label=label)
        axis.set_yscale("log")
        axis.set_ylabel("latency, ms (log scale)")
        axis.set_title("S1: list 50 of 100 contacts" if scenario == "S1" else "S5: book size")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def statistics_median(result: Result, point: str) -> float:
    return result.median(f"p{point}")


def write(root: Path, bench: Bench, command: str) -> None:
    notes = bench.notes
    body = [
        START,
        "",
        f"Measured with `{command}` on {machine()}.",
        f"S5's big book: {notes.get('big_book', 0):,} contacts, written in "
        f"{notes.get('seed_seconds', 0):.1f} s. Medians of the runs; ratios are API / baseline.",
        *sections(bench),
        "",
        f"![latency percentiles of S1 and S5]({PLOT})",
        "",
        END,
    ]
    target = root / "BENCHMARKS.md"
    text = target.read_text() if target.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    target.write_text(pattern.sub(lambda _: "\n".join(body), text, count=1))
    plot(root / PLOT, bench)
