"""§2.1 green supplier vehicles: measurement window, share, binding level, shortfall and penalty.

Pure functions over counted figures; the trip lines are recognised by ``compliance.checks.green_vehicles``
and counted by ``compliance.assessment.trip_lines``.

Rounding (documented once, applied once): every intermediate figure is an exact ``Decimal``;
only the penalty total is rounded, to whole øre (0.01 DKK), half up.

Missing evidence never lowers a penalty (§2.1: the penalty must make under-fulfilment
unprofitable): where the basis (km) or the penalty (per km) needs driving logs and a month of the
window has none, that figure "cannot be computed" until the logs arrive — unless the contract names
a ``fallback_km_per_trip``, which then estimates the month's km from its invoiced trips.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from compliance.assessment.outcomes import KmEstimate, MonthFigure
from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.formatting import danish_number, danish_percent
from compliance.base.messages import message_part
from compliance.base.shares import ZERO, km_short, meets_level, trips_short
from compliance.base.windows import MeasurementWindow, month_starts
from compliance.checks.driving_logs import trip_is_green
from compliance.checks.green_vehicles import RULE_NO_TRIPS, RULE_SHARE, early_warning, vehicle_findings
from compliance.checks.inputs import CountedTripLine, LoggedTrip, RegisteredVehicle
from compliance.contracts import BindingLevel, ContractTerms, ContractYear

ORE = Decimal("0.01")
RULE_NOT_COMPUTABLE = "green_vehicles.not_computable@1"


def months_without_logs(window: MeasurementWindow, logged: Sequence[LoggedTrip]) -> tuple[date, ...]:
    """The first days of the window's calendar months in which no driving-log trip with km was logged."""
    with_km = {trip.trip_date.replace(day=1) for trip in logged if trip.distance_km is not None}
    return tuple(month for month in month_starts(window.start, window.end) if month not in with_km)


def km_estimate(months: Sequence[date], km_per_trip: Decimal, lines: Sequence[CountedTripLine]) -> KmEstimate:
    """The fallback's km for ``months``, from the trip lines counted in them (green and all)."""
    wanted = set(months)
    in_months = [line for line in lines if line.day.replace(day=1) in wanted and line.kind in ("green", "conventional")]
    green = sum((line.trips for line in in_months if line.kind == "green"), Decimal(0))
    total = sum((line.trips for line in in_months), Decimal(0))
    return KmEstimate(tuple(months), km_per_trip, green, total)


@dataclass(frozen=True)
class GreenShareAssessment:
    """The §2.1 result for one contract year, with every figure the penalty is made of."""

    contract_id: str
    year: ContractYear
    window: MeasurementWindow
    basis: str
    total_trips: Decimal
    green_trips: Decimal
    total_km: Decimal | None
    green_km: Decimal | None
    share: Decimal | None  # a fraction 0..1 on the contract's basis; None with nothing to measure
    level: BindingLevel
    level_inclusive: bool
    compliant: bool | None  # None: no trips (or km) in the window, nothing to measure
    shortfall_trips: int
    shortfall_km: Decimal
    penalty_model: str
    penalty_rate: Decimal
    penalty_variable: Decimal
    penalty_fixed: Decimal
    penalty_total: Decimal
    missing_log_months: tuple[date, ...] = ()  # months whose missing logs leave a needed figure uncomputable
    km_estimate: KmEstimate | None = None  # the contract's fallback for months without logs, when it names one

    @property
    def computable(self) -> bool:
        """False when months without driving logs leave the share (km basis) or the penalty (per km) unknown."""
        return not self.missing_log_months

    @property
    def status(self) -> str:
        if not self.computable:
            return "not_computable"
        if self.compliant is None:
            return "no_data"
        return "compliant" if self.compliant else "short"


