"""§2.1 trip lines kept in the database, so that a year's count is one SQL aggregation.

The assessment owns them: it recognises each line with the pure matchers of
``compliance.checks.green_vehicles`` and stores what they say.

Each invoice matched to a contract is read once per version of the contract's trip-line rules:
its green, conventional and ambiguous lines are stored in ``trip_line`` with their day and trips
(× 1000, an exact integer sum on SQLite and PostgreSQL alike). An invoice matched to another
contract, or read with rules that have since changed, is read again; nothing is counted twice
because a line is stored at most once per contract. Counting every contract year is then one
``GROUP BY`` over the measurement windows (:func:`count_trips`).

Where a line's green-on-the-day decision is made (issue 16 items 5–6): here, when the line is
stored. A trip is green only if its vehicle is green on the trip's day (§2.1, RULES.md §7), so each
stated-green line is judged against the register's validity periods (``vehicle_period``) for its
day — plates read canonically, unreadable plate texts, plates known as not green, plates unknown
that day and the contract's ``unverified_green`` (``checks.green_vehicles.counted_kind``) — and
stored with ``kind`` = how it counts, ``stated_kind`` = what it says, and the register's word on
each plate (``plate_verdicts``), which the findings and reports show. Counting therefore stays one
aggregation over ``kind``, and the report's line listing sums to the same figures. The decision
is invalidated with the fingerprint: it covers the trip-line rules, ``unverified_green`` and the
register's state (the number of periods and the newest register file among them; every register
import that changes a period inserts rows of its own file), so a new DMR extract or declaration
re-reads the contract's invoices at the next check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, and_, bindparam, delete, func, insert, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from compliance.assessment.inputs import scanned_line, vehicle_period
from compliance.assessment.trip_reconciliation import reconcile_trip_lines
from compliance.checks.green_vehicles import (
    LinePlates,
    counted_kind,
    line_plates,
    plate_verdict,
    trip_line_kind,
    vehicle_on_day,
)
from compliance.checks.inputs import CountedTripLine
from compliance.checks.inputs import VehiclePeriod as CheckedPeriod
from compliance.contracts import ContractTerms
from compliance.store.models import Invoice, InvoiceLine, LineAcceptance, SourceFile, TripLine, TripLineScan, VehiclePeriod

MILLI = Decimal(1000)
BATCH = 20_000


def trip_rules_sha256(contract: ContractTerms, register: str = "") -> str:
    """A fingerprint of what decides what a trip line is and how it counts: the trip-line rules,
    ``unverified_green`` and the register's state (:func:`register_stamp`); a change re-reads the invoices."""
    green = contract.raw.get("green_vehicles", {})
    rules = {"trip_lines": green.get("trip_lines"), "unverified_green": green.get("unverified_green", "exclude")}
    rules["register"] = register
    return hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()


def in_green_vehicle_share() -> ColumnElement[bool]:
    """Invoices whose trip lines count: all but a subcontractor's the contract keeps out of the §2.1 share (§7.1)."""
    return Invoice.in_green_vehicle_share.is_not(False)


def register_stamp(session: Session) -> str:
    """The register's state, cheaply: how many validity periods, and the newest register file among them."""
    count, newest = session.execute(select(func.count(VehiclePeriod.id), func.max(VehiclePeriod.source_file_id))).one()
    return f"{count}:{newest}"


def _periods(session: Session, plates: Iterable[str]) -> dict[str, list[CheckedPeriod]]:
    """The register's validity periods of ``plates``, by plate."""
    result: dict[str, list[CheckedPeriod]] = {}
    wanted = sorted(set(plates))
    for start in range(0, len(wanted), 500):
        for row in session.scalars(select(VehiclePeriod).where(VehiclePeriod.registration.in_(wanted[start : start + 500]))):
            result.setdefault(row.registration, []).append(vehicle_period(row))
    return result


