"""Invoices against driving logs per month (§2.1), HVO100 (§2.2), and the plates the logs name."""

from __future__ import annotations

from datetime import date

from compliance.base.windows import MeasurementWindow
from compliance.checks.driving_logs import hvo100_findings, log_comparison_findings, log_vehicle_findings
from compliance.checks.inputs import CountedTripLine
from compliance.contracts import ContractTerms
from tests.builders import transport_contract, trip_line, trips, vehicle

CONTRACT = transport_contract()  # 2024–2027, §2.1 log tolerance 5 %, HVO100 not required
YEAR = CONTRACT.year(2)  # 2025
VEHICLES = {
    "EC41208": vehicle("EC41208", "van", "electric"),
    "DX18334": vehicle("DX18334", "van", "diesel"),
}


def window_of(contract: ContractTerms) -> MeasurementWindow:
    assert contract.green_vehicles is not None
    return contract.green_vehicles.window(YEAR)


def invoiced(day: date, green: int, conventional: int) -> list[CountedTripLine]:
    return [trip_line("green", green, day), trip_line("conventional", conventional, day)]


def test_months_that_agree_give_no_finding_and_green_trips_missing_from_logs_do() -> None:
    lines = invoiced(date(2025, 3, 4), 10, 10) + invoiced(date(2025, 4, 8), 12, 8)
    logged = trips(date(2025, 3, 4), "EC41208", 10) + trips(date(2025, 3, 4), "DX18334", 10)
    logged += trips(date(2025, 4, 8), "EC41208", 5) + trips(
        date(2025, 4, 8), "DX18334", 15
    )  # April: 7 green trips not driven green
    findings = log_comparison_findings(CONTRACT, YEAR, window_of(CONTRACT), lines, logged, VEHICLES)
    assert [(f.rule_id, f.evidence["month"]) for f in findings] == [("green_vehicles.green_not_in_log@1", "2025-04")]
    assert "12 green trips invoiced, but the logs show 5" in findings[0].message


def test_trip_count_tolerance() -> None:
    lines = invoiced(date(2025, 5, 6), 50, 50)
    within = trips(date(2025, 5, 6), "EC41208", 50) + trips(date(2025, 5, 6), "DX18334", 46)  # 4 % apart
    assert log_comparison_findings(CONTRACT, YEAR, window_of(CONTRACT), lines, within, VEHICLES) == []
    beyond = trips(date(2025, 5, 6), "EC41208", 50) + trips(date(2025, 5, 6), "DX18334", 40)  # 10 % apart
    (finding,) = log_comparison_findings(CONTRACT, YEAR, window_of(CONTRACT), lines, beyond, VEHICLES)
    assert finding.rule_id == "green_vehicles.log_mismatch@1" and finding.received == "100 invoiced, 90 logged"


def test_no_logs_in_the_window_means_nothing_to_compare() -> None:
    lines = invoiced(date(2025, 5, 6), 50, 50)
    assert log_comparison_findings(CONTRACT, YEAR, window_of(CONTRACT), lines, [], VEHICLES) == []
    last_year = trips(date(2024, 5, 6), "EC41208", 3)
    assert log_comparison_findings(CONTRACT, YEAR, window_of(CONTRACT), lines, last_year, VEHICLES) == []


def test_hvo100_only_where_the_contract_requires_it() -> None:
    logged = (
        trips(date(2025, 6, 3), "DX18334", 3, "diesel")
        + trips(date(2025, 6, 3), "DX18334", 2, "HVO100")
        + trips(date(2025, 6, 3), "EC41208", 4)
    )
    assert hvo100_findings(CONTRACT, YEAR, logged, VEHICLES) == []
    required = transport_contract(hvo100={"required": True})  # accepted fuels default to HVO100
    (finding,) = hvo100_findings(required, YEAR, logged, VEHICLES)
    assert finding.rule_id == "hvo100.not_hvo100@1"
    assert finding.message.startswith("DX18334: 3 logged trip(s) in year 2 without HVO100 (the log says diesel)")


def test_unknown_and_deregistered_plates_in_logs() -> None:
    vehicles = {**VEHICLES, "OLD1234": vehicle("OLD1234", "van", "diesel", registered=False)}
    logged = trips(date(2025, 2, 4), "EC41208", 2) + trips(date(2025, 2, 4), "ZZ99999", 3) + trips(date(2025, 2, 5), "OLD1234", 1)
    findings = log_vehicle_findings(CONTRACT, YEAR, logged, vehicles)
    assert [(f.rule_id, f.evidence["registration"], f.evidence["trips"]) for f in findings] == [
        ("vehicles.deregistered_in_log@1", "OLD1234", 1),
        ("vehicles.unknown_in_log@1", "ZZ99999", 3),
    ]
