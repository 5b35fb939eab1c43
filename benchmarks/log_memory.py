"""Driving-log memory: peak RSS of reading and of ingesting CSV and XLSX logs, against the file's size.

Writes generic driving logs of N rows (a fleet of 400 vehicles; the CSV as the sample log is
written, Danish dates and decimal commas; the XLSX with dates and distances as numbers), then
measures each file in a fresh child process, once per kind:

- ``read``: ``read_source`` on the file's bytes (the bytes are read inside the measurement);
- ``ingest``: ``ingest_paths`` into a fresh SQLite file: read, data-quality suites, store.

Each child first does what does not depend on the file (imports; for ingest the schema and the
Great Expectations context), then resets the kernel's high-water mark (``/proc/self/clear_refs``)
and reads its RSS: the baseline. After the work, ``resource.getrusage(...).ru_maxrss`` is the peak;
peak − baseline is what the file cost, printed in MB and as a multiple of the file's size (target:
about 3×), with the child's CPU seconds for the work. ``--code PATH`` imports ``compliance`` from
another checkout (e.g. the main branch, to compare).
A workbook may unpack to at most 200 MiB (compliance.ingest.workbook): with these six columns that
is about 900,000 rows, so the XLSX sizes stop at 800,000 by default.
Each file and kind is measured ``--rounds`` times (default 2), each in its own child; the worst
round's peak is the figure, with every round's printed beside it, and the least CPU time.
Usage: python3 -m uv run python benchmarks/log_memory.py [--rows 100000,300000,1000000] [--xlsx-rows 100000,300000,800000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LETTERS = "ABCDEFGHKLMNPRSTUVXYZ"


def fleet(generator: random.Random) -> list[str]:
    return [f"{generator.choice(LETTERS)}{generator.choice(LETTERS)} {n // 1000 + 10} {n % 1000:03d}" for n in range(400)]


def write_csv(path: Path, rows: int) -> None:
    generator = random.Random(rows)
    plates = fleet(generator)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\ufefftrip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr\n")
        for _ in range(rows):
            day = date(2025, 1, 1) + timedelta(days=generator.randrange(365))
            distance = generator.randrange(5, 4000)
            out.write(f"{day:%d-%m-%Y};{generator.choice(plates)};;{distance // 10},{distance % 10};;38451236\n")


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    generator = random.Random(rows)
    plates = fleet(generator)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["trip_date", "registration", "vehicle_type", "distance_km", "fuel", "supplier_cvr"])
    for _ in range(rows):
        day = date(2025, 1, 1) + timedelta(days=generator.randrange(365))
        sheet.append([day, generator.choice(plates), None, generator.randrange(5, 4000) / 10, None, "38451236"])
    book.save(path)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(kind: str, path: Path) -> dict[str, float]:
    from compliance.ingest.detect import read_source

    if kind == "ingest":
        from compliance.intake.batch import ingest_paths
        from compliance.quality import prepare_suites
        from compliance.store.db import make_engine, migrate_database

        database = path.with_suffix(".sqlite")
        database.unlink(missing_ok=True)  # each round ingests into a fresh database (else the file is a duplicate)
        url = f"sqlite:///{database}"
        migrate_database(url)
        engine = make_engine(url)
        prepare_suites()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as reset:
        reset.write("5")  # the high-water mark starts again from here
    baseline = _rss_mb()
    started = time.process_time()
    if kind == "read":
        document = read_source(path.read_bytes(), str(path), 1 << 30)
        count = len(getattr(document, "trips", ()))
    else:
        summary = ingest_paths(engine, [path], 1 << 30)
        if summary.quarantined or len(summary.ingested) != 1:
            raise SystemExit(f"not ingested: {summary}")
        count = len(summary.ingested)
    return {
        "cpu_seconds": time.process_time() - started,
        "baseline_mb": baseline,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "count": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="100000,300000,1000000", help="CSV logs' rows")
    parser.add_argument("--xlsx-rows", default="100000,300000,800000", help="XLSX logs' rows")
    parser.add_argument("--code", help="import compliance from this checkout instead (to compare)")
    parser.add_argument("--rounds", type=int, default=2, help="child processes per file and kind (the peaks' range is printed)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, args.code)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    print(
        f"{'format':6} {'rows':>9} {'file':>9} {'kind':6} {'baseline':>9} {'peak-base':>10} {'× file':>7} "
        f"{'rounds (peak-base)':>24} {'cpu (min)':>9}"
    )
    for file_format, sizes in (("csv", args.rows), ("xlsx", args.xlsx_rows)):
        for rows in (int(text) for text in sizes.split(",") if text):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"log.{file_format}"
                (write_csv if file_format == "csv" else write_xlsx)(path, rows)
                megabytes = path.stat().st_size / (1 << 20)
                for kind in ("read", "ingest"):
                    runs = [
                        json.loads(
                            subprocess.run(
                                [
                                    sys.executable,
                                    __file__,
                                    *(["--code", args.code] if args.code else []),
                                    "--child",
                                    kind,
                                    str(path),
                                ],
                                capture_output=True,
                                text=True,
                                check=True,
                            ).stdout.splitlines()[-1]
                        )
                        for _round in range(max(1, args.rounds))
                    ]
                    costs = sorted(run["peak_mb"] - run["baseline_mb"] for run in runs)
                    cost = costs[-1]  # the worst round: the figure held against the target
                    print(
                        f"{file_format:6} {rows:>9,} {megabytes:>7.1f}MB {kind:6} {runs[-1]['baseline_mb']:>7.0f}MB "
                        f"{cost:>8.1f}MB {cost / megabytes:>6.2f}x {' / '.join(f'{c:.1f}' for c in costs):>24} "
                        f"{min(run['cpu_seconds'] for run in runs):>8.1f}s",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
