"""What every report shares: the template environment, findings as reports show them, one run's output.

Presentation only: a finding view says in words where a finding points (document, line, plate or
item, file); nothing here reads the store or decides a figure.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from compliance.assessment.hearing import SYSTEM
from compliance.assessment.results import StoredFinding
from compliance.base.paths import shown_source
from compliance.base.text import shown, shown_lines
from compliance.reports.language import Language
from compliance.reports.pdf import PdfRenderer, pdf_available

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _shown_value(value: Any) -> Any:
    """Every value a template prints: control characters in text (a stored NUL, an ESC in a file name)
    are shown escaped, tab and line feed kept; markup the reports built stays markup."""
    if isinstance(value, Markup):
        return Markup(shown_lines(str(value)))
    if isinstance(value, str):
        return shown_lines(value)
    return value


def actor_name(actor: str, lang: Language) -> str:
    """Who took a hearing step, by name; the pipeline's own steps are named as the automatic check."""
    return lang.say("system_actor") if actor == SYSTEM else actor


@functools.lru_cache(maxsize=4)
def report_environment(lang: Language) -> Environment:
    """Jinja with autoescaping on (all supplier text is escaped), control characters shown escaped and
    strict undefined names.

    One per language and process: its compiled templates serve every report run of the process (a
    batch of contracts compiles them once; a changed template file is read again, Jinja's auto-reload),
    and the compiled code is cached on disk between processes (Jinja's bytecode cache in the user's
    temporary folder, keyed by each template's source)."""
    environment = Environment(
        loader=PackageLoader("compliance.reports", "templates"),
        bytecode_cache=FileSystemBytecodeCache(),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown_value,
    )
    environment.filters.update(
        money=lang.money,
        number=lang.number,
        percent=lang.percent,
        ddate=lang.date,
        ddate_month=lang.month,
        status=lang.status,
        severity=lang.severity,
        event=lang.event,
        rule_title=lang.rule_title,
        term=lang.term,
        source=source_filter,
        said=lang.text,
        reason=lang.reason,
        code=lang.code_name,
        category=lang.category,
        actor=lambda actor: actor_name(actor, lang),
    )
    environment.globals.update(w=lang.words(), say=lang.say, lang=lang.code)
    return environment


def annual_report_name(contract_id: str, year: int, suffix: str = "html") -> str:
    return f"annual-report-{contract_id}-year-{year}.{suffix}"


@dataclass(frozen=True)
class FindingView:
    """A finding as reports and notices show it: what, where (document, line, plate or item) and the file."""

    rule_id: str
    severity: str
    message: str
    expected: str | None
    received: str | None
    file: str | None
    sha256: str | None
    location: str | None
    document: str | None
    line: str | None
    subject: str | None
    supplier_cvr: str | None
    file_received: date | None = None  # when the file was received (first seen by the ingest)

    @property
    def file_name(self) -> str | None:
        """The file as people know it: its path relative to the inbox (``file`` is already that)."""
        return self.file


def _file_shown(path: Any) -> str | None:
    """A file relative to the inbox, on one line, control characters (a newline too) escaped."""
    relative = None if path is None else shown_source(str(path))
    return None if relative is None else shown(relative)


def source_filter(path: Any) -> str:
    """The ``source`` filter: a stored file path as people see it (relative to the inbox), "" for none."""
    return _file_shown(path) or ""


def finding_view(finding: StoredFinding, lang: Language) -> FindingView:
    evidence = finding.evidence
    document: str | None = None
    if evidence.get("invoice"):
        document = f"{lang.term(evidence.get('document_type') or 'invoice')} {evidence['invoice']}"
    elif evidence.get("catalogue"):
        document = f"{lang.term('catalogue')} {evidence['catalogue']}"
    elif evidence.get("month"):
        document = str(evidence["month"])
    subject = evidence.get("registration") or evidence.get("item") or evidence.get("licence")
    return FindingView(
        rule_id=finding.rule_id,
        severity=finding.severity,
        message=lang.message(finding.message_key, finding.message_params, finding.recorded_message),
        expected=lang.text(finding.expected),
        received=lang.text(finding.received),
        file=_file_shown(finding.source_path if finding.source_path is not None else evidence.get("file")),
        sha256=finding.source_sha256,
        location=lang.text(finding.location),
        document=document,
        line=None if evidence.get("line") is None else str(evidence["line"]),
        subject=None if subject is None else str(subject),
        supplier_cvr=finding.supplier_cvr,
        file_received=finding.source_received,
    )


def sorted_findings(findings: Sequence[StoredFinding]) -> list[StoredFinding]:
    """Most severe first, then by rule and message (ties keep the order they were stored in)."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule_id, f.message))


def finding_views(findings: Sequence[StoredFinding], lang: Language) -> list[FindingView]:
    return [finding_view(finding, lang) for finding in sorted_findings(findings)]


@dataclass(frozen=True)
class ReportRun:
    """One report run's shared parts: where it writes, in which language, when, and whether PDFs can be made."""

    out_dir: Path
    lang: Language
    environment: Environment
    generated: datetime
    pdf_skipped: str | None  # why no PDF can be written, or None when WeasyPrint works
    pdfs: PdfRenderer = field(default_factory=PdfRenderer)  # rendered together when the run's pages are written

    @property
    def pdf(self) -> bool:
        return self.pdf_skipped is None


def report_run(out_dir: Path, lang: Language, workers: int = 1) -> ReportRun:
    """Start a report run: the output folder exists, the time is taken once for every page; its PDFs
    are rendered by ``workers`` processes when the run calls ``run.pdfs.finish()``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return ReportRun(out_dir, lang, report_environment(lang), datetime.now(UTC), pdf_available(), PdfRenderer(workers))


@dataclass
class WrittenReports:
    """What a report run wrote: HTML pages, their PDFs and workbooks; why PDFs were skipped, if they were."""

    index: Path
    annual: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    xlsx: list[Path] = field(default_factory=list)
    statements: list[Path] = field(default_factory=list)
    findings_csv: Path | None = None
    data_quality: Path | None = None
    pdf_skipped: str | None = None
