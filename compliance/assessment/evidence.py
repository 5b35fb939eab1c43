"""The rows behind a contract year's figures, for the evidence workbook: invoice lines, driving-log trips
and catalogue items, each with the file and line it came from.

Which rows a year covers is decided here (the same dated lines and catalogue history the checks
use), so the workbook only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from compliance.assessment.inputs import contract_catalogues, contract_invoices, contract_log_trips
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.inputs import InvoiceRecord, LoggedTrip
from compliance.checks.items import DatedLine, dated_lines
from compliance.contracts import ContractTerms, ContractYear
from compliance.store.models import CatalogueItem


@dataclass(frozen=True)
class CatalogueItemEvidence:
    """One catalogue line as the supplier sent it: catalogue, action, item, labels, price, file and place."""

    catalogue_id: str
    document_type: str
    issue_date: date
    line_id: str
    action_code: str | None
    seller_item_id: str | None
    name: str | None
    labels: tuple[str | None, ...]  # each label's code, else the text the supplier wrote
    price: Decimal | None
    file: str
    place: int | str | None  # the source line, else the element path


@dataclass(frozen=True)
class YearEvidence:
    """Every invoice line dated in the year, the year's driving-log trips, and the catalogue items known by its end."""

    invoice_lines: tuple[DatedLine, ...]
    trips: tuple[LoggedTrip, ...]
    catalogue_items: tuple[CatalogueItemEvidence, ...]


class EvidenceReader:
    """Reads the evidence of contract years; each contract's invoices, trips and catalogue are read once."""

    def __init__(self, session: Session, contracts: Sequence[ContractTerms]) -> None:
        self.session = session
        self.contracts = list(contracts)
        self._catalogues: dict[str, CatalogueHistory] | None = None
        self._invoices: dict[str, list[InvoiceRecord]] = {}
        self._trips: dict[str, list[LoggedTrip]] = {}

    def _catalogue(self, contract: ContractTerms) -> CatalogueHistory:
        if self._catalogues is None:  # one read of every catalogue message, for all contracts
            self._catalogues = contract_catalogues(self.session, self.contracts)
        return self._catalogues[contract.id]

    def _contract_invoices(self, contract: ContractTerms) -> list[InvoiceRecord]:
        if contract.id not in self._invoices:
            invoices = contract_invoices(self.session, contract.id)
            self._invoices[contract.id] = sorted(invoices, key=lambda invoice: (invoice.issue_date, invoice.number))
        return self._invoices[contract.id]

    def _contract_trips(self, contract: ContractTerms) -> list[LoggedTrip]:
        if contract.id not in self._trips:
            self._trips[contract.id] = contract_log_trips(self.session, contract)
        return self._trips[contract.id]

    def year(self, contract: ContractTerms, year: ContractYear) -> YearEvidence:
        trips = sorted(
            (t for t in self._contract_trips(contract) if year.start <= t.trip_date <= year.end), key=lambda t: t.trip_date
        )
        return YearEvidence(
            invoice_lines=tuple(dated_lines(self._contract_invoices(contract), year.start, year.end)),
            trips=tuple(trips),
            catalogue_items=tuple(self._catalogue_items(self._catalogue(contract), year)),
        )

    def _catalogue_items(self, catalogue: CatalogueHistory, year: ContractYear) -> list[CatalogueItemEvidence]:
        """The lines of every catalogue message issued by the end of the year, in issue order."""
        files = {message.source_file_id for message in catalogue.messages if message.issue_date <= year.end}
        if not files:
            return []
        query = (
            select(CatalogueItem)
            .where(CatalogueItem.source_file_id.in_(files))
            .options(selectinload(CatalogueItem.source_file))
            .order_by(CatalogueItem.issue_date, CatalogueItem.source_file_id, CatalogueItem.position)
        )
        return [
            CatalogueItemEvidence(
                catalogue_id=item.catalogue_id,
                document_type=item.document_type,
                issue_date=item.issue_date,
                line_id=item.line_id,
                action_code=item.action_code,
                seller_item_id=item.seller_item_id,
                name=item.name,
                labels=tuple(label.get("code") or label.get("raw") for label in item.labels),
                price=item.price,
                file=item.source_file.path,
                place=item.source_line or item.path,
            )
            for item in self.session.scalars(query)
        ]
