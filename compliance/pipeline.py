"""The pipeline's stages as plain functions; the CLI and the Airflow DAGs both call these.

Each stage takes the run's :class:`~compliance.context.Context` (settings, engine, contracts,
built once per command or task). Given bare ``Settings`` instead, as DAG tasks and tests call them,
a stage opens a context for the call and closes it after. Stages wire intake → assessment →
reports: the assessment's loaders read what is stored, the report modules only write it out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from hashlib import sha256
from pathlib import Path

from compliance.assessment.acceptance import AcceptedLine, accept_held_line
from compliance.assessment.contract_year import CheckSummary, run_checks, store_contract_terms
from compliance.assessment.evidence import EvidenceReader, YearEvidence
from compliance.assessment.hearing import (
    DecisionPreview,
    HearingRecord,
    correct_decision,
    hearing_record,
    hearings,
    penalty_case,
    preview_decision,
    preview_reopening,
    record_comment,
    record_decision,
    record_withdrawal,
    reopen_hearing,
)
from compliance.assessment.inputs import vehicle_facts as stored_vehicle_facts
from compliance.assessment.notices import (
    DeliveryAttempt,
    DiscrepancyNotice,
    discrepancy_notices,
    record_delivery,
    record_notice_file,
    sent_before,
)
from compliance.assessment.overview import ContractOverview, contract_overview, data_quality_state, intake_state
from compliance.assessment.plates import plates_in_data
from compliance.assessment.portfolio import Portfolio, portfolio_figures, portfolios_by_year
from compliance.assessment.results import (
    AssessedYear,
    all_findings,
    assessed_contract_years,
    early_warnings,
    unmatched_findings,
)
from compliance.base.errors import ComplianceError, ContractTermsError, ReportError, SettingsError, TerminalError, TransientError
from compliance.base.i18n import N_
from compliance.base.settings import INBOX_KINDS, Settings
from compliance.base.text import shown
from compliance.base.vocabulary import normalise_registration
from compliance.context import Context, context_for, settings_of
from compliance.contracts import ContractTerms
from compliance.ingest.driving_log import LogOptions
from compliance.intake.batch import IngestProgress, IngestSummary
from compliance.intake.files import list_input_files, unseen_files, unstored_files
from compliance.intake.parallel import ingest_with_workers
from compliance.intake.vehicles import DmrImportSummary, import_vehicle_file
from compliance.reports.annual import write_annual_report, year_report
from compliance.reports.data_quality import RECENT_RUNS, write_data_quality_page
from compliance.reports.language import Language, language
from compliance.reports.notices import (
    DeliveryOutcome,
    SmtpSettings,
    WrittenNotice,
    email_message,
    send_email,
    smtp_settings_from_env,
    write_notices,
)
from compliance.reports.overview import write_findings_csv, write_overview
from compliance.reports.pdf import pdf_available
from compliance.reports.portfolio import latest_with_spend, write_portfolio_pages
from compliance.reports.statement import penalty_statement_text, write_penalty_statement
from compliance.reports.views import ReportRun, WrittenReports, report_run
from compliance.reports.workbook import write_year_workbook
from compliance.store.db import migrate_database, session_scope
from compliance.store.quarantine import QuarantinedFile, act_on_quarantined_file, quarantined_files

logger = logging.getLogger(__name__)

Source = Context | Settings  # what a stage is called with: the run's context, or settings to open one for


def initialise_database(source: Source) -> None:
    """Create or migrate the compliance database (Alembic ``upgrade head``)."""
    migrate_database(settings_of(source).db_url)


def contract_terms(source: Source) -> tuple[list[ContractTerms], list[ContractTermsError]]:
    """All valid contracts in the contracts folder, and the errors of the files that are not."""
    with context_for(source) as context:
        return context.contracts, context.contract_errors


# -- intake ------------------------------------------------------------------------------------------


def ingest_files(
    source: Source,
    paths: Sequence[Path] | None = None,
    on_progress: Callable[[IngestProgress], None] | None = None,
    log_options: LogOptions | None = None,
) -> IngestSummary:
    """Ingest ``paths`` (default: the inbox); bad files are quarantined, the rest go on."""
    with context_for(source) as context:
        settings = context.settings
        return ingest_with_workers(
            context.engine,
            paths or [settings.inbox],
            settings.max_file_bytes,
            on_progress,
            batch_size=settings.ingest_batch_files,
            log_options=log_options,
            workers=settings.ingest_workers,
        )


def ingest_inbox_folder(source: Source, kind: str) -> IngestSummary:
    """Ingest the files in ``<inbox>/<kind>`` that are new or changed since they were last seen.

    What a file is comes from its content, never from the folder; the folder only says which
    Airflow asset its arrival updates. In ``vehicles`` a DMR extract keeps only the plates our
    data mentions (import the whole register with ``compliance vehicles import``).
    """
    if kind not in INBOX_KINDS:
        raise SettingsError(
            N_("no inbox folder kind {kind}"),
            expected=N_("one of {values}"),
            values={"kind": repr(kind), "values": ", ".join(INBOX_KINDS)},
        )
    folder = settings_of(source).inbox / kind
    if not folder.is_dir():
        return IngestSummary()
    with context_for(source) as context:
        settings, engine = context.settings, context.engine
        listing = list_input_files([folder])
        files = unseen_files(engine, listing.files)
        if kind != "vehicles":
            summary = ingest_with_workers(
                engine, files, settings.max_file_bytes, batch_size=settings.ingest_batch_files, workers=settings.ingest_workers
            )
            summary.skipped = listing.skipped + summary.skipped
            return summary
        summary = IngestSummary(skipped=list(listing.skipped))
        for file in files:
            with session_scope(engine) as session:
                plates = plates_in_data(session, context.contracts)
            result = import_vehicle_file(engine, file.path, settings.max_file_bytes, plates)
            if isinstance(result, IngestSummary):
                summary.merge(result)
            elif result.error is not None:
                summary.quarantined.append((shown(str(file.path)), shown(str(result.error))))
            else:
                summary.ingested.append(shown(str(file.path)))
        return summary


def pending_inbox_files(source: Source) -> list[str]:
    """The files in the inbox folders that no ingest has stored or quarantined yet (paths as shown).

    The checks DAG waits until this is empty, so that reports are never published from a partial
    ingest: when the invoice watcher finishes before the catalogue watcher has read the catalogues
    dropped with them, the checks would otherwise judge the invoices against last month's catalogues.
    """
    with context_for(source) as context:
        inbox = context.settings.inbox
        listing = list_input_files([inbox / kind for kind in INBOX_KINDS if (inbox / kind).is_dir()])
        return sorted(shown(str(file.path)) for file in unstored_files(context.engine, listing.files))


def quarantine_list(source: Source, everything: bool = False) -> list[QuarantinedFile]:
    """The quarantined files someone still has to look at (``everything``: also dismissed and released ones)."""
    with context_for(source) as context, session_scope(context.engine) as session:
        return quarantined_files(session, everything)


def act_on_quarantine(source: Source, file_id: int, action: str, reason: str, actor: str) -> QuarantinedFile:
    """Release (read again at the next ingest) or dismiss a quarantined file; recorded with who, when and why."""
    with context_for(source) as context, session_scope(context.engine) as session:
        return act_on_quarantined_file(session, file_id, action, reason, actor)


def import_vehicles(
    source: Source,
    file: Path,
    only_plates_in_data: bool = False,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary | IngestSummary:
    """Import a DMR extract (streamed) or a declared-vehicles CSV; ``only_plates_in_data`` keeps only the
    DMR records of plates our invoices, logs and register mention."""
    with context_for(source) as context:
        plates = None
        if only_plates_in_data:
            with session_scope(context.engine) as session:
                plates = plates_in_data(session, context.contracts)
        return import_vehicle_file(context.engine, file, context.settings.max_file_bytes, plates, on_progress)


def vehicle_facts(source: Source, plate: str) -> dict[str, object] | None:
    """What the register says about one plate (written as on a number plate or not), and the §2.1 verdict."""
    with context_for(source) as context, session_scope(context.engine) as session:
        return stored_vehicle_facts(session, normalise_registration(plate))


# -- assessment --------------------------------------------------------------------------------------


def check_contracts(
    source: Source, contract_id: str | None = None, year: int | None = None, as_of: date | None = None
) -> tuple[CheckSummary, list[ContractTermsError]]:
    """Run every check for the selected contracts and years; store findings and assessments."""
    with context_for(source) as context:
        return run_checks(context.engine, context.contracts, contract_id, year, as_of), context.contract_errors


def prepare_contract_checks(source: Source) -> None:
    """Migrate the database and store the contracts' terms: what a DAG run does once before its mapped
    per-contract tasks, which then write only their own contract's rows."""
    with context_for(source) as context:
        initialise_database(context)
        store_contract_terms(context.engine, context.contracts)


