"""The annual report's XLSX workbook: every figure with the rows it is made of, and safe cells.

Each evidence sheet carries the source file and the line (or row) each row came from, so a
figure in the report can be traced to a supplier's document without the database. The rows are
the assessment's (``YearEvidence``); the sheets only lay them out. The generic writers
(:func:`write_workbook`, :func:`write_csv`) neutralise text a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from compliance.assessment.evidence import YearEvidence
from compliance.base.i18n import N_
from compliance.base.paths import shown_source
from compliance.base.text import shown_in_cells
from compliance.reports.annual import YearReport
from compliance.reports.language import Language
from compliance.reports.pdf import hash_path
from compliance.reports.views import ReportRun, WrittenReports, annual_report_name

# Part of every workbook's content hash: a change to how workbooks are laid out writes them all again.
WORKBOOK_VERSION = "1"
# Text starting with these is read as a formula (or a DDE payload) by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL_COLOUR = "EEF3F0"


def neutralise_cell(value: Any) -> Any:
    """Supplier text that a spreadsheet would run as a formula gets a leading apostrophe, and control
    characters in text are shown escaped (a stored NUL would stop openpyxl); other values pass.

    Numbers stay numbers: only text is ever a formula.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return shown_in_cells(value)


@dataclass
class Sheet:
    """One worksheet: a title, column headings and rows (text, numbers, dates)."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    money_columns: frozenset[int] = frozenset()


def _cell_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return neutralise_cell(value)


def sheets_sha256(sheets: Sequence[Sheet]) -> str:
    """The content of a workbook: every sheet's title, headings, money columns and cell values as written,
    with the layout's and openpyxl's versions. A value whose ``repr`` hides nothing (text, numbers, dates)
    is hashed as it is; anything else at worst makes the workbook be written again."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"{WORKBOOK_VERSION}\0{version('openpyxl')}\0".encode())
    for sheet in sheets:
        digest.update(repr((sheet.title, list(sheet.columns), sorted(sheet.money_columns))).encode("utf-8"))
        for row in sheet.rows:
            digest.update(repr([_cell_value(v) for v in row]).encode("utf-8"))
    return digest.hexdigest()


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> Path:
    """Write the sheets (header row frozen, filters on, widths fitted, money as ``#,##0.00``), unless the
    workbook at ``path`` was written from the same content (its hash is kept beside it, as for PDFs)."""
    sheets = list(sheets)
    digest = sheets_sha256(sheets)
    stored = hash_path(path)
    if path.is_file() and stored.is_file() and stored.read_text(encoding="ascii").strip() == digest:
        return path
    stored.unlink(missing_ok=True)
    _write_sheets(path, sheets)
    stored.write_text(digest + "\n", encoding="ascii")
    return path


def _write_sheets(path: Path, sheets: Sequence[Sheet]) -> None:
    """The sheets into a new workbook at ``path``."""
    # openpyxl (and numpy, which it loads) when a workbook is written, not with every import of the pipeline.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor=HEADER_FILL_COLOUR)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        worksheet.append([neutralise_cell(c) for c in sheet.columns])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        widths = [len(str(c)) for c in sheet.columns]
        for row in sheet.rows:
            values = [_cell_value(v) for v in row]
            worksheet.append(values)
            for index, value in enumerate(values):
                widths[index] = max(widths[index], min(len(str(value)) if value is not None else 0, 60))
        for index, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = max(8, width + 2)
            if index - 1 in sheet.money_columns:
                for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "#,##0.00"
        for row_cells in worksheet.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        worksheet.freeze_panes = "A2"
        if sheet.rows:
            worksheet.auto_filter.ref = worksheet.dimensions
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A UTF-8 CSV (with BOM, so Excel reads the Danish letters) whose text cells are neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise_cell(c) for c in columns])
        for row in rows:
            writer.writerow(["" if v is None else _cell_value(v) for v in row])
    return path


