"""Run the benchmarks and write their figures into benchmarks/README.md, so that no table there is typed by hand.

Each section of the README that holds figures lies between ``<!-- regenerated: NAME -->`` and
``<!-- /regenerated: NAME -->``; this script runs that section's benchmark (sizes fit for a shared
2-core machine: several rounds, CPU time or alternating rounds, ratios against a baseline measured
in the same run) and replaces what is between the markers with the figures, under a line giving
the date, the commit, the machine's cores and load, and the command. Text outside the markers is
left alone. A benchmark that prints a JSON line (``--json``) gets a Markdown table; one that does
not gets its printed output as it is. Usage:
    python3 -m uv run python benchmarks/regenerate.py [--only ingest_stages,report_runs] [--list]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float], scale: float = 1.0, digits: int = 1, unit: str = "") -> str:
    ordered = sorted(value * scale for value in values)
    return " / ".join(f"{value:.{digits}f}{unit}" for value in (ordered[0], statistics.median(ordered), ordered[-1]))


def stages_table(result: dict[str, Any]) -> str:
    count = result["count"]
    base = result["baseline"]
    rows = ["| stage | µs per invoice (min / median / max) | × the parse (median of rounds) |", "|---|---|---|"]

    def row(label: str, seconds: list[float]) -> str:
        ratio = _median([value / parse for value, parse in zip(seconds, base, strict=True)])
        return f"| {label} | {_spread(seconds, 1e6 / count)} | {ratio:.2f}× |"

    floor_labels = result["floor_labels"]
    for label in [label for label in result["stages"] if label not in floor_labels]:
        rows.append(row(label, result["stages"][label]))
    rows.append(row("**stages of ingest together**", result["ingest"]))
    for label in floor_labels:
        rows.append(row(f"floor: {label}", result["stages"][label]))
    rows.append(row("**floor: read + safe parse + touch + checks + SQLite**", result["floor"]))
    ceilings = [parse / ingest for parse, ingest in zip(base, result["ingest"], strict=True)]
    floors = [parse / floor for parse, floor in zip(base, result["floor"], strict=True)]
    rows.append("")
    rows.append(
        f"{count:,} invoices ({result['lines']:,} lines), {result['rounds']} rounds. Ceiling of ingest rate / parse "
        f"rate from the stages: {_spread(ceilings, 100, 1, ' %')} (min / median / max); of the floor: "
        f"{_spread(floors, 100, 1, ' %')}."
    )
    return "\n".join(rows)


def scale_table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| N | raw parse (CPU) | full ingest (CPU) | ingest / parse | peak RSS parse / ingest | imports before the first file |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        n, parse, ingest = result["count"], result["parse"], result["ingest"]
        rows.append(
            f"| {n:,} ({result['megabytes']:.0f} MB) | {n / parse['seconds']:,.0f} invoices/s | "
            f"{n / ingest['seconds']:,.0f} invoices/s | **{parse['seconds'] / ingest['seconds']:.1%}** | "
            f"{parse['peak_mb']:.0f} / {ingest['peak_mb']:.0f} MB | {ingest['warm_up']:.1f} s |"
        )
    return "\n".join(rows)


def parallel_table(result: dict[str, Any]) -> str:
    n = result["count"]
    rows = [
        "| ingest of the same invoices | elapsed (min / median / max) | invoices/s (median) | CPU in all (median) |",
        "|---|---|---|---|",
        f"| one process | {_spread(result['one'], 1, 2, ' s')} | {n / _median(result['one']):,.0f} | {_median(result['one_cpu']):.2f} s |",
        f"| {result['workers']} parse workers + the writer | {_spread(result['many'], 1, 2, ' s')} | "
        f"{n / _median(result['many']):,.0f} | {_median(result['many_cpu']):.2f} s |",
        "",
        f"{n:,} invoices, rounds alternating, {result['cores']} cores, load average {result['load']:.1f} at the end: "
        f"**{result['speedup']:.2f}×** (median over median); the best idle cores would allow, from the CPU times "
        f"(one process's CPU over the larger of the writer's and all CPU / cores): **{result['cpu_bound_speedup']:.2f}×**.",
    ]
    return "\n".join(rows)


def reports_table(result: dict[str, Any]) -> str:
    rows = [
        "| what | min / median / max | |",
        "|---|---|---|",
        f"| {result['pdfs']} PDFs, one process (elapsed) | {_spread(result['one'], 1, 2, ' s')} | |",
        f"| {result['pdfs']} PDFs, pool of {result['workers']} (elapsed) | {_spread(result['many'], 1, 2, ' s')} | "
        f"**{result['speedup']:.2f}×** (median over median) |",
        f"| report run, empty folder (CPU, with PDF workers) | {_spread(result['first_cpu'], 1, 2, ' s')} | |",
        f"| report run again, nothing new (CPU) | {_spread(result['second_cpu'], 1, 2, ' s')} | "
        f"**{_median(result['second_share']):.1%}** of the first (median; min / max "
        f"{min(result['second_share']):.1%} / {max(result['second_share']):.1%}) |",
        "",
        f"{result['cores']} cores, load average {result['load']:.1f} at the end. The best speed-up of the pool idle "
        f"cores would allow, from the CPU times (one process's CPU over the pool's spread over its workers): "
        f"**{result['cpu_bound_speedup']:.2f}×**.",
    ]
    return "\n".join(rows)


@dataclass(frozen=True)
class Section:
    """One README section: the benchmark's command (from the repository root) and how its JSON becomes a table
    (``None``: its printed output is shown as it is)."""

    command: list[str]
    table: Callable[[Any], str] | None = None


SECTIONS: dict[str, Section] = {
    "ingest_stages": Section(["benchmarks/ingest_stages.py", "--count", "5000", "--rounds", "3", "--json"], stages_table),
    "ingest_scale": Section(["benchmarks/ingest_scale.py", "--sizes", "10000,100000", "--json"], scale_table),
    "ingest_parallel": Section(["benchmarks/ingest_parallel.py", "--count", "20000", "--rounds", "3", "--json"], parallel_table),
    "report_runs": Section(["benchmarks/report_runs.py", "--copies", "2", "--rounds", "3", "--json"], reports_table),
    "ingest_throughput": Section(["benchmarks/ingest_throughput.py", "--scale", "10", "--repeat", "3"]),
    "quality_overhead": Section(["benchmarks/quality_overhead.py", "--count", "5000"]),
    "dmr_import": Section(["benchmarks/dmr_import.py", "--sizes", "20000,110000"]),
    "assessment_scale": Section(["benchmarks/assessment_scale.py", "--contracts", "50", "--trips", "199800", "--rounds", "3"]),
    "dmr_memory": Section(["benchmarks/dmr_import.py", "--memory-sizes", "100000,300000,1000000", "--rounds", "2"]),
    "log_memory": Section(["benchmarks/log_memory.py", "--rounds", "2"]),
    "startup": Section(["benchmarks/startup.py", "--rounds", "5", "--before", "4d3ceba"]),
}


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    if Path("/proc/meminfo").is_file():
        total_kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB"
    return f"{cores} cores{memory}, Python {platform.python_version()}"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    head = git("rev-parse", "--short=10", "HEAD")
    # The README itself changes as sections are written; any other change means the figures are not the commit's.
    changed = [
        line
        for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        if not line.endswith("benchmarks/README.md")
    ]
    return head + (" with uncommitted changes" if changed else "")


def run_section(name: str, section: Section) -> str:
    started = datetime.now(UTC)
    done = subprocess.run([sys.executable, *section.command], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name}: {' '.join(section.command)} failed:\n{done.stderr[-3000:]}")
    stamp = (
        f"_Regenerated by `benchmarks/regenerate.py` on {started:%Y-%m-%d %H:%M} UTC, commit {commit()}, "
        f"{machine()}, load average {os.getloadavg()[0]:.1f}; `python {' '.join(section.command)}`._"
    )
    if section.table is None:
        body = "```\n" + done.stdout.strip() + "\n```"
    else:
        body = section.table(json.loads(done.stdout.strip().splitlines()[-1]))
    return f"{stamp}\n\n{body}"


def replace_section(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- regenerated: {re.escape(name)} -->\n).*?(\n<!-- /regenerated: {re.escape(name)} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"benchmarks/README.md has no markers for {name!r}")
    return pattern.sub(lambda match: match.group(1) + body + match.group(2), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated section names (default: every section)")
    parser.add_argument("--list", action="store_true", help="list the sections and their commands")
    args = parser.parse_args()
    if args.list:
        for name, section in SECTIONS.items():
            print(f"{name:18s} python {' '.join(section.command)}")
        return
    names = args.only.split(",") if args.only else list(SECTIONS)
    for name in names:
        print(f"running {name} …", flush=True)
        body = run_section(name, SECTIONS[name])
        README.write_text(replace_section(README.read_text(encoding="utf-8"), name, body), encoding="utf-8")
        print(body, flush=True)


if __name__ == "__main__":
    main()