def contract_ids(source: Source, only: str | None = None) -> list[str]:
    """The ids of the valid contracts (``only`` picks one; an unknown id is an error naming the known ones)."""
    with context_for(source) as context:
        ids = sorted(contract.id for contract in context.contracts)
        if only:
            if only not in ids:
                raise SettingsError(
                    N_("there is no valid contract {contract} in {folder}"),
                    expected=N_("one of {values}"),
                    values={"contract": repr(only), "folder": str(context.settings.contracts_dir), "values": ", ".join(ids)},
                )
            return [only]
        return ids


def portfolio(source: Source, year: int) -> Portfolio:
    """Portfolio figures for a calendar year (spend shares per buyer unit and category, green terms)."""
    with context_for(source) as context:
        return portfolio_figures(context.engine, context.contracts, year)


def accept_line(
    source: Source,
    invoice_number: str,
    line_id: str,
    reason: str,
    actor: str,
    supplier_cvr: str | None = None,
    as_of: date | None = None,
) -> AcceptedLine:
    """A contract manager accepts a held-out line (a negative quantity); its contracts are checked again,
    so the line counts at once."""
    with context_for(source) as context:
        with session_scope(context.engine, exclusive=True) as session:
            accepted = accept_held_line(session, invoice_number, line_id, reason, actor, supplier_cvr)
        for contract_id in accepted.contract_ids:
            if any(contract.id == contract_id for contract in context.contracts):
                run_checks(context.engine, context.contracts, contract_id, None, as_of)
        return accepted


