"""The ``compliance`` command: the same pipeline stages the Airflow DAGs run, one command each."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, TextIO

import click

from compliance.base.errors import ComplianceError, ContractTermsError, SourceFileError
from compliance.base.formatting import parse_amount
from compliance.base.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translate
from compliance.base.settings import INBOX_KINDS, Settings, load_settings
from compliance.base.text import character_code, find_control_character, shown, shown_lines
from compliance.base.texts import render_error, render_note, render_reason

# Start-up (issue 21 item 2): only click and the base layer are imported with the command, so that
# ``compliance --help`` and a mistyped option answer at once. Each command imports what it uses
# (SQLAlchemy, Alembic, lxml, openpyxl, WeasyPrint, ...) when it runs; ``pipeline`` is loaded on first use.
if TYPE_CHECKING:
    from compliance import pipeline
    from compliance.assessment.contract_year import CheckSummary
    from compliance.assessment.hearing import DecisionPreview, HearingRecord, ShortfallHearing
    from compliance.context import Context
    from compliance.intake.batch import IngestProgress, IngestSummary
    from compliance.reports.language import Language
    from compliance.reports.views import WrittenReports
else:

    class _OnFirstUse:
        """A module imported the first time one of its attributes is read."""

        def __init__(self, name: str) -> None:
            self._name = name
            self._module: ModuleType | None = None

        def __getattr__(self, attribute: str) -> Any:
            if self._module is None:
                self._module = import_module(self._name)
            return getattr(self._module, attribute)

    pipeline = _OnFirstUse("compliance.pipeline")


class Refusal(click.ClickException):
    """A command's refusal as the person reads it: in their language, headed "Fejl:" (click writes "Error:")."""

    def __init__(self, message: str, lang: str) -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file: IO[Any] | None = None) -> None:
        text = translate(N_("Error: {message}"), self.lang).format(message=self.format_message())
        click.echo(shown_lines(text), file=file, err=file is None)


def _refusal_language() -> str:
    """The language of a refusal: the command's ``--lang``, else COMPLIANCE_REPORT_LANGUAGE, else Danish (read
    without the settings: a refusal may be of the settings themselves)."""
    context = click.get_current_context(silent=True)
    code = context.params.get("language_code") if context is not None else None
    code = code or os.environ.get("COMPLIANCE_REPORT_LANGUAGE", "").strip().lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def _refused(error: ComplianceError) -> Refusal:
    lang = _refusal_language()
    return Refusal(shown(render_error(error, lang)), lang)


def _refuse(text: str, **values: object) -> Refusal:
    """A refusal of the command itself: ``text`` a catalog text (marked ``N_``), its fields filled in."""
    lang = _refusal_language()
    return Refusal(translate(text, lang).format(**values), lang)


def _settings() -> Settings:
    try:
        return load_settings()
    except ComplianceError as exc:
        raise _refused(exc) from exc


@contextmanager
def _context() -> Iterator[Context]:
    """The command's one context (settings, engine, contracts), closed when the command ends; any
    ``ComplianceError`` inside it (a bad setting, a busy database) is the command's error message."""
    from compliance.context import open_context

    with _click_errors(), open_context(_settings()) as context:
        yield context


@contextmanager
def _click_errors() -> Iterator[None]:
    """A ``ComplianceError`` raised in the block becomes the command's error message (exit 1)."""
    try:
        yield
    except ComplianceError as exc:
        raise _refused(exc) from exc


def _echo(text: str, err: bool = False) -> None:
    """Print text that may hold stored or supplier text: control characters other than tab and line
    feed, bidirectional overrides and undecodable bytes are shown escaped, never sent to the terminal."""
    click.echo(shown_lines(text), err=err)


def _json(value: object) -> str:
    """JSON for the terminal: Danish letters as they are, every character a terminal could act on as a JSON escape."""
    return re.sub(
        "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
        lambda match: f"\\u{ord(match.group()):04x}",
        json.dumps(value, indent=2, ensure_ascii=False),
    )


def _counts(lang: Language, summary: IngestSummary) -> str:
    return _say(
        lang,
        N_("ingested {ingested}, duplicates {duplicates}, quarantined {quarantined}"),
        ingested=len(summary.ingested),
        duplicates=len(summary.duplicates),
        quarantined=len(summary.quarantined),
    )


def _print_ingest(summary: IngestSummary) -> None:
    lang = _cli_language()
    skipped = _say(lang, N_(", skipped {count}"), count=len(summary.skipped)) if summary.skipped else ""
    _echo(_counts(lang, summary) + skipped)
    if summary.quality_runs:
        suites = sorted({run.dataset for run in summary.quality_runs})
        _echo(
            _say(
                lang,
                N_("data quality: {rows} rows checked by the suites {suites}, {count} file(s) quarantined by an expectation"),
                rows=lang.number(summary.quality_rows),
                suites=", ".join(suites),
                count=len(summary.quality_quarantined),
            )
        )
    for _path, reason in summary.quarantined:
        _echo(_say(lang, N_("  quarantined: {reason}"), reason=shown(render_reason(reason, lang.code))), err=True)
    for path, reason in summary.skipped:  # the reason is one of the listing's notes (a link, a pipe, …): in the catalog
        _echo(
            _say(lang, N_("  skipped: {path}: {reason}"), path=shown(path), reason=shown(render_note(reason, lang.code))),
            err=True,
        )


