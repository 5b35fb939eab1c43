"""The project's Excel invoice template (``schemas/excel-invoice.md``) → normalised invoice.

Workbooks are read without running anything: macro-enabled files are refused before this
module sees them, and formulas are never evaluated — a cell is read from its stored value,
and a formula with no stored value is an error that names the cell. A template is read once,
read-only (``compliance.ingest.workbook``): its two sheets' stored values are kept by cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from compliance.base.documents import Classification, DocumentLine, InvoiceDocument, Party, Property, Totals
from compliance.base.errors import SourceFileError
from compliance.ingest.mistakes import FILLED_TEMPLATE, UNFILLED_TEMPLATE
from compliance.ingest.ubl import XSD_DECIMAL, normalise_cvr
from compliance.ingest.workbook import CheckedWorkbook
from compliance.labels import normalise_label

HEADER_SHEET = "Invoice"
LINES_SHEET = "Lines"
HEADER_FIELDS = {
    "document_type": "invoice or credit_note",
    "invoice_number": "the invoice number",
    "issue_date": "the issue date",
    "currency": "ISO currency code, e.g. DKK",
    "supplier_cvr": "the supplier's CVR number",
    "supplier_name": "the supplier's name",
    "customer_gln": "the buyer unit's GLN/EAN number",
    "customer_name": "the buyer's name",
    "contract_reference": "the contract number",
    "delivery_date": "the delivery date (optional)",
    "payable_amount": "the amount to pay incl. VAT (optional)",
    "credited_invoice": "for a credit note: the number of the invoice it credits",
}
REQUIRED_HEADER = ("document_type", "invoice_number", "issue_date", "supplier_cvr")
LINE_COLUMN_HELP = {
    "line_id": "line number (required)",
    "seller_item_id": "your item number",
    "name": "item or service (required)",
    "quantity": "number; for trip lines the number of trips (required)",
    "unit_code": "EA, PK, KGM …",
    "line_amount": "amount excl. VAT (required)",
    "unspsc": "UNSPSC code",
    "labels": "e.g. Svanemærket, EU Ecolabel, Fairtrade",
    "label_licence": "licence number of the label",
    "registrations": "plates of the vehicles used, e.g. AB 12 345",
    "delivery_date": "YYYY-MM-DD",
    "note": "free text",
    "credited_invoice": "for a credit note: the invoice this line credits (else the header's)",
    "credited_line": "for a credit note: the line of that invoice it credits",
}
LINE_COLUMNS = tuple(LINE_COLUMN_HELP)
REQUIRED_LINE_COLUMNS = ("line_id", "name", "quantity", "line_amount")


def write_blank_template(path: Path) -> None:
    """Write the empty template a supplier fills in (``compliance template invoice``)."""
    write_template(path, HEADER_SHEET, HEADER_FIELDS, REQUIRED_HEADER, LINES_SHEET, LINE_COLUMN_HELP)


def write_template(
    path: Path,
    header_sheet: str,
    fields: Mapping[str, str],
    required: Sequence[str],
    rows_sheet: str,
    column_help: Mapping[str, str],
) -> None:
    """A blank template: a field/value sheet with help, an empty sheet of column titles, a help sheet."""
    from openpyxl import Workbook

    book = Workbook()
    header = book.active
    assert header is not None
    header.title = header_sheet
    header.append(["field", "value", "what to write"])
    for name, help_text in fields.items():
        header.append([name, None, help_text + (" (required)" if name in required else "")])
    rows = book.create_sheet(rows_sheet)
    rows.append(list(column_help))
    notes = book.create_sheet("Help")
    notes.append(["column", "what to write"])
    for name, help_text in column_help.items():
        notes.append([name, help_text])
    for sheet in (header, rows, notes):
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = max(
                14, min(60, max(len(str(c.value or "")) for c in column) + 2)
            )
    book.save(path)


def is_excel_invoice(sheet_names: list[str]) -> bool:
    return HEADER_SHEET in sheet_names and LINES_SHEET in sheet_names


class Cells:
    """One sheet's stored cell values by (row, column), with the cells that hold a formula and no
    stored value beside them, to name such a cell when it is read."""

    def __init__(self, file: str, title: str, values: dict[tuple[int, int], Any], formulas: dict[tuple[int, int], str]) -> None:
        self.file = file
        self.title = title
        self.values = values
        self.formulas = formulas

    def rows(self, first: int) -> list[int]:
        """The numbers of the rows from ``first`` on that hold a cell, in order (a stray cell at row
        1,048,576 is one row, not a million empty ones to look at)."""
        return sorted({row for row, _column in (*self.values, *self.formulas) if row >= first})

    def columns(self, row: int) -> list[int]:
        """The numbers of the columns that hold a cell in ``row``, in order."""
        return sorted({column for at_row, column in (*self.values, *self.formulas) if at_row == row})

    @classmethod
    def of_sheet(cls, workbook: CheckedWorkbook, title: str) -> Cells:
        formulas: dict[tuple[int, int], str] = {}
        values = {(row, column): value for row, column, value in workbook.cells(title, formulas)}
        return cls(workbook.file, title, values, formulas)

    def get(self, row: int, column: int) -> Any:
        value = self.values.get((row, column))
        if value is None:
            formula = self.formulas.get((row, column))
            if isinstance(formula, str) and formula.startswith("="):
                raise SourceFileError(
                    f"cell holds the formula {formula!r} with no stored value; formulas are never evaluated",
                    file=self.file,
                    location=self.where(row, column),
                    expected="a value (save the workbook in Excel, or paste values)",
                )
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def where(self, row: int, column: int) -> str:
        from openpyxl.utils.cell import get_column_letter

        return f"sheet {self.title!r}, cell {get_column_letter(column)}{row}"


def cell_decimal(cells: Cells, row: int, column: int, what: str) -> Decimal | None:
    value = cells.get(row, column)
    if value is None:
        return None
    if isinstance(value, bool):
        raise SourceFileError(f"{what} is {value!r}", file=cells.file, location=cells.where(row, column), expected="a number")
    if isinstance(value, int | float):
        number = Decimal(str(value))
        if not number.is_finite():
            raise SourceFileError(
                f"{what} is {value!r}", file=cells.file, location=cells.where(row, column), expected="a finite number"
            )
        return number
    text = str(value).replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")  # Danish 1.234,56
    if not XSD_DECIMAL.fullmatch(text):
        raise SourceFileError(
            f"{what} is {value!r}",
            file=cells.file,
            location=cells.where(row, column),
            expected="a number such as 1234.50 or 1.234,50",
        )
    return Decimal(text)


def cell_date(cells: Cells, row: int, column: int, what: str) -> date | None:
    value = cells.get(row, column)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", "dmy")):
        match = re.fullmatch(pattern, text, re.ASCII)  # ASCII digits only, not full-width ones
        if match:
            parts = [int(part) for part in match.groups()]
            year, month, day = parts if order == "ymd" else (parts[2], parts[1], parts[0])
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise SourceFileError(
        f"{what} is {value!r}",
        file=cells.file,
        location=cells.where(row, column),
        expected="a date such as 2025-03-31 or 31-03-2025",
    )


def open_template(workbook: CheckedWorkbook, header_sheet: str, rows_sheet: str) -> tuple[Cells, Cells]:
    """A template's field/value sheet and its one-row-per-record sheet, values beside formulas."""
    return Cells.of_sheet(workbook, header_sheet), Cells.of_sheet(workbook, rows_sheet)


