"""The pipeline's stages as plain functions; the CLI and the Airflow DAG both call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from compliance.checks.runner import CheckSummary, run_checks
from compliance.contracts import ContractTerms, load_contracts
from compliance.errors import ContractTermsError
from compliance.ingest.driving_log import LogOptions
from compliance.ingest.loading import IngestProgress, IngestSummary, ingest_paths
from compliance.portfolio import Portfolio, portfolio_figures
from compliance.reports.annual import WrittenReports, write_reports
from compliance.reports.language import language
from compliance.reports.notices import (
    DeliveryOutcome,
    SmtpSettings,
    WrittenNotice,
    deliver_notices,
    smtp_settings_from_env,
    write_notices,
)
from compliance.settings import Settings
from compliance.store.db import make_engine, migrate_database


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
        return ingest_paths(engine, paths or [settings.inbox], settings.max_file_bytes, on_progress, log_options=log_options)
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
) -> WrittenReports:
    """Write the annual reports (HTML, PDF, XLSX), penalty statements and the overview from what the checks stored."""
    contracts, errors = contract_terms(settings)
    lang = language(language_code or settings.report_language)
    engine = make_engine(settings.db_url)
    try:
        return write_reports(engine, contracts, out_dir or settings.reports_dir, contract_id, year, errors, lang)
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
