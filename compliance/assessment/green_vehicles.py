"""§2.1 green supplier vehicles: measurement window, share, binding level, shortfall and penalty.

Pure functions over counted figures; the counting itself is in ``compliance.checks.green_vehicles``.

Rounding (documented once, applied once): every intermediate figure is an exact ``Decimal``;
only the penalty total is rounded, to whole øre (0.01 DKK), half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from compliance.base.shares import ZERO, km_short, meets_level, trips_short
from compliance.base.windows import MeasurementWindow
from compliance.contracts import BindingLevel, ContractTerms, ContractYear

ORE = Decimal("0.01")


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

    @property
    def status(self) -> str:
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
) -> GreenShareAssessment:
    """Assess one contract year from the counted trips (and km, when driving logs give them)."""
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
    shortfall_trips = 0
    if compliant is False and total_trips > ZERO:
        shortfall_trips = trips_short(level.percent, total_trips, green_trips, terms.level_inclusive)
    shortfall_km = ZERO
    if compliant is False and total_km is not None and green_km is not None:
        shortfall_km = km_short(level.percent, total_km, green_km)
    penalty = terms.penalty
    variable = ZERO
    fixed = ZERO
    if compliant is False:
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
    )
