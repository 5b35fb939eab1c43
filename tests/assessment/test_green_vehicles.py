"""§2.1 assessment: windows, staircase levels, shortfalls and penalties, with the handbook's example."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.assessment.green_vehicles import RULE_NOT_COMPUTABLE, green_share_assessment, green_vehicle_year
from compliance.base.shares import trips_short
from compliance.checks.green_vehicles import RULE_EARLY_WARNING, RULE_NO_TRIPS, RULE_NOT_GREEN, RULE_SHARE
from compliance.checks.inputs import CountedTripLine, LoggedTrip
from compliance.contracts import ContractTerms
from tests.builders import contract, green_vehicle_terms, transport_contract, trip_line, trips, vehicle


def handbook_contract(**green_overrides: Any) -> ContractTerms:
    """The handbook's example: minimum 30/50/60/70 %, year 1 cut by 3 months, 500 kr. per trip short + 10.000 kr."""
    green = {
        "form": "minimum",
        "years": [{"year": 1, "minimum": 30}, {"year": 2, "minimum": 50}, {"year": 3, "minimum": 60}, {"year": 4, "minimum": 70}],
        "penalty": {"model": "per_trip", "rate_dkk": "500.00", "fixed_dkk": "10000.00"},
    }
    green.update(green_overrides)
    return contract(period={"start": "2025-03-01", "end": "2029-02-28"}, green_vehicles=green_vehicle_terms(**green))


def test_handbook_staircase_levels_and_year_one_measured_over_its_last_nine_months() -> None:
    handbook = handbook_contract()
    terms = handbook.green_vehicles
    assert terms is not None
    years = handbook.years()
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
    handbook = handbook_contract(years=[{"year": 1, "minimum": 30}, {"year": 2, "minimum": 50}])
    assert handbook.green_vehicles is not None
    assert handbook.green_vehicles.binding_level(4).percent == 50


def test_shortfall_and_per_trip_penalty_with_fixed_add_on() -> None:
    handbook = handbook_contract()
    year2 = handbook.year(2)
    result = green_share_assessment(handbook, year2, green_trips=Decimal(440), total_trips=Decimal(1000))
    assert result.status == "short"
    assert result.share == Decimal("0.44")
    assert result.shortfall_trips == 60  # ceil(0.50 × 1000 − 440)
    assert result.penalty_variable == Decimal("30000.00")
    assert result.penalty_total == Decimal("40000.00")


def test_exactly_at_the_level_complies_when_inclusive_but_not_when_strict() -> None:
    inclusive = green_share_assessment(handbook_contract(), handbook_contract().year(2), Decimal(500), Decimal(1000))
    assert inclusive.compliant is True and inclusive.penalty_total == 0
    strict_contract = handbook_contract(level_inclusive=False)
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
    handbook = handbook_contract()
    result = green_share_assessment(handbook, handbook.year(1), Decimal(0), Decimal(0))
    assert result.status == "no_data" and result.share is None and result.penalty_total == 0


def test_all_green_complies_even_at_seventy_percent() -> None:
    handbook = handbook_contract()
    result = green_share_assessment(handbook, handbook.year(4), Decimal(812), Decimal(812))
    assert result.compliant is True and result.share == 1