def green_share_assessment(
    contract: ContractTerms,
    year: ContractYear,
    green_trips: Decimal,
    total_trips: Decimal,
    green_km: Decimal | None = None,
    total_km: Decimal | None = None,
    months_without_km: Sequence[date] = (),
    estimate: KmEstimate | None = None,
    km_trips: Decimal | int = 0,
) -> GreenShareAssessment:
    """Assess one contract year from the counted trips (and km, when driving logs give them).

    ``months_without_km`` are months of the window without a driving log, and ``estimate`` the
    contract's fallback km for them (already included in the km given). Without a fallback, such
    months make the km share (basis km) or the km penalty (model 1) "cannot be computed".
    ``km_trips`` are the trips behind the km (logged, and estimated): on a km basis a per-trip
    penalty counts the km short in trips of the year's average length (km short × trips ÷ km).
    """
    terms = contract.green_vehicles
    if terms is None:
        raise ValueError(f"contract {contract.id} has no green-vehicle term")
    window = terms.window(year)
    level = terms.binding_level(year.number)
    basis_total, basis_green = (total_trips, green_trips) if terms.basis == "trips" else (total_km, green_km)
    compliant: bool | None
    share: Decimal | None
    if basis_total is None or basis_green is None or basis_total <= ZERO:
        compliant, share = None, None
    else:
        share = basis_green / basis_total
        compliant = meets_level(level.percent, basis_total, basis_green, terms.level_inclusive)
    unknown: tuple[date, ...] = ()
    if months_without_km and estimate is None:
        if terms.basis == "km":
            compliant, share, unknown = None, None, tuple(months_without_km)
        elif compliant is False and terms.penalty.model == "per_km":
            unknown = tuple(months_without_km)
    shortfall_km = ZERO
    if compliant is False and total_km is not None and green_km is not None:
        shortfall_km = km_short(level.percent, total_km, green_km)
    shortfall_trips = 0
    if compliant is False and terms.basis == "km":
        if total_km and km_trips:
            # Interpretation (README): the km short, in trips of the year's average logged length, rounded up.
            in_trips = shortfall_km * Decimal(km_trips) / total_km
            shortfall_trips = int(in_trips.to_integral_value(rounding=ROUND_CEILING))
    elif compliant is False and total_trips > ZERO:
        shortfall_trips = trips_short(level.percent, total_trips, green_trips, terms.level_inclusive)
    penalty = terms.penalty
    variable = ZERO
    fixed = ZERO
    if compliant is False and not unknown:
        # §2.1 model 1 (per km short) or model 2 (per trip short), plus the fixed add-on.
        variable = penalty.rate_dkk * (shortfall_km if penalty.model == "per_km" else Decimal(shortfall_trips))
        fixed = penalty.fixed_dkk
    total = (variable + fixed).quantize(ORE, rounding=ROUND_HALF_UP)
    return GreenShareAssessment(
        contract_id=contract.id,
        year=year,
        window=window,
        basis=terms.basis,
        total_trips=total_trips,
        green_trips=green_trips,
        total_km=total_km,
        green_km=green_km,
        share=share,
        level=level,
        level_inclusive=terms.level_inclusive,
        compliant=compliant,
        shortfall_trips=shortfall_trips,
        shortfall_km=shortfall_km,
        penalty_model=penalty.model,
        penalty_rate=penalty.rate_dkk,
        penalty_variable=variable,
        penalty_fixed=fixed,
        penalty_total=total,
        missing_log_months=unknown,
        km_estimate=estimate,
    )


@dataclass
class GreenVehicleYearResult:
    """One contract year's §2.1 assessment, the trip lines it counted and the findings it raised."""

    assessment: GreenShareAssessment
    counted_lines: Sequence[CountedTripLine]
    km_trips: int
    findings: list[FindingRecord]
    final: bool = True  # False while the measurement window has not ended: no penalty, no hearing
    monthly_km: tuple[MonthFigure, ...] = ()  # green and all km per month of the window (driving logs, estimates)

    @property
    def status(self) -> str:
        """compliant / short / no_data for an ended year; on_track / at_risk / in_progress while it runs."""
        if self.final:
            return self.assessment.status
        return {True: "on_track", False: "at_risk", None: "in_progress"}[self.assessment.compliant]


def km_by_month(
    window: MeasurementWindow,
    logged: Sequence[LoggedTrip],
    vehicles: Mapping[str, RegisteredVehicle],
    estimate: KmEstimate | None,
    lines: Sequence[CountedTripLine],
) -> tuple[MonthFigure, ...]:
    """Green and all km of every month of the window: the driving logs' km, and for months the
    contract's fallback fills, their invoiced trips × its km per trip (they add up to the year's km)."""
    green: dict[date, Decimal] = {}
    total: dict[date, Decimal] = {}
    for trip in logged:
        assert trip.distance_km is not None
        month = trip.trip_date.replace(day=1)
        total[month] = total.get(month, Decimal(0)) + trip.distance_km
        if trip_is_green(trip, vehicles):
            green[month] = green.get(month, Decimal(0)) + trip.distance_km
    if estimate is not None:
        for month in estimate.months:
            part = km_estimate([month], estimate.km_per_trip, lines)
            total[month] = total.get(month, Decimal(0)) + part.total_km
            green[month] = green.get(month, Decimal(0)) + part.green_km
    return tuple(
        MonthFigure(month, green.get(month, Decimal(0)), total.get(month, Decimal(0)))
        for month in month_starts(window.start, window.end)
    )


