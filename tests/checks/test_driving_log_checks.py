"""Invoices against driving logs per month (§2.1) and HVO100 (§2.2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from compliance.checks.driving_logs import hvo100_findings, log_comparison_findings
from compliance.checks.green_vehicles import CountedTripLine
from compliance.contracts import load_contract
from compliance.store.models import Trip, Vehicle
from tests.conftest import CONTRACTS_DIR

CONTRACT = load_contract(CONTRACTS_DIR / "KK-2024-0117.yaml")
YEAR = CONTRACT.year(2)
VEHICLES = {
    "EC41208": Vehicle(registration="EC41208", kind="van", fuel="electric", green_evidence=None),
    "DX18334": Vehicle(registration="DX18334", kind="van", fuel="diesel", green_evidence=None),
}


def lines(day: date, green: int, conventional: int) -> list[CountedTripLine]:
    common = {
        "invoice_number": "1",
        "document_type": "invoice",
        "source_file_id": 1,
        "source_path": "x",
        "line_id": "1",
        "source_line": 1,
        "day": day,
        "registrations": (),
    }
    return [
        CountedTripLine(kind="green", trips=Decimal(green), **common),  # type: ignore[arg-type]
        CountedTripLine(kind="conventional", trips=Decimal(conventional), **common),  # type: ignore[arg-type]
    ]


def trips(day: date, plate: str, count: int, fuel: str | None = None) -> list[Trip]:
    return [
        Trip(trip_date=day, registration=plate, vehicle_type=None, fuel=fuel, row=n + 2, source_file_id=1) for n in range(count)
    ]


def test_months_that_agree_give_no_finding_and_green_trips_missing_from_logs_do() -> None:
    window = CONTRACT.green_vehicles.window(YEAR)  # type: ignore[union-attr]
    invoiced = lines(date(2025, 3, 4), 10, 10) + lines(date(2025, 4, 8), 12, 8)
    logged = trips(date(2025, 3, 4), "EC41208", 10) + trips(date(2025, 3, 4), "DX18334", 10)
    logged += trips(date(2025, 4, 8), "EC41208", 5) + trips(
        date(2025, 4, 8), "DX18334", 15
    )  # April: 7 green trips not driven green
    findings = log_comparison_findings(CONTRACT, YEAR, window, invoiced, logged, VEHICLES)
    assert [(f.rule_id, f.evidence["month"]) for f in findings] == [("green_vehicles.green_not_in_log@1", "2025-04")]
    assert "12 green trips invoiced, but the logs show 5" in findings[0].message


def test_trip_count_tolerance() -> None:
    window = CONTRACT.green_vehicles.window(YEAR)  # type: ignore[union-attr]
    invoiced = lines(date(2025, 5, 6), 50, 50)
    within = trips(date(2025, 5, 6), "EC41208", 50) + trips(date(2025, 5, 6), "DX18334", 46)  # 4 % apart
    assert log_comparison_findings(CONTRACT, YEAR, window, invoiced, within, VEHICLES) == []
    beyond = trips(date(2025, 5, 6), "EC41208", 50) + trips(date(2025, 5, 6), "DX18334", 40)  # 10 % apart
    (finding,) = log_comparison_findings(CONTRACT, YEAR, window, invoiced, beyond, VEHICLES)
    assert finding.rule_id == "green_vehicles.log_mismatch@1" and finding.received == "100 invoiced, 90 logged"


def test_hvo100_only_where_the_contract_requires_it() -> None:
    logged = (
        trips(date(2025, 6, 3), "DX18334", 3, "diesel")
        + trips(date(2025, 6, 3), "DX18334", 2, "HVO100")
        + trips(date(2025, 6, 3), "EC41208", 4)
    )
    assert hvo100_findings(CONTRACT, YEAR, logged, VEHICLES) == []
    required = replace(CONTRACT, hvo100_required=True, hvo100_fuels=frozenset({"hvo100"}))
    (finding,) = hvo100_findings(required, YEAR, logged, VEHICLES)
    assert finding.rule_id == "hvo100.not_hvo100@1"
    assert finding.message.startswith("DX18334: 3 logged trip(s) in year 2 without HVO100 (the log says diesel)")


def test_unknown_and_deregistered_plates_in_logs() -> None:
    from compliance.checks.driving_logs import log_vehicle_findings

    vehicles = {**VEHICLES, "OLD1234": Vehicle(registration="OLD1234", kind="van", fuel="diesel", registered=False)}
    vehicles["EC41208"].registered = True
    vehicles["DX18334"].registered = True
    logged = trips(date(2025, 2, 4), "EC41208", 2) + trips(date(2025, 2, 4), "ZZ99999", 3) + trips(date(2025, 2, 5), "OLD1234", 1)
    findings = log_vehicle_findings(CONTRACT, YEAR, logged, vehicles)
    assert [(f.rule_id, f.evidence["registration"], f.evidence["trips"]) for f in findings] == [
        ("vehicles.deregistered_in_log@1", "OLD1234", 1),
        ("vehicles.unknown_in_log@1", "ZZ99999", 3),
    ]
