"""§2.1 green supplier vehicles: recognise trip lines, count trips (and km), check the plates.

Counting rules (documented in the README):
- A trip line is an invoice line the contract's ``trip_lines.green`` or ``.conventional`` matcher
  recognises; its quantity is the number of trips. Credit-note lines count negative.
- A line's day is its delivery date, else the invoice's delivery date, else the end of the
  invoice period, else the issue date. Only days inside the measurement window count.
- A line both matchers recognise is not counted and is reported, so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance.assessment.green_vehicles import (
    GreenShareAssessment,
    green_share_assessment,
)
from compliance.base.findings import FindingRecord
from compliance.base.formatting import danish_money, danish_number, danish_percent
from compliance.base.shares import meets_level, trips_short
from compliance.base.vocabulary import normalise_registration, vehicle_is_green
from compliance.contracts import ContractTerms, ContractYear, TripLineRules
from compliance.store.models import InvoiceLine, Trip, Vehicle

RULE_SHARE = "green_vehicles.share@1"
RULE_NOT_GREEN = "green_vehicles.not_green_vehicle@1"
RULE_UNKNOWN_VEHICLE = "green_vehicles.unknown_vehicle@1"
RULE_DEREGISTERED = "vehicles.deregistered@1"
RULE_MISSING_REGISTRATION = "green_vehicles.missing_registration@1"
RULE_AMBIGUOUS_LINE = "green_vehicles.ambiguous_trip_line@1"
RULE_NO_TRIPS = "green_vehicles.no_trips@1"
RULE_EARLY_WARNING = "green_vehicles.early_warning@1"


def vehicle_as_json(vehicle: Vehicle) -> dict[str, object]:
    """``compliance vehicles show --json``: the register's facts and the §2.1 verdict."""
    return {
        "registration": vehicle.registration,
        "kind": vehicle.kind,
        "fuel": vehicle.fuel,
        "euro_norm": vehicle.euro_norm,
        "total_weight_kg": vehicle.total_weight_kg,
        "registered": vehicle.registered,
        "green": vehicle_is_green(vehicle.kind, vehicle.fuel, vehicle.green_evidence),
        "green_evidence": vehicle.green_evidence,
        "origin": vehicle.origin,
        "dmr_vehicle_id": vehicle.dmr_vehicle_id,
        "source": {"file": vehicle.source_file.path, "record": vehicle.row},
    }


def cvd_kind(line: InvoiceLine) -> str | None:
    """The XRechnung CVD tag of a line: ``cva`` = zero-emission is green; clean and other are not (§2.1)."""
    if not any(str(code.get("list_id", "")).upper() == "CVD" for code in line.classification_codes):
        return None
    values = [str(p.get("value", "")).strip().lower() for p in line.properties if str(p.get("name", "")).strip().lower() == "cva"]
    if values == ["zero-emission"]:
        return "green"
    if values in (["clean"], ["other"]):
        return "conventional"
    return "ambiguous"  # no cva, or several: the line cannot be placed


def trip_line_kind(rules: TripLineRules, line: InvoiceLine) -> str | None:
    """``green``, ``conventional``, ``ambiguous`` (both matchers hit) or None (not a trip line).

    The contract's own matchers decide first; with ``trip_lines.cvd`` a CVD-tagged line is read
    from its ``cva`` property.
    """
    arguments = (line.seller_item_id, line.classification_codes, line.name, line.description, line.properties)
    green = rules.green.matches(*arguments)
    conventional = rules.conventional.matches(*arguments)
    if green and conventional:
        return "ambiguous"
    if green:
        return "green"
    if conventional:
        return "conventional"
    return cvd_kind(line) if rules.cvd else None


def line_registrations(rules: TripLineRules, line: InvoiceLine) -> list[str]:
    """Plates named on a trip line, from the configured item property or the line notes."""
    source = rules.registrations
    if source.source == "property":
        texts = [
            str(p.get("value", ""))
            for p in line.properties
            if str(p.get("name", "")).casefold() == source.property_name.casefold()
        ]
    else:
        texts = list(line.notes)
    plates: list[str] = []
    for text in texts:
        for match in source.pattern.finditer(text.upper()):
            plate = normalise_registration(match.group(0))
            if plate not in plates:
                plates.append(plate)
    return plates