def green_vehicle_year(
    contract: ContractTerms,
    year: ContractYear,
    green: Decimal,
    conventional: Decimal,
    lines: Sequence[CountedTripLine],
    log_trips: Sequence[LoggedTrip],
    vehicles: Mapping[str, RegisteredVehicle],
    as_of: date,
) -> GreenVehicleYearResult:
    """Assess one contract year's share from its trip counts, and check the plates behind them.

    ``green`` and ``conventional`` come from the database's aggregation of the stored trip lines
    (``assessment.trip_lines.count_trips``); ``lines`` are the same lines, for evidence and plate checks.
    """
    terms = contract.green_vehicles
    assert terms is not None
    window = terms.window(year)

    # km come from driving logs: a trip is green when its vehicle is (register or non-motorised type).
    window_trips = [trip for trip in log_trips if window.start <= trip.trip_date <= window.end and trip.distance_km is not None]
    total_km: Decimal | None = None
    green_km: Decimal | None = None
    if window_trips:
        total_km = Decimal(0)
        green_km = Decimal(0)
        for trip in window_trips:
            assert trip.distance_km is not None
            total_km += trip.distance_km
            if trip_is_green(trip, vehicles):  # the register's word on the trip's day (issue 16 item 6)
                green_km += trip.distance_km

    # §2.1: months without a driving log where km are needed; the contract's fallback, if any, fills them.
    km_needed = terms.basis == "km" or terms.penalty.model == "per_km"
    gaps = months_without_logs(window, window_trips) if km_needed and window.end < as_of else ()
    estimate = None
    if gaps and terms.fallback_km_per_trip is not None:
        estimate = km_estimate(gaps, terms.fallback_km_per_trip, lines)
        total_km = (total_km or Decimal(0)) + estimate.total_km
        green_km = (green_km or Decimal(0)) + estimate.green_km
    km_trips = len(window_trips) + (estimate.total_trips if estimate is not None else 0)
    monthly = km_by_month(window, window_trips, vehicles, estimate, lines) if terms.basis == "km" else ()
    assessment = green_share_assessment(contract, year, green, green + conventional, green_km, total_km, gaps, estimate, km_trips)
    findings = vehicle_findings(contract, year, lines, vehicles)
    if not assessment.computable:
        findings.append(_not_computable_finding(contract, year, assessment))
    if assessment.compliant is None and assessment.computable and year.end < as_of:
        findings.append(
            FindingRecord(
                RULE_NO_TRIPS,
                "medium",
                message_key="green_vehicles.no_trips",
                params={
                    "basis": terms.basis,
                    "contract": contract.id,
                    "year": year.number,
                    "start": window.start.isoformat(),
                    "end": window.end.isoformat(),
                },
                subject=evidence_key(),  # the contract year itself
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected="invoices with green and conventional trip lines" if terms.basis == "trips" else "driving logs with km",
                received="none",
            )
        )
    if window.end >= as_of:
        # The year is still running: no penalty yet, but an early warning when it is heading short.
        so_far = (green_km or Decimal(0), total_km or Decimal(0)) if terms.basis == "km" else (green, green + conventional)
        warning = early_warning(contract, year, window.start, window.end, as_of, *so_far)
        return GreenVehicleYearResult(
            assessment, lines, len(window_trips), findings + ([warning] if warning else []), False, monthly
        )
    if assessment.compliant is False:
        findings.append(
            FindingRecord(
                RULE_SHARE,
                "high",
                message_key="green_vehicles.share",
                params={
                    "share": None if assessment.share is None else str(assessment.share),
                    "level": str(assessment.level.percent),
                    "comparison": message_part("fragment.at_least" if assessment.level_inclusive else "fragment.more_than"),
                    "year": year.number,
                    "penalty": str(assessment.penalty_total),
                },
                subject=evidence_key(),  # the contract year itself
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected=f"{'≥' if assessment.level_inclusive else '>'} {danish_number(assessment.level.percent, 2)} % green {terms.basis}",
                received=danish_percent(assessment.share),
                evidence={
                    "green_trips": str(green),
                    "total_trips": str(green + conventional),
                    "shortfall_trips": assessment.shortfall_trips,
                    "shortfall_km": str(assessment.shortfall_km),
                },
            )
        )
    return GreenVehicleYearResult(assessment, lines, len(window_trips), findings, True, monthly)


def _not_computable_finding(contract: ContractTerms, year: ContractYear, assessment: GreenShareAssessment) -> FindingRecord:
    """Months without driving logs leave the km share or the km penalty unknown: a high finding naming them."""
    months = [f"{month.year}-{month.month:02d}" for month in assessment.missing_log_months]
    what = "share" if assessment.basis == "km" else "penalty"
    return FindingRecord(
        RULE_NOT_COMPUTABLE,
        "high",
        message_key=f"green_vehicles.not_computable_{what}",
        params={"year": year.number, "count": len(months), "months": ", ".join(months)},
        subject=evidence_key(),  # the contract year itself
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected="a driving log with km for every month of the measurement window (§2.1)",
        received="none for " + ", ".join(months),
        evidence={"months": months},
    )
