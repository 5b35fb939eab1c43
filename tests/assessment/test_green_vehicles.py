"""§2.1 assessment: windows, staircase levels, shortfalls and penalties, with the handbook's example."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.assessment.green_vehicles import green_share_assessment
from compliance.base.shares import trips_short
from compliance.contracts import ContractTerms, contract_from_data


def transport_contract(**green_overrides: Any) -> ContractTerms:
    green: dict[str, Any] = {
        "form": "minimum",
        "transition_months": 3,
        "years": [{"year": 1, "minimum": 30}, {"year": 2, "minimum": 50}, {"year": 3, "minimum": 60}, {"year": 4, "minimum": 70}],
        "penalty": {"model": "per_trip", "rate_dkk": "500.00", "fixed_dkk": "10000.00"},
        "trip_lines": {"green": {"seller_item_ids": ["G"]}, "conventional": {"seller_item_ids": ["C"]}},
    }
    green.update(green_overrides)
    data = {
        "id": "T-1",
        "name": "Transport",
        "buyer": {"name": "Kommune"},
        "supplier": {"name": "Vognmand", "cvr": "12345678"},
        "period": {"start": "2025-03-01", "end": "2029-02-28"},
        "green_vehicles": green,
    }
    return contract_from_data(data, "test.yaml")


def test_handbook_staircase_levels_and_year_one_measured_over_its_last_nine_months() -> None:
    contract = transport_contract()
    terms = contract.green_vehicles
    assert terms is not None
    years = contract.years()
    assert [(y.number, y.start, y.end) for y in years] == [
        (1, date(2025, 3, 1), date(2026, 2, 28)),
        (2, date(2026, 3, 1), date(2027, 2, 28)),
        (3, date(2027, 3, 1), date(2028, 2, 29)),
        (4, date(2028, 3, 1), date(2029, 2, 28)),
    ]
    assert [terms.binding_level(y.number).percent for y in years] == [30, 50, 60, 70]
    window = terms.window(years[0])
    assert (window.start, window.end, window.transition_cut) == (date(2025, 6, 1), date(2026, 2, 28), True)
    second = terms.window(years[1])
    assert (second.start, second.transition_cut) == (date(2026, 3, 1), False)


def test_year_after_the_staircase_keeps_the_last_level() -> None:
    contract = transport_contract(years=[{"year": 1, "minimum": 30}, {"year": 2, "minimum": 50}])
    assert contract.green_vehicles is not None
    assert contract.green_vehicles.binding_level(4).percent == 50


def test_shortfall_and_per_trip_penalty_with_fixed_add_on() -> None:
    contract = transport_contract()
    year2 = contract.year(2)
    result = green_share_assessment(contract, year2, green_trips=Decimal(440), total_trips=Decimal(1000))
    assert result.status == "short"
    assert result.share == Decimal("0.44")
    assert result.shortfall_trips == 60  # ceil(0.50 × 1000 − 440)
    assert result.penalty_variable == Decimal("30000.00")
    assert result.penalty_total == Decimal("40000.00")


def test_exactly_at_the_level_complies_when_inclusive_but_not_when_strict() -> None:
    inclusive = green_share_assessment(transport_contract(), transport_contract().year(2), Decimal(500), Decimal(1000))
    assert inclusive.compliant is True and inclusive.penalty_total == 0
    strict_contract = transport_contract(level_inclusive=False)
    strict = green_share_assessment(strict_contract, strict_contract.year(2), Decimal(500), Decimal(1000))
    assert strict.compliant is False
    assert strict.shortfall_trips == 1  # one more green trip makes it "more than 50 %"
    assert strict.penalty_total == Decimal("10500.00")


def test_fractional_requirement_rounds_the_missing_trips_up() -> None:
    assert trips_short(Decimal(30), Decimal(101), Decimal(30), inclusive=True) == 1  # 30.3 needed
    assert trips_short(Decimal(30), Decimal(100), Decimal(30), inclusive=True) == 0
    assert trips_short(Decimal(100), Decimal(10), Decimal(10), inclusive=False) == 0
    assert trips_short(Decimal(100), Decimal(10), Decimal(9), inclusive=False) == 1  # capped at the conventional trips


def test_no_trips_means_nothing_to_measure_and_no_penalty() -> None:
    contract = transport_contract()
    result = green_share_assessment(contract, contract.year(1), Decimal(0), Decimal(0))
    assert result.status == "no_data" and result.share is None and result.penalty_total == 0


def test_all_green_complies_even_at_seventy_percent() -> None:
    contract = transport_contract()
    result = green_share_assessment(contract, contract.year(4), Decimal(812), Decimal(812))
    assert result.compliant is True and result.share == 1


def test_per_km_model_uses_the_km_shortfall_and_rounds_once_to_ore() -> None:
    contract = transport_contract(basis="km", penalty={"model": "per_km", "rate_dkk": "12.35"})
    result = green_share_assessment(
        contract, contract.year(2), Decimal(0), Decimal(0), green_km=Decimal("4000.55"), total_km=Decimal("10000.00")
    )
    assert result.status == "short"
    assert result.shortfall_km == Decimal("999.45")
    assert result.penalty_variable == Decimal("12343.2075")
    assert result.penalty_total == Decimal("12343.21")


@pytest.mark.parametrize(("form", "level"), [("minimum", Decimal(50)), ("offer", Decimal(58)), ("both", Decimal(58))])
def test_binding_level_by_form(form: str, level: Decimal) -> None:
    years = [{"year": 1, "minimum": 40, "offer": 45}, {"year": 2, "minimum": 50, "offer": 58}]
    if form == "offer":
        years = [{"year": 1, "offer": 45}, {"year": 2, "offer": 58}]
    contract = transport_contract(form=form, years=years)
    assert contract.green_vehicles is not None
    binding = contract.green_vehicles.binding_level(2)
    assert binding.percent == level
    assert binding.source == ("minimum" if form == "minimum" else "offer")
