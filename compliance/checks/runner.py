"""Run every rule family for the selected contracts and years, and store findings and assessments.

Storing is idempotent: a re-run replaces the findings of its scope (keeping the ones that are
still true, with their first-seen time) and updates assessments in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, selectinload

from compliance.assessment.hearing import propose_penalty, withdraw_if_open
from compliance.base.errors import ComplianceError
from compliance.base.findings import FindingRecord
from compliance.base.formatting import danish_money
from compliance.catalogues import CatalogueHistory
from compliance.checks.banned_items import banned_item_findings
from compliance.checks.catalogue_consistency import catalogue_consistency_findings
from compliance.checks.categorisation import categorisation_findings
from compliance.checks.contract_matching import RULE_UNMATCHED, invoice_contract, unmatched_invoice_finding
from compliance.checks.driving_logs import (
    contract_log_trips,
    hvo100_findings,
    log_comparison_findings,
    log_vehicle_findings,
)
from compliance.checks.eco_labels import eco_label_findings, unknown_label_findings
from compliance.checks.euro_norm import euro6_findings
from compliance.checks.green_vehicles import RULE_SHARE, GreenVehicleYearResult, green_vehicle_year
from compliance.checks.items import contract_catalogues, dated_lines
from compliance.checks.licences import LicenceRegistry, licence_findings
from compliance.checks.purchase_shares import purchase_share, purchase_share_finding, quarter_findings
from compliance.checks.trip_counts import TripCount, count_trips, counted_trip_lines, refresh_trip_lines, windows_of
from compliance.contracts import ContractTerms, ContractYear
from compliance.store.db import session_scope
from compliance.store.models import (
    Assessment,
    Contract,
    EcolabelLicence,
    Finding,
    Invoice,
    Trip,
    Vehicle,
)


@dataclass
class CheckSummary:
    contracts: int = 0
    years: int = 0
    findings: int = 0
    unmatched_invoices: int = 0
    shortfalls: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def _store_contract(session: Session, contract: ContractTerms) -> None:
    row = session.get(Contract, contract.id) or Contract(id=contract.id)
    row.name = contract.name
    row.supplier_cvr = contract.supplier_cvr
    row.supplier_name = contract.supplier_name
    row.start_date = contract.start
    row.end_date = contract.end
    row.terms_file = contract.file
    row.terms_sha256 = contract.sha256
    row.loaded_at = _now()
    session.add(row)


def _replace_findings(session: Session, records: Sequence[FindingRecord], scope: Any) -> int:
    """Make the stored findings in ``scope`` equal ``records``; unchanged ones keep their row."""
    wanted = {record.fingerprint(): record for record in records}
    existing = {row.fingerprint: row for row in session.scalars(select(Finding).where(scope))}
    for fingerprint, row in existing.items():
        if fingerprint not in wanted:
            session.delete(row)
    for fingerprint, record in wanted.items():
        if fingerprint in existing:
            continue
        session.add(Finding(**record.row_values(), created_at=_now()))
    return len(wanted)


def _store_assessment(
    session: Session,
    contract_id: str,
    year: int,
    rule_id: str,
    window: tuple[date, date],
    status: str,
    share: Decimal | None,
    level: Decimal | None,
    penalty_total: Decimal,
    details: dict[str, Any],
) -> None:
    row = session.scalars(
        select(Assessment).where(
            Assessment.contract_id == contract_id, Assessment.contract_year == year, Assessment.rule_id == rule_id
        )
    ).first() or Assessment(contract_id=contract_id, contract_year=year, rule_id=rule_id)
    row.window_start, row.window_end = window
    row.status = status
    row.share = share
    row.level = level
    row.penalty_total = penalty_total
    row.details = details
    row.computed_at = _now()
    session.add(row)


def _green_details(result: GreenVehicleYearResult) -> dict[str, Any]:
    a = result.assessment
    return {
        "final": result.final,
        "basis": a.basis,
        "transition_cut": a.window.transition_cut,
        "total_trips": str(a.total_trips),
        "green_trips": str(a.green_trips),
        "conventional_trips": str(a.total_trips - a.green_trips),
        "total_km": None if a.total_km is None else str(a.total_km),
        "green_km": None if a.green_km is None else str(a.green_km),
        "driving_log_trips": result.km_trips,
        "level_percent": str(a.level.percent),
        "level_source": a.level.source,
        "minimum_percent": None if a.level.minimum is None else str(a.level.minimum),
        "offer_percent": None if a.level.offer is None else str(a.level.offer),
        "level_inclusive": a.level_inclusive,
        "shortfall_trips": a.shortfall_trips,
        "shortfall_km": str(a.shortfall_km),
        "penalty_model": a.penalty_model,
        "penalty_rate": str(a.penalty_rate),
        "penalty_variable": str(a.penalty_variable),
        "penalty_fixed": str(a.penalty_fixed),
        "trip_lines": [line.as_evidence() for line in result.counted_lines],
    }


def _check_contract_year(
    session: Session,
    contract: ContractTerms,
    year: ContractYear,
    invoices: Sequence[Invoice],
    catalogue: CatalogueHistory,
    registry: LicenceRegistry,
    trip_counts: dict[tuple[str, int], TripCount],
    log_trips: Sequence[Trip],
    vehicles: dict[str, Vehicle],
    as_of: date,
    summary: CheckSummary,
) -> list[FindingRecord]:
    findings: list[FindingRecord] = []
    plates_used: set[str] = set()
    if contract.green_vehicles is not None:
        window = contract.green_vehicles.window(year)
        count = trip_counts.get((contract.id, year.number), TripCount())
        lines_in_window = counted_trip_lines(session, contract.id, window.start, window.end)
        result = green_vehicle_year(contract, year, count.green, count.conventional, lines_in_window, log_trips, vehicles, as_of)
        a = result.assessment
        findings += result.findings
        _store_assessment(
            session, contract.id, year.number, RULE_SHARE, (a.window.start, a.window.end), result.status, a.share, a.level.percent,
            a.penalty_total if result.final else Decimal("0.00"), _green_details(result),
        )  # fmt: skip
        for line in result.counted_lines:
            plates_used.update(line.registrations)
        supplier_logs = [t for t in log_trips if t.supplier_cvr == contract.supplier_cvr]
        findings += log_comparison_findings(contract, year, a.window, result.counted_lines, supplier_logs, vehicles)
        if a.compliant is False and result.final:
            notice = propose_penalty(
                session, contract.id, year.number, contract.supplier_cvr, a.penalty_total, contract.hearing_days, as_of
            )
            summary.shortfalls.append(
                f"{contract.id} year {year.number}: penalty {danish_money(a.penalty_total)}, hearing {notice.status}"
            )
        elif result.final:
            withdraw_if_open(session, contract.id, year.number)
    plates_used.update(t.registration for t in log_trips if t.registration and year.start <= t.trip_date <= year.end)
    if contract.euro6_applies_to:
        findings += euro6_findings(contract, year, plates_used, vehicles)
    findings += hvo100_findings(contract, year, log_trips, vehicles)
    findings += log_vehicle_findings(contract, year, log_trips, vehicles)
    lines = list(dated_lines(invoices, year.start, year.end))
    findings += eco_label_findings(contract, year, lines, catalogue)
    findings += unknown_label_findings(contract, year, lines, catalogue)
    findings += categorisation_findings(contract, year, catalogue)
    findings += catalogue_consistency_findings(contract, year, lines, catalogue)
    findings += licence_findings(contract, year, lines, catalogue, registry)
    findings += banned_item_findings(contract, year, lines)
    for rule in contract.purchase_shares:
        share = purchase_share(rule, year, lines, catalogue)
        finding = purchase_share_finding(contract, share)
        if finding:
            findings.append(finding)
        findings += quarter_findings(contract, share)
        _store_assessment(
            session, contract.id, year.number, share.rule_id, (year.start, year.end), share.status, share.share,
            rule.minimum_percent, Decimal("0.00"),
            {"basis": rule.basis, "total": str(share.total), "qualifying": str(share.qualifying), "description": rule.description,
             "level_inclusive": rule.level_inclusive, "lines": share.lines,
             "quarters": [quarter.as_details(rule) for quarter in share.quarters]},
        )  # fmt: skip
    return findings


def run_checks(
    engine: Engine,
    contracts: Sequence[ContractTerms],
    contract_id: str | None = None,
    year: int | None = None,
    as_of: date | None = None,
) -> CheckSummary:
    """Match invoices to contracts, then check every selected contract year that has started."""
    today = as_of or date.today()
    selected = [c for c in contracts if contract_id is None or c.id == contract_id]
    if contract_id is not None and not selected:
        raise ComplianceError(f"no contract {contract_id!r}", expected="one of " + ", ".join(c.id for c in contracts))
    summary = CheckSummary(contracts=len(selected))
    with session_scope(engine, exclusive=True) as session:  # another run's checks wait for this one
        for contract in contracts:
            _store_contract(session, contract)
        invoices = session.scalars(select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.source_file))).all()
        unmatched: list[FindingRecord] = []
        for invoice in invoices:
            match = invoice_contract(invoice, contracts)
            invoice.contract_id = match.contract_id
            if match.contract_id is None:
                unmatched.append(unmatched_invoice_finding(invoice, match))
        summary.unmatched_invoices = len(unmatched)
        if contract_id is None and year is None:
            summary.findings += _replace_findings(session, unmatched, Finding.rule_id == RULE_UNMATCHED)
        vehicles = {v.registration: v for v in session.scalars(select(Vehicle))}
        catalogues = contract_catalogues(session, selected)
        registry = LicenceRegistry(session.scalars(select(EcolabelLicence)))
        session.flush()  # the invoices' contract matches, before the trip lines are read by SQL
        for contract in selected:
            refresh_trip_lines(session, contract)
        # Every selected contract year's trips in one aggregation (figures in benchmarks/README.md).
        counts = count_trips(session, [w for w in windows_of(selected, today) if year is None or w.year == year])
        for contract in selected:
            years = [y for y in contract.years() if y.start <= today and (year is None or y.number == year)]
            if year is not None and not years:
                raise ComplianceError(
                    f"contract {contract.id} has no started year {year}",
                    file=contract.file,
                    expected=f"a year from 1 to {len([y for y in contract.years() if y.start <= today])}",
                )
            contract_invoices = [i for i in invoices if i.contract_id == contract.id]
            catalogue = catalogues[contract.id]
            log_trips = session.scalars(select(Trip).where(contract_log_trips(contract))).all()
            for contract_year in years:
                findings = _check_contract_year(
                    session,
                    contract,
                    contract_year,
                    contract_invoices,
                    catalogue,
                    registry,
                    counts,
                    log_trips,
                    vehicles,
                    today,
                    summary,
                )
                scope = (Finding.contract_id == contract.id) & (Finding.contract_year == contract_year.number)
                summary.findings += _replace_findings(session, findings, scope)
                summary.years += 1
        session.execute(
            delete(Finding).where(Finding.contract_id.is_not(None), Finding.contract_id.not_in([c.id for c in contracts]))
        )
    return summary