def year_report_sheets(report: YearReport, evidence: YearEvidence, lang: Language) -> list[Sheet]:
    """The workbook: summary, months, and every row the figures are made of, each with file and line."""
    contract, year = report.contract, report.year
    summary = Sheet(lang._(N_("Summary")), [lang._(N_("Field")), lang._(N_("Value"))])
    summary.rows += [
        [lang.say("contract"), f"{contract.id} {contract.name}"],
        [lang.say("supplier"), f"{contract.supplier_name} (CVR {contract.supplier_cvr})"],
        [lang.say("contract_year").capitalize(), year.number],
        ["Start", year.start],
        [lang._(N_("End")), year.end],
    ]
    summary.rows += [[lang.say("contract_terms"), line] for line in report.terms]
    if report.green is not None:
        g = report.green
        summary.rows += [
            [lang.say("status"), lang.status(g.status)],
            [lang.say("window"), f"{g.window_start} – {g.window_end}"],
            [lang.say("green_trips"), g.green_trips],
            [lang.say("conventional_trips"), g.conventional_trips],
            [lang.say("all_trips"), g.total_trips],
            [lang.say("green_share", basis=lang.term(g.basis)), g.share],
            [lang.say("binding_level", source=lang.term(g.level_source)), g.level_percent / 100],
        ]
        if g.status == "short":
            summary.rows += [
                [lang.say("shortfall_trips"), g.shortfall_trips],
                [lang.say("fixed_penalty"), g.penalty_fixed],
                [lang.say("proposed_penalty"), g.penalty_total],
            ]
    for share in report.shares:
        summary.rows.append([f"{share.description} ({lang.term(share.basis)})", share.share])
    sheets = [summary]
    if report.months:
        level = report.green.level_percent / 100 if report.green else None
        sheets.append(
            Sheet(
                lang._(N_("Months")),
                [lang.say("month"), lang.say("green_trips"), lang.say("all_trips"), lang.say("share"), lang.say("level")],
                [[m.month.strftime("%Y-%m"), m.green, m.total, m.share, level] for m in report.months],
            )
        )
    if report.green is not None:
        sheets.append(
            Sheet(
                lang._(N_("Trip lines")),
                [
                    lang.say("day"),
                    lang.say("document"),
                    lang.say("line"),
                    lang.say("kind"),
                    lang.say("trips"),
                    lang.say("registrations"),
                    lang.say("file"),
                    lang._(N_("File line")),
                    lang._(N_("The line says")),
                ],
                [
                    [
                        t.day.isoformat(),
                        f"{lang.term(t.document_type)} {t.invoice}",
                        t.line,
                        lang.term(t.kind),
                        t.trips,
                        list(t.registrations),
                        shown_source(t.file),
                        t.source_line,
                        lang.term(t.stated_kind or t.kind),
                    ]
                    for t in report.green.trip_lines
                ],
            )
        )
    sheets.append(
        Sheet(
            lang._(N_("Invoice lines")),
            [
                lang._(N_("Document")),
                "Type",
                lang._(N_("Issued")),
                lang.say("day"),
                lang.say("line"),
                lang._(N_("Item id")),
                lang._(N_("Name")),
                lang._(N_("Quantity")),
                lang._(N_("Unit")),
                lang.say("amount"),
                lang._(N_("Currency")),
                lang._(N_("Labels")),
                lang.say("file"),
                lang._(N_("File line")),
            ],
            [
                [
                    d.invoice.number,
                    d.invoice.document_type,
                    d.invoice.issue_date,
                    d.day,
                    d.line.line_id,
                    d.line.seller_item_id,
                    d.line.name,
                    d.line.quantity,
                    d.line.unit_code,
                    d.line.line_amount,
                    d.invoice.currency,
                    [label.code or label.raw for label in d.line.labels],
                    shown_source(d.invoice.source_path),
                    d.line.source_line or d.line.path,
                ]
                for d in evidence.invoice_lines
            ],
            money_columns=frozenset({9}),
        )
    )
    sheets.append(
        Sheet(
            lang._(N_("Driving logs")),
            [
                lang.say("day"),
                lang._(N_("Plate")),
                lang._(N_("Vehicle")),
                "km",
                lang._(N_("Fuel")),
                lang.say("file"),
                lang._(N_("Row")),
            ],
            [
                [t.trip_date, t.registration, t.vehicle_type, t.distance_km, t.fuel, shown_source(t.source_path), t.row]
                for t in evidence.trips
            ],
        )
    )
    sheets.append(
        Sheet(
            lang._(N_("Catalogue items")),
            [
                lang._(N_("Catalogue")),
                "Type",
                lang._(N_("Issued")),
                lang.say("line"),
                lang._(N_("Action")),
                lang._(N_("Item id")),
                lang._(N_("Name")),
                lang._(N_("Labels")),
                lang._(N_("Price")),
                lang.say("file"),
                lang._(N_("File line")),
            ],
            [
                [
                    i.catalogue_id,
                    i.document_type,
                    i.issue_date,
                    i.line_id,
                    i.action_code,
                    i.seller_item_id,
                    i.name,
                    list(i.labels),
                    i.price,
                    shown_source(i.file),
                    i.place,
                ]
                for i in evidence.catalogue_items
            ],
            money_columns=frozenset({8}),
        )
    )
    sheets.append(
        Sheet(
            lang.say("findings"),
            [
                lang.say("rule"),
                lang._(N_("Rule id")),
                lang.say("severity"),
                lang.say("document"),
                lang.say("line"),
                lang.say("notice_plate_item"),
                lang.say("details_as_recorded"),
                lang.say("expected"),
                lang.say("received"),
                lang.say("file"),
                lang._(N_("Place")),
            ],
            [
                [
                    lang.rule_title(f.rule_id),
                    f.rule_id,
                    lang.severity(f.severity),
                    f.document,
                    f.line,
                    f.subject,
                    f.message,
                    f.expected,
                    f.received,
                    f.file,
                    f.location,
                ]
                for f in report.all_findings
            ],
        )
    )
    return sheets


def write_year_workbook(run: ReportRun, report: YearReport, evidence: YearEvidence, written: WrittenReports) -> None:
    """The evidence workbook beside the annual report."""
    name = annual_report_name(report.contract.id, report.year.number, "xlsx")
    path = run.out_dir / report.contract.id / name
    written.xlsx.append(write_workbook(path, year_report_sheets(report, evidence, run.lang)))
