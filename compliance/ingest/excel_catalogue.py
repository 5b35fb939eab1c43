"""The project's Excel catalogue template (``schemas/excel-catalogue.md``) → normalised catalogue.

Tender appendix "Bilag 6 E-handel" lets a supplier deliver the e-catalogue in Excel (RULES.md §3,
"E-catalogue data"); this template carries what the checks need: item ids, UNSPSC codes, labels
with their licence numbers, prices, line actions and the catalogue's validity. Like the invoice
template it is read without evaluating formulas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compliance.base.documents import CatalogueDocument, CatalogueLine, Classification, Label, Party
from compliance.base.errors import SourceFileError
from compliance.ingest.excel_invoice import (
    Cells,
    cell_date,
    cell_decimal,
    column_titles,
    header_fields,
    open_template,
    write_template,
)
from compliance.ingest.ubl import normalise_cvr
from compliance.ingest.workbook import CheckedWorkbook
from compliance.labels import normalise_label

HEADER_SHEET = "Catalogue"
ITEMS_SHEET = "Items"
HEADER_FIELDS = {
    "document_type": "catalogue (full or with line actions), catalogue_item_specification_update, catalogue_pricing_update "
    "or catalogue_deletion",
    "catalogue_id": "this document's id",
    "target_catalogue_id": "for updates and deletions: the id of the catalogue they change",
    "action": "for a full catalogue: replace (the items not listed end) or update (only the listed items change)",
    "issue_date": "the issue date",
    "issue_time": "the issue time, e.g. 14:30 (orders documents issued the same day)",
    "supplier_cvr": "the supplier's CVR number",
    "supplier_name": "the supplier's name",
    "customer_gln": "the buyer's GLN/EAN number",
    "contract_reference": "the contract number",
    "valid_from": "first day the catalogue applies (optional)",
    "valid_to": "last day the catalogue applies (optional)",
}
REQUIRED_HEADER = ("document_type", "catalogue_id", "issue_date", "supplier_cvr")
ITEM_COLUMN_HELP = {
    "line_id": "line number (required)",
    "action": "add, update or delete (optional)",
    "seller_item_id": "your item number (required unless the line id names the item)",
    "gtin": "GTIN/EAN of the item",
    "name": "item name",
    "unspsc": "UNSPSC code, 8 digits",
    "labels": "eco-labels, comma-separated: Svanemærket, EU Ecolabel, TCO Certified, Fairtrade, Ø-mærket …",
    "licence_numbers": "the labels' licence numbers, comma-separated in the same order",
    "price": "price excl. VAT per unit",
    "unit_code": "EA, PK, KGM …",
}
ITEM_COLUMNS = tuple(ITEM_COLUMN_HELP)
DOCUMENT_TYPES = {"catalogue", "catalogue_item_specification_update", "catalogue_pricing_update", "catalogue_deletion"}
LINE_ACTIONS = {"add": "Add", "update": "Update", "delete": "Delete"}
HEADER_ACTIONS = {"replace": "Replace", "update": "Update", "add": "Add"}


def write_blank_catalogue_template(path: Path) -> None:
    """Write the empty catalogue template a supplier fills in (``compliance template catalogue``)."""
    write_template(path, HEADER_SHEET, HEADER_FIELDS, REQUIRED_HEADER, ITEMS_SHEET, ITEM_COLUMN_HELP)


def is_excel_catalogue(sheet_names: list[str]) -> bool:
    return HEADER_SHEET in sheet_names and ITEMS_SHEET in sheet_names


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 4711.0 typed into a number cell is the id 4711
    text = str(value).strip()
    return text or None


def _labels(items: Cells, row: int, columns: dict[str, int]) -> list[Label]:
    raw_labels = (
        [part.strip() for part in (_text(items.get(row, columns["labels"])) or "").split(",")] if "labels" in columns else []
    )
    raw_labels = [part for part in raw_labels if part]
    licence_cell = _text(items.get(row, columns["licence_numbers"])) if "licence_numbers" in columns else None
    licences = [part.strip() or None for part in licence_cell.split(",")] if licence_cell else []
    if len(licences) > len(raw_labels):
        raise SourceFileError(
            f"{len(licences)} licence number(s) for {len(raw_labels)} label(s)",
            file=items.file,
            location=items.where(row, columns["licence_numbers"]),
            expected="one licence number per label, comma-separated in the order of the labels column",
        )
    labels = []
    for index, raw in enumerate(raw_labels):
        label = normalise_label(raw, "column", licence=licences[index] if index < len(licences) else None)
        if label is not None:
            labels.append(label)
    return labels


def read_excel_catalogue(workbook: CheckedWorkbook) -> CatalogueDocument:
    """Read the ``Catalogue`` sheet (field/value rows) and the ``Items`` sheet (one row per item)."""
    file = workbook.file
    header, items = open_template(workbook, HEADER_SHEET, ITEMS_SHEET)
    fields = header_fields(header, HEADER_FIELDS, REQUIRED_HEADER, "the catalogue sheet")

    def text(name: str) -> str | None:
        return _text(fields.get(name, (0, None))[1])

    def where(name: str) -> str:
        return header.where(fields[name][0], 2)

    document_type = (text("document_type") or "").lower().replace(" ", "_")
    if document_type not in DOCUMENT_TYPES:
        raise SourceFileError(
            f"document_type is {text('document_type')!r}", file=file, location=where("document_type"),
            expected="one of " + ", ".join(sorted(DOCUMENT_TYPES)),
        )  # fmt: skip
    supplier_cvr = normalise_cvr(text("supplier_cvr"))
    if supplier_cvr is None:
        raise SourceFileError(
            f"supplier_cvr is {text('supplier_cvr')!r}",
            file=file,
            location=where("supplier_cvr"),
            expected="an 8-digit CVR number",
        )
    action = (text("action") or "").lower()
    if action and action not in HEADER_ACTIONS:
        raise SourceFileError(f"action is {text('action')!r}", file=file, location=where("action"), expected="replace or update")
    issue_date = cell_date(header, fields["issue_date"][0], 2, "issue_date")
    assert issue_date is not None

    columns = column_titles(items, ITEM_COLUMNS, ("line_id",), "the items sheet")

    def cell(row: int, name: str) -> str | None:
        return _text(items.get(row, columns[name])) if name in columns else None

    lines: list[CatalogueLine] = []
    for row in items.rows(2):
        if all(items.get(row, column) is None for column in columns.values()):
            continue
        line_id = cell(row, "line_id")
        if line_id is None:
            raise SourceFileError(
                "the item has no line_id", file=file, location=items.where(row, columns["line_id"]), expected="a line number"
            )
        line_action = (cell(row, "action") or "").lower()
        if line_action and line_action not in LINE_ACTIONS:
            raise SourceFileError(
                f"action is {cell(row, 'action')!r}", file=file, location=items.where(row, columns["action"]),
                expected="add, update or delete",
            )  # fmt: skip
        unspsc = cell(row, "unspsc")
        lines.append(
            CatalogueLine(
                position=len(lines) + 1,
                id=line_id,
                action_code=LINE_ACTIONS.get(line_action),
                seller_item_id=cell(row, "seller_item_id"),
                standard_item_id=cell(row, "gtin"),
                name=cell(row, "name"),
                classification_codes=[Classification(unspsc, "UNSPSC")] if unspsc else [],
                labels=_labels(items, row, columns),
                price=cell_decimal(items, row, columns["price"], "price") if "price" in columns else None,
                unit_code=cell(row, "unit_code"),
                source_line=row,
                path=f"{ITEMS_SHEET}!A{row}",
            )
        )
    catalogue_id = text("catalogue_id") or ""
    return CatalogueDocument(
        document_type=document_type,
        format="excel-catalogue-1",
        id=catalogue_id,
        issue_date=issue_date,
        supplier=Party(cvr=supplier_cvr, name=text("supplier_name"), endpoint_id=supplier_cvr, endpoint_scheme="DK:CVR"),
        customer=Party(
            endpoint_id=text("customer_gln"),
            endpoint_scheme="GLN" if text("customer_gln") else None,
            gln=text("customer_gln"),
            name=None,
        ),  # fmt: skip
        contract_references=[reference] if (reference := text("contract_reference")) else [],
        lines=lines,
        issue_time=text("issue_time"),
        action_code=HEADER_ACTIONS.get(action),
        target_catalogue_id=text("target_catalogue_id") or catalogue_id,
        valid_from=cell_date(header, fields["valid_from"][0], 2, "valid_from") if "valid_from" in fields else None,
        valid_to=cell_date(header, fields["valid_to"][0], 2, "valid_to") if "valid_to" in fields else None,
    )
