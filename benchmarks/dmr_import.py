"""DMR extract streaming: records/s and peak memory at two file sizes (memory must stay flat).

Writes synthetic extracts of N records (each record padded to ~8 kB like the real ones), then
reads each in a child process with ``read_dmr`` and prints records/s, MB/s and peak RSS.
Baseline in the same run: ``lxml.etree.iterparse`` over the same file doing nothing but clearing.
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

    from compliance.ingest.dmr import RECORD_TAG, read_dmr

    started = time.perf_counter()
    if kind == "baseline":
        records = 0
        for _event, element in etree.iterparse(str(path), events=("end",), tag=RECORD_TAG):
            records += 1  # noqa: SIM113 - the loop body also drops elements
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    else:
        # only_plates keeps the kept-vehicle dictionary small, as an import of "our" plates does.
        records = read_dmr(path, only_plates={"AK00001"}).records
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
                for kind in ("baseline", "read_dmr")
            }
        base, ours = results["baseline"], results["read_dmr"]
        print(f"N = {size} records, {megabytes:.0f} MB")
        print(
            f"  lxml iterparse + clear : {size / base['seconds']:8.0f} records/s  {megabytes / base['seconds']:6.1f} MB/s  peak {base['peak_mb']:.0f} MB"
        )
        print(
            f"  read_dmr               : {size / ours['seconds']:8.0f} records/s  {megabytes / ours['seconds']:6.1f} MB/s  peak {ours['peak_mb']:.0f} MB  (ratio {base['seconds'] / ours['seconds']:.0%})"
        )


if __name__ == "__main__":
    main()
