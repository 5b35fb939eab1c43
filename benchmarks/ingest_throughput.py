"""Ingest throughput against the parser underneath it, measured in the same run.

Baseline: ``lxml.etree.fromstring`` on every file (parsing only, the floor we cannot beat).
Measured: ``read_source`` (safe parse + normalise) and a full ingest into SQLite.
Prints MB/s, lines/s and the ratio to the baseline. Usage:
    python3 -m uv run python benchmarks/ingest_throughput.py [--scale 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sample_data import write_samples
from compliance.base.documents import InvoiceDocument
from compliance.ingest.detect import read_source
from compliance.intake.batch import ingest_paths
from compliance.store.db import make_engine, migrate_database

MAX = 500 * 1024 * 1024


def best_of(repeat: int, work: object) -> float:
    assert callable(work)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10, help="deliveries per delivery day in the generated invoices")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_samples(root / "inbox", scale=args.scale)
        files = sorted((root / "inbox").rglob("*.xml"))
        blobs = [(str(path), path.read_bytes()) for path in files]
        megabytes = sum(len(data) for _, data in blobs) / 1e6
        lines = sum(
            len(doc.lines) for doc in (read_source(data, name, MAX) for name, data in blobs) if isinstance(doc, InvoiceDocument)
        )

        baseline = best_of(args.repeat, lambda: [etree.fromstring(data) for _, data in blobs])
        normalise = best_of(args.repeat, lambda: [read_source(data, name, MAX) for name, data in blobs])

        # Empty, migrated databases are made before the clock starts: schema set-up is not ingest.
        fresh_urls = [f"sqlite:///{root / f'bench-{n}.sqlite'}" for n in range(args.repeat)]
        for url in fresh_urls:
            migrate_database(url)

        def full_ingest() -> None:
            engine = make_engine(fresh_urls.pop())
            ingest_paths(engine, [root / "inbox"], MAX)
            engine.dispose()

        ingest = best_of(args.repeat, full_ingest)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files: {len(blobs)} XML, {megabytes:.1f} MB, {lines} invoice lines (scale {args.scale})")
    print(
        f"baseline lxml parse      : {baseline:7.3f} s  {megabytes / baseline:7.1f} MB/s  {lines / baseline:9.0f} lines/s  ratio 1.00"
    )
    print(
        f"safe parse + normalise   : {normalise:7.3f} s  {megabytes / normalise:7.1f} MB/s  {lines / normalise:9.0f} lines/s  ratio {normalise / baseline:.2f}"
    )
    print(
        f"full ingest into SQLite  : {ingest:7.3f} s  {megabytes / ingest:7.1f} MB/s  {lines / ingest:9.0f} lines/s  ratio {ingest / baseline:.2f}"
    )
    print(f"peak resident memory     : {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