def _refuse_link(path: Path) -> None:
    """A file named on the command line that is a symbolic link is refused: links are never followed."""
    from compliance.intake.files import LINK_NOTE

    if path.is_symlink():
        raise _refuse(N_("{path}: {note}"), path=shown(str(path)), note=translate(LINK_NOTE, _refusal_language()))


class TerminalProgress:
    """One self-overwriting status line on a terminal; silent when output is a file or a pipe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.last = 0.0

    def __call__(self, progress: IngestProgress) -> None:
        finished = progress.files_done == progress.files_total
        if not self.enabled or (progress.seconds - self.last < 0.2 and not finished):
            return
        self.last = progress.seconds
        lang = _cli_language()
        rate = _say(
            lang,
            N_("{done}/{total} files, {rate} files/s"),
            done=progress.files_done,
            total=progress.files_total,
            rate=f"{progress.files_per_second:.0f}",
        )
        self.stream.write(f"\r{rate} · {_counts(lang, progress.summary)}" + ("\n" if finished else ""))
        self.stream.flush()


def _print_contract_errors(errors: list[ContractTermsError]) -> None:
    lang = _cli_language()
    for error in errors:
        _echo(_say(lang, N_("  contract rejected: {error}"), error=render_reason(str(error), lang.code)), err=True)


def _print_checks(summary: CheckSummary) -> None:
    lang = _cli_language()
    held_out = (
        _say(
            lang,
            N_(", {count} document(s) held out: they cite a contract that does not list their issuer"),
            count=summary.held_out_documents,
        )
        if summary.held_out_documents
        else ""
    )
    _echo(
        _say(
            lang,
            N_(
                "checked {contracts} contract(s), {years} contract year(s): {findings} finding(s), {unmatched} invoice(s) matching no contract"
            ),
            contracts=summary.contracts,
            years=summary.years,
            findings=lang.number(summary.findings),
            unmatched=summary.unmatched_invoices,
        )
        + held_out
    )
    for hearing in summary.hearings:
        _echo(_say(lang, N_("  shortfall: {line}"), line=_shortfall(lang, hearing)))


def _shortfall(lang: Language, hearing: ShortfallHearing) -> str:
    """A year that fell short, in one line: the proposed penalty and the hearing, or the decision once made."""
    if hearing.decided_on is not None and hearing.decided is not None:
        return _say(
            lang,
            N_("{contract} year {year}: penalty {proposed} proposed; {status} on {date}: {decided} imposed"),
            contract=hearing.contract_id,
            year=hearing.year,
            proposed=lang.money(hearing.proposed),
            status=lang.status(hearing.status),
            date=lang.date(hearing.decided_on),
            decided=lang.money(hearing.decided),
        )
    return _say(
        lang,
        N_("{contract} year {year}: penalty {proposed}, hearing {status}"),
        contract=hearing.contract_id,
        year=hearing.year,
        proposed=lang.money(hearing.proposed),
        status=lang.status(hearing.status),
    )


# What happened to a notice (compliance.reports.notices.DeliveryOutcome.outcome), in words.
DELIVERY_OUTCOMES = {
    "sent": N_("sent"),
    "failed": N_("failed"),
    "already_sent": N_("already sent"),
    "no_recipient": N_("no recipient"),
    "dry_run": N_("not sent (dry run)"),
}
# A contract year counts from 1; a larger number than any contract runs (or a row id beyond 64 bits) is a
# usage error, not an overflow in the database driver.
CONTRACT_YEAR = click.IntRange(1, 999)
ROW_ID = click.IntRange(1, 2**63 - 1)
LANGUAGE_OPTION = click.option(
    "--lang",
    "language_code",
    type=click.Choice(["da", "en"]),
    help="Report language (default: COMPLIANCE_REPORT_LANGUAGE, else Danish).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Monitor green terms in supplier contracts: ingest invoices, catalogues, driving logs and
    vehicle registers, check them against contract terms, and write reports.

    Settings come from the environment: COMPLIANCE_DB_URL (default: SQLite under var/),
    COMPLIANCE_INBOX, COMPLIANCE_CONTRACTS_DIR, COMPLIANCE_REPORTS_DIR, COMPLIANCE_MAX_FILE_MB.
    """


