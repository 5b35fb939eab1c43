"""The annual report's XLSX workbook: every figure with the rows it is made of, and safe cells.

Each evidence sheet carries the source file and the line (or row) each row came from, so a
figure in the report can be traced to a supplier's document without the database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# Text starting with these is read as a formula (or a DDE payload) by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="EEF3F0")


def neutralise_cell(value: Any) -> Any:
    """Supplier text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass.

    Numbers stay numbers: only text is ever a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


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


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> Path:
    """Write the sheets (header row frozen, filters on, widths fitted, money as ``#,##0.00``)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        worksheet.append([neutralise_cell(c) for c in sheet.columns])
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
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
    return path


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A UTF-8 CSV (with BOM, so Excel reads the Danish letters) whose text cells are neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise_cell(c) for c in columns])
        for row in rows:
            writer.writerow(["" if v is None else _cell_value(v) for v in row])
    return path
