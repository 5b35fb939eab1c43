"""§2.1 trip lines kept in the database, so that a year's count is one SQL aggregation.

The assessment owns them: it recognises each line with the pure matchers of
``compliance.checks.green_vehicles`` and stores what they say.

Each invoice matched to a contract is read once per version of the contract's trip-line rules:
its green, conventional and ambiguous lines are stored in ``trip_line`` with their day and trips
(× 1000, an exact integer sum on SQLite and PostgreSQL alike). An invoice matched to another
contract, or read with rules that have since changed, is read again; nothing is counted twice
because a line is stored at most once per contract. Counting every contract year is then one
``GROUP BY`` over the measurement windows (:func:`count_trips`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, and_, bindparam, delete, func, insert, select, union_all
from sqlalchemy.orm import Session

from compliance.assessment.inputs import scanned_line
from compliance.checks.green_vehicles import line_registrations, trip_line_kind
from compliance.checks.inputs import CountedTripLine
from compliance.contracts import ContractTerms
from compliance.store.models import Invoice, InvoiceLine, SourceFile, TripLine, TripLineScan

MILLI = Decimal(1000)
BATCH = 20_000


def trip_rules_sha256(contract: ContractTerms) -> str:
    """A fingerprint of the rules that decide what a trip line is (a changed rule re-reads the invoices)."""
    rules = contract.raw.get("green_vehicles", {}).get("trip_lines")
    return hashlib.sha256(json.dumps(rules, sort_keys=True, default=str).encode()).hexdigest()


def in_green_vehicle_share() -> ColumnElement[bool]:
    """Invoices whose trip lines count: all but a subcontractor's the contract keeps out of the §2.1 share (§7.1)."""
    return Invoice.in_green_vehicle_share.is_not(False)


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
    """Store the trip lines of the contract's invoices not yet read with its current rules; return how many."""
    if contract.green_vehicles is None:
        session.execute(delete(TripLine).where(TripLine.contract_id == contract.id))
        session.execute(delete(TripLineScan).where(TripLineScan.contract_id == contract.id))
        return 0
    rules = contract.green_vehicles.trip_lines
    sha = trip_rules_sha256(contract)
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
                Invoice.issue_date,
            )
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(InvoiceLine.invoice_id.in_(invoice_ids))
            .order_by(InvoiceLine.id)
        )  # fmt: skip
        rows: list[dict[str, Any]] = []
        for line in lines:
            fields = scanned_line(line)  # the columns the matchers read, typed
            kind = trip_line_kind(rules, fields)
            if kind is None:
                continue
            trips = (line.quantity or Decimal(0)) * MILLI
            if trips != trips.to_integral_value():
                kind = "uncountable"  # more than three decimals: not a number of trips
            rows.append(
                {
                    "contract_id": contract.id,
                    "invoice_id": line.invoice_id,
                    "invoice_line_id": line.id,
                    "kind": kind,
                    "day": line.delivery_date or line.invoice_delivery_date or line.period_end or line.issue_date,
                    "trips_milli": int(trips.to_integral_value()) if kind != "uncountable" else 0,
                    "registrations": line_registrations(rules, fields),
                }
            )
        if rows:
            session.execute(insert(TripLine), rows)
            stored += len(rows)
        session.execute(
            insert(TripLineScan),
            [{"contract_id": contract.id, "invoice_id": invoice_id, "rules_sha256": sha} for invoice_id in invoice_ids],
        )
    return stored


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


def counted_trip_lines(session: Session, contract_id: str, start: date, end: date) -> list[CountedTripLine]:
    """The stored trip lines of one window, with the invoice, file and line they come from."""
    query = (
        select(
            TripLine.kind, TripLine.day, TripLine.trips_milli, TripLine.registrations, Invoice.number, Invoice.document_type,
            Invoice.source_file_id, SourceFile.path, InvoiceLine.line_id, InvoiceLine.source_line, InvoiceLine.quantity,
        )
        .join(Invoice, Invoice.id == TripLine.invoice_id)
        .join(InvoiceLine, InvoiceLine.id == TripLine.invoice_line_id)
        .join(SourceFile, SourceFile.id == Invoice.source_file_id)
        .where(TripLine.contract_id == contract_id, TripLine.day >= start, TripLine.day <= end)
        .order_by(TripLine.day, Invoice.number, InvoiceLine.position)
    )  # fmt: skip
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
