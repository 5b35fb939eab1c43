"""What the data-quality suites cost at ingest, against parsing and normalising the same invoices.

N synthetic OIOUBL invoices (``synthetic_invoices.py``) are parsed and normalised with
``read_source`` (timed: the baseline), then the suites run on them in batches of ``--batch`` files
(default: ingest's default batch size), timed after one warm-up batch (Great Expectations' import
and context set-up are timed apart, as the once-per-process cost). Prints rows per second and the suites' time as a
share of the baseline; then the same batches through ingest's column checks
(``compliance.quality_gate``, which Great Expectations only follows for a batch with failures),
with their share of the baseline and the check that both found the same failures. Usage:
    python3 -m uv run python benchmarks/quality_overhead.py [--count 5000]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic_invoices import write_invoices
from compliance.base.settings import DEFAULT_INGEST_BATCH_FILES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=DEFAULT_INGEST_BATCH_FILES)
    arguments = parser.parse_args()
    batch = arguments.batch

    from compliance.ingest.detect import read_source
    from compliance.quality import validate_documents

    with tempfile.TemporaryDirectory() as folder:
        paths = write_invoices(Path(folder), arguments.count)
        blobs = [(str(path), path.read_bytes()) for path in paths]

    started = time.perf_counter()
    documents = [(name, read_source(data, name, 50 << 20)) for name, data in blobs]
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    validate_documents(documents[:batch], date.today())  # imports Great Expectations, builds the context
    setup_seconds = time.perf_counter() - started

    gc.disable()  # as ingest does within a batch (compliance.intake.batch): the documents are many objects
    started = time.perf_counter()
    rows = 0
    failures = 0
    for start in range(0, len(documents), batch):
        result = validate_documents(documents[start : start + batch], date.today())
        rows += result.rows
        failures += len(result.failures)
    suite_seconds = time.perf_counter() - started

    print(f"invoices: {len(documents)}, invoice lines: {rows}, failures: {failures}")
    print(f"baseline (safe parse + normalise): {parse_seconds:.2f} s, {len(documents) / parse_seconds:,.0f} invoices/s")
    print(
        f"suites, per batch of {batch}: {suite_seconds:.2f} s, {rows / suite_seconds:,.0f} lines/s, {suite_seconds / (len(documents) / batch) * 1000:.0f} ms per batch"
    )
    print(f"suites / baseline: {suite_seconds / parse_seconds:.1%}")
    print(f"once per process (import + context + first batch): {setup_seconds:.2f} s")

    from compliance.quality_gate import check_documents_by_columns

    started = time.perf_counter()
    column_failures = 0
    for start in range(0, len(documents), batch):
        column_failures += len(check_documents_by_columns(documents[start : start + batch], date.today()).failures)
    column_seconds = time.perf_counter() - started
    gc.enable()
    assert column_failures == failures, (column_failures, failures)
    print(
        f"column checks (ingest's gate), per batch of {batch}: {column_seconds:.2f} s, {rows / column_seconds:,.0f} lines/s; "
        f"/ baseline: {column_seconds / parse_seconds:.1%}; / suites: {column_seconds / suite_seconds:.2f}×"
    )


if __name__ == "__main__":
    main()
