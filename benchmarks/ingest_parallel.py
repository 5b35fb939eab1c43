"""Parse workers feeding one writer against one process: the same invoices ingested both ways, alternately.

N synthetic OIOUBL invoices (``synthetic_invoices.py``) are ingested into a fresh SQLite file by a
child process with ``COMPLIANCE_INGEST_WORKERS`` 1 and with ``--workers`` (default 2), ``--rounds``
times each, alternating (so both see the same machine load). Parallel work is about waiting
time, so the figure is elapsed time; the CPU time of the child and its workers is printed beside
it (what the parallel run costs in all). The ratio is one process's median time over the workers'.
Since other tenants of a shared machine take cores away, the best speed-up idle cores would allow
is also computed from CPU times: one process's CPU over the larger of the writer's CPU and the
parallel run's CPU spread over the cores.
Usage:
    python3 -m uv run python benchmarks/ingest_parallel.py [--count 5000] [--workers 2] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def child(folder: Path, database: Path, workers: int) -> dict[str, float]:
    from compliance.intake.parallel import ingest_with_workers
    from compliance.store.db import make_engine, migrate_database

    url = f"sqlite:///{database}"
    migrate_database(url)
    engine = make_engine(url)
    before = os.times()
    started = time.perf_counter()
    summary = ingest_with_workers(engine, [folder], 50 * 1024 * 1024, workers=workers)
    seconds = time.perf_counter() - started
    after = os.times()
    engine.dispose()
    cpu = sum(after[:4]) - sum(before[:4])  # this process and its (finished) workers, user + system
    writer = sum(after[:2]) - sum(before[:2])  # this process alone: the writer
    return {"seconds": seconds, "cpu": cpu, "writer_cpu": writer, "files": len(summary.ingested)}


def run_child(folder: Path, database: Path, workers: int) -> dict[str, float]:
    database.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), str(database), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]), int(args.child[2]))))
        return
    from benchmarks.synthetic_invoices import write_invoices

    runs: dict[int, list[dict[str, float]]] = {1: [], args.workers: []}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_invoices(root / "inbox", args.count)
        for _ in range(max(3, args.rounds)):
            for workers in (1, args.workers):
                result = run_child(root / "inbox", root / "bench.sqlite", workers)
                assert result["files"] == args.count, result
                runs[workers].append(result)
    one = statistics.median(r["seconds"] for r in runs[1])
    many = statistics.median(r["seconds"] for r in runs[args.workers])
    result = {
        "count": args.count,
        "workers": args.workers,
        "cores": len(os.sched_getaffinity(0)),
        "one": [r["seconds"] for r in runs[1]],
        "many": [r["seconds"] for r in runs[args.workers]],
        "one_cpu": [r["cpu"] for r in runs[1]],
        "many_cpu": [r["cpu"] for r in runs[args.workers]],
        "speedup": one / many,
        # What 2 idle cores would allow at best, from CPU times (not disturbed by other tenants): the
        # parallel run can end no sooner than its writer's work, nor than all its work spread over the cores.
        "cpu_bound_speedup": statistics.median(r["cpu"] for r in runs[1])
        / max(
            statistics.median(r["writer_cpu"] for r in runs[args.workers]),
            statistics.median(r["cpu"] for r in runs[args.workers]) / len(os.sched_getaffinity(0)),
        ),
        "load": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.count} invoices, {result['cores']} cores, load average {result['load']:.1f}, elapsed min / median / max")
    for label, key, cpu in (("one process", "one", "one_cpu"), (f"{args.workers} parse workers + writer", "many", "many_cpu")):
        times = sorted(result[key])
        print(
            f"  {label:28s} {times[0]:6.2f} / {statistics.median(times):6.2f} / {times[-1]:6.2f} s  "
            f"{args.count / statistics.median(times):6.0f} invoices/s  CPU {statistics.median(result[cpu]):6.2f} s"
        )
    print(f"  speed-up (median over median): {result['speedup']:.2f}× (target ≥ 1.7× on 2 cores)")
    print(f"  best possible on idle cores from the CPU times: {result['cpu_bound_speedup']:.2f}×")


if __name__ == "__main__":
    main()