@dataclass(frozen=True)
class CountedTripLine:
    """One invoice line's contribution to the count, with where it came from."""

    invoice_number: str
    document_type: str
    source_file_id: int
    source_path: str
    line_id: str
    source_line: int | None
    day: date
    kind: str
    trips: Decimal
    registrations: tuple[str, ...]

    def as_evidence(self) -> dict[str, object]:
        return {
            "invoice": self.invoice_number,
            "document_type": self.document_type,
            "file": self.source_path,
            "line": self.line_id,
            "source_line": self.source_line,
            "day": self.day.isoformat(),
            "kind": self.kind,
            "trips": str(self.trips),
            "registrations": list(self.registrations),
        }


@dataclass
class GreenVehicleYearResult:
    assessment: GreenShareAssessment
    counted_lines: Sequence[CountedTripLine]
    km_trips: int
    findings: list[FindingRecord]
    final: bool = True  # False while the measurement window has not ended: no penalty, no hearing

    @property
    def status(self) -> str:
        """compliant / short / no_data for an ended year; on_track / at_risk / in_progress while it runs."""
        if self.final:
            return self.assessment.status
        return {True: "on_track", False: "at_risk", None: "in_progress"}[self.assessment.compliant]


def early_warning(
    contract: ContractTerms, year: ContractYear, start: date, end: date, as_of: date, green: Decimal, total: Decimal
) -> FindingRecord | None:
    """Project the year-end count from the days so far; warn when the share so far is below the level.

    Projection (documented in the README): trips at year end = trips so far × window days / days
    elapsed; green trips still needed = ⌈level × projected trips − green trips so far⌉.
    """
    terms = contract.green_vehicles
    assert terms is not None
    if total <= 0 or as_of < start:
        return None
    level = terms.binding_level(year.number)
    if meets_level(level.percent, total, green, terms.level_inclusive):
        return None
    elapsed = (min(as_of, end) - start).days + 1
    projected = total * Decimal((end - start).days + 1) / Decimal(elapsed)
    needed = trips_short(level.percent, projected, green, terms.level_inclusive)
    return FindingRecord(
        RULE_EARLY_WARNING,
        "medium",
        f"year {year.number} so far ({start} – {as_of}): {green} of {total} trips green = {danish_percent(green / total)}, "
        f"below the level {danish_number(level.percent, 2)} %; at this pace about {needed} more green trips are needed by {end}",
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=f"{'≥' if terms.level_inclusive else '>'} {danish_number(level.percent, 2)} % green trips by {end}",
        received=danish_percent(green / total),
        evidence={
            "green_so_far": str(green),
            "total_so_far": str(total),
            "projected_total": str(projected.quantize(Decimal(1))),
            "green_needed": needed,
        },
    )


