"""DMR extract streaming: records/s at two file sizes, and the full import's peak memory per size.

Speed (``--sizes``): synthetic extracts of N records (each padded to ~9.8 kB like the real ones),
each read in child processes: the baseline (bare ``lxml.etree.iterparse`` + clear), the tree
reader ``read_dmr``, the fast reader ``read_dmr_fast``, the plate-filtered read and the full import
into SQLite (its clock starts once the schema is made and Great Expectations is imported); prints
records/s, MB/s, peak RSS and the rate relative to the baseline.

Memory (``--memory-sizes``): the full import (``import_dmr`` into a fresh SQLite file) of lean
extracts (~0.9 kB a record, no padding: what a record costs in memory does not depend on its
padding) with distinct plates and every tenth record a second, deregistered record of an earlier
plate; each size in a fresh child process, after the imports and the schema, with the kernel's
high-water mark reset (``/proc/self/clear_refs``); prints peak RSS (``ru_maxrss``) per size, the
bare iterparse baseline's peak on the same file, CPU seconds, and the slope in bytes per record
between the smallest and the largest size. ``--code PATH`` imports ``compliance`` from another
checkout (e.g. the main branch, to compare). Each size runs ``--rounds`` times (default 2); the
worst round's peak is the figure and every round's is printed.
Usage: python3 -m uv run python benchmarks/dmr_import.py [--sizes 20000,200000] [--memory-sizes 100000,1000000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PADDING = "<ns:KoeretoejUdstyrStruktur><ns:KoeretoejUdstyrAntal>1</ns:KoeretoejUdstyrAntal></ns:KoeretoejUdstyrStruktur>" * 80


def write_extract(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<ns:ESStatistikListeModtag_I xmlns:ns="http://skat.dk/dmr/2007/05/31/"><ns:StatistikSamling>\n'
        )
        for number in range(count):
            fuel = ("4", "2", "1", "6")[number % 4]
            out.write(
                f"<ns:Statistik><ns:KoeretoejIdent>{number:016d}</ns:KoeretoejIdent><ns:KoeretoejArtNummer>{1 + number % 4}</ns:KoeretoejArtNummer>"
                f"<ns:RegistreringNummerNummer>{'ABCDEFGH'[number % 8]}{'KLMNOPRS'[number // 8 % 8]}{number % 100000:05d}</ns:RegistreringNummerNummer>"
                "<ns:KoeretoejOplysningGrundStruktur><ns:KoeretoejOplysningTekniskTotalVaegt>3500</ns:KoeretoejOplysningTekniskTotalVaegt>"
                "<ns:KoeretoejNormStruktur><ns:NormTypeStruktur><ns:NormTypeNummer>49</ns:NormTypeNummer></ns:NormTypeStruktur></ns:KoeretoejNormStruktur>"
                f"<ns:KoeretoejUdstyrSamlingStruktur>{PADDING}</ns:KoeretoejUdstyrSamlingStruktur>"
                "<ns:KoeretoejMotorStruktur><ns:KoeretoejDrivmiddelSamlingStruktur><ns:KoeretoejDrivmiddelSamling><ns:DrivmiddelStruktur>"
                f"<ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>{fuel}</ns:DrivkraftTypeNummer></ns:DrivkraftTypeStruktur>"
                "<ns:KoeretoejMotorDrivmiddelPrimaer>true</ns:KoeretoejMotorDrivmiddelPrimaer></ns:DrivmiddelStruktur>"
                "</ns:KoeretoejDrivmiddelSamling></ns:KoeretoejDrivmiddelSamlingStruktur></ns:KoeretoejMotorStruktur>"
                "</ns:KoeretoejOplysningGrundStruktur><ns:KoeretoejRegistreringStatus>Registreret</ns:KoeretoejRegistreringStatus>"
                "</ns:Statistik>\n"
            )
        out.write("</ns:StatistikSamling></ns:ESStatistikListeModtag_I>\n")


def write_lean_extract(path: Path, count: int) -> None:
    """``count`` records without padding: distinct plates, every tenth record an older plate again (deregistered)."""

    def plate(number: int) -> str:
        letters = number // 100_000 % 676
        return f"{chr(65 + letters // 26)}{chr(65 + letters % 26)}{number % 100_000:05d}"

    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<ns:ESStatistikListeModtag_I xmlns:ns="http://skat.dk/dmr/2007/05/31/"><ns:StatistikSamling>\n'
        )
        for number in range(count):
            again = number % 10 == 9
            out.write(
                f"<ns:Statistik><ns:KoeretoejIdent>{number:016d}</ns:KoeretoejIdent><ns:KoeretoejArtNummer>{1 + number % 4}</ns:KoeretoejArtNummer>"
                f"<ns:RegistreringNummerNummer>{plate(number - 5 if again else number)}</ns:RegistreringNummerNummer>"
                "<ns:KoeretoejOplysningGrundStruktur><ns:KoeretoejOplysningTekniskTotalVaegt>3500</ns:KoeretoejOplysningTekniskTotalVaegt>"
                "<ns:KoeretoejNormStruktur><ns:NormTypeStruktur><ns:NormTypeNummer>49</ns:NormTypeNummer></ns:NormTypeStruktur></ns:KoeretoejNormStruktur>"
                "<ns:KoeretoejMotorStruktur><ns:KoeretoejDrivmiddelSamlingStruktur><ns:KoeretoejDrivmiddelSamling><ns:DrivmiddelStruktur>"
                f"<ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>{('4', '2', '1', '6')[number % 4]}</ns:DrivkraftTypeNummer></ns:DrivkraftTypeStruktur>"
                "<ns:KoeretoejMotorDrivmiddelPrimaer>true</ns:KoeretoejMotorDrivmiddelPrimaer></ns:DrivmiddelStruktur>"
                "</ns:KoeretoejDrivmiddelSamling></ns:KoeretoejDrivmiddelSamlingStruktur></ns:KoeretoejMotorStruktur>"
                f"</ns:KoeretoejOplysningGrundStruktur><ns:KoeretoejRegistreringStatus>{'Afmeldt' if again else 'Registreret'}"
                "</ns:KoeretoejRegistreringStatus><ns:KoeretoejRegistreringStatusDato>2024-01-01T00:00:00</ns:KoeretoejRegistreringStatusDato>"
                "</ns:Statistik>\n"
            )
        out.write("</ns:StatistikSamling></ns:ESStatistikListeModtag_I>\n")


def memory_child(kind: str, path: Path) -> dict[str, float]:
    """Peak RSS of one import (or of the bare iterparse baseline) over what the process held before it."""
    from lxml import etree

    from compliance.ingest.dmr import RECORD_TAG
    from compliance.intake.vehicles import import_dmr
    from compliance.quality import prepare_suites
    from compliance.store.db import make_engine, migrate_database

    database = path.with_suffix(".sqlite")
    database.unlink(missing_ok=True)  # each round imports into a fresh database
    url = f"sqlite:///{database}"
    if kind == "import":
        migrate_database(url)
        prepare_suites()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as reset:
        reset.write("5")
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if kind == "import":
        summary = import_dmr(make_engine(url), path)
        records, stored = summary.records, summary.vehicles
    else:
        records = stored = 0
        for _event, element in etree.iterparse(str(path), events=("end",), tag=RECORD_TAG):
            records += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "records": records,
        "stored": stored,
        "peak_mb": after.ru_maxrss / 1024,
    }


def memory(sizes: list[int], code: str | None, rounds: int = 2) -> None:
    """Each size's import and bare-iterparse baseline ``rounds`` times, each in a fresh child: the
    worst round's peaks, every round's import peak, the least time; the slope between the sizes."""
    print(
        f"{'records':>11} {'file':>9} {'import peak':>12} {'iterparse peak':>15} {'import/iterparse':>17} "
        f"{'rounds (import peak)':>22} {'stored':>11} {'import time':>12} {'cpu':>8}"
    )
    peaks: list[tuple[int, float]] = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dmr.xml"
            write_lean_extract(path, size)
            megabytes = path.stat().st_size / 1e6
            command = [sys.executable, __file__, *(["--code", code] if code else []), "--memory-child"]
            runs = {
                kind: [
                    json.loads(
                        subprocess.run(
                            [*command, kind, str(path)], capture_output=True, text=True, check=True
                        ).stdout.splitlines()[-1]
                    )
                    for _round in range(max(1, rounds))
                ]
                for kind in ("baseline", "import")
            }
        imports, bases = runs["import"], runs["baseline"]
        peak = max(run["peak_mb"] for run in imports)
        base = max(run["peak_mb"] for run in bases)
        peaks.append((size, peak))
        rounds_text = " / ".join(f"{run['peak_mb']:.0f}" for run in imports)
        print(
            f"{size:>11,} {megabytes:>7.0f}MB {peak:>10.0f}MB {base:>13.0f}MB {peak / base:>16.2f}x "
            f"{rounds_text:>22} {imports[0]['stored']:>11,} "
            f"{min(run['seconds'] for run in imports):>11.0f}s {min(run['cpu_seconds'] for run in imports):>7.0f}s",
            flush=True,
        )
    for (first, low), (last, high) in zip(peaks, peaks[1:], strict=False):
        print(f"slope {first:,} → {last:,} records: {(high - low) * (1 << 20) / (last - first):.1f} bytes/record")
    if len(peaks) > 2:
        (first, low), (last, high) = peaks[0], peaks[-1]
        print(f"slope {first:,} → {last:,} records: {(high - low) * (1 << 20) / (last - first):.1f} bytes/record")


def child(kind: str, path: Path) -> dict[str, float]:
    from lxml import etree

    from compliance.ingest.dmr import RECORD_TAG, read_dmr, read_dmr_fast

    started = time.perf_counter()
    if kind == "baseline":
        records = 0
        for _event, element in etree.iterparse(str(path), events=("end",), tag=RECORD_TAG):
            records += 1  # noqa: SIM113 - the loop body also drops elements
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    elif kind == "tree":
        records = read_dmr(path).records
    elif kind == "full":
        records = read_dmr_fast(path).records
    elif kind == "import":
        from compliance.intake.vehicles import import_dmr
        from compliance.quality import prepare_suites
        from compliance.store.db import make_engine, migrate_database

        url = f"sqlite:///{path.with_suffix('.sqlite')}"
        migrate_database(url)
        prepare_suites()  # Great Expectations' import (seconds, once per process)
        started = time.perf_counter()  # the clock starts after the schema is made and the suites are ready
        records = import_dmr(make_engine(url), path).records
    else:
        # The plate-filtered import (--only-plates-in-data): 500 plates of "ours".
        records = read_dmr_fast(path, only_plates={f"AK{n:05d}" for n in range(500)}).records
    return {
        "seconds": time.perf_counter() - started,
        "records": records,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000,200000", help="speed: records per extract ('' to skip)")
    parser.add_argument("--memory-sizes", default="", help="memory: records per extract, e.g. 100000,1000000")
    parser.add_argument("--code", help="import compliance from this checkout instead (to compare)")
    parser.add_argument("--rounds", type=int, default=2, help="memory: child processes per size and kind")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, args.code)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child[0], Path(args.memory_child[1]))))
        return
    if args.memory_sizes:
        memory([int(text) for text in args.memory_sizes.split(",")], args.code, args.rounds)
    for size in (int(text) for text in args.sizes.split(",") if text):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dmr.xml"
            write_extract(path, size)
            megabytes = path.stat().st_size / 1e6
            results = {
                kind: json.loads(
                    subprocess.run(
                        [sys.executable, __file__, *(["--code", args.code] if args.code else []), "--child", kind, str(path)],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                for kind in ("baseline", "tree", "full", "filtered", "import")
            }
        base = results["baseline"]
        print(f"N = {size} records, {megabytes:.0f} MB")
        for kind, label in (
            ("baseline", "lxml iterparse + clear"),
            ("tree", "read_dmr (tree)"),
            ("full", "full import (fast)"),
            ("filtered", "plate-filtered import"),
            ("import", "full import into SQLite"),
        ):
            run = results[kind]
            print(
                f"  {label:24}: {size / run['seconds']:8.0f} records/s  {megabytes / run['seconds']:7.1f} MB/s  "
                f"peak {run['peak_mb']:.0f} MB  ({base['seconds'] / run['seconds']:.2f}x iterparse)"
            )


if __name__ == "__main__":
    main()