@main.command()
@click.option("--inbox-folders", is_flag=True, help="Also create the inbox folders the Airflow watchers read, one per kind.")
def init(inbox_folders: bool) -> None:
    """Create the database or migrate it to the newest schema."""
    with _context() as context:
        settings = context.settings
        pipeline.initialise_database(context)
        _echo(_say(_cli_language(), N_("database ready: {url}"), url=settings.db_url))
        if inbox_folders:
            for kind in INBOX_KINDS:
                (settings.inbox / kind).mkdir(parents=True, exist_ok=True)
            _echo(
                _say(
                    _cli_language(), N_("inbox folders ready: {folders}"), folders=f"{settings.inbox}/{{{','.join(INBOX_KINDS)}}}"
                )
            )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--log-mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file naming the columns of a driving-log export that is neither generic, Webfleet nor Geotab.",
)
@click.option("--supplier-cvr", help="The supplier of driving logs that carry no supplier column (Webfleet, Geotab).")
@LANGUAGE_OPTION
def ingest(paths: tuple[Path, ...], log_mapping: Path | None, supplier_cvr: str | None, language_code: str | None) -> None:
    """Ingest files or folders; the format is detected from content.

    Symbolic links are not followed, named or found in a folder; links, pipes and devices are skipped
    with a note. Exits 1 when any file was quarantined or skipped (the others are ingested all the same).
    """
    from compliance.context import open_context
    from compliance.ingest.driving_log import LogOptions, load_log_mapping
    from compliance.ingest.ubl import normalise_cvr

    settings = _settings()
    cvr = normalise_cvr(supplier_cvr) if supplier_cvr else None
    if supplier_cvr and cvr is None:
        raise _refuse(N_("--supplier-cvr {value} is not a CVR number (expected 8 digits)"), value=shown(repr(supplier_cvr)))
    with _click_errors():
        options = LogOptions(load_log_mapping(log_mapping) if log_mapping else None, cvr)
    with _click_errors(), open_context(settings) as context:
        pipeline.initialise_database(context)
        summary = pipeline.ingest_files(context, list(paths), TerminalProgress(), options)
    _print_ingest(summary)
    if summary.quarantined or summary.skipped:
        sys.exit(1)


@main.command()
@click.option("--contract", "contract_id", help="Only this contract id.")
@click.option("--year", type=CONTRACT_YEAR, help="Only this contract year (1 = the first year from the contract start).")
@LANGUAGE_OPTION
def check(contract_id: str | None, year: int | None, language_code: str | None) -> None:
    """Run the checks and store findings and assessments."""
    with _context() as context:
        pipeline.initialise_database(context)
        with _click_errors():
            summary, errors = pipeline.check_contracts(context, contract_id, year)
    _print_checks(summary)
    _print_contract_errors(errors)
    if errors:
        sys.exit(1)


@main.command()
@click.option("--contract", "contract_id", help="Only this contract id.")
@click.option("--year", type=CONTRACT_YEAR, help="Only this contract year.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to (default: COMPLIANCE_REPORTS_DIR).",
)
@LANGUAGE_OPTION
def report(contract_id: str | None, year: int | None, out_dir: Path | None, language_code: str | None) -> None:
    """Write the annual compliance reports (HTML, PDF, XLSX), penalty statements and the overview page."""
    with _context() as context:
        pipeline.initialise_database(context)
        written = pipeline.write_contract_reports(context, contract_id, year, out_dir, language_code)
    _print_reports(written)


def _print_reports(written: WrittenReports) -> None:
    lang = _cli_language()
    for path in [*written.annual, *written.pdf, *written.xlsx, *written.statements]:
        _echo(_say(lang, N_("report: {path}"), path=path))
    if written.pdf_skipped:
        _echo(_say(lang, N_("PDF not written: {reason}"), reason=written.pdf_skipped), err=True)
    _echo(_say(lang, N_("findings: {path}"), path=written.findings_csv))
    _echo(_say(lang, N_("overview: {path}"), path=written.index))


@main.command()
@click.option("--contract", "contract_id", help="Only this contract id.")
@click.option("--year", type=CONTRACT_YEAR, help="Only this contract year.")
@LANGUAGE_OPTION
@click.option("--dry-run", is_flag=True, help="Only write the files and say who would get them; send nothing.")
@click.option("--resend", is_flag=True, help="Send again a notice whose content was already sent to the same address.")
def notices(contract_id: str | None, year: int | None, language_code: str | None, dry_run: bool, resend: bool) -> None:
    """Write the supplier discrepancy notices (HTML, PDF) and e-mail them to the suppliers.

    SMTP settings: COMPLIANCE_SMTP_HOST, COMPLIANCE_SMTP_PORT, COMPLIANCE_SMTP_FROM, COMPLIANCE_SMTP_USER,
    COMPLIANCE_SMTP_PASSWORD, COMPLIANCE_SMTP_STARTTLS, COMPLIANCE_SMTP_SSL. Exits 1 if a send failed.
    """
    with _context() as context:
        pipeline.initialise_database(context)
        with _click_errors():
            written = pipeline.write_supplier_notices(context, contract_id, year, language_code)
            outcomes = pipeline.send_supplier_notices(context, written, dry_run=dry_run, resend=resend)
    lang = _cli_language()
    for outcome in outcomes:
        n = outcome.notice
        _echo(
            _say(
                lang,
                N_("{outcome}: {contract} year {year} {supplier} ({count} discrepancies, deadline {deadline}) — {detail}"),
                outcome=translate(DELIVERY_OUTCOMES.get(outcome.outcome, outcome.outcome), lang.code),
                contract=n.contract_id,
                year=n.contract_year,
                supplier=n.supplier_name,
                count=n.discrepancies,
                deadline=lang.date(n.deadline),
                detail=outcome.detail_in(lang.code),
            )
        )
        _echo(f"  {n.pdf or n.html}")
    if not outcomes:
        _echo(_say(lang, N_("no discrepancies: no notices")))
    if any(o.outcome == "failed" for o in outcomes):
        sys.exit(1)