# -- hearings (§2.1) -----------------------------------------------------------------------------------


def hearing_list(source: Source) -> list[HearingRecord]:
    """Every hearing, by contract and year."""
    with context_for(source) as context, session_scope(context.engine) as session:
        return hearings(session)


def _contract(context: Context, contract_id: str) -> ContractTerms:
    """The contract with this id among the valid contract files, or an error naming the ones there are."""
    for contract in context.contracts:
        if contract.id == contract_id:
            return contract
    raise TerminalError(
        N_("no contract {contract}"),
        contract=contract_id,
        expected=N_("one of {values}"),
        values={"contract": repr(contract_id), "values": ", ".join(c.id for c in context.contracts)},
    )


def hearing_statement(source: Source, contract_id: str, year: int, language_code: str | None = None) -> str:
    """The penalty statement of one contract year as text: the calculation and every step of the hearing."""
    with context_for(source) as context:
        lang = language(language_code or context.settings.report_language)
        contract = _contract(context, contract_id)
        with session_scope(context.engine) as session:
            outcome, record = penalty_case(session, contract_id, year)
        return penalty_statement_text(contract, outcome, record, lang)


def comment_on_hearing(source: Source, contract_id: str, year: int, text: str, actor: str) -> HearingRecord:
    """Record the supplier's comment on a proposed penalty."""
    with context_for(source) as context, session_scope(context.engine, exclusive=True, contracts=[contract_id]) as session:
        return hearing_record(record_comment(session, contract_id, year, text, actor))


def decide_hearing(
    source: Source,
    contract_id: str,
    year: int,
    decision: str,
    reason: str,
    actor: str,
    today: date,
    amount: Decimal | None = None,
) -> HearingRecord:
    """The contract manager's decision on a proposed penalty: confirm, reduce or waive."""
    with context_for(source) as context, session_scope(context.engine, exclusive=True, contracts=[contract_id]) as session:
        return hearing_record(record_decision(session, contract_id, year, decision, reason, actor, today, amount))


def preview_hearing_decision(
    source: Source,
    contract_id: str,
    year: int,
    decision: str,
    reason: str,
    actor: str,
    today: date,
    amount: Decimal | None = None,
    correction: bool = False,
) -> DecisionPreview:
    """What a decision (or, with ``correction``, a corrected decision) would store, before it is stored."""
    with context_for(source) as context, session_scope(context.engine) as session:
        return preview_decision(session, contract_id, year, decision, reason, actor, today, amount, correction)


