"""What the overview pages state about the whole run: each contract's state, intake and data quality.

Everything here is read from the store or decided from the assessment's stored results, so the
overview page (``index.html``) and the data team's page only lay it out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from compliance.assessment.results import AssessedYear
from compliance.contracts import ContractTerms
from compliance.store.models import DataQualityFailure, DataQualityRun, Invoice, SourceFile

OPEN_HEARING = ("proposed", "commented")
DECIDED_HEARING = ("confirmed", "reduced", "waived")
# The worst outcome status of a year decides the contract's state, in this order.
STATUS_ORDER = ("short", "not_computable", "at_risk", "on_track", "compliant")


def contract_status(years: Sequence[AssessedYear]) -> str:
    """The contract's state for the overview: a hearing or decision wins, then the latest year with a verdict;
    a compliant or on-track contract whose latest year has high-severity findings is at risk."""
    latest_high_findings = years[-1].high_findings if years else 0
    for year in reversed(years):
        if year.hearing is not None and year.hearing.status in OPEN_HEARING:
            return "in_hearing"
        if year.hearing is not None and year.hearing.status in DECIDED_HEARING:
            return "decided"
    for year in reversed(years):
        statuses = [outcome.status for outcome in [year.green, *year.shares] if outcome is not None]
        for status in STATUS_ORDER:
            if status in statuses:
                return "at_risk" if status in ("on_track", "compliant") and latest_high_findings else status
    return "at_risk" if latest_high_findings else "no_data"


@dataclass(frozen=True)
class ContractOverview:
    """One contract on the overview: its assessed years, its state and its findings counted by rule id."""

    contract: ContractTerms
    years: tuple[AssessedYear, ...]
    status: str
    findings_by_rule: Counter[str]


def contract_overview(contract: ContractTerms, years: Sequence[AssessedYear]) -> ContractOverview:
    findings: Counter[str] = Counter()
    for year in years:
        findings.update(year.findings_by_rule())
    return ContractOverview(contract, tuple(years), contract_status(years), findings)


@dataclass(frozen=True)
class QuarantinedFile:
    """A file that was not stored, and why."""

    path: str
    quarantine_reason: str | None


@dataclass(frozen=True)
class IntakeState:
    """What ingest holds: stored files per kind, the last ingest, quarantined files, the invoices' years."""

    files_by_kind: dict[str, int]
    last_ingest: datetime | None
    quarantined: tuple[QuarantinedFile, ...]
    invoice_years: tuple[int, ...]  # calendar years with an invoice, newest first


def _quarantined(session: Session, *conditions: ColumnElement[bool]) -> tuple[QuarantinedFile, ...]:
    query = select(SourceFile).where(SourceFile.status == "quarantined", *conditions).order_by(SourceFile.path)
    return tuple(QuarantinedFile(source.path, source.quarantine_reason) for source in session.scalars(query))


def intake_state(session: Session) -> IntakeState:
    counts = session.execute(
        select(SourceFile.kind, func.count()).where(SourceFile.status == "ingested").group_by(SourceFile.kind)
    ).all()
    years = {day.year for day in session.scalars(select(Invoice.issue_date).distinct())}
    return IntakeState(
        files_by_kind={kind: count for kind, count in counts},
        last_ingest=session.scalar(select(func.max(SourceFile.ingested_at))),
        quarantined=_quarantined(session),
        invoice_years=tuple(sorted(years, reverse=True)),
    )


@dataclass(frozen=True)
class QualityRunRecord:
    """One data-quality suite run: when, on what, and which expectations failed."""

    dataset: str
    run_at: datetime
    files: int
    rows: int
    expectations: int
    failed_expectations: tuple[str, ...]
    seconds: Decimal


@dataclass(frozen=True)
class FailureRow:
    """A failing row with the file it came from and what happened to it."""

    path: str
    place: str
    dataset: str
    rule: str
    expectation: str
    columns: str
    value: str
    expected: str
    more_rows: int
    quarantined: bool


@dataclass(frozen=True)
class DataQualityState:
    """The data team's view: the latest run per suite, every current failure, other quarantined files, recent runs."""

    latest: tuple[QualityRunRecord, ...]
    failures: tuple[FailureRow, ...]
    other_quarantined: tuple[QuarantinedFile, ...]
    recent: tuple[QualityRunRecord, ...]


def _run_record(run: DataQualityRun) -> QualityRunRecord:
    return QualityRunRecord(
        run.dataset, run.run_at, run.files, run.rows, run.expectations, tuple(run.failed_expectations), run.seconds
    )


def failure_rows(session: Session) -> list[FailureRow]:
    """Every current data-quality failure, by file and place."""
    rows = session.execute(
        select(DataQualityFailure, SourceFile)
        .join(SourceFile, SourceFile.id == DataQualityFailure.source_file_id)
        .order_by(SourceFile.path, DataQualityFailure.id)
    ).all()
    return [
        FailureRow(
            source.path,
            failure.place,
            failure.dataset,
            failure.rule,
            failure.expectation,
            failure.columns,
            failure.value,
            failure.expected,
            failure.more_rows,
            source.status == "quarantined",
        )
        for failure, source in rows
    ]


def data_quality_state(session: Session, recent_runs: int) -> DataQualityState:
    """The latest run of each suite, the failures, quarantined files without a failure row, the ``recent_runs`` last runs."""
    latest_ids = select(func.max(DataQualityRun.id)).group_by(DataQualityRun.dataset)
    latest = session.scalars(
        select(DataQualityRun).where(DataQualityRun.id.in_(latest_ids)).order_by(DataQualityRun.dataset)
    ).all()
    recent = session.scalars(select(DataQualityRun).order_by(DataQualityRun.id.desc()).limit(recent_runs)).all()
    with_failures = select(DataQualityFailure.source_file_id)
    return DataQualityState(
        latest=tuple(_run_record(run) for run in latest),
        failures=tuple(failure_rows(session)),
        other_quarantined=_quarantined(session, SourceFile.id.not_in(with_failures)),
        recent=tuple(_run_record(run) for run in recent),
    )
