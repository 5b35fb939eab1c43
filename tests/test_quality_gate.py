"""The data-quality gate (issue 21 item 1): the column checks give exactly the failures and failing
rows of the Great Expectations suites, on corrupted files of every kind; Great Expectations is only
imported when there is a failure to report."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compliance.base.documents import (
    CatalogueDocument,
    DrivingLogDocument,
    InvoiceDocument,
    SourceDocument,
    TripRecord,
    VehicleRecord,
    VehicleRegisterDocument,
)
from compliance.ingest.detect import read_source
from compliance.ingest.dmr import DmrVehicle
from compliance.quality import (
    QualityResult,
    quality_rules,
    validate_dataset,
    validate_documents,
    validate_vehicle_records,
    vehicle_record,
)
from compliance.quality_gate import (
    Columns,
    check_columns,
    check_documents,
    check_documents_by_columns,
    check_vehicle_records,
)
from tests.conftest import SAMPLE_DIR

TODAY = date(2026, 1, 1)
MAX = 50 * 1024 * 1024

pytestmark = pytest.mark.slow  # Great Expectations: seconds to import, ~0.1 s a validation


def read(path: Path) -> SourceDocument:
    return read_source(path.read_bytes(), path.name, MAX)


def sample_invoices() -> list[tuple[str, InvoiceDocument]]:
    found = []
    for path in sorted(SAMPLE_DIR.glob("*/*.xml")):
        document = read(path)
        if isinstance(document, InvoiceDocument):
            found.append((path.name, document))
    return found


def outcome(result: QualityResult) -> dict[str, Any]:
    """What the gate and the suites must agree on: each run, each listed failure, every failing row."""
    return {
        "runs": [(r.dataset, r.files, r.rows, r.expectations, sorted(r.failed_expectations)) for r in result.runs],
        "failures": sorted(
            (f.rule.label, f.file, f.place, f.value if f.place != "whole batch" else "", f.more) for f in result.failures
        ),
        "failing_rows": {dataset: sorted(rows) for dataset, rows in result.failing_rows.items() if rows},
    }


def assert_same(documents: list[tuple[str, SourceDocument]]) -> QualityResult:
    columns = check_documents_by_columns(documents, TODAY)
    suites = validate_documents(documents, TODAY)
    assert outcome(columns) == outcome(suites)
    # The order the failures are listed in (quarantine reasons show the first three) is the suites' too.
    assert [(f.rule.label, f.file, f.place) for f in columns.failures] == [
        (f.rule.label, f.file, f.place) for f in suites.failures
    ]
    return columns


# -- corruptions, each a plausible supplier mistake -------------------------------------------------------


def corrupt_line(rng: random.Random, document: InvoiceDocument) -> InvoiceDocument:
    lines = list(document.lines)
    at = rng.randrange(len(lines))
    line = lines[at]
    choice = rng.randrange(14)
    if choice == 0:
        line = replace(line, quantity=Decimal("10000000"))  # a unit error
    elif choice == 1:
        line = replace(line, quantity=Decimal("-1000000.5"))
    elif choice == 2:
        line = replace(line, line_amount=Decimal("123456789.00"))
    elif choice == 3:
        line = replace(line, unit_code=rng.choice(["ea", "ABCD", "", "E A", "EA\n", "Ø1"]))
    elif choice == 4:
        line = replace(line, id="")  # no line ID
    elif choice == 5 and len(lines) > 1:
        line = replace(line, id=lines[(at + 1) % len(lines)].id)  # two lines with one ID
    elif choice == 6:
        line = replace(line, delivery_date=date(2099, 1, 1))
    elif choice == 7:
        line = replace(line, delivery_date=date(1999, 12, 31))
    elif choice == 8:
        line = replace(line, quantity=None, line_amount=None, unit_code=None)  # empty values pass
    elif choice == 9:
        return replace(document, currency=rng.choice(["dkk", "DK", "DKKR", None, "€"]))
    elif choice == 10:
        return replace(document, issue_date=TODAY + timedelta(days=32))
    elif choice == 11:
        return replace(document, issue_date=TODAY + timedelta(days=31))  # the last day allowed: passes
    elif choice == 12:
        # 25 failing lines in one file: 20 listed, the rest counted.
        extra = [replace(line, id=f"X{n}", quantity=Decimal(-2_000_000 - n)) for n in range(25)]
        return replace(document, lines=[*lines, *extra])
    else:
        line = replace(line, quantity=Decimal("1000000"), line_amount=Decimal("-100000000"))  # the bounds: pass
    lines[at] = line
    return replace(document, lines=lines)


def corrupted_invoices(count: int, seed: int) -> list[tuple[str, SourceDocument]]:
    rng = random.Random(seed)
    samples = sample_invoices()
    corrupted: list[tuple[str, SourceDocument]] = []
    for number in range(count):
        name, document = samples[number % len(samples)]
        for _ in range(rng.randint(1, 3)):
            document = corrupt_line(rng, document)
        corrupted.append((f"{number:02d}-{name}", document))
    return corrupted


def test_forty_corrupted_invoices_fail_alike_in_the_column_checks_and_the_suites() -> None:
    documents = corrupted_invoices(40, seed=21)
    result = assert_same(documents)
    failed = {f.rule.name for f in result.failures}
    # The corruptions reach most rules (the seed is fixed: this is what it covers).
    assert {"quantity_plausible", "unit_code", "line_id_unique", "issue_date_plausible"} <= failed
    assert any(f.more for f in result.failures)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_more_random_corruptions_fail_alike(seed: int) -> None:
    assert_same(corrupted_invoices(20, seed))


def test_sample_files_pass_both() -> None:
    documents = [(p.name, read(p)) for p in sorted(SAMPLE_DIR.glob("*/*")) if p.suffix in {".xml", ".csv", ".xlsx"}]
    result = assert_same(documents)
    assert result.failures == [] and {r.dataset for r in result.runs} == {"invoice_lines", "catalogue_items", "trips", "vehicles"}


def test_corrupted_catalogues_fail_alike() -> None:
    catalogue = read(SAMPLE_DIR / "office" / "katalog-2025.xml")
    assert isinstance(catalogue, CatalogueDocument)
    variants: list[tuple[str, SourceDocument]] = []
    values = [
        {"price": Decimal("-1")},
        {"price": Decimal("10000000.01")},
        {"price": None},
        {"unit_code": "kgm"},
        {"standard_item_id": "1234567"},  # 7 digits
        {"standard_item_id": "123456789012345"},  # 15 digits
        {"standard_item_id": "１２３４５６７８"},  # full-width digits
        {"standard_item_id": "ABC-123"},  # another scheme's code: not checked as a GTIN
        {"id": ""},
        {"id": catalogue.lines[1].id},  # a repeated ID is allowed in a catalogue
    ]
    for number, change in enumerate(values):
        lines = [replace(catalogue.lines[0], **change), *catalogue.lines[1:]]
        variants.append((f"katalog-{number}.xml", replace(catalogue, lines=lines)))
    result = assert_same(variants)
    assert {f.rule.name for f in result.failures} == {"price_plausible", "unit_code", "gtin", "line_id_present"}


def trip(row: int, **change: Any) -> TripRecord:
    base = TripRecord(
        row=row, trip_date=date(2025, 3, 1), registration="AB12345", vehicle_type="van", distance_km=Decimal("12.5")
    )
    return replace(base, **change)


def test_corrupted_driving_logs_fail_alike() -> None:
    bad = [
        trip(2),
        trip(3, distance_km=Decimal("-4")),
        trip(4, trip_date=date(2099, 1, 1)),
        trip(5, trip_date=TODAY + timedelta(days=1)),  # tomorrow: allowed
        trip(6, trip_date=TODAY + timedelta(days=2)),
        trip(7, distance_km=Decimal("2000.01")),
        trip(8, distance_km=None),
        trip(9, registration="A"),
        trip(10, registration="X" * 21),
        trip(11, registration=None, vehicle_type="cargo bike"),
        trip(12, registration=""),
        trip(13, trip_date=date(1999, 12, 31)),
    ]
    many = [trip(row, distance_km=Decimal(-row)) for row in range(2, 40)]
    documents: list[tuple[str, SourceDocument]] = [
        ("bad.csv", DrivingLogDocument("driving_log", "csv", None, bad)),
        ("many.csv", DrivingLogDocument("driving_log", "csv", None, many)),
        ("good.csv", DrivingLogDocument("driving_log", "csv", None, [trip(2), trip(3)])),
        ("plates-absent.csv", DrivingLogDocument("driving_log", "csv", None, [trip(2, registration=None)])),
    ]
    result = assert_same(documents)
    assert {f.rule.name for f in result.failures} == {"distance_plausible", "trip_date_plausible", "registration_length"}


def vehicle(row: int, **change: Any) -> VehicleRecord:
    base = VehicleRecord(
        row=row, registration=f"AB{row:05d}", kind="van", fuel="electric", euro_norm=6, total_weight_kg=3500, registered=True
    )
    return replace(base, **change)


def test_corrupted_vehicle_registers_fail_alike() -> None:
    vehicles = [
        vehicle(2),
        vehicle(3, euro_norm=8),
        vehicle(4, euro_norm=None, total_weight_kg=None),
        vehicle(5, total_weight_kg=0),
        vehicle(6, total_weight_kg=100_001),
        vehicle(7, kind="spaceship"),
        vehicle(8, fuel="coal"),
        vehicle(9, registration="ab-123"),
        vehicle(10, registration="AB00002"),  # the same plate as row 2, same first day: both fail
        vehicle(11, registration="AB00011", valid_from=date(2025, 1, 1)),
        vehicle(12, registration="AB00011", valid_from=date(2025, 7, 1)),  # another period: passes
        vehicle(13, registration="ÆØÅ1234567890"),  # 13 characters
        vehicle(14, euro_norm=-1),
    ]
    register = VehicleRegisterDocument("vehicle_register", "csv", vehicles)
    fine = VehicleRegisterDocument("vehicle_register", "csv", [vehicle(2), vehicle(3)])
    result = assert_same([("register.csv", register), ("fine.csv", fine)])
    assert {f.rule.name for f in result.failures} == {
        "euro_norm_known",
        "weight_plausible",
        "kind_known",
        "fuel_known",
        "plate",
        "plate_unique",
    }


def dmr(record: int, **change: Any) -> DmrVehicle:
    base = DmrVehicle(
        record=record,
        vehicle_id=f"{1000 + record}",
        registration=f"DM{record:05d}",
        kind="truck",
        fuel="diesel",
        euro_norm=6,
        total_weight_kg=18_000,
        registered=True,
        status_date="2024-01-01",
    )
    return replace(base, **change)


def test_corrupted_dmr_records_fail_alike() -> None:
    records = [
        dmr(1),
        dmr(2, vehicle_id="1" * 21),
        dmr(3, vehicle_id="12-34"),
        dmr(4, vehicle_id=None),
        dmr(5, total_weight_kg=250_000),
        dmr(6, euro_norm=9),
        *[dmr(record, total_weight_kg=0) for record in range(7, 35)],
    ]
    fast = _dmr_by_columns(records)
    suites = validate_vehicle_records("dmr.xml", records, TODAY)
    assert outcome(fast) == outcome(suites)
    assert len(fast.failing_rows["vehicles"]) == 32
    gate = check_vehicle_records("dmr.xml", records, TODAY)  # Great Expectations' result, recorded
    assert outcome(gate) == outcome(suites)


def _dmr_by_columns(records: list[DmrVehicle]) -> QualityResult:
    table = Columns("vehicles")
    table.add(vehicle_record("dmr.xml", f"record {v.record}", v) for v in records)
    run, failures, failing_rows = check_columns(table, TODAY)
    return QualityResult([run], failures, {"vehicles": failing_rows})


def test_a_value_a_rule_cannot_compare_fails_the_whole_batch_in_both() -> None:
    records = [
        {"file": "a.csv", "place": "row 2", "trip_date": 20250301, "distance_km": "far", "registration": "AB12345"},
        {"file": "b.csv", "place": "row 2", "trip_date": 20250301, "distance_km": 3.0, "registration": "AB12345"},
    ]
    table = Columns("trips")
    table.add(records)
    fast = check_columns(table, TODAY)
    suites = validate_dataset("trips", records, TODAY)
    assert fast[0].failed_expectations == suites[0].failed_expectations == ["distance_plausible"]
    assert fast[2] == suites[2] == {0, 1}
    assert (
        [(f.file, f.place) for f in fast[1]]
        == [(f.file, f.place) for f in suites[1]]
        == [
            ("a.csv", "whole batch"),
            ("b.csv", "whole batch"),
        ]
    )


def test_every_kind_of_rule_has_a_column_check() -> None:
    from compliance.quality_gate import Unevaluable, failing_indexes

    for rule in quality_rules(TODAY):
        table = Columns(rule.dataset, values={name: [None] for name in ("file", "place", *rule.columns)})
        try:
            failing_indexes(rule, table)
        except Unevaluable as error:  # pragma: no cover - a failure message
            pytest.fail(f"{rule.label}: {error}")


def test_the_gate_records_what_great_expectations_finds_and_passes_the_rest_alone() -> None:
    documents = [*corrupted_invoices(3, seed=4), ("good.csv", DrivingLogDocument("driving_log", "csv", None, [trip(2)]))]
    gate = check_documents(documents, TODAY)
    assert outcome(gate) == outcome(validate_documents(documents, TODAY))
    assert {r.dataset for r in gate.runs} == {"invoice_lines", "trips"}


GATE_ONLY = """
import sys
from datetime import date
from pathlib import Path
from compliance.ingest.detect import read_source
from compliance.quality_gate import check_documents
folder = Path(sys.argv[1])
documents = [(p.name, read_source(p.read_bytes(), p.name, 1 << 26)) for p in sorted(folder.glob("*/*")) if p.suffix in {".xml", ".csv"}]
result = check_documents(documents, date(2026, 1, 1))
assert result.runs and not result.failures
print(sorted(name for name in sys.modules if name.split(".")[0] in {"pandas", "great_expectations"}))
"""


@pytest.mark.integration
def test_a_batch_that_passes_imports_neither_pandas_nor_great_expectations() -> None:
    found = subprocess.run([sys.executable, "-c", GATE_ONLY, str(SAMPLE_DIR)], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]", found.stdout
