"""Driving logs: generic, Webfleet and Geotab exports, your own mapping, CSV and XLSX, m and km."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from compliance.base.documents import DrivingLogDocument
from compliance.base.errors import SourceFileError
from compliance.cli import main
from compliance.ingest.detect import read_source
from compliance.ingest.driving_log import LogOptions, load_log_mapping

MAX = 10**7
WEBFLEET = (
    "tripid;tripmode;objectno;objectname;start_time;end_time;distance;fuel_type;drivername\n"
    "9001;1;001;EC 41 208;02.01.2025 08:15:00;02.01.2025 08:52:00;22500;electric;Mette\n"
    "9002;1;002;TR75021;2025-01-02 09:00:00;2025-01-02 10:10:00;31250;diesel;Jens\n"
)
GEOTAB = "id,device,driver,start,stop,distance,drivingDuration\nb1,EC41209,d1,2025-01-03T07:00:00Z,2025-01-03T07:30:00Z,12.4,00:30:00\n"


def log(data: bytes, options: LogOptions | None = None) -> DrivingLogDocument:
    document = read_source(data, "log", MAX, options)
    assert isinstance(document, DrivingLogDocument)
    return document


def test_webfleet_preset_converts_metres_and_reads_dotted_dates() -> None:
    document = log(WEBFLEET.encode(), LogOptions(supplier_cvr="38451236"))
    assert document.format == "driving-log-webfleet" and document.supplier_cvr == "38451236"
    first, second = document.trips
    assert (first.registration, first.trip_date.isoformat(), first.distance_km, first.fuel) == (
        "EC41208",
        "2025-01-02",
        Decimal("22.5"),
        "electric",
    )
    assert second.distance_km == Decimal("31.25")


def test_geotab_preset_reads_the_device_as_plate() -> None:
    (trip,) = log(GEOTAB.encode()).trips
    assert (trip.registration, trip.trip_date.isoformat(), trip.distance_km) == ("EC41209", "2025-01-03", Decimal("12.4"))


def test_own_mapping_file(tmp_path: Path) -> None:
    mapping = tmp_path / "vognmand.yaml"
    mapping.write_text(
        'columns: {trip_date: Dato, registration: Reg.nr., distance: Meter}\ndistance_unit: m\ndecimal_separator: ","\nsupplier_cvr: DK38451236\n',
        encoding="utf-8",
    )
    text = "Dato;Reg.nr.;Meter\n05-02-2025;DX 18 334;12.500\n"
    document = log(text.encode(), LogOptions(load_log_mapping(mapping)))
    (trip,) = document.trips
    assert (trip.registration, trip.distance_km, document.supplier_cvr) == ("DX18334", Decimal("12.5"), "38451236")
    mapping.write_text("columns: {date: Dato}\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        load_log_mapping(mapping)
    assert caught.value.location == "columns"


def test_xlsx_driving_log() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["trip_date", "registration", "vehicle_type", "distance_km", "supplier_cvr"])
    sheet.append(["2025-03-04", "EC41208", None, 18.5, "38451236"])
    sheet.append(["2025-03-04", None, "cargo_bike", 4.2, "38451236"])
    buffer = io.BytesIO()
    book.save(buffer)
    document = log(buffer.getvalue())
    assert [(t.registration, t.vehicle_type, t.distance_km) for t in document.trips] == [
        ("EC41208", None, Decimal("18.5")),
        (None, "cargo_bike", Decimal("4.2")),
    ]


def test_unknown_log_columns_are_named_and_a_mapping_is_suggested() -> None:
    with pytest.raises(SourceFileError) as caught:
        read_source(b"Dato;Bil;Km\n01-01-2025;AB12345;3\n", "x.csv", MAX)
    assert "--log-mapping" in str(caught.value)


def test_cli_ingest_with_supplier_and_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    path = tmp_path / "webfleet.csv"
    path.write_text(WEBFLEET, encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(path), "--supplier-cvr", "38451236"])
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["ingest", str(path), "--supplier-cvr", "123"])
    assert bad.exit_code == 1 and "Fejl: --supplier-cvr '123' er ikke et CVR-nummer (forventet 8 cifre)" in bad.output
