"""Driving logs against invoices (§2.1) and the HVO100 requirement (§2.2).

Month by month, the trips a supplier invoices should be the trips its logs show, and the green
trips it invoices should be driven by vehicles the register knows as green. Where a contract
requires HVO100 (§2.2), every logged trip by a vehicle that is not green must run on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.vocabulary import vehicle_is_green
from compliance.base.windows import MeasurementWindow
from compliance.checks.inputs import CountedTripLine, LoggedTrip, RegisteredVehicle
from compliance.contracts import ContractTerms, ContractYear

RULE_LOG_MISMATCH = "green_vehicles.log_mismatch@1"
RULE_GREEN_NOT_IN_LOG = "green_vehicles.green_not_in_log@1"
RULE_NOT_HVO = "hvo100.not_hvo100@1"


def trip_is_green(trip: LoggedTrip, vehicles: Mapping[str, RegisteredVehicle]) -> bool:
    """A logged trip is green when the register knows its vehicle as green on the trip's day (issue 16
    item 6), else by the current record, else by the log's own type and fuel."""
    if trip.on_day is not None:
        return vehicle_is_green(trip.on_day.kind, trip.on_day.fuel, trip.on_day.green_evidence)
    vehicle = vehicles.get(trip.registration or "")
    if vehicle is None:
        return vehicle_is_green(trip.vehicle_type, trip.fuel, None)
    return vehicle_is_green(vehicle.kind, vehicle.fuel, vehicle.green_evidence)


def _beyond(a: Decimal, b: Decimal, tolerance_percent: Decimal) -> bool:
    return abs(a - b) >= 1 and abs(a - b) > tolerance_percent / 100 * max(a, b)


def log_comparison_findings(
    contract: ContractTerms,
    year: ContractYear,
    window: MeasurementWindow,
    lines: Sequence[CountedTripLine],
    log_trips: Sequence[LoggedTrip],
    vehicles: Mapping[str, RegisteredVehicle],
) -> list[FindingRecord]:
    """Per month covered by the logs: invoiced vs logged trips, and invoiced vs logged green trips."""
    terms = contract.green_vehicles
    assert terms is not None
    logged = [t for t in log_trips if window.start <= t.trip_date <= window.end]
    if not logged:
        return []
    first, last = min(t.trip_date for t in logged), max(t.trip_date for t in logged)
    months = sorted({(t.trip_date.year, t.trip_date.month) for t in logged} | {(d.year, d.month) for d in (first, last)})
    months = [m for m in months if (first.year, first.month) <= m <= (last.year, last.month)]
    invoiced_all: Counter[tuple[int, int]] = Counter()
    invoiced_green: Counter[tuple[int, int]] = Counter()
    for line in lines:
        if line.kind in {"green", "conventional"}:
            invoiced_all[(line.day.year, line.day.month)] += int(line.trips)
            if line.kind == "green":
                invoiced_green[(line.day.year, line.day.month)] += int(line.trips)
    logged_all = Counter((t.trip_date.year, t.trip_date.month) for t in logged)
    logged_green = Counter((t.trip_date.year, t.trip_date.month) for t in logged if trip_is_green(t, vehicles))
    findings = []
    tolerance = terms.log_tolerance_percent
    for month in months:
        label = f"{month[0]}-{month[1]:02d}"
        invoiced, driven = Decimal(invoiced_all[month]), Decimal(logged_all[month])
        if _beyond(invoiced, driven, tolerance):
            findings.append(
                FindingRecord(
                    RULE_LOG_MISMATCH,
                    "medium",
                    message_key="green_vehicles.log_mismatch",
                    params={"month": label, "invoiced": str(invoiced), "logged": str(driven), "tolerance": str(tolerance)},
                    subject=evidence_key(month=label),
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected=f"invoiced and logged trips within {tolerance} % of each other",
                    received=f"{invoiced} invoiced, {driven} logged",
                    evidence={"month": label, "invoiced": str(invoiced), "logged": str(driven)},
                )
            )
        green_invoiced, green_driven = Decimal(invoiced_green[month]), Decimal(logged_green[month])
        if green_invoiced > green_driven and _beyond(green_invoiced, green_driven, tolerance):
            findings.append(
                FindingRecord(
                    RULE_GREEN_NOT_IN_LOG,
                    "high",
                    message_key="green_vehicles.green_not_in_log",
                    params={"month": label, "invoiced": str(green_invoiced), "logged": str(green_driven)},
                    subject=evidence_key(month=label),
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected="every invoiced green trip in the driving logs, driven by a green vehicle (§2.1)",
                    received=f"{green_driven} logged green trips",
                    evidence={"month": label, "invoiced_green": str(green_invoiced), "logged_green": str(green_driven)},
                )
            )
    return findings