@main.command()
@LANGUAGE_OPTION
def run(language_code: str | None) -> None:
    """The whole pipeline on the configured inbox — what the weekly compliance_pipeline DAG does.

    Exits 1 when a file was quarantined or skipped (a link, a pipe, a device in the inbox) or a contract
    file was rejected; reports are written anyway.
    """
    with _context() as context:
        settings = context.settings
        result = pipeline.run_pipeline(context)
    _print_ingest(result.ingest)
    _print_checks(result.checks)
    _print_contract_errors(result.contract_errors)
    lang = _cli_language()
    _echo(
        _say(
            lang,
            N_("{count} annual report(s) (HTML, PDF, XLSX) in {folder}"),
            count=len(result.reports.annual),
            folder=settings.reports_dir,
        )
    )
    if result.reports.pdf_skipped:
        _echo(_say(lang, N_("PDF not written: {reason}"), reason=result.reports.pdf_skipped), err=True)
    _echo(
        _say(
            lang,
            N_("{count} supplier notice(s) in {folder} (not sent: compliance notices)"),
            count=len(result.notices),
            folder=settings.reports_dir / "notices",
        )
    )
    _echo(_say(lang, N_("open the overview: {page}"), page=result.reports.index))
    if result.ingest.quarantined or result.ingest.skipped or result.contract_errors:
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the normalised document as JSON (the default, and the only format).")
def inspect(file: Path, as_json: bool) -> None:
    """Print one source document normalised, as the checks will see it."""
    from compliance.base.documents import document_as_json
    from compliance.ingest.detect import read_source
    from compliance.intake.batch import read_named_file

    settings = _settings()
    _refuse_link(file)
    with _click_errors():  # a pipe, a device, an unreadable or oversized file: refused as ingest would
        name, data = read_named_file(file, settings.max_file_bytes)
        document = read_source(data, name, settings.max_file_bytes)
    fault = find_control_character(document)
    if fault is not None:
        raise _refused(
            SourceFileError(
                N_("{field} contains the control character {character}"),
                file=name,
                location=fault.location,
                expected=N_("text without control characters (tab and line breaks are text)"),
                values={"field": fault.field, "character": character_code(fault.character)},
            )
        )
    _echo(_json(document_as_json(document)))


