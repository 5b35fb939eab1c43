"""The DMR extract: both layouts, the current record per plate, truncated files, zip, and the CLI."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from compliance.cli import main
from compliance.ingest.dmr import is_dmr_extract, read_dmr
from compliance.intake.batch import ingest_paths
from compliance.intake.vehicles import import_dmr
from tests.conftest import SAMPLE_DIR

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<ns:ESStatistikListeModtag_I xmlns:ns="http://skat.dk/dmr/2007/05/31/"><ns:StatistikSamling>\n'
TAIL = "</ns:StatistikSamling></ns:ESStatistikListeModtag_I>\n"


def record(
    plate: str | None,
    art: str,
    fuel: str,
    norm: str,
    weight: int,
    status: str,
    date: str,
    layout: str = "new",
    primary: bool = True,
) -> str:
    """One ns:Statistik element in the new (DrivmiddelSamling) or the old (~2017) layout."""
    fuel_block = (
        "<ns:KoeretoejDrivmiddelSamlingStruktur><ns:KoeretoejDrivmiddelSamling>"
        + (
            "<ns:DrivmiddelStruktur><ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>1</ns:DrivkraftTypeNummer>"
            "<ns:DrivkraftTypeNavn>Benzin</ns:DrivkraftTypeNavn></ns:DrivkraftTypeStruktur>"
            "<ns:KoeretoejMotorDrivmiddelPrimaer>false</ns:KoeretoejMotorDrivmiddelPrimaer></ns:DrivmiddelStruktur>"
            if primary
            else ""
        )
        + f"<ns:DrivmiddelStruktur><ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>{fuel}</ns:DrivkraftTypeNummer>"
        "</ns:DrivkraftTypeStruktur><ns:KoeretoejMotorDrivmiddelPrimaer>true</ns:KoeretoejMotorDrivmiddelPrimaer></ns:DrivmiddelStruktur>"
        "</ns:KoeretoejDrivmiddelSamling></ns:KoeretoejDrivmiddelSamlingStruktur>"
        if layout == "new"
        else f"<ns:DrivkraftTypeStruktur><ns:DrivkraftTypeNummer>{fuel}</ns:DrivkraftTypeNummer></ns:DrivkraftTypeStruktur>"
    )
    plate_element = f"<ns:RegistreringNummerNummer>{plate}</ns:RegistreringNummerNummer>" if plate else ""
    return (
        f"<ns:Statistik><ns:KoeretoejIdent>10000000{abs(hash(plate)) % 10**8:08d}</ns:KoeretoejIdent>"
        f"<ns:KoeretoejArtNummer>{art}</ns:KoeretoejArtNummer>{plate_element}"
        "<ns:KoeretoejOplysningGrundStruktur>"
        f"<ns:KoeretoejOplysningTekniskTotalVaegt>{weight}</ns:KoeretoejOplysningTekniskTotalVaegt>"
        f"<ns:KoeretoejNormStruktur><ns:NormTypeStruktur><ns:NormTypeNummer>{norm}</ns:NormTypeNummer></ns:NormTypeStruktur></ns:KoeretoejNormStruktur>"
        f"<ns:KoeretoejMotorStruktur>{fuel_block}</ns:KoeretoejMotorStruktur>"
        "</ns:KoeretoejOplysningGrundStruktur>"
        f"<ns:KoeretoejRegistreringStatus>{status}</ns:KoeretoejRegistreringStatus>"
        f"<ns:KoeretoejRegistreringStatusDato>{date}</ns:KoeretoejRegistreringStatusDato></ns:Statistik>\n"
    )


RECORDS = [
    record("EC41208", "3", "4", "1", 3500, "Registreret", "2023-05-01T10:00:00.000+02:00"),  # electric van, "Ingen Norm"
    record("TR75021", "4", "2", "47", 7500, "Registreret", "2019-03-01T10:00:00.000+01:00", layout="old"),  # diesel truck, Euro V
    record("BG22519", "4", "6", "49", 16000, "Registreret", "2024-02-01T10:00:00.000+01:00"),  # gas truck: natural gas in DMR
    record("AB12345", "1", "1", "49", 1800, "Afmeldt", "2021-01-01T10:00:00.000+01:00"),  # old record of a plate …
    record("AB12345", "1", "4", "49", 2100, "Registreret", "2022-06-01T10:00:00.000+02:00"),  # … now on an electric car
    record("AB12345", "1", "2", "49", 1900, "Afmeldt", "2023-01-01T10:00:00.000+01:00"),  # later but deregistered
    record(None, "5", "2", "1", 750, "Registreret", "2020-01-01T10:00:00.000+01:00"),  # a trailer without plate
]


def write_extract(path: Path, records: list[str] = RECORDS, complete: bool = True) -> Path:
    text = HEAD + "".join(records) + (TAIL if complete else "")
    path.write_text(text, encoding="utf-8")
    return path


def test_both_layouts_codes_and_the_current_record_per_plate(tmp_path: Path) -> None:
    result = read_dmr(write_extract(tmp_path / "dmr.xml"))
    assert (result.records, result.skipped_without_plate, result.error) == (7, 1, None)
    van, truck, gas, car = (result.vehicles[p] for p in ("EC41208", "TR75021", "BG22519", "AB12345"))
    assert (van.kind, van.fuel, van.euro_norm, van.total_weight_kg, van.registered) == ("van", "electric", 0, 3500, True)
    assert (truck.kind, truck.fuel, truck.euro_norm) == ("truck", "diesel", 5)  # old layout
    assert gas.fuel == "natural_gas"  # the DMR cannot say biogas
    assert (car.fuel, car.registered, car.total_weight_kg) == ("electric", True, 2100)  # registered beats later deregistered


def test_truncated_extract_keeps_complete_records_and_says_where(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "cut.xml", complete=False)
    path.write_text(path.read_text(encoding="utf-8") + RECORDS[0][: len(RECORDS[0]) // 2], encoding="utf-8")
    result = read_dmr(path)
    assert result.records == 7 and set(result.vehicles) == {"EC41208", "TR75021", "BG22519", "AB12345"}
    assert result.error is not None and "after 7 complete record(s)" in result.error.message
    assert result.error.location is not None and result.error.location.startswith("line ")


def test_zip_and_only_plates(tmp_path: Path) -> None:
    xml = write_extract(tmp_path / "ESStatistikListeModtag.xml")
    archive = tmp_path / "dmr.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.write(xml, xml.name)
    assert is_dmr_extract(archive) and is_dmr_extract(xml)
    assert not is_dmr_extract(SAMPLE_DIR / "transport" / "koeretoejer.csv")
    result = read_dmr(archive, only_plates={"TR75021"})
    assert list(result.vehicles) == ["TR75021"] and result.records == 7


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    from compliance.base.errors import UnsafeInputError

    path = tmp_path / "evil.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + HEAD.split("\n", 1)[1] + TAIL, encoding="utf-8")
    with pytest.raises(UnsafeInputError):
        read_dmr(path)


def test_dmr_import_keeps_a_declared_biogas_fuel(engine: Engine, tmp_path: Path) -> None:
    ingest_paths(engine, [SAMPLE_DIR / "transport" / "koeretoejer.csv"], 10**7)  # declares BG22519 biogas with evidence
    summary = import_dmr(engine, write_extract(tmp_path / "dmr.xml"))
    assert (summary.records, summary.vehicles) == (7, 4)
    from compliance.assessment.inputs import vehicle_facts
    from compliance.store.db import session_scope

    with session_scope(engine) as session:
        by_plate = {plate: vehicle_facts(session, plate) or {} for plate in ("BG22519", "TR75021", "AB12345")}
    assert by_plate["BG22519"]["fuel"] == "biogas" and by_plate["BG22519"]["green"] is True
    assert by_plate["BG22519"]["origin"] == "declared" and by_plate["BG22519"]["euro_norm"] == 6
    assert by_plate["TR75021"]["origin"] == "dmr" and by_plate["TR75021"]["euro_norm"] == 5
    assert by_plate["AB12345"]["green"] is True and by_plate["AB12345"]["origin"] == "dmr"


def test_cli_vehicles_import_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    runner = CliRunner()
    imported = runner.invoke(main, ["vehicles", "import", str(write_extract(tmp_path / "dmr.xml"))])
    assert imported.exit_code == 0, imported.output
    assert "DMR: 7 poster læst, 4 nummerplader gemt, 1 poster uden nummerplade" in imported.output
    shown = runner.invoke(main, ["vehicles", "show", "ec 41 208", "--json"])
    document = json.loads(shown.output)
    assert {key: document[key] for key in ("registration", "kind", "fuel", "euro_norm", "total_weight_kg", "registered", "green")} == {
        "registration": "EC41208", "kind": "van", "fuel": "electric", "euro_norm": 0, "total_weight_kg": 3500, "registered": True, "green": True,
    }  # fmt: skip
    cut = write_extract(tmp_path / "cut.xml", complete=False)
    cut.write_text(cut.read_text(encoding="utf-8") + "<ns:Statistik><ns:Koer", encoding="utf-8")
    broken = runner.invoke(main, ["vehicles", "import", str(cut)])
    assert broken.exit_code == 1 and "ufuldstændig:" in broken.output
    missing = runner.invoke(main, ["vehicles", "show", "ZZ99999"])
    assert missing.exit_code == 1 and "Fejl: ZZ99999: findes ikke i køretøjsregistret" in missing.output


def test_the_real_dmr_sample_record(reference_dir: Path) -> None:
    result = read_dmr(reference_dir / "vehicles" / "dmr_sample_M-F-K_autoplate.xml")
    (vehicle,) = result.vehicles.values()
    # Read by hand from the file: Personbil, Benzin (primary), "Ingen Norm", 2240 kg, Afmeldt.
    assert (vehicle.registration, vehicle.kind, vehicle.fuel, vehicle.euro_norm, vehicle.total_weight_kg, vehicle.registered) == (
        "WW35733", "car", "petrol", 0, 2240, False,
    )  # fmt: skip


def test_dmr_progress_line_on_a_terminal() -> None:
    import io

    from compliance.cli import DmrProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = DmrProgress(terminal)
    progress(250_000_000, 1_000_000_000, 25_000)
    text = terminal.getvalue()
    assert text.startswith("\r250 of 1,000 MB, 25,000 records, ") and text.endswith(" MB/s")
    piped = io.StringIO()
    DmrProgress(piped)(1, 2, 3)
    assert piped.getvalue() == ""


@pytest.mark.parametrize("only_plates", [None, {"TR75021", "AB12345"}])
def test_fast_reader_matches_the_tree_reader(tmp_path: Path, only_plates: set[str] | None) -> None:
    from compliance.ingest.dmr import read_dmr_fast

    path = write_extract(tmp_path / "dmr.xml")
    archive = tmp_path / "dmr.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(path, "extract.xml")
    for source in (path, archive):
        tree, fast = read_dmr(source, only_plates), read_dmr_fast(source, only_plates)
        assert (fast.records, fast.vehicles, fast.skipped_without_plate, fast.error) == (
            tree.records, tree.vehicles, tree.skipped_without_plate, None,
        )  # fmt: skip


def test_fast_reader_on_the_real_sample_and_on_a_truncated_file(reference_dir: Path, tmp_path: Path) -> None:
    from compliance.ingest.dmr import read_dmr_fast

    sample = reference_dir / "vehicles" / "dmr_sample_M-F-K_autoplate.xml"
    assert read_dmr_fast(sample).vehicles == read_dmr(sample).vehicles
    cut = write_extract(tmp_path / "cut.xml", complete=False)
    cut.write_text(cut.read_text(encoding="utf-8") + RECORDS[0][:300], encoding="utf-8")
    result = read_dmr_fast(cut)
    assert result.records == 7 and set(result.vehicles) == {"EC41208", "TR75021", "BG22519", "AB12345"}
    assert result.error is not None and "breaks off after 7 complete record(s) inside a record" in result.error.message
    unclosed = write_extract(tmp_path / "unclosed.xml", complete=False)
    assert "before its closing tag" in str(read_dmr_fast(unclosed).error)


def test_a_hostile_or_broken_extract_in_the_vehicles_inbox_is_quarantined_and_the_run_goes_on(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file boundary holds for DMR extracts too: a refused extract, or one whose reader fails in a way
    nobody foresaw, is quarantined with its reason instead of failing every later inbox run."""
    import compliance.intake.vehicles
    from compliance.intake.vehicles import import_vehicle_file
    from compliance.store.db import session_scope
    from compliance.store.models import SourceFile

    evil = tmp_path / "evil.xml"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + HEAD.split("\n", 1)[1] + TAIL, encoding="utf-8")
    refused = import_vehicle_file(engine, evil, 10**7)
    assert [path for path, _ in refused.quarantined] == [str(evil)]  # type: ignore[union-attr]
    good = write_extract(tmp_path / "dmr.xml")

    def broken_reader(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a reader bug")

    monkeypatch.setattr(compliance.intake.vehicles, "iter_dmr_records", broken_reader)
    failed = import_vehicle_file(engine, good, 10**7)
    assert "RuntimeError: a reader bug" in failed.quarantined[0][1]  # type: ignore[union-attr]
    with session_scope(engine) as session:
        statuses = {row.path: row.status for row in session.query(SourceFile)}
    assert statuses == {str(evil): "quarantined", str(good): "quarantined"}


def test_every_record_of_a_plate_is_kept_with_the_days_it_held_the_plate(tmp_path: Path) -> None:
    """Issue 16 item 6: the register keeps validity dates, so a trip is judged by its day."""
    from datetime import date

    from compliance.ingest.dmr import read_dmr_fast
    from compliance.store.vehicles import dmr_periods

    path = write_extract(tmp_path / "dmr.xml")
    tree, fast = read_dmr(path), read_dmr_fast(path)
    assert fast.earlier == tree.earlier and set(tree.earlier) == {"AB12345"}
    periods = dmr_periods([tree.vehicles["AB12345"], *tree.earlier["AB12345"]])
    assert [(p["fuel"], p["valid_from"], p["valid_to"]) for p in periods] == [
        ("petrol", None, date(2021, 1, 1)),  # deregistered 1 January 2021; no first registration in the record
        ("diesel", date(2021, 1, 2), date(2022, 5, 31)),  # deregistered later, but the electric car took the plate
        ("electric", date(2022, 6, 1), None),  # registered from its status date, open
    ]
    assert [(p["fuel"], p["valid_from"]) for p in dmr_periods([tree.vehicles["EC41208"]])] == [("electric", date(2023, 5, 1))]


def test_a_plate_no_plate_can_be_is_not_imported(tmp_path: Path) -> None:
    """Issue 16 item 5: a Cyrillic Х is no X; such a record is skipped, as one without a plate."""
    from compliance.ingest.dmr import read_dmr_fast

    cyrillic = record("D\u0425 18 336", "3", "2", "49", 3500, "Registreret", "2024-01-01T10:00:00.000+01:00")
    spaced = record("EC\u200b41 209", "3", "4", "1", 3500, "Registreret", "2024-01-01T10:00:00.000+01:00")
    path = write_extract(tmp_path / "dmr.xml", [cyrillic, spaced])
    for result in (read_dmr(path), read_dmr_fast(path)):
        assert (result.records, result.skipped_without_plate, set(result.vehicles)) == (2, 1, {"EC41209"})
