"""The pipeline's stages as plain functions; the CLI and the Airflow DAG both call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from compliance.assessment.contract_year import CheckSummary, run_checks
from compliance.assessment.plates import plates_in_data
from compliance.assessment.portfolio import Portfolio, portfolio_figures
from compliance.base.errors import ContractTermsError, SettingsError
from compliance.base.settings import INBOX_KINDS, Settings
from compliance.checks.green_vehicles import RULE_EARLY_WARNING
from compliance.contracts import ContractTerms, load_contracts
from compliance.ingest.driving_log import LogOptions
from compliance.intake.batch import IngestProgress, IngestSummary, ingest_paths
from compliance.intake.files import iter_input_files, unseen_files
from compliance.intake.vehicles import import_vehicle_file
from compliance.reports.annual import WrittenReports, write_reports
from compliance.reports.language import language, rule_base
from compliance.reports.notices import (
    DeliveryOutcome,
    SmtpSettings,
    WrittenNotice,
    deliver_notices,
    smtp_settings_from_env,
    write_notices,
)
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import Finding


def initialise_database(settings: Settings) -> None:
    """Create or migrate the compliance database (Alembic ``upgrade head``)."""
    migrate_database(settings.db_url)


def ingest_files(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    on_progress: Callable[[IngestProgress], None] | None = None,
    log_options: LogOptions | None = None,
) -> IngestSummary:
    """Ingest ``paths`` (default: the inbox); bad files are quarantined, the rest go on."""
    engine = make_engine(settings.db_url)
    try:
        return ingest_paths(
            engine,
            paths or [settings.inbox],
            settings.max_file_bytes,
            on_progress,
            batch_size=settings.ingest_batch_files,
            log_options=log_options,
        )
    finally:
        engine.dispose()


def ingest_inbox_folder(settings: Settings, kind: str) -> IngestSummary:
    """Ingest the files in ``<inbox>/<kind>`` that are new or changed since they were last seen.

    What a file is comes from its content, never from the folder; the folder only says which
    Airflow asset its arrival updates. In ``vehicles`` a DMR extract keeps only the plates our
    data mentions (import the whole register with ``compliance vehicles import``).
    """
    if kind not in INBOX_KINDS:
        raise SettingsError(f"no inbox folder kind {kind!r}", expected="one of " + ", ".join(INBOX_KINDS))
    folder = settings.inbox / kind
    if not folder.is_dir():
        return IngestSummary()
    engine = make_engine(settings.db_url)
    try:
        files = unseen_files(engine, list(iter_input_files([folder])))
        if kind != "vehicles":
            return ingest_paths(engine, files, settings.max_file_bytes, batch_size=settings.ingest_batch_files)
        summary = IngestSummary()
        contracts, _errors = contract_terms(settings)
        for path in files:
            with session_scope(engine) as session:
                plates = plates_in_data(session, contracts)
            result = import_vehicle_file(engine, path, settings.max_file_bytes, plates)
            if isinstance(result, IngestSummary):
                summary.merge(result)
            elif result.error is not None:
                summary.quarantined.append((str(path), str(result.error)))
            else:
                summary.ingested.append(str(path))
        return summary
    finally:
        engine.dispose()


def contract_terms(settings: Settings) -> tuple[list[ContractTerms], list[ContractTermsError]]:
    """All valid contracts in the contracts folder, and the errors of the files that are not."""
    if not settings.contracts_dir.is_dir():
        return [], [
            ContractTermsError(
                "the contracts folder does not exist",
                file=str(settings.contracts_dir),
                expected="a folder of *.yaml files (COMPLIANCE_CONTRACTS_DIR)",
            )
        ]
    return load_contracts(settings.contracts_dir)


def check_contracts(
    settings: Settings, contract_id: str | None = None, year: int | None = None, as_of: date | None = None
) -> tuple[CheckSummary, list[ContractTermsError]]:
    """Run every check for the selected contracts and years; store findings and assessments."""
    contracts, errors = contract_terms(settings)
    engine = make_engine(settings.db_url)
    try:
        return run_checks(engine, contracts, contract_id, year, as_of), errors
    finally:
        engine.dispose()


def write_contract_reports(
    settings: Settings,
    contract_id: str | None = None,
    year: int | None = None,
    out_dir: Path | None = None,
    language_code: str | None = None,
    contract_years: bool = True,
    overview: bool = True,
) -> WrittenReports:
    """Write the annual reports (HTML, PDF, XLSX), penalty statements and the overview from what the checks stored;
    ``contract_years`` / ``overview`` select one of the two parts (see :func:`write_reports`)."""
    contracts, errors = contract_terms(settings)
    lang = language(language_code or settings.report_language)
    engine = make_engine(settings.db_url)
    try:
        return write_reports(
            engine, contracts, out_dir or settings.reports_dir, contract_id, year, errors, lang, contract_years, overview
        )
    finally:
        engine.dispose()


def write_supplier_notices(
    settings: Settings,
    contract_id: str | None = None,
    year: int | None = None,
    language_code: str | None = None,
    today: date | None = None,
) -> list[WrittenNotice]:
    """Write a discrepancy notice (HTML, PDF) per contract year and supplier into ``<reports>/notices``."""
    contracts, _ = contract_terms(settings)
    engine = make_engine(settings.db_url)
    try:
        lang = language(language_code or settings.report_language)
        return write_notices(engine, contracts, settings.reports_dir, lang, contract_id, year, today)
    finally:
        engine.dispose()


def send_supplier_notices(
    settings: Settings,
    notices: list[WrittenNotice],
    dry_run: bool = False,
    resend: bool = False,
    smtp: SmtpSettings | None = None,
) -> list[DeliveryOutcome]:
    """E-mail the notices (SMTP from ``smtp``, else ``COMPLIANCE_SMTP_*``); every attempt is recorded."""
    engine = make_engine(settings.db_url)
    try:
        return deliver_notices(engine, notices, smtp or smtp_settings_from_env(), dry_run, resend)
    finally:
        engine.dispose()


def portfolio(settings: Settings, year: int) -> Portfolio:
    """Portfolio figures for a calendar year (spend shares per buyer unit and category, green terms)."""
    contracts, _ = contract_terms(settings)
    engine = make_engine(settings.db_url)
    try:
        return portfolio_figures(engine, contracts, year)
    finally:
        engine.dispose()


@dataclass
class PipelineResult:
    ingest: IngestSummary
    checks: CheckSummary
    reports: WrittenReports
    contract_errors: list[ContractTermsError] = field(default_factory=list)
    notices: list[WrittenNotice] = field(default_factory=list)


def run_pipeline(settings: Settings, as_of: date | None = None) -> PipelineResult:
    """Everything the scheduled DAG does: migrate, ingest the inbox, check, report, write (not send) notices."""
    initialise_database(settings)
    ingest = ingest_files(settings)
    checks, errors = check_contracts(settings, as_of=as_of)
    reports = write_contract_reports(settings)
    notices = write_supplier_notices(settings, today=as_of)
    return PipelineResult(ingest, checks, reports, errors, notices)


def contract_ids(settings: Settings, only: str | None = None) -> list[str]:
    """The ids of the valid contracts (``only`` picks one; an unknown id is an error naming the known ones)."""
    contracts, _errors = contract_terms(settings)
    ids = sorted(contract.id for contract in contracts)
    if only:
        if only not in ids:
            raise SettingsError(
                f"there is no valid contract {only!r} in {settings.contracts_dir}", expected="one of " + ", ".join(ids)
            )
        return [only]
    return ids


@dataclass
class ContractRun:
    """What checking and reporting one contract did; JSON-ready for an Airflow XCom."""

    contract_id: str
    years: int
    findings: int
    shortfalls: list[str]
    early_warnings: list[str]
    reports: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "contract_id": self.contract_id,
            "years": self.years,
            "findings": self.findings,
            "shortfalls": self.shortfalls,
            "early_warnings": self.early_warnings,
            "reports": self.reports,
        }


def check_and_report_contract(
    settings: Settings, contract_id: str, year: int | None = None, as_of: date | None = None
) -> ContractRun:
    """Check one contract and write its contract-year reports (not the overview): one mapped task of the DAGs."""
    summary, _errors = check_contracts(settings, contract_id, year, as_of)
    written = write_contract_reports(settings, contract_id, year, overview=False)
    engine = make_engine(settings.db_url)
    try:
        with session_scope(engine) as session:
            warnings = session.scalars(
                select(Finding.message)
                .where(Finding.contract_id == contract_id, Finding.rule_id.startswith(rule_base(RULE_EARLY_WARNING) + "@"))
                .order_by(Finding.contract_year)
            ).all()
    finally:
        engine.dispose()
    return ContractRun(
        contract_id,
        summary.years,
        summary.findings,
        summary.shortfalls,
        list(warnings),
        [str(path) for path in [*written.annual, *written.pdf, *written.xlsx, *written.statements]],
    )
