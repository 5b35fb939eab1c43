"""The stored result of a contract year's assessment, typed and versioned.

The assessment writes one outcome per contract year and rule (the §2.1 green share, each §16
purchase share) into the ``assessment`` table: the headline figures as columns, the rest as
``details`` JSON written by :meth:`to_json`. Reports, statements and notices read them back with
:func:`year_outcomes` / :func:`green_outcome` and never look up a JSON key themselves.

``details["version"]`` says which shape a row has. Version 1 is the first typed shape; rows
written before it (no ``version``) have the same keys and are read as version 1. Keys added to
version 1 since (``missing_log_months``, ``km_estimate``, ``monthly_km``) are optional and read as absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.base.errors import ComplianceError
from compliance.base.windows import month_starts
from compliance.checks.green_vehicles import RULE_SHARE
from compliance.checks.inputs import CountedTripLine
from compliance.store.models import Assessment

OUTCOME_VERSION = 1


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _check_version(details: Mapping[str, Any], what: str) -> None:
    version = details.get("version", OUTCOME_VERSION)
    if version != OUTCOME_VERSION:
        raise ComplianceError(
            f"stored {what} has version {version}",
            expected=f"version {OUTCOME_VERSION}: run `compliance check` to assess the year again",
        )


@dataclass(frozen=True)
class TripLineEvidence:
    """One counted trip line as the assessment recorded it: document, line, day, kind, trips and plates."""

    invoice: str
    document_type: str
    file: str
    line: str
    source_line: int | None
    day: date
    kind: str  # how the line counts
    trips: Decimal
    registrations: tuple[str, ...]
    stated_kind: str = ""  # what the line says, where it counts otherwise (issue 16 items 5–6)

    @classmethod
    def of(cls, line: CountedTripLine) -> TripLineEvidence:
        return cls(
            line.invoice_number,
            line.document_type,
            line.source_path,
            line.line_id,
            line.source_line,
            line.day,
            line.kind,
            line.trips,
            line.registrations,
            line.stated,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "invoice": self.invoice,
            "document_type": self.document_type,
            "file": self.file,
            "line": self.line,
            "source_line": self.source_line,
            "day": self.day.isoformat(),
            "kind": self.kind,
            "trips": str(self.trips),
            "registrations": list(self.registrations),
            "stated_kind": self.stated_kind or self.kind,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TripLineEvidence:
        return cls(
            invoice=str(data["invoice"]),
            document_type=str(data["document_type"]),
            file=str(data["file"]),
            line=str(data["line"]),
            source_line=data.get("source_line"),
            day=date.fromisoformat(data["day"]),
            kind=str(data["kind"]),
            trips=_decimal(data["trips"]),
            registrations=tuple(data.get("registrations") or ()),
            stated_kind=str(data.get("stated_kind") or data["kind"]),
        )


@dataclass(frozen=True)
class MonthFigure:
    """Green and all trips of one calendar month of the measurement window."""

    month: date
    green: Decimal
    total: Decimal

    @property
    def share(self) -> Decimal | None:
        return None if self.total <= 0 else self.green / self.total


@dataclass(frozen=True)
class KmEstimate:
    """km the contract's fallback gives for months without a driving log: trips × km per trip (§2.1)."""

    months: tuple[date, ...]
    km_per_trip: Decimal
    green_trips: Decimal
    total_trips: Decimal

    @property
    def green_km(self) -> Decimal:
        return self.green_trips * self.km_per_trip

    @property
    def total_km(self) -> Decimal:
        return self.total_trips * self.km_per_trip

    def to_json(self) -> dict[str, Any]:
        return {
            "months": [month.isoformat() for month in self.months],
            "km_per_trip": str(self.km_per_trip),
            "green_trips": str(self.green_trips),
            "total_trips": str(self.total_trips),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KmEstimate:
        return cls(
            tuple(date.fromisoformat(month) for month in data["months"]),
            _decimal(data["km_per_trip"]),
            _decimal(data["green_trips"]),
            _decimal(data["total_trips"]),
        )


@dataclass(frozen=True)
class GreenVehicleOutcome:
    """§2.1 for one contract year: every figure the share and the penalty are made of."""

    contract_id: str
    contract_year: int
    status: str  # compliant | short | no_data | not_computable; on_track | at_risk | in_progress while the year runs
    final: bool
    window_start: date
    window_end: date
    transition_cut: bool
    basis: str  # trips | km
    total_trips: Decimal
    green_trips: Decimal
    conventional_trips: Decimal
    total_km: Decimal | None
    green_km: Decimal | None
    driving_log_trips: int
    share: Decimal | None
    level_percent: Decimal
    level_source: str  # minimum | offer
    minimum_percent: Decimal | None
    offer_percent: Decimal | None
    level_inclusive: bool
    shortfall_trips: int
    shortfall_km: Decimal
    penalty_model: str  # per_trip | per_km
    penalty_rate: Decimal
    penalty_variable: Decimal
    penalty_fixed: Decimal
    penalty_total: Decimal  # 0 until the year has ended
    trip_lines: tuple[TripLineEvidence, ...]
    missing_log_months: tuple[date, ...] = ()  # months without a driving log that leave a figure uncomputable
    km_estimate: KmEstimate | None = None  # the contract's fallback km for months without a log
    monthly_km: tuple[MonthFigure, ...] = ()  # a km contract's green and all km per month of the window

    rule_id = RULE_SHARE

    def to_json(self) -> dict[str, Any]:
        """The ``details`` column (the headline figures are columns of their own)."""
        return {
            "version": OUTCOME_VERSION,
            "final": self.final,
            "basis": self.basis,
            "transition_cut": self.transition_cut,
            "total_trips": str(self.total_trips),
            "green_trips": str(self.green_trips),
            "conventional_trips": str(self.conventional_trips),
            "total_km": None if self.total_km is None else str(self.total_km),
            "green_km": None if self.green_km is None else str(self.green_km),
            "driving_log_trips": self.driving_log_trips,
            "level_percent": str(self.level_percent),
            "level_source": self.level_source,
            "minimum_percent": None if self.minimum_percent is None else str(self.minimum_percent),
            "offer_percent": None if self.offer_percent is None else str(self.offer_percent),
            "level_inclusive": self.level_inclusive,
            "shortfall_trips": self.shortfall_trips,
            "shortfall_km": str(self.shortfall_km),
            "penalty_model": self.penalty_model,
            "penalty_rate": str(self.penalty_rate),
            "penalty_variable": str(self.penalty_variable),
            "penalty_fixed": str(self.penalty_fixed),
            "trip_lines": [line.to_json() for line in self.trip_lines],
            "missing_log_months": [month.isoformat() for month in self.missing_log_months],
            "km_estimate": None if self.km_estimate is None else self.km_estimate.to_json(),
            "monthly_km": [{"month": m.month.isoformat(), "green": str(m.green), "total": str(m.total)} for m in self.monthly_km],
        }

    @classmethod
    def from_json(cls, row: Assessment) -> GreenVehicleOutcome:
        """The outcome stored in an ``assessment`` row (its columns and its ``details``)."""
        d = row.details
        _check_version(d, "green-vehicle assessment")
        return cls(
            contract_id=row.contract_id,
            contract_year=row.contract_year,
            status=row.status,
            final=bool(d.get("final", True)),
            window_start=row.window_start,
            window_end=row.window_end,
            transition_cut=bool(d["transition_cut"]),
            basis=str(d["basis"]),
            total_trips=_decimal(d["total_trips"]),
            green_trips=_decimal(d["green_trips"]),
            conventional_trips=_decimal(d["conventional_trips"]),
            total_km=_optional_decimal(d.get("total_km")),
            green_km=_optional_decimal(d.get("green_km")),
            driving_log_trips=int(d.get("driving_log_trips") or 0),
            share=row.share,
            level_percent=_decimal(d["level_percent"]),
            level_source=str(d["level_source"]),
            minimum_percent=_optional_decimal(d.get("minimum_percent")),
            offer_percent=_optional_decimal(d.get("offer_percent")),
            level_inclusive=bool(d["level_inclusive"]),
            shortfall_trips=int(d["shortfall_trips"]),
            shortfall_km=_decimal(d["shortfall_km"]),
            penalty_model=str(d["penalty_model"]),
            penalty_rate=_decimal(d["penalty_rate"]),
            penalty_variable=_decimal(d["penalty_variable"]),
            penalty_fixed=_decimal(d["penalty_fixed"]),
            penalty_total=row.penalty_total,
            trip_lines=tuple(TripLineEvidence.from_json(line) for line in d.get("trip_lines") or ()),
            missing_log_months=tuple(date.fromisoformat(month) for month in d.get("missing_log_months") or ()),
            km_estimate=None if not d.get("km_estimate") else KmEstimate.from_json(d["km_estimate"]),
            monthly_km=tuple(
                MonthFigure(date.fromisoformat(m["month"]), _decimal(m["green"]), _decimal(m["total"]))
                for m in d.get("monthly_km") or ()
            ),
        )

    def monthly_figures(self) -> list[MonthFigure]:
        """Green and all trips (km on a km contract) per month of the window, every month listed; they add
        up to the year's figures because they are sums of the same trip lines (driving-log trips)."""
        if self.basis == "km":
            return list(self.monthly_km)
        green: dict[date, Decimal] = {}
        total: dict[date, Decimal] = {}
        for line in self.trip_lines:
            month = line.day.replace(day=1)
            total[month] = total.get(month, Decimal(0)) + line.trips
            if line.kind == "green":
                green[month] = green.get(month, Decimal(0)) + line.trips
        return [
            MonthFigure(month, green.get(month, Decimal(0)), total.get(month, Decimal(0)))
            for month in month_starts(self.window_start, self.window_end)
        ]


@dataclass(frozen=True)
class QuarterOutcome:
    """One quarter of a contract year's §16 purchase share (RULES.md §3.2: label schemes count quarterly)."""

    quarter: int
    start: date
    end: date
    total: Decimal
    qualifying: Decimal
    share: Decimal | None
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "total": str(self.total),
            "qualifying": str(self.qualifying),
            "share": None if self.share is None else str(self.share),
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuarterOutcome:
        return cls(
            quarter=int(data["quarter"]),
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end"]),
            total=_decimal(data["total"]),
            qualifying=_decimal(data["qualifying"]),
            share=_optional_decimal(data.get("share")),
            status=str(data["status"]),
        )


@dataclass(frozen=True)
class PurchaseShareOutcome:
    """§16 for one contract year and one purchase-share rule: total, qualifying part, share, quarters."""

    contract_id: str
    contract_year: int
    rule_id: str
    status: str  # compliant | short | no_data
    window_start: date
    window_end: date
    description: str
    basis: str  # amount | quantity
    total: Decimal
    qualifying: Decimal
    share: Decimal | None
    level_percent: Decimal
    level_inclusive: bool
    lines: tuple[Mapping[str, Any], ...]  # each counted line's evidence (document, line, value, labels)
    quarters: tuple[QuarterOutcome, ...]
    # Issue 16 item 10: amounts counted apart per currency ({currency, amount, lines}), and the
    # contract's rates applied ({currency, dkk, source}).
    held_out: tuple[Mapping[str, Any], ...] = ()
    rates: tuple[Mapping[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": OUTCOME_VERSION,
            "basis": self.basis,
            "total": str(self.total),
            "qualifying": str(self.qualifying),
            "description": self.description,
            "level_inclusive": self.level_inclusive,
            "lines": [dict(line) for line in self.lines],
            "quarters": [quarter.to_json() for quarter in self.quarters],
            "held_out": [dict(entry) for entry in self.held_out],
            "rates": [dict(rate) for rate in self.rates],
        }

    @classmethod
    def from_json(cls, row: Assessment) -> PurchaseShareOutcome:
        d = row.details
        _check_version(d, "purchase-share assessment")
        return cls(
            contract_id=row.contract_id,
            contract_year=row.contract_year,
            rule_id=row.rule_id,
            status=row.status,
            window_start=row.window_start,
            window_end=row.window_end,
            description=str(d["description"]),
            basis=str(d["basis"]),
            total=_decimal(d["total"]),
            qualifying=_decimal(d["qualifying"]),
            share=row.share,
            level_percent=row.level if row.level is not None else Decimal(0),
            level_inclusive=bool(d["level_inclusive"]),
            lines=tuple(d.get("lines") or ()),
            quarters=tuple(QuarterOutcome.from_json(quarter) for quarter in d.get("quarters") or ()),
            held_out=tuple(d.get("held_out") or ()),
            rates=tuple(d.get("rates") or ()),
        )


@dataclass(frozen=True)
class YearOutcomes:
    """Everything the assessment stored for one contract year."""

    green: GreenVehicleOutcome | None
    shares: tuple[PurchaseShareOutcome, ...]


def year_outcomes(session: Session, contract_id: str, contract_year: int) -> YearOutcomes:
    """The stored outcomes of one contract year (purchase shares in rule order)."""
    rows = session.scalars(
        select(Assessment).where(Assessment.contract_id == contract_id, Assessment.contract_year == contract_year)
    ).all()
    green = next((GreenVehicleOutcome.from_json(row) for row in rows if row.rule_id == RULE_SHARE), None)
    shares = sorted((row for row in rows if row.rule_id != RULE_SHARE), key=lambda row: row.rule_id)
    return YearOutcomes(green, tuple(PurchaseShareOutcome.from_json(row) for row in shares))


def green_outcome(session: Session, contract_id: str, contract_year: int) -> GreenVehicleOutcome | None:
    """The stored §2.1 outcome of one contract year, if the contract has green-vehicle terms."""
    row = session.scalars(
        select(Assessment).where(
            Assessment.contract_id == contract_id, Assessment.contract_year == contract_year, Assessment.rule_id == RULE_SHARE
        )
    ).first()
    return None if row is None else GreenVehicleOutcome.from_json(row)


def assessed_years(session: Session, contract_id: str) -> list[int]:
    """The contract years the assessment has stored outcomes for."""
    return sorted(set(session.scalars(select(Assessment.contract_year).where(Assessment.contract_id == contract_id))))


def store_outcome(session: Session, outcome: GreenVehicleOutcome | PurchaseShareOutcome, computed_at: Any) -> None:
    """Write one outcome into its ``assessment`` row (created, or updated in place)."""
    row = session.scalars(
        select(Assessment).where(
            Assessment.contract_id == outcome.contract_id,
            Assessment.contract_year == outcome.contract_year,
            Assessment.rule_id == outcome.rule_id,
        )
    ).first() or Assessment(contract_id=outcome.contract_id, contract_year=outcome.contract_year, rule_id=outcome.rule_id)
    row.window_start, row.window_end = outcome.window_start, outcome.window_end
    row.status = outcome.status
    row.share = outcome.share
    row.level = outcome.level_percent
    row.penalty_total = outcome.penalty_total if isinstance(outcome, GreenVehicleOutcome) else Decimal("0.00")
    row.details = outcome.to_json()
    row.computed_at = computed_at
    session.add(row)


def trip_line_evidence(lines: Sequence[CountedTripLine]) -> tuple[TripLineEvidence, ...]:
    return tuple(TripLineEvidence.of(line) for line in lines)