def test_per_km_model_uses_the_km_shortfall_and_rounds_once_to_ore() -> None:
    handbook = handbook_contract(basis="km", penalty={"model": "per_km", "rate_dkk": "12.35"})
    result = green_share_assessment(
        handbook, handbook.year(2), Decimal(0), Decimal(0), green_km=Decimal("4000.55"), total_km=Decimal("10000.00")
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
    handbook = handbook_contract(form=form, years=years)
    assert handbook.green_vehicles is not None
    binding = handbook.green_vehicles.binding_level(2)
    assert binding.percent == level
    assert binding.source == ("minimum" if form == "minimum" else "offer")


# green_vehicle_year: one contract year from its counted trips, the lines behind them and the driving logs.
# The contract is the sample transport contract's terms (2024–2027, form "both": the offer binds).

AS_OF = date(2026, 11, 22)
REGISTER = {"EC41208": vehicle("EC41208", "van", "electric"), "DX18334": vehicle("DX18334", "van", "diesel")}


def test_an_ended_year_short_of_the_offer_proposes_the_penalty() -> None:
    transport = transport_contract()
    year2 = transport.year(2)  # 2025, offer 55 %
    lines = [trip_line("green", 496, date(2025, 6, 30), "EC41208"), trip_line("conventional", 533, date(2025, 6, 30), "DX18334")]
    result = green_vehicle_year(transport, year2, Decimal(496), Decimal(533), lines, [], REGISTER, AS_OF)
    a = result.assessment
    assert (result.final, result.status, a.total_trips, a.level.percent, a.level.source) == (True, "short", 1029, 55, "offer")
    assert a.shortfall_trips == 70  # ⌈0.55 × 1029 − 496⌉ = ⌈69.95⌉
    assert (a.penalty_variable, a.penalty_fixed, a.penalty_total) == (
        Decimal("31500.00"),
        Decimal("10000.00"),
        Decimal("41500.00"),
    )
    assert (a.total_km, a.green_km, result.km_trips) == (None, None, 0)  # no driving logs
    (share,) = result.findings
    assert share.rule_id == RULE_SHARE and share.evidence["shortfall_trips"] == 70
    assert "proposed penalty 41.500,00 kr." in share.message


def test_a_running_year_warns_early_and_proposes_nothing() -> None:
    transport = transport_contract()
    year3 = transport.year(3)  # 2026, offer 65 %, still running on 1 July
    at_risk = green_vehicle_year(transport, year3, Decimal(300), Decimal(300), [], [], REGISTER, date(2026, 7, 1))
    assert (at_risk.final, at_risk.status) == (False, "at_risk")
    assert [f.rule_id for f in at_risk.findings] == [RULE_EARLY_WARNING]
    on_track = green_vehicle_year(transport, year3, Decimal(400), Decimal(200), [], [], REGISTER, date(2026, 7, 1))
    assert (on_track.final, on_track.status, on_track.findings) == (False, "on_track", [])
    nothing_yet = green_vehicle_year(transport, year3, Decimal(0), Decimal(0), [], [], REGISTER, date(2026, 7, 1))
    assert (nothing_yet.status, nothing_yet.findings) == ("in_progress", [])


def test_an_ended_year_without_trips_cannot_be_measured() -> None:
    transport = transport_contract()
    result = green_vehicle_year(transport, transport.year(1), Decimal(0), Decimal(0), [], [], REGISTER, AS_OF)
    assert (result.final, result.status) == (True, "no_data")
    (finding,) = result.findings
    assert finding.rule_id == RULE_NO_TRIPS
    assert "in year 1 (2024-04-01 – 2024-12-31)" in finding.message  # year 1 loses its three transition months


def test_the_plates_behind_the_lines_are_checked_with_the_year() -> None:
    transport = transport_contract()
    lines = [trip_line("green", 10, date(2025, 5, 2), "DX18334"), trip_line("conventional", 5, date(2025, 5, 2), "DX18334")]
    result = green_vehicle_year(transport, transport.year(2), Decimal(10), Decimal(5), lines, [], REGISTER, AS_OF)
    assert result.status == "compliant"
    assert [(f.rule_id, f.evidence["registration"]) for f in result.findings] == [(RULE_NOT_GREEN, "DX18334")]


def test_km_come_from_the_driving_logs_green_by_the_register_or_the_logged_vehicle_type() -> None:
    by_km = transport_contract(green_vehicles=green_vehicle_terms(basis="km", penalty={"model": "per_km", "rate_dkk": "12.35"}))
    year2 = by_km.year(2)  # 2025, offer 55 %
    logged = [
        *trips(date(2025, 3, 4), "EC41208", 1, distance_km=Decimal("40.0")),  # electric in the register
        *trips(date(2025, 3, 4), "DX18334", 1, distance_km=Decimal("60.0")),
        *trips(date(2025, 3, 5), None, 1, distance_km=Decimal("10.0"), vehicle_type="cargo_bike"),  # no plate: the logged type
        *trips(date(2025, 3, 6), "DX18334", 1),  # no distance: not counted
        *trips(date(2024, 12, 30), "DX18334", 1, distance_km=Decimal("99.0")),  # before the year
        # Every other month of the year has its log too (a standstill check, 0 km): no month is missing.
        *[
            trip
            for month in range(1, 13)
            if month != 3
            for trip in trips(date(2025, month, 1), "EC41208", 1, distance_km=Decimal(0))
        ],
    ]
    result = green_vehicle_year(by_km, year2, Decimal(0), Decimal(0), [], logged, REGISTER, AS_OF)
    a = result.assessment
    assert (a.total_km, a.green_km, result.km_trips) == (Decimal("110.0"), Decimal("50.0"), 14)
    assert result.status == "short" and a.shortfall_km == Decimal("10.5")  # 0.55 × 110 − 50
    assert a.penalty_total == Decimal("129.68")  # 10.5 km × 12,35 kr. = 129.675, rounded once, half up


PER_KM = {"model": "per_km", "rate_dkk": "2.50", "fixed_dkk": "10000.00"}


def _year_2025_of_trips_and_half_a_year_of_logs() -> tuple[list[CountedTripLine], list[LoggedTrip]]:
    """Every month of 2025: 40 green and 60 conventional trips invoiced (40 % < the 55 % offer);
    driving logs for January–June only, each month 100 km electric and 100 km diesel."""
    lines = [
        line
        for month in range(1, 13)
        for line in (
            trip_line("green", 40, date(2025, month, 15), "EC41208"),
            trip_line("conventional", 60, date(2025, month, 15), "DX18334"),
        )
    ]
    logged = [
        trip
        for month in range(1, 7)
        for trip in (
            *trips(date(2025, month, 15), "EC41208", 1, distance_km=Decimal("100")),
            *trips(date(2025, month, 15), "DX18334", 1, distance_km=Decimal("100")),
        )
    ]
    return lines, logged


def test_missing_driving_logs_never_lower_a_per_km_penalty() -> None:
    """Model 1 needs the km: with July–December unlogged, the penalty cannot be computed (a high finding),
    rather than 2,50 kr. × the km short of half a year — withholding logs must not pay (§2.1)."""
    contract = transport_contract(green_vehicles=green_vehicle_terms(penalty=PER_KM))
    lines, logged = _year_2025_of_trips_and_half_a_year_of_logs()
    result = green_vehicle_year(contract, contract.year(2), Decimal(480), Decimal(720), lines, logged, REGISTER, AS_OF)
    a = result.assessment
    assert a.compliant is False and result.status == "not_computable"
    assert a.missing_log_months == tuple(date(2025, month, 1) for month in range(7, 13))
    assert a.penalty_total == 0 and not a.computable
    (finding,) = [f for f in result.findings if f.rule_id == RULE_NOT_COMPUTABLE]
    assert finding.severity == "high" and finding.evidence["months"] == [f"2025-{m:02d}" for m in range(7, 13)]
    assert finding.message.startswith("The penalty of contract year 2 (per km short) cannot be computed: no driving log")


def test_a_contracts_fallback_km_per_trip_fills_the_unlogged_months() -> None:
    """Hand-computed: logged January–June 600 km green of 1.200 km; July–December 240 green of 600 trips
    × 12,5 km = 3.000 km green of 7.500 km. Total 8.700 km, green 3.600 km; short 0,55 × 8.700 − 3.600 =
    1.185 km; penalty 2,50 kr. × 1.185 km + 10.000 kr. = 12.962,50 kr."""
    contract = transport_contract(green_vehicles=green_vehicle_terms(penalty=PER_KM, fallback_km_per_trip="12.5"))
    lines, logged = _year_2025_of_trips_and_half_a_year_of_logs()
    result = green_vehicle_year(contract, contract.year(2), Decimal(480), Decimal(720), lines, logged, REGISTER, AS_OF)
    a = result.assessment
    assert a.km_estimate is not None and (a.km_estimate.green_trips, a.km_estimate.total_trips) == (240, 600)
    assert (a.total_km, a.green_km) == (Decimal("8700.0"), Decimal("3600.0"))
    assert a.shortfall_km == Decimal("1185") and a.penalty_total == Decimal("12962.50")
    assert result.status == "short" and not [f for f in result.findings if f.rule_id == RULE_NOT_COMPUTABLE]


def test_a_km_share_with_unlogged_months_cannot_be_computed() -> None:
    contract = transport_contract(green_vehicles=green_vehicle_terms(basis="km", penalty=PER_KM))
    lines, logged = _year_2025_of_trips_and_half_a_year_of_logs()
    result = green_vehicle_year(contract, contract.year(2), Decimal(480), Decimal(720), lines, logged, REGISTER, AS_OF)
    assert result.status == "not_computable" and result.assessment.share is None and result.assessment.penalty_total == 0
    (finding,) = [f for f in result.findings if f.rule_id == RULE_NOT_COMPUTABLE]
    assert finding.message_key == "green_vehicles.not_computable_share"
    assert not [f for f in result.findings if f.rule_id == RULE_NO_TRIPS]  # not "no data": the logs are missing
