"""Shared views of a contract's invoice lines and catalogue items that several rule families use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.base.documents import Label
from compliance.base.findings import FindingRecord
from compliance.base.messages import message_part
from compliance.checks.attribution import Issuer, issuing_party, not_attributed_finding
from compliance.checks.catalogue_history import CatalogueHistory, ItemState
from compliance.checks.credit_notes import CreditIndex, reconciled_day
from compliance.checks.credit_notes import line_day as own_line_day
from compliance.checks.inputs import CatalogueItemRecord, CatalogueMessageRecord, InvoiceLineRecord, InvoiceRecord
from compliance.contracts import ContractTerms, ItemMatch


@dataclass(frozen=True)
class DatedLine:
    """An invoice line with the day it counts on."""

    invoice: InvoiceRecord
    line: InvoiceLineRecord
    day: date

    @property
    def location(self) -> str | None:
        """Where in its file the line is: the source line, else the element path."""
        return f"line {self.line.source_line}" if self.line.source_line else self.line.path

    @property
    def where(self) -> str:
        return f"{self.invoice.document_type.replace('_', ' ')} {self.invoice.number}, line {self.line.line_id}"

    @property
    def place(self) -> dict[str, Any]:
        """``where`` as a message part, for finding messages (compliance.base.messages)."""
        return message_part(
            "place.invoice_line", document_type=self.invoice.document_type, invoice=self.invoice.number, line=self.line.line_id
        )

    def evidence(self) -> dict[str, Any]:
        return {
            "invoice": self.invoice.number,
            "file": self.invoice.source_path,
            "line": self.line.line_id,
            "source_line": self.line.source_line,
            "day": self.day.isoformat(),
            "item": self.line.seller_item_id,
            "name": self.line.name,
            "quantity": None if self.line.quantity is None else str(self.line.quantity),
            "amount": None if self.line.line_amount is None else str(self.line.line_amount),
        }


def line_day(line: InvoiceLineRecord, invoice: InvoiceRecord) -> date:
    """A line's own day: its delivery date, else the invoice's delivery date, period end or issue date."""
    return own_line_day(line, invoice)


def dated_lines(invoices: Iterable[InvoiceRecord], start: date, end: date) -> Iterator[DatedLine]:
    """Lines dated inside [start, end]: a line's own day (delivery date, else the invoice's delivery
    date, period end or issue date), but a credit-note line on the day of the line it credits among
    ``invoices`` (``compliance.checks.credit_notes``: an undated credit note issued next year
    reduces last year's amounts)."""
    invoices = list(invoices)
    index = CreditIndex(invoices)
    for invoice in invoices:
        for line in invoice.lines:
            day = reconciled_day(index, invoice, line)
            if start <= day <= end:
                yield DatedLine(invoice, line, day)


def line_matches(match: ItemMatch, line: InvoiceLineRecord) -> bool:
    return match.matches(line.seller_item_id, line.classification_codes, line.name, line.description, line.properties)


def item_matches(match: ItemMatch, item: ItemState) -> bool:
    return match.matches(item.seller_item_id, item.classification_codes, item.name, None, item.properties)


def effective_labels(dated: DatedLine, catalogue: CatalogueHistory) -> tuple[list[Label], str]:
    """Labels on the invoice line, else those the catalogue showed for the item on the line's day; and which source."""
    if dated.line.labels:
        return list(dated.line.labels), "invoice line"
    item = catalogue.state_on(dated.line.seller_item_id, dated.day)
    if item is not None and item.labels:
        return list(item.labels), f"catalogue {item.catalogue_id}"
    return [], "none"


def catalogue_licence(dated: DatedLine, catalogue: CatalogueHistory, label_code: str) -> str | None:
    """The licence number the catalogue states for the line's item and label on the line's day.

    §3.1 puts label data in the e-catalogue and asks for licence numbers on request, so an invoice
    line that names a label without its number is documented by the catalogue's number for the
    same item and label (issue 16 item 10)."""
    item = catalogue.state_on(dated.line.seller_item_id, dated.day)
    if item is None:
        return None
    return next((lb.licence for lb in item.labels if lb.code == label_code and lb.licence), None)


def contract_catalogue(
    contract: ContractTerms, messages: Iterable[CatalogueMessageRecord], items: Iterable[CatalogueItemRecord]
) -> CatalogueHistory:
    """The history of the catalogues that belong to a contract.

    A message belongs by contract reference, else (no reference) by its issuer; either way its issuer
    must be the supplier or a party the contract lists (``compliance.checks.attribution``). A
    deletion or update without either belongs when it names a catalogue that belongs.
    """
    all_messages = list(messages)
    chosen = [
        m
        for m in all_messages
        if issuing_party(contract, catalogue_issuer(m)) is not None and (cites_contract(m, contract) or not m.contract_references)
    ]
    catalogues = {m.target_catalogue_id for m in chosen}
    supplier_keys = {m.supplier_key for m in chosen}
    chosen += [
        m
        for m in all_messages
        if m not in chosen
        and not m.contract_references
        and m.target_catalogue_id in catalogues
        and m.supplier_key in supplier_keys
    ]
    files = {m.source_file_id for m in chosen}
    return CatalogueHistory(chosen, [item for item in items if item.source_file_id in files])


def catalogue_issuer(message: CatalogueMessageRecord) -> Issuer:
    return Issuer(message.supplier_cvr, message.supplier_se, message.supplier_gln, message.supplier_name)


def cites_contract(message: CatalogueMessageRecord, contract: ContractTerms) -> bool:
    return bool(set(message.contract_references or []) & (contract.invoice_references | {contract.id}))


def catalogues_citing_from_others(contract: ContractTerms, messages: Iterable[CatalogueMessageRecord]) -> list[FindingRecord]:
    """A high finding for each catalogue message that cites the contract from an issuer it does not list."""
    return [
        not_attributed_finding(
            contract,
            catalogue_issuer(m),
            "catalogue",
            m.catalogue_id,
            m.source_file_id,
            "cac:ProviderParty",
            {"file": m.source_path, "issue_date": m.issue_date.isoformat()},
        )
        for m in messages
        if cites_contract(m, contract) and issuing_party(contract, catalogue_issuer(m)) is None
    ]
