"""Contracts measured in km (driving logs) end to end, and every penalty model on every basis, with
hand-computed figures (issue 17 item 1). The km figures are those of the demo's 2025 driving log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.assessment.contract_year import green_vehicle_outcome
from compliance.assessment.green_vehicles import GreenVehicleYearResult, green_share_assessment, green_vehicle_year
from compliance.base.errors import ContractTermsError
from compliance.checks.green_vehicles import RULE_EARLY_WARNING
from compliance.reports.language import Language
from compliance.reports.statement import penalty_steps
from tests.builders import green_vehicle_terms, transport_contract, trips, vehicle

GREEN_KM, TOTAL_KM, LOGGED_TRIPS = Decimal("11103.2"), Decimal("23035.3"), 1040
REGISTER = {"EC41208": vehicle("EC41208", "van", "electric"), "DX18334": vehicle("DX18334", "van", "diesel")}


def _terms(basis: str, model: str, fixed: str = "10000.00", **more: Any) -> dict[str, Any]:
    rate = "2.50" if model == "per_km" else "450.00"
    return green_vehicle_terms(basis=basis, penalty={"model": model, "rate_dkk": rate, "fixed_dkk": fixed}, **more)


@pytest.mark.parametrize(
    ("basis", "model", "fixed", "shortfall", "penalty"),
    [
        # 0,55 × 1.029 = 565,95 − 496 = 69,95 → 70 trips; 70 × 450 + 10.000
        ("trips", "per_trip", "10000.00", "70 trips", "41500.00"),
        ("trips", "per_trip", "0", "70 trips", "31500.00"),  # no add-on
        # the trip share decides; model 1 charges 0,55 × 23.035,3 − 11.103,2 = 1.566,215 km × 2,50 = 3.915,5375 + 10.000
        ("trips", "per_km", "10000.00", "1566.215 km", "13915.54"),
        ("km", "per_km", "10000.00", "1566.215 km", "13915.54"),
        ("km", "per_km", "0", "1566.215 km", "3915.54"),
        # the km short in trips of the year's average length: 1.566,215 × 1.040 ÷ 23.035,3 = 70,71… → 71; 71 × 450 + 10.000
        ("km", "per_trip", "10000.00", "71 trips", "41950.00"),
    ],
)
def test_every_penalty_model_on_every_basis(basis: str, model: str, fixed: str, shortfall: str, penalty: str) -> None:
    contract = transport_contract(green_vehicles=_terms(basis, model, fixed))
    a = green_share_assessment(contract, contract.year(2), Decimal(496), Decimal(1029), GREEN_KM, TOTAL_KM, km_trips=LOGGED_TRIPS)
    assert a.status == "short"
    got = f"{a.shortfall_km} km" if model == "per_km" else f"{a.shortfall_trips} trips"
    assert (got, a.penalty_total) == (shortfall, Decimal(penalty))


def test_the_statement_of_a_per_trip_penalty_on_a_km_basis_shows_the_conversion() -> None:
    contract = transport_contract(green_vehicles=_terms("km", "per_trip"))
    a = green_share_assessment(contract, contract.year(2), Decimal(496), Decimal(1029), GREEN_KM, TOTAL_KM, km_trips=LOGGED_TRIPS)
    outcome = green_vehicle_outcome(contract.id, 2, GreenVehicleYearResult(a, [], LOGGED_TRIPS, []))
    steps = dict(penalty_steps(outcome, Language("da")))
    assert steps["Manko"] == (
        "0,55 × 23.035,3 km = 12.669,415 km; 12.669,415 km − 11.103,2 km = 1.566,215 km; i ture af årets "
        "gennemsnitlige længde: 1.566,215 km × 1.040 ture ÷ 23.035,3 km = 70,712…, rundet op til hele ture: 71 ture"
    )
    assert steps["Sats"] == "450,00 kr. pr. tur × 71 ture = 31.950,00 kr."
    assert steps["Bod i alt (afrundet én gang til hele øre)"] == "31.950,00 kr. + 10.000,00 kr. = 41.950,00 kr."


def test_a_km_contract_needs_no_trip_line_patterns_but_a_trips_contract_does() -> None:
    terms = _terms("km", "per_km")
    del terms["trip_lines"]
    contract = transport_contract(green_vehicles=terms)
    assert contract.green_vehicles is not None and contract.green_vehicles.trip_lines is None
    trips_terms = _terms("trips", "per_trip")
    del trips_terms["trip_lines"]
    with pytest.raises(ContractTermsError, match="green_vehicles.trip_lines is missing"):
        transport_contract(green_vehicles=trips_terms)


def _logs_2025(until_month: int) -> list[Any]:
    """Each month: 100 km electric and 150 km diesel (a 40 % green km share)."""
    return [
        trip
        for month in range(1, until_month + 1)
        for trip in (
            *trips(date(2025, month, 10), "EC41208", 1, distance_km=Decimal("100")),
            *trips(date(2025, month, 11), "DX18334", 1, distance_km=Decimal("150")),
        )
    ]


def test_a_km_contract_is_measured_charted_and_warned_in_km() -> None:
    terms = _terms("km", "per_km")
    del terms["trip_lines"]
    contract = transport_contract(green_vehicles=terms)
    year = contract.year(2)
    # Ended: 1.200 of 3.000 km green = 40 %; short 0,55 × 3.000 − 1.200 = 450 km → 1.125 + 10.000 kr.
    ended = green_vehicle_year(contract, year, Decimal(0), Decimal(0), [], _logs_2025(12), REGISTER, date(2026, 3, 1))
    assert (ended.assessment.total_km, ended.assessment.green_km, ended.status) == (Decimal(3000), Decimal(1200), "short")
    assert ended.assessment.penalty_total == Decimal("11125.00")
    outcome = green_vehicle_outcome(contract.id, 2, ended)
    months = outcome.monthly_figures()
    assert [(m.green, m.total) for m in months] == [(Decimal(100), Decimal(250))] * 12  # km, not trips
    assert sum((m.total for m in months), Decimal(0)) == outcome.total_km
    # Running (as of 30 June): paced in km — 600 of 1.500 km so far; the year projects to ≈ 3.008 km.
    running = green_vehicle_year(contract, year, Decimal(0), Decimal(0), [], _logs_2025(6), REGISTER, date(2025, 6, 30))
    (warning,) = [f for f in running.findings if f.rule_id == RULE_EARLY_WARNING]
    assert warning.message_key == "green_vehicles.early_warning_km"
    assert warning.message.startswith("year 2 so far (2025-01-01 – 2025-06-30): 600,0 of 1.500,0 km green = 40,00 %")
