"""DMR extract streaming: records/s and peak memory at two file sizes (memory must stay flat).

Writes synthetic extracts of N records (each padded to ~9.8 kB like the real ones), then reads
each in child processes: the baseline (bare ``lxml.etree.iterparse`` + clear), the tree reader
``read_dmr``, the full import's ``read_dmr_fast`` and the plate-filtered import; prints
records/s, MB/s, peak RSS and the rate relative to the baseline.
Usage: python3 -m uv run python benchmarks/dmr_import.py [--sizes 20000,200000]
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
        from compliance.store.db import make_engine, migrate_database

        url = f"sqlite:///{path.with_suffix('.sqlite')}"
        migrate_database(url)
        started = time.perf_counter()  # the clock starts after the schema is made
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
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    for size in (int(text) for text in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dmr.xml"
            write_extract(path, size)
            megabytes = path.stat().st_size / 1e6
            results = {
                kind: json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
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