def correct_hearing_decision(
    source: Source,
    contract_id: str,
    year: int,
    decision: str,
    reason: str,
    actor: str,
    today: date,
    amount: Decimal | None = None,
) -> HearingRecord:
    """A contract manager's correction of a decision, recorded as a new step with its reason."""
    with context_for(source) as context, session_scope(context.engine, exclusive=True, contracts=[contract_id]) as session:
        return hearing_record(correct_decision(session, contract_id, year, decision, reason, actor, today, amount))


def preview_hearing_reopening(source: Source, contract_id: str, year: int, reason: str, actor: str) -> DecisionPreview:
    """What reopening a decided hearing would store, before it is stored."""
    with context_for(source) as context, session_scope(context.engine) as session:
        return preview_reopening(session, contract_id, year, reason, actor)


def reopen_decided_hearing(source: Source, contract_id: str, year: int, reason: str, actor: str) -> HearingRecord:
    """A contract manager reopens a decided hearing, recorded as a new step with its reason."""
    with context_for(source) as context, session_scope(context.engine, exclusive=True, contracts=[contract_id]) as session:
        return hearing_record(reopen_hearing(session, contract_id, year, reason, actor))


def withdraw_hearing(source: Source, contract_id: str, year: int, reason: str, actor: str) -> HearingRecord:
    """A contract manager withdraws an open proposal, with a reason (a later check never does)."""
    with context_for(source) as context, session_scope(context.engine, exclusive=True, contracts=[contract_id]) as session:
        return hearing_record(record_withdrawal(session, contract_id, year, reason, actor))


# -- reports -----------------------------------------------------------------------------------------


def write_contract_reports(
    source: Source,
    contract_id: str | None = None,
    year: int | None = None,
    out_dir: Path | None = None,
    language_code: str | None = None,
    contract_years: bool = True,
    overview: bool = True,
) -> WrittenReports:
    """Write the annual reports (HTML, PDF, XLSX), penalty statements and the overview from what the checks stored;
    ``contract_years`` / ``overview`` select one of the two parts (see :func:`write_reports`)."""
    with context_for(source) as context:
        settings = context.settings
        return write_reports(
            context,
            out_dir or settings.reports_dir,
            contract_id,
            year,
            language(language_code or settings.report_language),
            contract_years,
            overview,
        )


def write_reports(
    context: Context,
    out_dir: Path,
    contract_id: str | None = None,
    year: int | None = None,
    lang: Language | None = None,
    contract_years: bool = True,
    overview: bool = True,
) -> WrittenReports:
    """Write per assessed contract year: the HTML report, its PDF and XLSX, the penalty statement when there
    is a hearing; then ``index.html`` (the overview), ``portfolio-<year>.html``, ``findings.csv`` and
    ``data-quality.html``. ``contract_years=False`` writes only the overview pages, ``overview=False``
    only the contract years (the DAG writes contracts in parallel tasks, then the overview once)."""
    run = report_run(out_dir, lang or Language("da"), context.settings.report_workers)
    written = WrittenReports(index=out_dir / "index.html", pdf_skipped=run.pdf_skipped)
    contracts = context.contracts
    overviews: list[ContractOverview] = []
    with session_scope(context.engine) as session:
        evidence = EvidenceReader(session, contracts)
        for contract in contracts:
            if not overview and contract_id and contract.id != contract_id:
                continue
            years = assessed_contract_years(session, contract.id)
            for assessed in years:
                if not contract_years or (contract_id and contract.id != contract_id) or (year and assessed.number != year):
                    continue
                _write_contract_year(run, contract, assessed, evidence.year(contract, contract.year(assessed.number)), written)
            overviews.append(contract_overview(contract, years))
        if not overview:
            run.pdfs.finish()
            return written
        written.findings_csv = write_findings_csv(run, all_findings(session))
        written.data_quality = write_data_quality_page(run, data_quality_state(session, RECENT_RUNS))
        unmatched = unmatched_findings(session)
        intake = intake_state(session)
    figures = portfolios_by_year(context.engine, contracts, intake.invoice_years) if intake.invoice_years else {}
    write_overview(run, overviews, unmatched, intake, context.contract_errors, latest_with_spend(figures, intake.invoice_years))
    write_portfolio_pages(run, figures, intake.invoice_years)
    run.pdfs.finish()
    return written