def _forget_stale(session: Session, contract_id: str, sha: str) -> None:
    matched = select(Invoice.id).where(Invoice.contract_id == contract_id, in_green_vehicle_share())
    stale = select(TripLineScan.invoice_id).where(
        TripLineScan.contract_id == contract_id, (TripLineScan.rules_sha256 != sha) | TripLineScan.invoice_id.not_in(matched)
    )
    session.execute(delete(TripLine).where(TripLine.contract_id == contract_id, TripLine.invoice_id.in_(stale)))
    session.execute(
        delete(TripLineScan).where(
            TripLineScan.contract_id == contract_id,
            (TripLineScan.rules_sha256 != sha) | TripLineScan.invoice_id.not_in(matched),
        )
    )


def refresh_trip_lines(session: Session, contract: ContractTerms) -> int:
    """Store the trip lines of the contract's invoices not yet read with its current rules; return how many
    (none for a contract without trip-line rules: a km contract measured on driving logs alone)."""
    if contract.green_vehicles is None or contract.green_vehicles.trip_lines is None:
        session.execute(delete(TripLine).where(TripLine.contract_id == contract.id))
        session.execute(delete(TripLineScan).where(TripLineScan.contract_id == contract.id))
        return 0
    rules = contract.green_vehicles.trip_lines
    unverified_green = contract.green_vehicles.unverified_green
    sha = trip_rules_sha256(contract, register_stamp(session))
    _forget_stale(session, contract.id, sha)
    done = select(TripLineScan.invoice_id).where(TripLineScan.contract_id == contract.id)
    pending = session.scalars(
        select(Invoice.id)
        .where(Invoice.contract_id == contract.id, in_green_vehicle_share(), Invoice.id.not_in(done))
        .order_by(Invoice.id)
    ).all()
    stored = 0
    for start in range(0, len(pending), 500):
        invoice_ids = pending[start : start + 500]
        lines = session.execute(
            select(
                InvoiceLine.id, InvoiceLine.invoice_id, InvoiceLine.seller_item_id, InvoiceLine.classification_codes,
                InvoiceLine.name, InvoiceLine.description, InvoiceLine.properties, InvoiceLine.notes, InvoiceLine.quantity,
                InvoiceLine.delivery_date, Invoice.delivery_date.label("invoice_delivery_date"), Invoice.period_end,
                Invoice.issue_date, Invoice.document_type, Invoice.supplier_key,
            )
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(InvoiceLine.invoice_id.in_(invoice_ids))
            .order_by(InvoiceLine.id)
        )  # fmt: skip
        rows: list[dict[str, Any]] = []
        plates_by_row: list[LinePlates] = []
        for line in lines:
            fields = scanned_line(line)  # the columns the matchers read, typed
            kind = trip_line_kind(rules, fields)
            if kind is None:
                continue
            trips = (line.quantity or Decimal(0)) * MILLI
            if trips != trips.to_integral_value():
                kind = "uncountable"  # more than three decimals: not a number of trips
            plates = line_plates(rules, fields)
            plates_by_row.append(plates)
            day = line.delivery_date or line.invoice_delivery_date or line.period_end or line.issue_date
            milli = int(trips.to_integral_value()) if kind != "uncountable" else 0
            registrations = list(plates.plates)
            rows.append(
                {
                    "contract_id": contract.id,
                    "invoice_id": line.invoice_id,
                    "invoice_line_id": line.id,
                    "kind": kind,
                    "stated_kind": kind,
                    "day": day,
                    "trips_milli": milli,
                    "registrations": registrations,
                    "unreadable": list(plates.unreadable),
                    "plate_verdicts": [],
                    "quantity_milli": milli,
                    "delivery_key": delivery_key(line.supplier_key, day, line.seller_item_id or line.name, registrations, milli)
                    if line.document_type == "invoice" and kind in ("green", "conventional") and milli > 0
                    else None,
                }
            )
        # Green on the day (issue 16 item 6): each stated-green line against the register's periods.
        periods = _periods(
            session, (p for row, pl in zip(rows, plates_by_row, strict=True) if row["kind"] == "green" for p in pl.plates)
        )
        for row, plates in zip(rows, plates_by_row, strict=True):
            if row["stated_kind"] != "green":
                continue
            verdicts = [plate_verdict(plate, vehicle_on_day(periods.get(plate, []), row["day"])) for plate in plates.plates]
            row["plate_verdicts"] = verdicts
            row["kind"] = counted_kind("green", plates, verdicts, unverified_green, credit=row["trips_milli"] < 0)
        if rows:
            session.execute(insert(TripLine), rows)
            stored += len(rows)
        session.execute(
            insert(TripLineScan),
            [{"contract_id": contract.id, "invoice_id": invoice_id, "rules_sha256": sha} for invoice_id in invoice_ids],
        )
    # Credit notes against what they credit, negatives held, repeats counted once (see the module).
    reconcile_trip_lines(session, contract)
    return stored


