"""Where invoice ingest spends its time: each stage alone, per invoice, against the raw lxml parse.

N synthetic OIOUBL invoices (``synthetic_invoices.py``) are written to a temporary folder, then each
stage of ingest runs on all of them in this process, ``--rounds`` times (at least 3), the stages'
order rotated by one each round (so no stage always runs first, on a cold heap, or last), timed in
CPU time of this process (``time.process_time``: what another process on the shared machine does
is not counted). Each stage is printed as min / median / max of its rounds. The stages: reading and hashing the
files, the safe parse (``parse_xml``), normalising (``read_ubl_invoice``), the data-quality gate
(``check_documents``: the column checks, in ingest's batches), the rows each document becomes
(``prepare_document``: built once, checked against the field sizes, converted for the database)
and storing them (``store_prepared`` into a fresh SQLite file, one transaction per batch). Each is printed in microseconds per invoice and as a multiple of the raw
``lxml.etree.fromstring`` parse measured in the same run. The issue's target (ingest at 50 % of the
parse rate) means every stage together may take at most 2.0× the parse. A floor follows: touching
every element's tag and text once (the least any Python reader on lxml trees does) and SQLite
alone (constant tuples, as many and as wide as store writes, no indexes), summed with reading,
the safe parse and the data-quality checks. Usage:
    python3 -m uv run python benchmarks/ingest_stages.py [--count 5000] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic_invoices import write_invoices
from compliance.base.settings import DEFAULT_INGEST_BATCH_FILES


def cpu_seconds(stage: Callable[[], Any]) -> float:
    """The CPU time of one run of ``stage``, with the cycle collector paused as ingest pauses it."""
    gc.collect()
    gc.disable()
    started = time.process_time()
    try:
        stage()
    finally:
        elapsed = time.process_time() - started
        gc.enable()
    return elapsed


def each(stage: Callable[..., Any], *columns: list[Any]) -> None:
    """``stage`` on every file, its result freed before the next file, as ingest frees it: a stage that kept
    5,000 trees and freed them together would leave the allocator's clean-up to the stage after it."""
    for arguments in zip(*columns, strict=True):
        stage(*arguments)


def rotated_rounds(stages: list[tuple[str, Callable[[], Any]]], rounds: int) -> dict[str, list[float]]:
    """Each stage's CPU seconds in each round; round r runs the stages starting at stage r (mod their number)."""
    timings: dict[str, list[float]] = {label: [] for label, _ in stages}
    for round_number in range(rounds):
        shift = round_number % len(stages)
        for label, stage in stages[shift:] + stages[:shift]:
            timings[label].append(cpu_seconds(stage))
    return timings