def _vehicle_findings(
    contract: ContractTerms, year: ContractYear, lines: Sequence[CountedTripLine], vehicles: dict[str, Vehicle]
) -> list[FindingRecord]:
    findings: list[FindingRecord] = []
    for line in lines:
        where = f"invoice {line.invoice_number}, line {line.line_id}"

        def add(
            rule_id: str,
            severity: str,
            message: str,
            expected: str,
            received: str,
            plate: str | None = None,
            line: CountedTripLine = line,
        ) -> None:
            findings.append(
                FindingRecord(
                    rule_id,
                    severity,
                    message,
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected=expected,
                    received=received,
                    source_file_id=line.source_file_id,
                    location=f"line {line.source_line}" if line.source_line else None,
                    evidence=line.as_evidence() | ({"registration": plate} if plate else {}),
                )
            )

        if line.kind == "uncountable":
            add(
                RULE_AMBIGUOUS_LINE,
                "high",
                f"{where}: the quantity {line.trips} is not a number of trips (more than three decimals); it is not counted",
                "a whole number of trips",
                str(line.trips),
            )
            continue
        if line.kind == "ambiguous":
            add(
                RULE_AMBIGUOUS_LINE,
                "high",
                f"{where} cannot be placed: it is recognised both as green and as conventional trips, or its CVD tag "
                f"(cva) is missing or repeated; its {line.trips} trips are not counted",
                "one of the two trip lines per delivery, or one cva value",
                "a line matching both, or no single cva value",
            )
            continue
        if not line.registrations and line.trips > 0:
            add(
                RULE_MISSING_REGISTRATION,
                "medium",
                f"{where} ({line.kind} trips) names no registration number",
                "the registration numbers of the vehicles used (§2.1)",
                "none",
            )
        for plate in line.registrations:
            vehicle = vehicles.get(plate)
            if vehicle is None:
                if line.kind == "green":
                    add(
                        RULE_UNKNOWN_VEHICLE,
                        "medium",
                        f"{plate} on {where} (green trips) is not in the vehicle register",
                        "a registered electric, hydrogen, biogas (with evidence) or non-motorised vehicle",
                        plate,
                        plate,
                    )
                continue
            if not vehicle.registered:
                add(
                    RULE_DEREGISTERED,
                    "medium",
                    f"{plate} on {where} is deregistered in the vehicle register",
                    "a registered vehicle",
                    f"{plate}: deregistered",
                    plate,
                )
            if line.kind == "green" and not vehicle_is_green(vehicle.kind, vehicle.fuel, vehicle.green_evidence):
                add(
                    RULE_NOT_GREEN,
                    "high",
                    f"{plate} on {where} is invoiced as a green trip, but the register says {vehicle.kind} on {vehicle.fuel}",
                    "electric, hydrogen, biogas with evidence, or non-motorised (§2.1)",
                    f"{vehicle.kind}, {vehicle.fuel}" + ("" if vehicle.green_evidence else ", no green evidence"),
                    plate,
                )
    return findings


def green_vehicle_year(
    contract: ContractTerms,
    year: ContractYear,
    green: Decimal,
    conventional: Decimal,
    lines: Sequence[CountedTripLine],
    log_trips: Sequence[Trip],
    vehicles: dict[str, Vehicle],
    as_of: date,
) -> GreenVehicleYearResult:
    """Assess one contract year's share from its trip counts, and check the plates behind them.

    ``green`` and ``conventional`` come from the database's aggregation of the stored trip lines
    (``checks.trip_counts.count_trips``); ``lines`` are the same lines, for evidence and plate checks.
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
            vehicle = vehicles.get(trip.registration or "")
            kind = vehicle.kind if vehicle else trip.vehicle_type
            if vehicle_is_green(kind, vehicle.fuel if vehicle else trip.fuel, vehicle.green_evidence if vehicle else None):
                green_km += trip.distance_km

    assessment = green_share_assessment(contract, year, green, green + conventional, green_km, total_km)
    findings = _vehicle_findings(contract, year, lines, vehicles)
    if assessment.compliant is None and year.end < as_of:
        findings.append(
            FindingRecord(
                RULE_NO_TRIPS,
                "medium",
                f"no {terms.basis} were registered for contract {contract.id} in year {year.number} "
                f"({window.start} – {window.end}); the green share cannot be measured",
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected="invoices with green and conventional trip lines" if terms.basis == "trips" else "driving logs with km",
                received="none",
            )
        )
    if window.end >= as_of:
        # The year is still running: no penalty yet, but an early warning when it is heading short.
        warning = early_warning(contract, year, window.start, window.end, as_of, green, green + conventional)
        return GreenVehicleYearResult(
            assessment, lines, len(window_trips), findings + ([warning] if warning else []), final=False
        )
    if assessment.compliant is False:
        findings.append(
            FindingRecord(
                RULE_SHARE,
                "high",
                f"green share {danish_percent(assessment.share)} is below the binding level "
                f"{danish_number(assessment.level.percent, 2)} % ({'at least' if assessment.level_inclusive else 'more than'}) "
                f"in contract year {year.number}; proposed penalty {danish_money(assessment.penalty_total)}, "
                "subject to the supplier's hearing",
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
    return GreenVehicleYearResult(assessment, lines, len(window_trips), findings)