def delivery_key(supplier: str, day: date, item: str | None, registrations: Sequence[str], trips_milli: int) -> str:
    """One delivery's identity for re-invoicing (issue 16 item 4): supplier, day, item, plates, quantity."""
    text = "\x1f".join(
        (supplier, day.isoformat(), (item or "").strip().casefold(), ",".join(sorted(registrations)), str(trips_milli))
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class TripWindow:
    contract_id: str
    year: int
    start: date
    end: date


@dataclass(frozen=True)
class TripCount:
    green: Decimal = Decimal(0)
    conventional: Decimal = Decimal(0)
    not_counted_lines: int = 0  # ambiguous or uncountable lines, reported per line elsewhere


def _windows_table(windows: Sequence[TripWindow]) -> Any:
    """The windows as a derived table (a UNION ALL of bound rows: portable across SQLite and PostgreSQL)."""
    parts = [
        select(
            bindparam(f"c{i}", w.contract_id, type_=String()).label("contract_id"),
            bindparam(f"y{i}", w.year, type_=Integer()).label("year"),
            bindparam(f"s{i}", w.start, type_=Date()).label("start_day"),
            bindparam(f"e{i}", w.end, type_=Date()).label("end_day"),
        )
        for i, w in enumerate(windows)
    ]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("window")


def count_trips(session: Session, windows: Sequence[TripWindow]) -> dict[tuple[str, int], TripCount]:
    """Green and conventional trips in each contract year's window: one GROUP BY per 400 windows."""
    totals: dict[tuple[str, int], dict[str, int]] = {}
    for start in range(0, len(windows), 400):  # SQLite allows 32,766 bound parameters per statement
        window = _windows_table(windows[start : start + 400])
        query = (
            select(
                window.c.contract_id, window.c.year, TripLine.kind,
                func.sum(TripLine.trips_milli), func.count(TripLine.id),
            )
            .join(TripLine, and_(TripLine.contract_id == window.c.contract_id,
                                 TripLine.day >= window.c.start_day, TripLine.day <= window.c.end_day))
            .group_by(window.c.contract_id, window.c.year, TripLine.kind)
        )  # fmt: skip
        for contract_id, year, kind, milli, lines in session.execute(query):
            entry = totals.setdefault((contract_id, int(year)), {})
            entry[kind] = int(milli or 0)
            entry[f"{kind}_lines"] = int(lines)
    return {
        key: TripCount(
            Decimal(entry.get("green", 0)) / MILLI,
            Decimal(entry.get("conventional", 0)) / MILLI,
            entry.get("ambiguous_lines", 0) + entry.get("uncountable_lines", 0),
        )
        for key, entry in totals.items()
    }


def counted_trip_lines(
    session: Session, contract_id: str, start: date, end: date, reconciled_only: bool = False
) -> list[CountedTripLine]:
    """The stored trip lines of one window, with the invoice, file and line they come from (only the
    credit-note, held and repeated lines with ``reconciled_only``)."""
    credited_line = aliased(InvoiceLine)
    credited_invoice = aliased(Invoice)
    first_line = aliased(InvoiceLine)
    first_invoice = aliased(Invoice)
    first_file = aliased(SourceFile)
    query = (
        select(
            TripLine.kind, TripLine.day, TripLine.trips_milli, TripLine.registrations, TripLine.stated_kind,
            TripLine.unreadable, TripLine.plate_verdicts, Invoice.number, Invoice.document_type,
            Invoice.source_file_id, SourceFile.path, InvoiceLine.line_id, InvoiceLine.source_line, InvoiceLine.quantity,
            TripLine.quantity_milli, TripLine.held, Invoice.billing_references, InvoiceLine.billing_reference,
            credited_invoice.number.label("credited_number"), credited_line.line_id.label("credited_line"),
            first_invoice.number.label("first_number"), first_line.line_id.label("first_line"),
            first_file.path.label("first_path"), LineAcceptance.accepted_by, LineAcceptance.accepted_at, LineAcceptance.reason,
        )
        .join(Invoice, Invoice.id == TripLine.invoice_id)
        .join(InvoiceLine, InvoiceLine.id == TripLine.invoice_line_id)
        .join(SourceFile, SourceFile.id == Invoice.source_file_id)
        .outerjoin(credited_line, credited_line.id == TripLine.credited_line_id)
        .outerjoin(credited_invoice, credited_invoice.id == credited_line.invoice_id)
        .outerjoin(first_line, first_line.id == TripLine.duplicate_of_line_id)
        .outerjoin(first_invoice, first_invoice.id == first_line.invoice_id)
        .outerjoin(first_file, first_file.id == first_invoice.source_file_id)
        .outerjoin(LineAcceptance, LineAcceptance.invoice_line_id == TripLine.invoice_line_id)
        .where(TripLine.contract_id == contract_id, TripLine.day >= start, TripLine.day <= end)
        .order_by(TripLine.day, Invoice.number, InvoiceLine.position)
    )  # fmt: skip
    if reconciled_only:
        query = query.where(or_(Invoice.document_type == "credit_note", TripLine.held.is_not(None)))
    return [
        CountedTripLine(
            invoice_number=row.number,
            document_type=row.document_type,
            source_file_id=row.source_file_id,
            source_path=row.path,
            line_id=row.line_id,
            source_line=row.source_line,
            day=row.day,
            kind=row.kind,
            trips=row.quantity if row.kind == "uncountable" else Decimal(row.trips_milli) / MILLI,
            registrations=tuple(row.registrations),
            stated_kind=row.stated_kind or row.kind,
            unreadable=tuple(row.unreadable or ()),
            plate_verdicts=tuple(row.plate_verdicts or ()),
            invoiced=None if row.quantity_milli is None else Decimal(row.quantity_milli) / MILLI,
            held=row.held,
            credits_invoice=row.billing_reference or next(iter(row.billing_references or ()), None)
            if row.document_type == "credit_note"
            else None,
            credited=None if row.credited_number is None else f"{row.credited_number} line {row.credited_line}",
            duplicate_of=None if row.first_number is None else f"{row.first_number} line {row.first_line}",
            duplicate_file=row.first_path,
            acceptance=None if row.accepted_by is None else f"{row.accepted_by}, {row.accepted_at:%Y-%m-%d}: {row.reason}",
        )
        for row in session.execute(query)
    ]


def windows_of(contracts: Iterable[ContractTerms], as_of: date) -> list[TripWindow]:
    """The measurement windows of every started year of every contract with green-vehicle terms."""
    result = []
    for contract in contracts:
        if contract.green_vehicles is None:
            continue
        for year in contract.years():
            if year.start <= as_of:
                window = contract.green_vehicles.window(year)
                result.append(TripWindow(contract.id, year.number, window.start, window.end))
    return result