def hvo100_findings(
    contract: ContractTerms, year: ContractYear, log_trips: Sequence[LoggedTrip], vehicles: Mapping[str, RegisteredVehicle]
) -> list[FindingRecord]:
    """§2.2: logged trips by vehicles that are not green, on a fuel other than HVO100 (one finding per vehicle)."""
    if not contract.hvo100_required:
        return []
    offending: dict[str, list[LoggedTrip]] = {}
    for trip in log_trips:
        in_year = year.start <= trip.trip_date <= year.end
        if (
            in_year
            and trip.registration
            and not trip_is_green(trip, vehicles)
            and (trip.fuel or "").casefold() not in contract.hvo100_fuels
        ):
            offending.setdefault(trip.registration, []).append(trip)
    findings = []
    accepted = ", ".join(sorted(contract.hvo100_fuels)).upper()
    for plate, trips in sorted(offending.items()):
        fuels = sorted({trip.fuel or "not stated" for trip in trips})
        findings.append(
            FindingRecord(
                RULE_NOT_HVO,
                "high",
                message_key="hvo100.not_hvo100",
                params={
                    "plate": plate,
                    "trips": len(trips),
                    "year": year.number,
                    "accepted": accepted,
                    "fuels": ", ".join(fuels),
                },
                subject=evidence_key(registration=plate),
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected=f"{accepted} for every vehicle that is not green (§2.2)",
                received=", ".join(fuels),
                source_file_id=trips[0].source_file_id,
                location=f"row {trips[0].row}",
                evidence={"registration": plate, "trips": len(trips), "rows": [t.row for t in trips[:50]]},
                identified_by_subject=True,
            )
        )
    return findings


RULE_LOG_UNKNOWN_VEHICLE = "vehicles.unknown_in_log@1"
RULE_LOG_DEREGISTERED = "vehicles.deregistered_in_log@1"


def log_vehicle_findings(
    contract: ContractTerms, year: ContractYear, log_trips: Sequence[LoggedTrip], vehicles: Mapping[str, RegisteredVehicle]
) -> list[FindingRecord]:
    """Plates in the year's driving logs that the register does not know, or knows as deregistered."""
    first_trip: dict[str, LoggedTrip] = {}
    counts: Counter[str] = Counter()
    for trip in log_trips:
        if trip.registration and year.start <= trip.trip_date <= year.end:
            first_trip.setdefault(trip.registration, trip)
            counts[trip.registration] += 1
    findings = []
    for plate, trip in sorted(first_trip.items()):
        vehicle = vehicles.get(plate)
        if vehicle is not None and vehicle.registered:
            continue
        unknown = vehicle is None
        findings.append(
            FindingRecord(
                RULE_LOG_UNKNOWN_VEHICLE if unknown else RULE_LOG_DEREGISTERED,
                "medium",
                message_key="vehicles.unknown_in_log" if unknown else "vehicles.deregistered_in_log",
                params={"plate": plate, "trips": counts[plate], "year": year.number},
                subject=evidence_key(registration=plate),
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected="a registered vehicle (import the DMR extract, or declare foreign and non-motorised vehicles)",
                received=plate if unknown else f"{plate}: deregistered",
                source_file_id=trip.source_file_id,
                location=f"row {trip.row}",
                evidence={"registration": plate, "trips": counts[plate]},
                identified_by_subject=True,
            )
        )
    return findings