def _write_contract_year(
    run: ReportRun, contract: ContractTerms, assessed: AssessedYear, evidence: YearEvidence, written: WrittenReports
) -> None:
    """One contract year's files: the annual report (HTML, PDF), its workbook, and the penalty statement."""
    report = year_report(contract, assessed, run.lang)
    write_annual_report(run, report, written)
    write_year_workbook(run, report, evidence, written)
    if report.notice is not None and report.green is not None:
        write_penalty_statement(run, contract, report.green, report.notice, written)


def write_supplier_notices(
    source: Source,
    contract_id: str | None = None,
    year: int | None = None,
    language_code: str | None = None,
    today: date | None = None,
) -> list[WrittenNotice]:
    """Write a discrepancy notice (HTML, PDF) per contract year and supplier into ``<reports>/notices``."""
    with context_for(source) as context:
        lang = language(language_code or context.settings.report_language)
        today = today or date.today()
        now = datetime.now(UTC)
        # One writer from deciding a notice's deadline to recording where its letter is.
        with session_scope(context.engine, exclusive=True, contracts=[contract_id] if contract_id else None) as session:
            notices: list[tuple[ContractTerms, DiscrepancyNotice]] = []
            for contract in context.contracts:
                if contract_id and contract.id != contract_id:
                    continue
                notices += [(contract, notice) for notice in discrepancy_notices(session, contract, today, now, year)]
            written = write_notices(notices, context.settings.reports_dir, lang, now, context.settings.report_workers)
            for letter in written:
                record_notice_file(session, letter.notice_id, str(letter.pdf or letter.html))
        return written


def send_supplier_notices(
    source: Source,
    notices: list[WrittenNotice],
    dry_run: bool = False,
    resend: bool = False,
    smtp: SmtpSettings | None = None,
) -> list[DeliveryOutcome]:
    """E-mail each notice's PDF to the supplier (SMTP from ``smtp``, else ``COMPLIANCE_SMTP_*``) and record
    every attempt; a dry run only reports.

    A notice whose content was already sent to the same address is not sent again unless ``resend``.
    One failed send is recorded and the others go on.
    """
    server = smtp or smtp_settings_from_env()
    if not dry_run and server is None:
        raise ReportError(
            N_("no mail server is configured"),
            expected=N_("COMPLIANCE_SMTP_HOST and COMPLIANCE_SMTP_FROM (or an Airflow SMTP connection), or --dry-run"),
        )
    outcomes: list[DeliveryOutcome] = []
    with context_for(source) as context:
        for notice in notices:
            if not notice.recipient:
                outcomes.append(DeliveryOutcome.of(notice, "no_recipient", N_("the contract terms have no supplier.email")))
                continue
            if dry_run:
                outcomes.append(
                    DeliveryOutcome.of(
                        notice,
                        "dry_run",
                        N_("would send {file} to {recipient}"),
                        file=str(notice.pdf or notice.html),
                        recipient=notice.recipient,
                    )
                )
                continue
            assert server is not None
            if notice.pdf is None:
                raise ReportError(f"cannot e-mail {notice.html.name}: {pdf_available()}", file=str(notice.html))
            # One writer at a time from the check to the record, so two runs never send the same notice twice.
            with session_scope(context.engine, exclusive=True, contracts=[notice.contract_id]) as session:
                previous = sent_before(session, notice.notice_id, notice.recipient, notice.content_sha256, notice.letter_sha256)
                if previous is not None and not resend:
                    outcomes.append(
                        DeliveryOutcome.of(
                            notice,
                            "already_sent",
                            N_("sent to {recipient} on {when} UTC"),
                            recipient=notice.recipient,
                            when=f"{previous:%Y-%m-%d %H:%M}",
                        )
                    )
                    continue
                attachment = notice.pdf.read_bytes()
                message = email_message(notice, server, attachment)
                failure = send_email(message, server)
                error = failure.error if failure else None
                record_delivery(
                    session,
                    DeliveryAttempt(
                        notice_id=notice.notice_id,
                        attempted_at=datetime.now(UTC),
                        recipient=notice.recipient,
                        sender=server.sender,
                        smtp_host=f"{server.host}:{server.port}",
                        message_id=str(message["Message-ID"]),
                        attachment_name=notice.pdf.name,
                        attachment_sha256=sha256(attachment).hexdigest(),
                        content_sha256=notice.content_sha256,
                        letter_sha256=notice.letter_sha256,
                        error=error,
                    ),
                )
            if error:  # the mail server's own words
                outcomes.append(DeliveryOutcome(notice, "failed", error, failure.temporary if failure else False))
            else:
                outcomes.append(
                    DeliveryOutcome.of(
                        notice, "sent", N_("sent to {recipient} via {host}"), recipient=notice.recipient, host=server.host
                    )
                )
    return outcomes


