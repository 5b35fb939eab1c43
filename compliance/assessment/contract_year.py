"""The contract-year assessment: every rule family for the selected contracts and years, stored.

It owns the contract year: it matches invoices to contracts, keeps the §2.1 trip lines, loads the
checks' typed inputs from the store, calls the pure checks, computes shares and penalties, stores
the outcomes (``compliance.assessment.outcomes``) and findings, and proposes or withdraws hearings.

Storing is idempotent: a re-run replaces the findings of its scope (keeping the ones that are
still true, with their first-seen time) and updates outcomes in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from compliance.assessment.attribution import held_out_document_findings
from compliance.assessment.green_vehicles import GreenVehicleYearResult, green_vehicle_year
from compliance.assessment.hearing import ShortfallHearing, note_no_shortfall, propose_penalty, recalculation
from compliance.assessment.inputs import (
    contract_catalogues,
    contract_log_trips,
    invoice_record,
    licence_registry,
    registered_vehicles,
    stored_invoices,
    with_register_day,
)
from compliance.assessment.outcomes import (
    GreenVehicleOutcome,
    PurchaseShareOutcome,
    QuarterOutcome,
    green_outcome,
    store_outcome,
    trip_line_evidence,
)
from compliance.assessment.trip_lines import TripCount, count_trips, counted_trip_lines, refresh_trip_lines, windows_of
from compliance.base.errors import ComplianceError, TerminalError
from compliance.base.findings import FindingRecord
from compliance.base.i18n import N_
from compliance.checks.attribution import HELD_OUT, RULE_NOT_ATTRIBUTED
from compliance.checks.banned_items import banned_item_findings
from compliance.checks.catalogue_consistency import catalogue_consistency_findings
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.categorisation import categorisation_findings
from compliance.checks.completeness import silent_month_findings, unrecognised_trip_line_findings
from compliance.checks.contract_matching import (
    RULE_UNMATCHED,
    invoice_contract,
    not_attributed_invoice_findings,
    unmatched_invoice_finding,
)
from compliance.checks.credit_notes import reconciliation_findings
from compliance.checks.driving_logs import hvo100_findings, log_comparison_findings, log_vehicle_findings
from compliance.checks.eco_labels import eco_label_findings, unknown_label_findings
from compliance.checks.euro_norm import euro6_findings
from compliance.checks.inputs import CountedTripLine, InvoiceRecord, LoggedTrip, RegisteredVehicle
from compliance.checks.items import dated_lines
from compliance.checks.licences import LicenceRegistry, licence_findings
from compliance.checks.purchase_shares import PurchaseShareResult, purchase_share, purchase_share_finding, quarter_findings
from compliance.checks.purchase_shares import amount_findings as purchase_amount_findings
from compliance.contracts import ContractTerms, ContractYear, PurchaseShareRule
from compliance.store.db import session_scope
from compliance.store.models import Contract, Finding


@dataclass
class CheckSummary:
    contracts: int = 0
    years: int = 0
    findings: int = 0
    unmatched_invoices: int = 0
    held_out_documents: int = 0  # findings for documents citing a contract that does not list their issuer (issue 16)
    shortfalls: list[str] = field(default_factory=list)  # one line each, in English, for the DAGs' logs and XComs
    hearings: list[ShortfallHearing] = field(default_factory=list)  # the same as figures, for a summary in any language


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
    if row.terms_sha256 != contract.sha256 or row.loaded_at is None:  # unchanged terms: no write, no row lock
        row.loaded_at = _now()
    row.terms_sha256 = contract.sha256
    session.add(row)


def _replace_findings(session: Session, records: Sequence[FindingRecord], scope: Any) -> int:
    """Make the stored findings in ``scope`` equal ``records``; one with the same identity keeps its row
    and first-seen time, and takes the new message, figures and evidence."""
    wanted = {record.fingerprint(): record for record in records}
    existing = {row.fingerprint: row for row in session.scalars(select(Finding).where(scope))}
    for fingerprint, row in existing.items():
        if fingerprint not in wanted:
            session.delete(row)
    for fingerprint, record in wanted.items():
        stored = existing.get(fingerprint)
        if stored is None:
            session.add(Finding(**record.row_values(), created_at=_now()))
            continue
        for column, value in record.row_values().items():
            if getattr(stored, column) != value:
                setattr(stored, column, value)
    return len(wanted)


def green_vehicle_outcome(contract_id: str, year: int, result: GreenVehicleYearResult) -> GreenVehicleOutcome:
    """The stored form of a year's §2.1 result; no penalty is stored while the year runs."""
    a = result.assessment
    return GreenVehicleOutcome(
        contract_id=contract_id,
        contract_year=year,
        status=result.status,
        final=result.final,
        window_start=a.window.start,
        window_end=a.window.end,
        transition_cut=a.window.transition_cut,
        basis=a.basis,
        total_trips=a.total_trips,
        green_trips=a.green_trips,
        conventional_trips=a.total_trips - a.green_trips,
        total_km=a.total_km,
        green_km=a.green_km,
        driving_log_trips=result.km_trips,
        share=a.share,
        level_percent=a.level.percent,
        level_source=a.level.source,
        minimum_percent=a.level.minimum,
        offer_percent=a.level.offer,
        level_inclusive=a.level_inclusive,
        shortfall_trips=a.shortfall_trips,
        shortfall_km=a.shortfall_km,
        penalty_model=a.penalty_model,
        penalty_rate=a.penalty_rate,
        penalty_variable=a.penalty_variable,
        penalty_fixed=a.penalty_fixed,
        penalty_total=a.penalty_total if result.final else Decimal("0.00"),
        trip_lines=trip_line_evidence(result.counted_lines),
        missing_log_months=a.missing_log_months,
        km_estimate=a.km_estimate,
        monthly_km=result.monthly_km,
    )


