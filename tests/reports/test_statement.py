"""The penalty statement a supplier's lawyer can check line by line: every step with its arithmetic, in the
precision used, so the printed figures reproduce the total exactly (issue 17 items 1 and 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.assessment.contract_year import green_vehicle_outcome
from compliance.assessment.green_vehicles import GreenVehicleYearResult, green_share_assessment
from compliance.reports.language import Language
from compliance.reports.statement import penalty_steps
from tests.builders import green_vehicle_terms, transport_contract

PER_KM = {"model": "per_km", "rate_dkk": "2.50", "fixed_dkk": "10000.00"}


def _statement(basis: str, **figures: Decimal) -> list[tuple[str, str]]:
    contract = transport_contract(green_vehicles=green_vehicle_terms(basis=basis, penalty=PER_KM))
    year = contract.year(2)  # 2025, the 55 % offer binds
    assessment = green_share_assessment(contract, year, **figures)
    outcome = green_vehicle_outcome(contract.id, 2, GreenVehicleYearResult(assessment, [], 0, []))
    return penalty_steps(outcome, Language("da"))


def test_a_km_contract_states_km_throughout_and_its_printed_figures_reproduce_the_total() -> None:
    """Hand-computed: 0,55 × 23.035,3 km = 12.669,415 km; − 11.103,2 km = 1.566,215 km short;
    2,50 kr. × 1.566,215 km = 3.915,5375 kr.; + 10.000 kr. = 13.915,5375 kr. → 13.915,54 kr."""
    steps = dict(
        _statement(
            "km",
            green_trips=Decimal(496),
            total_trips=Decimal(1029),
            green_km=Decimal("11103.2"),
            total_km=Decimal("23035.3"),
        )
    )
    assert steps["Kørte km (kørebøger)"] == "11.103,2 km med grønne køretøjer af 23.035,3 km i alt (0 ture i kørebøgerne)"
    assert "Ture" not in steps  # a km contract shows no trip count as its figures
    assert steps["Grøn andel"] == "11.103,2 ÷ 23.035,3 = 48,20 % (grundlag: km)"
    assert steps["Manko"] == "0,55 × 23.035,3 km = 12.669,415 km; 12.669,415 km − 11.103,2 km = 1.566,215 km"
    assert steps["Sats"] == "2,50 kr. pr. km × 1.566,215 km = 3.915,5375 kr."
    assert steps["Bod i alt (afrundet én gang til hele øre)"] == (
        "3.915,5375 kr. + 10.000,00 kr. = 13.915,5375 kr. → 13.915,54 kr. (afrundet én gang til hele øre, halvt op)"
    )


def test_a_per_km_penalty_on_a_trips_basis_shows_the_share_in_trips_and_the_shortfall_in_km() -> None:
    """Trips decide compliance (496 of 1.029 < 55 %); model 1 charges the km short from the driving logs."""
    steps = dict(
        _statement(
            "trips",
            green_trips=Decimal(496),
            total_trips=Decimal(1029),
            green_km=Decimal("11103.2"),
            total_km=Decimal("23035.3"),
        )
    )
    assert steps["Ture"] == "496 med grønne køretøjer af 1.029 i alt"
    assert steps["Grøn andel"] == "496 ÷ 1.029 = 48,20 % (grundlag: ture)"
    assert steps["Sats"] == "2,50 kr. pr. km × 1.566,215 km = 3.915,5375 kr."


def test_a_strict_level_states_its_rule_for_the_shortfall() -> None:
    contract = transport_contract(green_vehicles=green_vehicle_terms(level_inclusive=False))
    assessment = green_share_assessment(contract, contract.year(2), Decimal(55), Decimal(100))
    outcome = green_vehicle_outcome(contract.id, 2, GreenVehicleYearResult(assessment, [], 0, []))
    steps = dict(penalty_steps(outcome, Language("da")))
    # "more than 55 %" of 100 trips needs 56 green: 1 trip short, 450 kr. + 10.000 kr.
    assert steps["Manko"] == ("0,55 × 100 = 55; det mindste hele antal ture, der bringer andelen over niveauet: 1 ture")
    assert outcome.penalty_total == Decimal("10450.00")
    assert date(2025, 1, 1) == outcome.window_start