def header_fields(header: Cells, known: Mapping[str, str], required: Sequence[str], what: str) -> dict[str, tuple[int, Any]]:
    """The field/value rows (name in column A, value in B) by field name, with their row numbers."""
    fields: dict[str, tuple[int, Any]] = {}
    for row in header.rows(1):
        key = header.get(row, 1)
        if isinstance(key, str) and key.strip().lower() in known:
            fields[key.strip().lower()] = (row, header.get(row, 2))
    if fields and all(value is None or str(value).strip() == "" for _row, value in fields.values()):
        # Every field of the project's own blank template is still empty: it came back unfilled.
        raise SourceFileError(UNFILLED_TEMPLATE, file=header.file, location=f"sheet {header.title!r}", expected=FILLED_TEMPLATE)
    for name in required:
        if name not in fields or fields[name][1] is None:
            raise SourceFileError(
                f"{what} has no {name}",
                file=header.file,
                location=f"sheet {header.title!r}, column A",
                expected=f"a row '{name}' with {known[name]} in column B",
            )
    return fields


def column_titles(sheet: Cells, known: Sequence[str], required: Sequence[str], what: str) -> dict[str, int]:
    """The known column titles of row 1, by name, with their column numbers."""
    columns: dict[str, int] = {}
    for column in sheet.columns(1):
        title = sheet.get(1, column)
        if isinstance(title, str) and title.strip().lower() in known:
            columns[title.strip().lower()] = column
    missing = [name for name in required if name not in columns]
    if missing:
        raise SourceFileError(
            f"{what} has no column {', '.join(missing)}",
            file=sheet.file,
            location=f"sheet {sheet.title!r}, row 1",
            expected="the column titles " + ", ".join(known),
        )
    return columns


def _template_totals(line_total: Decimal, payable: Decimal | None) -> Totals:
    """The template's totals (issue 16 item 9): line amounts are excl. VAT, so their sum is the net
    amount; ``payable_amount`` is the amount due incl. VAT. The template has no document-level
    allowances, prepayment or rounding, so the amount due is the gross amount and VAT = gross − net."""
    return Totals(
        line_extension=line_total,
        net=line_total,
        tax=None if payable is None else payable - line_total,
        gross=payable,
        payable=payable,
        stated={} if payable is None else {"payable_amount": payable},
    )