@main.command()
@click.option("--year", type=click.IntRange(1900, 9999), help="Calendar year (default: last year).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@LANGUAGE_OPTION
def portfolio(year: int | None, as_json: bool, language_code: str | None) -> None:
    """Eco-labelled and organic share of spend per buyer unit and category; green terms per contract."""
    from compliance.reports.portfolio import portfolio_text

    lang = _cli_language(language_code)
    with _context() as context:
        pipeline.initialise_database(context)
        figures = pipeline.portfolio(context, year or date.today().year - 1)
    if as_json:
        _echo(_json(figures.as_json()))
        return
    for line in portfolio_text(figures, lang):
        _echo(line)


@main.group()
def hearing() -> None:
    """The supplier's hearing before a penalty (§2.1): comments, decisions, the whole history."""


def _actor(by: str | None) -> str:
    return by or os.environ.get("COMPLIANCE_USER") or os.environ.get("USER") or "contract manager"


def _cli_language(code: str | None = None) -> Language:
    """The language of a command's output: ``code``, else the command's ``--lang``, else
    COMPLIANCE_REPORT_LANGUAGE, else Danish (the helpers that print a command's lines ask here too)."""
    from compliance.reports.language import language

    context = click.get_current_context(silent=True)
    code = code or (context.params.get("language_code") if context is not None else None)

    with _click_errors():  # an unknown --lang is refused like a bad setting, never a traceback
        return language(code or _settings().report_language)


def _say(lang: Language, text: str, **values: object) -> str:
    """A command's text (an English source text marked with ``N_``) in ``lang``, its fields filled in."""
    return translate(text, lang.code).format(**values)


@hearing.command("list")
@LANGUAGE_OPTION
def hearing_list(language_code: str | None) -> None:
    """Every hearing: contract, year, status, proposed and decided penalty, deadline."""
    lang = _cli_language(language_code)
    with _context() as context:
        pipeline.initialise_database(context)
        hearings = pipeline.hearing_list(context)
    for record in hearings:
        decided = (
            _say(lang, N_(", decided {amount}"), amount=lang.money(record.decided_penalty))
            if record.decided_penalty is not None
            else ""
        )
        year = _say(lang, N_("year {year}"), year=record.contract_year)
        proposed = _say(lang, N_("proposed {amount}"), amount=lang.money(record.proposed_penalty))
        deadline = _say(lang, N_("deadline {date}"), date=lang.date(record.deadline))
        _echo(f"{record.contract_id}\t{year}\t{lang.status(record.status)}\t{proposed}{decided}\t{deadline}")
    if not hearings:
        _echo(_say(lang, N_("no hearings")))


@hearing.command("show")
@click.option("--contract", "contract_id", required=True)
@click.option("--year", type=CONTRACT_YEAR, required=True, help="Contract year.")
@LANGUAGE_OPTION
def hearing_show(contract_id: str, year: int, language_code: str | None) -> None:
    """The penalty statement: the calculation and every step of the hearing."""
    with _context() as context:
        pipeline.initialise_database(context)
        with _click_errors():
            _echo(pipeline.hearing_statement(context, contract_id, year, language_code))


def _hearing_step(step: Callable[[Context], HearingRecord]) -> HearingRecord:
    """One recorded step of a hearing, in the command's context."""
    with _context() as context, _click_errors():
        pipeline.initialise_database(context)
        return step(context)


@hearing.command("comment")
@click.option("--contract", "contract_id", required=True)
@click.option("--year", type=CONTRACT_YEAR, required=True, help="Contract year.")
@click.option("--text", required=True, help="The supplier's comment (or a summary with its reference).")
@click.option("--by", help="Who records it (default: COMPLIANCE_USER or the login name).")
@LANGUAGE_OPTION
def hearing_comment(contract_id: str, year: int, text: str, by: str | None, language_code: str | None) -> None:
    """Record the supplier's comment on a proposed penalty."""
    record = _hearing_step(lambda context: pipeline.comment_on_hearing(context, contract_id, year, text, _actor(by)))
    lang = _cli_language()
    _echo(
        _say(
            lang,
            N_("{contract} year {year}: comment recorded; hearing {status}"),
            contract=contract_id,
            year=year,
            status=lang.status(record.status),
        )
    )


def _amount_option(amount: str | None) -> Decimal | None:
    """``--amount`` as typed: 30.000,00, 30000,00 or 30000.00 (and "kr."), as every output writes it."""
    if amount is None:
        return None
    try:
        return parse_amount(amount)
    except ValueError:
        raise _refuse(
            N_("--amount {value} is not an amount (expected e.g. 30.000,00 or 30000.00)"), value=shown(repr(amount))
        ) from None


def _preview_lines(preview: DecisionPreview) -> list[str]:
    """The step a contract manager is about to store, in full, so it can be checked first."""
    lang = _cli_language()
    what = {"decision": N_("decision"), "correction": N_("corrected decision"), "reopening": N_("reopening")}[preview.step]
    lines = [
        _say(
            lang,
            N_("{contract} year {year}: {what} to store"),
            contract=preview.contract_id,
            year=preview.contract_year,
            what=_say(lang, what),
        ),
        _say(
            lang,
            N_("  hearing: {before} -> {after}"),
            before=lang.status(preview.status_before),
            after=lang.status(preview.status_after),
        ),
        _say(lang, N_("  proposed penalty: {amount}"), amount=lang.money(preview.proposed_penalty)),
    ]
    if preview.decided_before is not None:
        lines.append(_say(lang, N_("  decided until now: {amount}"), amount=lang.money(preview.decided_before)))
    if preview.step != "reopening":
        lines.append(_say(lang, N_("  penalty imposed: {amount}"), amount=lang.money(preview.decided_after)))
    lines += [
        _say(lang, N_("  reason: {reason}"), reason=shown(preview.reason)),
        _say(lang, N_("  by: {actor}"), actor=shown(preview.actor)),
    ]
    return lines


def _confirm_step(preview: DecisionPreview, yes: bool) -> None:
    """Show the step; store it only when confirmed (``--yes`` confirms for scripts)."""
    for line in _preview_lines(preview):
        _echo(line)
    lang = _cli_language()
    if not yes and not click.confirm(_say(lang, N_("Store this?")), default=False):
        raise Refusal(_say(lang, N_("not confirmed; nothing was stored")), lang.code)


def _decision_step(
    contract_id: str, year: int, decision: str, amount: str | None, reason: str, by: str | None, yes: bool, correction: bool
) -> HearingRecord:
    """A decision, or with ``correction`` a corrected one: shown first, stored when confirmed (the body of
    ``hearing decide`` and ``hearing correct``)."""
    reduced = _amount_option(amount)
    actor = _actor(by)
    with _context() as context, _click_errors():
        pipeline.initialise_database(context)
        today = date.today()  # the day the preview shows is the day the decision is stored with
        preview = pipeline.preview_hearing_decision(
            context, contract_id, year, decision, reason, actor, today, reduced, correction=correction
        )
        _confirm_step(preview, yes)
        store = pipeline.correct_hearing_decision if correction else pipeline.decide_hearing
        return store(context, contract_id, year, decision, reason, actor, today, reduced)


YES_OPTION = click.option("--yes", is_flag=True, help="Store without asking (for scripts); the step is still shown.")


@hearing.command("decide")
@click.option("--contract", "contract_id", required=True)
@click.option("--year", type=CONTRACT_YEAR, required=True, help="Contract year.")
@click.option("--decision", type=click.Choice(["confirm", "reduce", "waive"]), required=True)
@click.option("--amount", type=str, help="The reduced penalty (with --decision reduce), e.g. 30.000,00 or 30000.00.")
@click.option("--reason", required=True, help="Why: it goes into the penalty statement.")
@click.option("--by", help="Who decides (default: COMPLIANCE_USER or the login name).")
@YES_OPTION
@LANGUAGE_OPTION
def hearing_decide(
    contract_id: str,
    year: int,
    decision: str,
    amount: str | None,
    reason: str,
    by: str | None,
    yes: bool,
    language_code: str | None,
) -> None:
    """Decide on a proposed penalty, after the supplier has been heard; shown first, stored when confirmed."""
    record = _decision_step(contract_id, year, decision, amount, reason, by, yes, correction=False)
    lang = _cli_language()
    _echo(
        _say(lang, N_("{contract} year {year}: {status}, penalty {amount}"), contract=contract_id, year=year,
             status=lang.status(record.status), amount=lang.money(record.decided_penalty))
    )  # fmt: skip


@hearing.command("correct")
@click.option("--contract", "contract_id", required=True)
@click.option("--year", type=CONTRACT_YEAR, required=True, help="Contract year.")
@click.option(
    "--decision", type=click.Choice(["confirm", "reduce", "waive"]), required=True, help="The decision as it should be."
)
@click.option("--amount", type=str, help="The reduced penalty (with --decision reduce), e.g. 30.000,00 or 30000.00.")
@click.option("--reason", required=True, help="Why the decision is corrected: it goes into the penalty statement.")
@click.option("--by", help="Who corrects it (default: COMPLIANCE_USER or the login name).")
@YES_OPTION
@LANGUAGE_OPTION
def hearing_correct(
    contract_id: str,
    year: int,
    decision: str,
    amount: str | None,
    reason: str,
    by: str | None,
    yes: bool,
    language_code: str | None,
) -> None:
    """Correct a decision (another decision or amount): a new step with its reason; the old one stays in the history."""
    record = _decision_step(contract_id, year, decision, amount, reason, by, yes, correction=True)
    lang = _cli_language()
    _echo(
        _say(lang, N_("{contract} year {year}: corrected; {status}, penalty {amount}"), contract=contract_id, year=year,
             status=lang.status(record.status), amount=lang.money(record.decided_penalty))
    )  # fmt: skip


@hearing.command("reopen")
@click.option("--contract", "contract_id", required=True)
@click.option("--year", type=CONTRACT_YEAR, required=True, help="Contract year.")
@click.option("--reason", required=True, help="Why the hearing is reopened: it goes into the penalty statement.")
@click.option("--by", help="Who reopens it (default: COMPLIANCE_USER or the login name).")
@YES_OPTION
@LANGUAGE_OPTION
def hearing_reopen(contract_id: str, year: int, reason: str, by: str | None, yes: bool, language_code: str | None) -> None:
    """Reopen a decided hearing: the decision no longer applies until a new one is made."""
    actor = _actor(by)
    with _context() as context, _click_errors():
        pipeline.initialise_database(context)
        _confirm_step(pipeline.preview_hearing_reopening(context, contract_id, year, reason, actor), yes)
        record = pipeline.reopen_decided_hearing(context, contract_id, year, reason, actor)
    lang = _cli_language()
    _echo(
        _say(
            lang,
            N_("{contract} year {year}: reopened; hearing {status}"),
            contract=contract_id,
            year=year,
            status=lang.status(record.status),
        )
    )


@hearing.command("withdraw")
@click.option("--contract", "contract_id", required=True)
@click.option("--year", type=CONTRACT_YEAR, required=True, help="Contract year.")
@click.option("--reason", required=True, help="Why the proposal is withdrawn: it goes into the penalty statement.")
@click.option("--by", help="Who withdraws it (default: COMPLIANCE_USER or the login name).")
@LANGUAGE_OPTION
def hearing_withdraw(contract_id: str, year: int, reason: str, by: str | None, language_code: str | None) -> None:
    """Withdraw a proposed penalty (e.g. after a recalculation found no shortfall). Only this command withdraws one."""
    record = _hearing_step(lambda context: pipeline.withdraw_hearing(context, contract_id, year, reason, _actor(by)))
    lang = _cli_language()
    _echo(_say(lang, N_("{contract} year {year}: {status}"), contract=contract_id, year=year, status=lang.status(record.status)))


@main.group()
def lines() -> None:
    """Invoice lines held out of the figures (negative quantities): a contract manager's acceptance."""


@lines.command("accept")
@click.option("--invoice", "invoice_number", required=True, help="The invoice or credit-note number the finding names.")
@click.option("--line", "line_id", required=True, help="The line id the finding names.")
@click.option("--reason", required=True, help="Why the negative quantity is right: it is kept with the acceptance.")
@click.option("--supplier", "supplier_cvr", help="The supplier's CVR, when two suppliers used the number.")
@click.option("--by", help="Who accepts (default: COMPLIANCE_USER or the login name).")
@LANGUAGE_OPTION
def lines_accept(
    invoice_number: str, line_id: str, reason: str, supplier_cvr: str | None, by: str | None, language_code: str | None
) -> None:
    """Accept a line held out for a negative quantity; it counts from now on (its contracts are checked again)."""
    with _context() as context, _click_errors():
        pipeline.initialise_database(context)
        accepted = pipeline.accept_line(context, invoice_number, line_id, reason, _actor(by), supplier_cvr)
    lang = _cli_language()
    _echo(
        _say(lang, N_("{document} {number} line {line}: accepted by {actor} ({when}); checked again: {contracts}"),
             document=lang.code_name(accepted.document_type), number=accepted.invoice, line=accepted.line,
             actor=accepted.accepted_by, when=f"{accepted.accepted_at:%Y-%m-%d %H:%M}",
             contracts=", ".join(accepted.contract_ids) or _say(lang, N_("no contract")))
    )  # fmt: skip


@main.group()
def quarantine() -> None:
    """Files ingest quarantined: list them, release one to be read again, or dismiss one (with a reason)."""


# The states and actions of a quarantined file, as `quarantine list` shows them.
QUARANTINE_WORDS = {
    "quarantined": N_("quarantined"),
    "released": N_("released"),
    "dismissed": N_("dismissed"),
    "release": N_("release"),
    "dismiss": N_("dismiss"),
}


@quarantine.command("list")
@click.option("--all", "everything", is_flag=True, help="Also the dismissed and released files.")
def quarantine_list(everything: bool) -> None:
    """The quarantined files someone still has to look at: id, path, first seen, reason, the last action."""
    with _context() as context:
        pipeline.initialise_database(context)
        files = pipeline.quarantine_list(context, everything)
    lang = _cli_language()
    for file in files:
        last = (
            "\t"
            + _say(lang, N_("{action} by {actor} on {when}: {reason}"), action=_say(lang, QUARANTINE_WORDS.get(file.last_action, file.last_action)),
                   actor=file.last_actor, when=f"{file.last_acted_at:%Y-%m-%d %H:%M}", reason=shown(file.last_action_reason or ""))
            if file.last_action and file.last_acted_at
            else ""
        )  # fmt: skip
        status = _say(lang, QUARANTINE_WORDS.get(file.status, file.status))
        seen = _say(lang, N_("first seen {when}"), when=f"{file.first_seen_at:%Y-%m-%d %H:%M}")
        reason = shown(render_reason(file.reason or "", lang.code))
        _echo(f"{file.id}\t{status}\t{shown(file.path)}\t{seen}\t{reason}{last}")
    if not files:
        _echo(_say(lang, N_("no open quarantined files") if not everything else N_("no quarantined files")))


def _quarantine_action(file_id: int, action: str, reason: str, by: str | None) -> None:
    with _context() as context, _click_errors():
        pipeline.initialise_database(context)
        file = pipeline.act_on_quarantine(context, file_id, action, reason, _actor(by))
    lang = _cli_language()
    what = N_("released: the next ingest reads it again") if action == "release" else N_("dismissed")
    _echo(f"{file.id}\t{shown(file.path)}: {_say(lang, what)}")


@quarantine.command("release")
@click.argument("file_id", type=ROW_ID)
@click.option("--reason", required=True, help="Why it should be read again (recorded).")
@click.option("--by", help="Who releases it (default: COMPLIANCE_USER or the login name).")
def quarantine_release(file_id: int, reason: str, by: str | None) -> None:
    """Read a quarantined file again at the next ingest (e.g. after an upgrade that reads it)."""
    _quarantine_action(file_id, "release", reason, by)


@quarantine.command("dismiss")
@click.argument("file_id", type=ROW_ID)
@click.option("--reason", required=True, help="Why nothing more is to be done (recorded).")
@click.option("--by", help="Who dismisses it (default: COMPLIANCE_USER or the login name).")
def quarantine_dismiss(file_id: int, reason: str, by: str | None) -> None:
    """Close a quarantined file: seen, nothing to do (e.g. the supplier sent a corrected file)."""
    _quarantine_action(file_id, "dismiss", reason, by)


@main.group()
def vehicles() -> None:
    """The vehicle register: the DMR extract and declared vehicles (biogas, cargo bikes, foreign plates)."""


@vehicles.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--only-plates-in-data", is_flag=True, help="DMR: keep only plates that occur in our invoices, logs and register.")
def vehicles_import(file: Path, only_plates_in_data: bool) -> None:
    """Import a DMR extract (.xml or .zip, streamed) or a declared-vehicles CSV.

    Exits 1 when the file breaks off (the complete records before the break are kept).
    """
    from compliance.intake.batch import IngestSummary

    _refuse_link(file)
    with _context() as context:
        pipeline.initialise_database(context)
        with _click_errors():
            result = pipeline.import_vehicles(context, file, only_plates_in_data, DmrProgress())
    if isinstance(result, IngestSummary):
        _print_ingest(result)
        if result.quarantined or result.skipped:
            sys.exit(1)
        return
    lang = _cli_language()
    _echo(
        _say(
            lang,
            N_(
                "DMR: {records} records read, {plates} plates stored, {without} records without a plate, {left_out} left out by data quality (listed in data-quality.html)"
            ),
            records=lang.number(result.records),
            plates=lang.number(result.vehicles),
            without=lang.number(result.skipped_without_plate),
            left_out=lang.number(result.left_out_by_quality),
        )
    )
    if result.error is not None:
        _echo(_say(lang, N_("  incomplete: {reason}"), reason=shown(render_reason(str(result.error), lang.code))), err=True)
        sys.exit(1)


class DmrProgress:
    """MB read, records and MB/s on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()

    def __call__(self, bytes_read: int, total: int, records: int) -> None:
        if not self.enabled:
            return
        seconds = max(time.monotonic() - self.started, 1e-9)
        self.stream.write(
            f"\r{bytes_read / 1e6:,.0f} of {total / 1e6:,.0f} MB, {records:,} records, {bytes_read / 1e6 / seconds:,.1f} MB/s"
        )
        self.stream.flush()


@vehicles.command("show")
@click.argument("plate")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (the default, and the only format).")
def vehicles_show(plate: str, as_json: bool) -> None:
    """What the register says about one plate, and whether it counts as green (§2.1)."""
    with _context() as context:
        pipeline.initialise_database(context)
        facts = pipeline.vehicle_facts(context, plate)
    if facts is None:
        raise _refuse(N_("{plate}: not in the vehicle register (import the DMR extract or declare it)"), plate=shown(plate))
    _echo(_json(facts))


@main.group()
def template() -> None:
    """Blank templates suppliers can fill in."""


@template.command("invoice")
@click.option(
    "--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the .xlsx file."
)
def invoice_template(out_file: Path) -> None:
    """Write the blank Excel invoice template (columns: schemas/excel-invoice.md)."""
    from compliance.ingest.excel_invoice import write_blank_template

    write_blank_template(out_file)
    _echo(_say(_cli_language(), N_("template: {path}"), path=out_file))


@template.command("catalogue")
@click.option(
    "--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the .xlsx file."
)
def catalogue_template(out_file: Path) -> None:
    """Write the blank Excel catalogue template (columns: schemas/excel-catalogue.md)."""
    from compliance.ingest.excel_catalogue import write_blank_catalogue_template

    write_blank_catalogue_template(out_file)
    _echo(_say(_cli_language(), N_("template: {path}"), path=out_file))


@main.group()
def contracts() -> None:
    """Contract terms files."""


@contracts.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@LANGUAGE_OPTION
def validate_contracts(files: tuple[Path, ...], language_code: str | None) -> None:
    """Validate contract terms files against compliance/data/contract.schema.json: every problem at once,
    each as file:line:column with a hint (in the report language)."""
    lang = _cli_language(language_code)
    from compliance.contracts import load_contract

    failed = False
    for file in files:
        try:
            contract = load_contract(file)
        except ContractTermsError as exc:
            failed = True
            if not exc.problems:
                _echo(_say(lang, N_("invalid: {error}"), error=exc), err=True)
                continue
            _echo(_say(lang, N_("invalid: {file} ({count} problem(s))"), file=file, count=len(exc.problems)), err=True)
            for problem in exc.problems:
                _echo("  " + problem.text(str(file), lang.code), err=True)
            continue
        _echo(
            _say(lang, N_("valid: {file} (contract {contract}, {count} green term(s))"), file=file, contract=contract.id,
                 count=contract.green_term_count())
        )  # fmt: skip
    if failed:
        sys.exit(1)


@contracts.command("list")
def list_contracts() -> None:
    """List the contracts in COMPLIANCE_CONTRACTS_DIR."""
    with _context() as context:
        found, errors = context.contracts, context.contract_errors
    for contract in found:
        _echo(f"{contract.id}\t{contract.start} – {contract.end}\t{contract.supplier_name}\t{contract.name}")
    _print_contract_errors(errors)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
