"""Shared views of a contract's invoice lines and catalogue items that several rule families use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.contracts import ContractTerms, ItemMatch
from compliance.store.models import CatalogueItem, Invoice, InvoiceLine


@dataclass(frozen=True)
class DatedLine:
    invoice: Invoice
    line: InvoiceLine
    day: date

    @property
    def where(self) -> str:
        return f"{self.invoice.document_type.replace('_', ' ')} {self.invoice.number}, line {self.line.line_id}"

    def evidence(self) -> dict[str, Any]:
        return {
            "invoice": self.invoice.number,
            "file": self.invoice.source_file.path,
            "line": self.line.line_id,
            "source_line": self.line.source_line,
            "day": self.day.isoformat(),
            "item": self.line.seller_item_id,
            "name": self.line.name,
            "quantity": None if self.line.quantity is None else str(self.line.quantity),
            "amount": None if self.line.line_amount is None else str(self.line.line_amount),
        }


def line_day(line: InvoiceLine, invoice: Invoice) -> date:
    """The day a line counts on: its delivery date, else the invoice's delivery date, period end or issue date."""
    return line.delivery_date or invoice.delivery_date or invoice.period_end or invoice.issue_date


def dated_lines(invoices: Iterable[Invoice], start: date, end: date) -> Iterator[DatedLine]:
    """Lines dated inside [start, end] (line delivery date, else invoice delivery/period end/issue date)."""
    for invoice in invoices:
        for line in invoice.lines:
            day = line_day(line, invoice)
            if start <= day <= end:
                yield DatedLine(invoice, line, day)


def line_matches(match: ItemMatch, line: InvoiceLine) -> bool:
    return match.matches(line.seller_item_id, line.classification_codes, line.name, line.description, line.properties)


def item_matches(match: ItemMatch, item: CatalogueItem) -> bool:
    return match.matches(item.seller_item_id, item.classification_codes, item.name, None, item.properties)


class CatalogueIndex:
    """What a supplier's catalogue said about an item on a given day (latest issue on or before it)."""

    def __init__(self, items: Sequence[CatalogueItem]) -> None:
        self._by_item: dict[tuple[str | None, str], list[CatalogueItem]] = {}
        for item in sorted(items, key=lambda i: (i.issue_date, i.source_file_id, i.position)):
            if item.seller_item_id:
                self._by_item.setdefault((item.supplier_cvr, item.seller_item_id), []).append(item)

    def item_on(self, supplier_cvr: str | None, seller_item_id: str | None, day: date) -> CatalogueItem | None:
        if not seller_item_id:
            return None
        found = None
        for item in self._by_item.get((supplier_cvr, seller_item_id), []):
            if item.issue_date <= day:
                found = item
        return found


def effective_labels(dated: DatedLine, catalogue: CatalogueIndex) -> tuple[list[dict[str, Any]], str]:
    """Labels on the invoice line, else those the catalogue shows for the item; and which source."""
    if dated.line.labels:
        return list(dated.line.labels), "invoice line"
    item = catalogue.item_on(dated.invoice.supplier_cvr, dated.line.seller_item_id, dated.day)
    if item is not None and item.labels:
        return list(item.labels), f"catalogue {item.catalogue_id}"
    return [], "none"


def contract_catalogue_items(contract: ContractTerms, items: Iterable[CatalogueItem]) -> list[CatalogueItem]:
    """Catalogue items that belong to the contract: by contract reference, else by supplier CVR."""
    references = contract.invoice_references | {contract.id}
    return [
        item
        for item in items
        if (set(item.contract_references or []) & references)
        or (not item.contract_references and item.supplier_cvr == contract.supplier_cvr)
    ]