def read_excel_invoice(workbook: CheckedWorkbook) -> InvoiceDocument:
    """Read the template's ``Invoice`` sheet (field/value rows) and ``Lines`` sheet (one row per line)."""
    file = workbook.file
    header, lines_sheet = open_template(workbook, HEADER_SHEET, LINES_SHEET)
    fields = header_fields(header, HEADER_FIELDS, REQUIRED_HEADER, "the header")

    def text(name: str) -> str | None:
        value = fields.get(name, (0, None))[1]
        return None if value is None else str(value)

    document_type = (text("document_type") or "").lower().replace(" ", "_")
    if document_type not in {"invoice", "credit_note"}:
        raise SourceFileError(
            f"document_type is {text('document_type')!r}",
            file=file,
            location=header.where(fields["document_type"][0], 2),
            expected="invoice or credit_note",
        )
    supplier_cvr = normalise_cvr(text("supplier_cvr"))
    if supplier_cvr is None:
        raise SourceFileError(
            f"supplier_cvr is {text('supplier_cvr')!r}",
            file=file,
            location=header.where(fields["supplier_cvr"][0], 2),
            expected="an 8-digit CVR number",
        )
    issue_date = cell_date(header, fields["issue_date"][0], 2, "issue_date")
    assert issue_date is not None

    columns = column_titles(lines_sheet, LINE_COLUMNS, REQUIRED_LINE_COLUMNS, "the lines sheet")

    def cell(row: int, name: str) -> Any:
        return lines_sheet.get(row, columns[name]) if name in columns else None

    lines: list[DocumentLine] = []
    for row in lines_sheet.rows(2):
        if all(cell(row, name) is None for name in columns):
            continue
        line_id = cell(row, "line_id")
        if line_id is None:
            raise SourceFileError(
                "the line has no line_id",
                file=file,
                location=lines_sheet.where(row, columns["line_id"]),
                expected="a line number",
            )
        licence = cell(row, "label_licence")
        labels = []
        for raw in str(cell(row, "labels") or "").split(","):
            label = normalise_label(raw, "column", licence=str(licence) if licence else None)
            if label is not None:
                labels.append(label)
        properties = []
        registrations = cell(row, "registrations")
        if registrations:
            properties.append(Property("Registreringsnummer", str(registrations)))
        unspsc = cell(row, "unspsc")
        lines.append(
            DocumentLine(
                position=len(lines) + 1,
                id=str(line_id),
                quantity=cell_decimal(lines_sheet, row, columns["quantity"], "quantity"),
                unit_code=str(cell(row, "unit_code")) if cell(row, "unit_code") else None,
                line_amount=cell_decimal(lines_sheet, row, columns["line_amount"], "line_amount"),
                name=str(cell(row, "name")) if cell(row, "name") is not None else None,
                seller_item_id=str(cell(row, "seller_item_id")) if cell(row, "seller_item_id") is not None else None,
                classification_codes=[Classification(str(unspsc), "UNSPSC")] if unspsc else [],
                labels=labels,
                properties=properties,
                notes=[str(cell(row, "note"))] if cell(row, "note") else [],
                delivery_date=cell_date(lines_sheet, row, columns["delivery_date"], "delivery_date")
                if "delivery_date" in columns
                else None,
                source_line=row,
                path=f"{LINES_SHEET}!A{row}",
                billing_reference=str(cell(row, "credited_invoice")) if cell(row, "credited_invoice") is not None else None,
                billing_reference_line=str(cell(row, "credited_line")) if cell(row, "credited_line") is not None else None,
            )
        )
    line_total = sum((line.line_amount or Decimal(0) for line in lines), Decimal(0))
    payable = cell_decimal(header, fields["payable_amount"][0], 2, "payable_amount") if "payable_amount" in fields else None
    return InvoiceDocument(
        document_type="invoice" if document_type == "invoice" else "credit_note",
        format="excel-invoice-1",
        id=str(text("invoice_number")),
        issue_date=issue_date,
        currency=text("currency") or "DKK",
        supplier=Party(cvr=supplier_cvr, name=text("supplier_name"), endpoint_id=supplier_cvr, endpoint_scheme="DK:CVR"),
        customer=Party(
            endpoint_id=text("customer_gln"),
            endpoint_scheme="GLN" if text("customer_gln") else None,
            gln=text("customer_gln"),
            name=text("customer_name"),
        ),
        contract_references=[reference] if (reference := text("contract_reference")) else [],
        totals=_template_totals(line_total, payable),
        lines=lines,
        delivery_date=cell_date(header, fields["delivery_date"][0], 2, "delivery_date") if "delivery_date" in fields else None,
        billing_references=[credited] if (credited := text("credited_invoice")) else [],
    )