def purchase_share_outcome(
    contract_id: str, year: ContractYear, rule: PurchaseShareRule, share: PurchaseShareResult
) -> PurchaseShareOutcome:
    """The stored form of a year's §16 purchase share, quarter by quarter."""
    quarters = []
    for quarter in share.quarters:
        details = quarter.as_details(rule)
        quarters.append(QuarterOutcome.from_json(details))
    return PurchaseShareOutcome(
        contract_id=contract_id,
        contract_year=year.number,
        rule_id=share.rule_id,
        status=share.status,
        window_start=year.start,
        window_end=year.end,
        description=rule.description,
        basis=rule.basis,
        total=share.total,
        qualifying=share.qualifying,
        share=share.share,
        level_percent=rule.minimum_percent,
        level_inclusive=rule.level_inclusive,
        lines=tuple(share.lines),
        quarters=tuple(quarters),
        held_out=tuple(share.held_out_by_currency()),
        rates=tuple(
            {"currency": rate.currency, "dkk": str(rate.dkk), "source": rate.source}
            for _, rate in sorted(share.rates_used.items())
        ),
    )


def _previous_outcome(session: Session, contract_id: str, year: int) -> GreenVehicleOutcome | None:
    """The year's stored §2.1 outcome before this check, to record what changed (none in an older shape)."""
    try:
        return green_outcome(session, contract_id, year)
    except ComplianceError:
        return None


def _reconciled_lines(session: Session, contract: ContractTerms, year: ContractYear) -> list[CountedTripLine]:
    """The year's credit-note and held trip lines; a line dated before the contract belongs to year 1 and
    one dated after it to the last year, so no reconciliation finding is lost."""
    years = contract.years()
    start = date.min if year.number == years[0].number else year.start
    end = date.max if year.number == years[-1].number else year.end
    return counted_trip_lines(session, contract.id, start, end, reconciled_only=True)