# -- the whole run -----------------------------------------------------------------------------------


@dataclass
class PipelineResult:
    ingest: IngestSummary
    checks: CheckSummary
    reports: WrittenReports
    contract_errors: list[ContractTermsError] = field(default_factory=list)
    notices: list[WrittenNotice] = field(default_factory=list)


def run_pipeline(source: Source, as_of: date | None = None) -> PipelineResult:
    """Everything the scheduled DAG does: migrate, ingest the inbox, check, report, write (not send) notices."""
    with context_for(source) as context:
        initialise_database(context)
        ingest = ingest_files(context)
        checks, errors = check_contracts(context, as_of=as_of)
        reports = write_contract_reports(context)
        notices = write_supplier_notices(context, today=as_of)
        return PipelineResult(ingest, checks, reports, errors, notices)


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
    source: Source, contract_id: str, year: int | None = None, as_of: date | None = None
) -> ContractRun:
    """Check one contract and write its contract-year reports (not the overview): one mapped task of the DAGs."""
    with context_for(source) as context:
        summary, _errors = check_contracts(context, contract_id, year, as_of)
        written = write_contract_reports(context, contract_id, year, overview=False)
        with session_scope(context.engine) as session:
            warnings = early_warnings(session, contract_id)
    return ContractRun(
        contract_id,
        summary.years,
        summary.findings,
        summary.shortfalls,
        warnings,
        [str(path) for path in [*written.annual, *written.pdf, *written.xlsx, *written.statements]],
    )


@dataclass
class ContractFailure:
    """A contract of a batch whose check or reports failed: its id, the error in words, and whether
    trying again later may succeed (a locked or unreachable database)."""

    contract_id: str
    error: str
    transient: bool

    def as_json(self) -> dict[str, object]:
        return {"contract_id": self.contract_id, "error": self.error, "transient": self.transient}


@dataclass
class ContractBatchRun:
    """What checking and reporting a batch of contracts did: each contract's run, and the contracts that failed."""

    runs: list[ContractRun] = field(default_factory=list)
    failures: list[ContractFailure] = field(default_factory=list)


def contract_batches(ids: Sequence[str], per_batch: int) -> list[list[str]]:
    """``ids`` in order, ``per_batch`` at a time: the contracts one DAG task checks in one process."""
    size = max(1, per_batch)
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def check_and_report_contracts(
    source: Source, contract_ids_: Sequence[str], year: int | None = None, as_of: date | None = None
) -> ContractBatchRun:
    """:func:`check_and_report_contract` for each of several contracts in one process and one context (the
    start-up of a task, 3–6 s, is paid once), each on its own: a contract that fails is recorded with its
    error and the others go on (the caller decides whether the batch failed)."""
    batch = ContractBatchRun()
    with context_for(source) as context:
        for contract_id in contract_ids_:
            try:
                batch.runs.append(check_and_report_contract(context, contract_id, year, as_of))
            except Exception as error:  # one contract's failure stays with that contract; the others go on
                # As a task would treat it: a terminal ComplianceError is not tried again, anything else is.
                transient = error.transient if isinstance(error, ComplianceError) else True
                logger.exception("contract %s failed; the batch goes on", contract_id)
                batch.failures.append(ContractFailure(contract_id, f"{type(error).__name__}: {error}", transient))
    return batch


def batch_failure(batch: ContractBatchRun) -> ComplianceError | None:
    """The error a batch task ends with once every contract has had its turn: none when all succeeded; a
    transient one (tried again) when every failure may pass; else a terminal one (fails at once)."""
    if not batch.failures:
        return None
    failed = "; ".join(f"{failure.contract_id}: {failure.error}" for failure in batch.failures)
    message = f"{len(batch.failures)} of {len(batch.failures) + len(batch.runs)} contracts failed ({failed})"
    if all(failure.transient for failure in batch.failures):
        return TransientError(message, expected="the same contracts to succeed when tried again")
    return TerminalError(message, expected="each failing contract corrected (the others' reports are written)")
