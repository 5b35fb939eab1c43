"""End-to-end invoice ingest against the raw lxml parse of the same bytes, at N = 10,000 and 100,000.

For each N, N synthetic OIOUBL invoices are written (``synthetic_invoices.py``), then two child
processes run on one core: one parses every file with ``lxml.etree.fromstring`` (timing only the
parse: the baseline), one runs the real ingest (read, hash, safe parse, normalise, store in a
fresh SQLite database). Each prints its CPU time (``time.process_time``: another process on the
shared machine is not counted) and peak resident memory; this script prints the rates and the
ratio. Usage:
    python3 -m uv run python benchmarks/ingest_scale.py [--sizes 10000,100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def child_parse(folder: Path) -> dict[str, float]:
    from lxml import etree

    parse_seconds = 0.0
    count = 0
    for path in sorted(folder.rglob("*.xml")):
        data = path.read_bytes()
        started = time.process_time()
        etree.fromstring(data)
        parse_seconds += time.process_time() - started
        count += 1
    return {"seconds": parse_seconds, "files": count}


def child_ingest(folder: Path, database: Path) -> dict[str, float]:
    started = time.process_time()
    # Once per process, like lxml's import in the parse child: reported, not in the rate. (Great
    # Expectations is not among them: the column checks decide a batch that passes.)
    from compliance.intake.batch import ingest_paths
    from compliance.store.db import make_engine, migrate_database

    warm_up = time.process_time() - started
    url = f"sqlite:///{database}"
    migrate_database(url)
    engine = make_engine(url)
    started = time.process_time()
    summary = ingest_paths(engine, [folder], 50 * 1024 * 1024)
    seconds = time.process_time() - started
    engine.dispose()
    return {"seconds": seconds, "warm_up": warm_up, "files": len(summary.ingested), "quarantined": len(summary.quarantined)}


def run_child(*arguments: str) -> dict[str, float]:
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    command = ["taskset", "-c", "0"] if _has_taskset() else []
    output = subprocess.run(
        [*command, sys.executable, __file__, "--child", *arguments], capture_output=True, text=True, check=True, env=environment
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _has_taskset() -> bool:
    return subprocess.run(["sh", "-c", "command -v taskset"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--json", action="store_true", help="print one JSON line (for benchmarks/regenerate.py)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_parse(Path(rest[0])) if kind == "parse" else child_ingest(Path(rest[0]), Path(rest[1]))
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    from benchmarks.synthetic_invoices import size_summary, write_invoices

    results = []
    for size in (int(text) for text in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            paths = write_invoices(root / "inbox", size)
            sizes = [path.stat().st_size for path in paths]
            megabytes = sum(sizes) / 1e6
            parse = run_child("parse", str(root / "inbox"))
            ingest = run_child("ingest", str(root / "inbox"), str(root / "bench.sqlite"))
        assert ingest["files"] == size, ingest
        results.append({"count": size, "megabytes": megabytes, "parse": parse, "ingest": ingest})
        if args.json:
            continue
        print(f"N = {size}: {megabytes:.0f} MB of invoices, {size_summary(sizes)}")
        print(
            f"  raw lxml parse : {parse['seconds']:8.2f} s  {size / parse['seconds']:8.0f} invoices/s  {megabytes / parse['seconds']:6.1f} MB/s  peak {parse['peak_mb']:.0f} MB"
        )
        print(
            f"  full ingest    : {ingest['seconds']:8.2f} s  {size / ingest['seconds']:8.0f} invoices/s  {megabytes / ingest['seconds']:6.1f} MB/s  peak {ingest['peak_mb']:.0f} MB"
        )
        print(f"  ingest rate / parse rate = {parse['seconds'] / ingest['seconds']:.1%} (target ≥ 20 %)")
        print(f"  once per process, before the first file: {ingest['warm_up']:.2f} s of CPU to import the ingest modules")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