def _check_contract_year(
    session: Session,
    contract: ContractTerms,
    year: ContractYear,
    invoices: Sequence[InvoiceRecord],
    catalogue: CatalogueHistory,
    registry: LicenceRegistry,
    trip_counts: Mapping[tuple[str, int], TripCount],
    log_trips: Sequence[LoggedTrip],
    vehicles: Mapping[str, RegisteredVehicle],
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
        previous = _previous_outcome(session, contract.id, year.number)
        outcome = green_vehicle_outcome(contract.id, year.number, result)
        store_outcome(session, outcome, _now())
        change = recalculation(previous, outcome) if result.final else None
        for line in result.counted_lines:
            plates_used.update(line.registrations)
        findings += reconciliation_findings(contract, year, _reconciled_lines(session, contract, year))
        supplier_logs = log_trips  # only the rows of the supplier and the parties whose logs count (issue 16)
        findings += log_comparison_findings(contract, year, a.window, result.counted_lines, supplier_logs, vehicles)
        if not a.computable:
            pass  # missing driving logs: no penalty is proposed, and none already proposed is withdrawn (§2.1)
        elif a.compliant is False and result.final:
            notice = propose_penalty(
                session, contract.id, year.number, contract.supplier_cvr, a.penalty_total, contract.hearing_days, as_of, change
            )
            hearing = ShortfallHearing.of(notice)
            summary.hearings.append(hearing)
            summary.shortfalls.append(f"{contract.id} year {year.number}: {hearing.summary()}")
        elif result.final:
            note_no_shortfall(session, contract.id, year.number, change)
    plates_used.update(t.registration for t in log_trips if t.registration and year.start <= t.trip_date <= year.end)
    if contract.euro6_applies_to:
        # §2.6 has no transition months: every vehicle on a trip line of the whole contract year counts.
        for line in counted_trip_lines(session, contract.id, year.start, year.end):
            plates_used.update(line.registrations)
        findings += euro6_findings(contract, year, plates_used, vehicles)
    findings += hvo100_findings(contract, year, log_trips, vehicles)
    findings += log_vehicle_findings(contract, year, log_trips, vehicles)
    lines = list(dated_lines(invoices, year.start, year.end))
    findings += silent_month_findings(contract, year, lines, log_trips, as_of)
    findings += unrecognised_trip_line_findings(contract, year, lines)
    findings += eco_label_findings(contract, year, lines, catalogue)
    findings += unknown_label_findings(contract, year, lines, catalogue)
    findings += categorisation_findings(contract, year, catalogue)
    findings += catalogue_consistency_findings(contract, year, lines, catalogue)
    findings += licence_findings(contract, year, lines, catalogue, registry)
    findings += banned_item_findings(contract, year, lines)
    for rule in contract.purchase_shares:
        share = purchase_share(rule, year, lines, catalogue, contract.exchange_rates)
        finding = purchase_share_finding(contract, share)
        if finding:
            findings.append(finding)
        findings += quarter_findings(contract, share)
        findings += purchase_amount_findings(contract, share)
        store_outcome(session, purchase_share_outcome(contract.id, year, rule, share), _now())
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
        raise TerminalError(
            N_("no contract {contract}"),
            contract=contract_id,
            expected=N_("one of {values}"),
            values={"contract": repr(contract_id), "values": ", ".join(c.id for c in contracts)},
        )
    summary = CheckSummary(contracts=len(selected))
    # Two transactions: the shared stage (contract rows, invoice matches) writes the same values whichever
    # contract a run checks, so runs of different contracts go through it side by side; the checks then
    # lock only the contracts checked (a run of all contracts waits for every other, store/db.py).
    only = None if contract_id is None else [contract_id]
    with session_scope(engine, exclusive=True, contracts=None if only is None else []) as session:
        for contract in contracts:
            _store_contract(session, contract)
        stored = stored_invoices(session)
        invoices: list[InvoiceRecord] = []
        unmatched: list[FindingRecord] = []
        held_out: list[FindingRecord] = []
        for row in stored:
            record = invoice_record(row)
            match = invoice_contract(record, contracts)
            row.contract_id = match.contract_id
            # Issue 16: who issued it for that contract; "held_out" when it only cites contracts not listing its issuer.
            row.issuer_role = match.role or (HELD_OUT if match.how == "not_attributed" else None)
            row.in_green_vehicle_share = match.in_green_vehicle_share if match.contract_id else None
            invoices.append(replace(record, contract_id=match.contract_id, issuer_role=row.issuer_role))
            held_out += not_attributed_invoice_findings(record, match)
            if match.contract_id is None and match.how != "not_attributed":
                unmatched.append(unmatched_invoice_finding(record, match))
        summary.unmatched_invoices = len(unmatched)
        if contract_id is None and year is None:
            summary.findings += _replace_findings(session, unmatched, Finding.rule_id == RULE_UNMATCHED)
            held_out += held_out_document_findings(session, contracts)
            summary.held_out_documents = _replace_findings(session, held_out, Finding.rule_id == RULE_NOT_ATTRIBUTED)
            summary.findings += summary.held_out_documents
    with session_scope(engine, exclusive=True, contracts=only) as session:  # another run of these contracts waits
        vehicles = registered_vehicles(session)
        catalogues = contract_catalogues(session, selected)
        registry = licence_registry(session)
        session.flush()  # the invoices' contract matches, before the trip lines are read by SQL
        for contract in selected:
            refresh_trip_lines(session, contract)
        # Every selected contract year's trips in one aggregation (figures in benchmarks/README.md).
        counts = count_trips(session, [w for w in windows_of(selected, today) if year is None or w.year == year])
        for contract in selected:
            years = [y for y in contract.years() if y.start <= today and (year is None or y.number == year)]
            if year is not None and not years:
                raise TerminalError(
                    N_("contract {contract} has no started year {year}"),
                    contract=contract.id,
                    file=contract.file,
                    expected=N_("a year from 1 to {last}"),
                    values={
                        "contract": contract.id,
                        "year": year,
                        "last": len([y for y in contract.years() if y.start <= today]),
                    },
                )
            contract_invoices = [i for i in invoices if i.contract_id == contract.id]
            catalogue = catalogues[contract.id]
            log_trips = with_register_day(session, contract_log_trips(session, contract))  # issue 16 item 6
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


def store_contract_terms(engine: Engine, contracts: Sequence[ContractTerms]) -> None:
    """Store (or update) the contract rows, in one transaction before a DAG run's per-contract tasks start:
    on a new database those tasks would otherwise all insert the same rows at once, and all but one fail."""
    with session_scope(engine, exclusive=True) as session:
        for contract in contracts:
            _store_contract(session, contract)
