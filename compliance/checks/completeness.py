"""Silence is not compliance: months without evidence, and invoice lines the trip rules do not recognise.

Handbook §2.1 measures the share of all registered trips, and the penalty must make under-fulfilment
unprofitable: a month with no invoice (on a km contract, no driving log) and a transport line that
is neither a green nor a conventional trip must be visible, or withholding evidence would pay.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.base.windows import month_starts
from compliance.checks.green_vehicles import trip_line_kind
from compliance.checks.inputs import LoggedTrip
from compliance.checks.items import DatedLine, line_matches
from compliance.contracts import ContractTerms, ContractYear

RULE_SILENT_MONTHS = "completeness.silent_months@1"
RULE_SILENT_LOG_MONTHS = "completeness.silent_log_months@1"
RULE_UNRECOGNISED_TRIP_LINE = "completeness.unrecognised_trip_line@1"


def _months(start: date, end: date) -> Iterator[tuple[date, date]]:
    """The calendar months overlapping [start, end], each as its first and last day inside the range."""
    for first in month_starts(start, end):
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        yield max(first, start), min(last, end)


def due_months(year: ContractYear, grace_days: int, as_of: date) -> list[date]:
    """The months of ``year`` whose evidence is due by ``as_of``: ended more than ``grace_days`` ago."""
    return [start for start, end in _months(year.start, year.end) if as_of > end + timedelta(days=grace_days)]


def _month_text(months: Iterable[date]) -> str:
    return ", ".join(f"{month.year}-{month.month:02d}" for month in months)


def silent_month_findings(
    contract: ContractTerms, year: ContractYear, lines: Sequence[DatedLine], log_trips: Sequence[LoggedTrip], as_of: date
) -> list[FindingRecord]:
    """One finding per contract year listing its due months with no invoice line (and, on a km contract,
    no driving-log trip of the supplier): high once the year has ended, medium while it runs."""
    terms = contract.green_vehicles
    if terms is None:
        return []
    due = due_months(year, terms.invoice_grace_days, as_of)
    invoiced = {(dated.day.year, dated.day.month) for dated in lines}
    findings = []
    silent = [month for month in due if (month.year, month.month) not in invoiced]
    if silent:
        findings.append(_silent_finding(contract, year, silent, as_of, RULE_SILENT_MONTHS, "completeness.silent_months"))
    if terms.basis == "km":
        logged = {
            (trip.trip_date.year, trip.trip_date.month)
            for trip in log_trips
            if trip.supplier_cvr == contract.supplier_cvr and year.start <= trip.trip_date <= year.end
        }
        unlogged = [month for month in due if (month.year, month.month) not in logged]
        if unlogged:
            findings.append(
                _silent_finding(contract, year, unlogged, as_of, RULE_SILENT_LOG_MONTHS, "completeness.silent_log_months")
            )
    return findings


def _silent_finding(
    contract: ContractTerms, year: ContractYear, months: Sequence[date], as_of: date, rule_id: str, message_key: str
) -> FindingRecord:
    """The year's silent months as one finding: its identity is the year, so a further silent month
    changes the text (and the letter) but not the comment deadline."""
    ended = year.end < as_of
    evidence = "a driving log" if rule_id == RULE_SILENT_LOG_MONTHS else "an invoice"
    return FindingRecord(
        rule_id,
        "high" if ended else "medium",
        message_key=message_key,
        params={"year": year.number, "count": len(months), "months": _month_text(months)},
        subject=evidence_key(year=year.number),
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=f"{evidence} for every month of the contract year (§2.1)",
        received="none for " + _month_text(months),
        evidence={"months": [f"{month.year}-{month.month:02d}" for month in months], "year_ended": ended},
        identified_by_subject=True,
    )


def unrecognised_trip_line_findings(
    contract: ContractTerms, year: ContractYear, lines: Sequence[DatedLine]
) -> list[FindingRecord]:
    """Each line of the contract's invoices in the year that is neither a green nor a conventional trip
    line (nor listed as ``not_trips``): it is not counted, so a relabelled trip cannot leave the share unseen."""
    terms = contract.green_vehicles
    if terms is None or terms.trip_lines is None:
        return []  # a km contract without trip-line rules has no trip lines to recognise
    rules = terms.trip_lines
    findings = []
    for dated in lines:
        if trip_line_kind(rules, dated.line) is not None:
            continue
        if rules.not_trips is not None and line_matches(rules.not_trips, dated.line):
            continue
        place = message_part(
            "place.invoice_line", document_type=dated.invoice.document_type, invoice=dated.invoice.number, line=dated.line.line_id
        )
        findings.append(
            FindingRecord(
                RULE_UNRECOGNISED_TRIP_LINE,
                "medium",
                message_key="completeness.unrecognised_trip_line",
                params={
                    "place": place,
                    "name": dated.line.name or dated.line.seller_item_id or "",
                    "quantity": str(dated.line.quantity) if dated.line.quantity is not None else "",
                },
                subject=evidence_key(invoice=dated.invoice.number, line=dated.line.line_id),
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=dated.invoice.supplier_cvr,
                expected="a green or a conventional trip line (green_vehicles.trip_lines), or a line listed as not_trips",
                received=f"item {dated.line.seller_item_id or '–'}: {dated.line.name or '–'}",
                source_file_id=dated.invoice.source_file_id,
                location=dated.location,
                evidence={
                    "invoice": dated.invoice.number,
                    "line": dated.line.line_id,
                    "day": dated.day.isoformat(),
                    "seller_item_id": dated.line.seller_item_id,
                },
            )
        )
    return findings
