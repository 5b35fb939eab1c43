"""Report runs: PDFs in a process pool against one process, and a second run with nothing new against the first.

The sample inbox is ingested and checked once into a temporary SQLite file. Then, in one run:

- **pool**: the PDFs of one report run (every annual report and penalty statement, as HTML) are
  rendered ``--copies`` times over, as if that many times as many contracts, by one process and by a
  pool of ``--workers`` (``PdfRenderer``, what ``COMPLIANCE_REPORT_WORKERS`` sets), alternately,
  ``--rounds`` times; elapsed time (waiting is what a pool saves), median ratio;
- **nothing new**: ``compliance``'s report writing (``write_contract_reports``) into an empty
  folder, then again into the same folder with nothing changed, each in a fresh process (as two
  scheduled runs would be), ``--rounds`` times; CPU time of the process and its PDF workers, and the
  second run's share of the first's.
Usage:
    python3 -m uv run python benchmarks/report_runs.py [--copies 4] [--workers 2] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AS_OF = date(2026, 11, 22)


def _settings(root: Path, workers: int = 1):  # type: ignore[no-untyped-def]
    from compliance.base.settings import PROJECT_ROOT, load_settings

    return replace(
        load_settings(),
        db_url=f"sqlite:///{root / 'bench.sqlite'}",
        inbox=PROJECT_ROOT / "sample_invoices",
        contracts_dir=PROJECT_ROOT / "tests" / "data" / "contracts",
        reports_dir=root / "reports",
        report_workers=workers,
        report_language="da",
    )


def child_report_run(root: Path) -> dict[str, float]:
    """One report run in this (fresh) process: CPU seconds of the process and its PDF workers."""
    from compliance.pipeline import write_contract_reports

    settings = _settings(root, int(os.environ.get("BENCH_WORKERS", "1")))
    before = os.times()
    started = time.perf_counter()
    written = write_contract_reports(settings)
    seconds = time.perf_counter() - started
    after = os.times()
    return {"cpu": sum(after[:4]) - sum(before[:4]), "seconds": seconds, "pdfs": len(written.pdf)}


def run_child(root: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(root)], capture_output=True, text=True, check=True, env={**os.environ}
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def pool_jobs(root: Path, copies: int) -> list[tuple[str, Path]]:
    """The HTML and PDF path of every PDF one report run makes, ``copies`` times (in separate folders)."""
    from compliance.pipeline import write_contract_reports
    from compliance.reports import pdf

    captured: list[tuple[str, Path]] = []
    original = pdf.PdfRenderer.add

    def capture(self: pdf.PdfRenderer, html: str, path: Path, generated: object = None) -> Path:
        captured.append((html, path))
        return path

    pdf.PdfRenderer.add = capture  # type: ignore[method-assign,assignment]
    try:
        write_contract_reports(_settings(root))
    finally:
        pdf.PdfRenderer.add = original  # type: ignore[method-assign]
    return [(html, root / "pool" / f"copy-{n}" / path.name) for n in range(copies) for html, path in captured]


def render_all(jobs: list[tuple[str, Path]], workers: int) -> tuple[float, float]:
    """Elapsed and CPU seconds (this process and its pool's workers) to render every job."""
    from compliance.reports.pdf import PdfRenderer

    for _, path in jobs:  # nothing left from the round before: every PDF is rendered
        shutil.rmtree(path.parent, ignore_errors=True)
    renderer = PdfRenderer(workers)
    for html, path in jobs:
        renderer.add(html, path)
    before = os.times()
    started = time.perf_counter()
    renderer.finish()
    elapsed = time.perf_counter() - started
    after = os.times()
    return elapsed, sum(after[:4]) - sum(before[:4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_report_run(Path(args.child))))
        return
    from compliance.pipeline import check_contracts, ingest_files, initialise_database

    rounds = max(3, args.rounds)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings = _settings(root)
        initialise_database(settings)
        ingest_files(settings)
        check_contracts(settings, as_of=AS_OF)
        jobs = pool_jobs(root, args.copies)
        render_all(jobs[:1], 1)  # warm-up: fonts loaded once in this process
        one: list[tuple[float, float]] = []
        many: list[tuple[float, float]] = []
        for _ in range(rounds):
            one.append(render_all(jobs, 1))
            many.append(render_all(jobs, args.workers))
        first: list[dict[str, float]] = []
        second: list[dict[str, float]] = []
        for _ in range(rounds):
            shutil.rmtree(root / "reports", ignore_errors=True)
            first.append(run_child(root))
            second.append(run_child(root))
    share = [b["cpu"] / a["cpu"] for a, b in zip(first, second, strict=True)]
    result = {
        "pdfs": len(jobs),
        "workers": args.workers,
        "cores": len(os.sched_getaffinity(0)),
        "one": [elapsed for elapsed, _ in one],
        "many": [elapsed for elapsed, _ in many],
        "speedup": statistics.median(e for e, _ in one) / statistics.median(e for e, _ in many),
        # What idle cores would allow at best, from CPU times: one process's CPU over the pool's spread over its workers.
        "cpu_bound_speedup": statistics.median(c for _, c in one)
        / (statistics.median(c for _, c in many) / min(args.workers, len(os.sched_getaffinity(0)))),
        "first_cpu": [r["cpu"] for r in first],
        "second_cpu": [r["cpu"] for r in second],
        "second_share": share,
        "report_pdfs": first[0]["pdfs"],
        "load": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{len(jobs)} PDFs ({args.copies} copies of one run's), {result['cores']} cores, load average {result['load']:.1f}")
    for label, times in (("one process", result["one"]), (f"pool of {args.workers}", result["many"])):
        ordered = sorted(times)
        print(
            f"  {label:16s} {ordered[0]:6.2f} / {statistics.median(ordered):6.2f} / {ordered[-1]:6.2f} s elapsed (min / median / max)"
        )
    print(f"  speed-up (median over median): {result['speedup']:.2f}× (target ≥ 1.7× on 2 cores)")
    print(f"  best possible on idle cores from the CPU times: {result['cpu_bound_speedup']:.2f}×")
    print(f"report run of the sample ({result['report_pdfs']} annual-report PDFs), CPU of process + PDF workers:")
    print(f"  first run, empty folder   {statistics.median(result['first_cpu']):6.2f} s (median)")
    print(f"  second run, nothing new   {statistics.median(result['second_cpu']):6.2f} s (median)")
    print(f"  second / first: {min(share):.1%} / {statistics.median(share):.1%} / {max(share):.1%} (target ≤ 15 %)")


if __name__ == "__main__":
    main()