def spread(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON line (for benchmarks/regenerate.py)")
    arguments = parser.parse_args()
    count, repeat, batch = arguments.count, max(3, arguments.rounds), DEFAULT_INGEST_BATCH_FILES

    from lxml import etree
    from sqlalchemy.orm import Session

    from compliance.ingest.safe_xml import parse_xml
    from compliance.ingest.ubl import read_ubl_invoice
    from compliance.quality_gate import check_documents
    from compliance.store.db import ids_by_key, insert_rows, make_engine, migrate_database
    from compliance.store.documents import invoice_line_rows, invoice_row
    from compliance.store.models import SourceFile
    from compliance.store.prepared import prepare_document, store_prepared

    with tempfile.TemporaryDirectory() as folder:
        paths = write_invoices(Path(folder) / "inbox", count)
        blobs = [path.read_bytes() for path in paths]
        names = [str(path) for path in paths]
        roots = [parse_xml(data, name) for data, name in zip(blobs, names, strict=True)]
        documents = [read_ubl_invoice(root, name) for root, name in zip(roots, names, strict=True)]
        fresh_databases = []  # one per run of the store stage, migrated before it is timed
        for run in range(repeat):
            migrate_database(f"sqlite:///{folder}/stages-{run}.sqlite")
            fresh_databases.append(make_engine(f"sqlite:///{folder}/stages-{run}.sqlite"))
        dialect = fresh_databases[0].dialect
        prepared = [prepare_document(document, dialect) for document in documents]

        def read_and_hash() -> None:
            for path in paths:
                hashlib.sha256(path.read_bytes()).hexdigest()

        def quality_gate() -> None:
            for start in range(0, count, batch):
                outcome = check_documents(
                    list(zip(names[start : start + batch], documents[start : start + batch], strict=True)), date.today()
                )
                assert not outcome.failures, outcome.failures[:3]  # the column checks alone decide a passing batch

        def store() -> None:
            engine = fresh_databases.pop()
            now = datetime.now(UTC)
            for start in range(0, count, batch):
                with Session(engine) as session, session.begin():
                    connection = session.connection()
                    digests = [f"file-{index}" for index in range(start, min(start + batch, count))]
                    rows = [
                        {
                            "sha256": digest,
                            "path": digest,
                            "size_bytes": 1,
                            "kind": "invoice",
                            "format": "oioubl-2.1",
                            "status": "ingested",
                            "first_seen_at": now,
                        }
                        for digest in digests
                    ]
                    insert_rows(connection, SourceFile, rows)
                    ids = ids_by_key(connection, SourceFile, "sha256", digests)
                    store_prepared(
                        session,
                        [(ids[digest], rows) for digest, rows in zip(digests, prepared[start : start + batch], strict=True)],
                    )

        def touch_every_element() -> None:
            for root in roots:
                [(element.tag, element.text) for element in root.iter()]

        # As many rows, as wide, as the store writes: one per invoice, one per line.
        row_shapes = [len(invoice_row(0, doc)) for doc in documents]
        row_shapes += [len(row) for doc in documents for row in invoice_line_rows(0, doc)]

        columns = {width: ", ".join(f"c{index}" for index in range(width)) for width in set(row_shapes)}
        inserts = [  # (statement, rows) per table and per chunk, built before the clock starts
            (
                f"INSERT INTO t{width} ({names}) VALUES ({', '.join('?' * width)})",
                [tuple(range(width))] * sum(1 for shape in row_shapes[start : start + batch * 5] if shape == width),
            )
            for start in range(0, len(row_shapes), batch * 5)
            for width, names in columns.items()
        ]

        def bare_sqlite() -> None:
            connection = sqlite3.connect(":memory:")
            for width, names in columns.items():
                connection.execute(f"CREATE TABLE t{width} (id INTEGER PRIMARY KEY, {names})")
            for statement, rows in inserts:
                connection.executemany(statement, rows)
            connection.commit()
            connection.close()

        floors: list[tuple[str, Callable[[], Any]]] = [
            ("touch every element's tag and text once", touch_every_element),
            ("SQLite alone: the same rows as constant tuples", bare_sqlite),
        ]
        stages: list[tuple[str, Callable[[], Any]]] = [
            ("raw lxml.etree.fromstring (baseline)", lambda: each(etree.fromstring, blobs)),
            ("read + SHA-256 of the files", read_and_hash),
            ("safe parse (parse_xml)", lambda: each(parse_xml, blobs, names)),
            (
                "normalise (read_ubl_invoice)",
                lambda: each(read_ubl_invoice, roots, names),
            ),
            (f"data-quality gate (batches of {batch})", quality_gate),
            ("rows (prepare_document)", lambda: each(prepare_document, documents, [dialect] * count)),
            (f"store in SQLite (batches of {batch})", store),
        ]
        cpu_seconds(stages[0][1])  # warm-up: the first pass over the data pays for growing the heap
        # Every stage and floor in one rotation, so that each round measures all of them on the same machine state.
        timings = rotated_rounds(stages + floors, repeat)

    lines = sum(len(document.lines) for document in documents)
    labels = [label for label, _ in stages]
    floor_labels = [label for label, _ in floors]
    # Per round: the parse of that round is the baseline of that round's ratios.
    base = timings[labels[0]]
    ingest_rounds = [sum(timings[label][r] for label in labels[1:]) for r in range(repeat)]
    floor_rounds = [
        sum(timings[label][r] for label in labels[1:3]) + timings[labels[4]][r] + sum(timings[label][r] for label in floor_labels)
        for r in range(repeat)
    ]
    result = {
        "count": count,
        "lines": lines,
        "rounds": repeat,
        "stages": {label: timings[label] for label in labels + floor_labels},
        "baseline": base,
        "ingest": ingest_rounds,
        "floor": floor_rounds,
        "floor_labels": floor_labels,
    }
    if arguments.json:
        print(json.dumps(result))
        return
    print(f"{count} invoices, {lines} lines, {repeat} rounds (stage order rotated), CPU time: min / median / max")

    def show(label: str, seconds: list[float]) -> None:
        low, middle, high = (value / count * 1e6 for value in spread(seconds))
        ratios = [value / parse for value, parse in zip(seconds, base, strict=True)]
        print(
            f"  {label:44s} {low:7.1f} / {middle:7.1f} / {high:7.1f} µs/invoice  {statistics.median(ratios):5.2f}× the parse (median)"
        )

    for label in labels:
        show(label, timings[label])
    show("stages of ingest together", ingest_rounds)
    ceilings = [parse / ingest for parse, ingest in zip(base, ingest_rounds, strict=True)]
    print(
        f"  ceiling of ingest rate / parse rate from these stages: {min(ceilings):.1%} / {statistics.median(ceilings):.1%} / {max(ceilings):.1%}"
    )
    print("floor: the least any Python reader on lxml trees must do, whatever its design")
    for label in floor_labels:
        show(label, timings[label])
    # Reading, the safe parse and the checks are kept; normalising is replaced by touching every
    # element once, storing by constant tuples into tables without indexes.
    show("read + safe parse + touch + checks + SQLite", floor_rounds)
    floor_ceilings = [parse / floor for parse, floor in zip(base, floor_rounds, strict=True)]
    print(
        f"  ceiling of the floor: {min(floor_ceilings):.1%} / {statistics.median(floor_ceilings):.1%} / {max(floor_ceilings):.1%}"
    )


if __name__ == "__main__":
    main()
