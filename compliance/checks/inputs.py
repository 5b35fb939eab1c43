"""The typed inputs every check reads: stored documents as plain, immutable records.

The assessment loads these from the store (``compliance.assessment.inputs``); a check never sees
a database row, a session or a JSON dict, so a rule test builds its inputs inline. Field names
follow the normalised documents (``compliance.base.documents``); ``source_file_id`` and
``source_path`` say where a record came from, so every finding can point back to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.base.documents import AllowanceCharge, Classification, Label, Property


@dataclass(frozen=True)
class InvoiceLineRecord:
    """One stored invoice or credit-note line; quantities and amounts are signed (credit notes negative)."""

    line_id: str
    quantity: Decimal | None
    name: str | None = None
    position: int = 1
    id: int = 0
    unit_code: str | None = None
    line_amount: Decimal | None = None
    description: str | None = None
    seller_item_id: str | None = None
    standard_item_id: str | None = None
    classification_codes: tuple[Classification, ...] = ()
    labels: tuple[Label, ...] = ()
    properties: tuple[Property, ...] = ()
    notes: tuple[str, ...] = ()
    delivery_date: date | None = None
    source_line: int | None = None
    path: str | None = None
    billing_reference: str | None = None  # the invoice this credit-note line credits, if the line says
    billing_reference_line: str | None = None  # and that invoice's line


@dataclass(frozen=True)
class InvoiceRecord:
    """One stored invoice or credit note with its lines, and the file it came from."""

    number: str
    issue_date: date
    lines: tuple[InvoiceLineRecord, ...] = ()
    document_type: str = "invoice"
    id: int = 0
    source_file_id: int = 0
    source_path: str = ""
    supplier_key: str = ""
    supplier_cvr: str | None = None
    supplier_name: str | None = None
    customer_endpoint_id: str | None = None
    customer_gln: str | None = None
    customer_name: str | None = None
    contract_references: tuple[str, ...] = ()
    currency: str | None = None
    delivery_date: date | None = None
    period_end: date | None = None
    line_extension_amount: Decimal | None = None
    contract_id: str | None = None
    allowance_charges: tuple[AllowanceCharge, ...] = ()  # document-level, as stated (positive)
    supplier_se: str | None = None
    supplier_gln: str | None = None
    # Who issued it for its contract (compliance.checks.attribution): supplier | issuing_entity |
    # subcontractor, "held_out" when it cites a contract whose parties do not include its issuer.
    issuer_role: str | None = None
    billing_references: tuple[str, ...] = ()  # the invoices a credit note credits


@dataclass(frozen=True)
class LoggedTrip:
    """One trip of a driving log: a plate, or a vehicle type without one (cargo bike)."""

    trip_date: date
    registration: str | None
    distance_km: Decimal | None = None
    vehicle_type: str | None = None
    fuel: str | None = None
    supplier_cvr: str | None = None
    contract_reference: str | None = None
    source_file_id: int = 0
    source_path: str = ""
    row: int = 0
    # The register's period that covers the trip's day, when one does (issue 16 item 6): it decides
    # whether the trip was green; without one, the current record (or the log's own type) does.
    on_day: VehiclePeriod | None = None


@dataclass(frozen=True)
class RegisteredVehicle:
    """What the vehicle register says about one plate, and which file and record said it."""

    registration: str
    kind: str
    fuel: str
    registered: bool = True
    euro_norm: int | None = None
    total_weight_kg: int | None = None
    green_evidence: str | None = None
    origin: str = "declared"
    dmr_vehicle_id: str | None = None
    source_file_id: int = 0
    source_path: str = ""
    row: int = 0


@dataclass(frozen=True)
class VehiclePeriod:
    """What the register says about a plate from ``valid_from`` to ``valid_to`` (inclusive; None = open).

    A DMR record (registered from its status date; deregistered until its plate expiry or status
    date) or a declared row (its own dates). Which period decides a day: ``checks.green_vehicles``.
    """

    registration: str
    kind: str
    fuel: str
    valid_from: date | None = None
    valid_to: date | None = None
    green_evidence: str | None = None
    origin: str = "declared"
    source_file_id: int = 0
    row: int = 0

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class CatalogueMessageRecord:
    """The header of one stored catalogue, item-specification or pricing update, or deletion."""

    catalogue_id: str
    document_type: str
    issue_date: date
    target_catalogue_id: str
    source_file_id: int = 0
    source_path: str = ""
    issue_time: str | None = None
    action_code: str | None = None
    supplier_key: str = ""
    supplier_cvr: str | None = None
    contract_references: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    supplier_se: str | None = None
    supplier_gln: str | None = None
    supplier_name: str | None = None


@dataclass(frozen=True)
class CatalogueItemRecord:
    """One line of a stored catalogue message."""

    source_file_id: int
    line_id: str
    position: int = 1
    action_code: str | None = None
    seller_item_id: str | None = None
    standard_item_id: str | None = None
    name: str | None = None
    classification_codes: tuple[Classification, ...] = ()
    labels: tuple[Label, ...] = ()
    properties: tuple[Property, ...] = ()
    price: Decimal | None = None
    unit_code: str | None = None
    source_line: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class RegistryLicence:
    """One licence of an ingested eco-label registry export (EU Ecolabel, Nordic Swan)."""

    label_code: str
    licence_number: str
    valid_to: date | None = None
    product_group: str | None = None
    product_name: str | None = None
    holder: str | None = None
    source_file_id: int = 0
    row: int = 0


@dataclass(frozen=True)
class CountedTripLine:
    """One counted §2.1 trip line of a contract: the invoice line, its day, kind and trips."""

    invoice_number: str
    document_type: str
    source_file_id: int
    source_path: str
    line_id: str
    source_line: int | None
    day: date
    kind: str  # how the line counts: green | conventional | ambiguous | uncountable
    trips: Decimal
    registrations: tuple[str, ...] = field(default_factory=tuple)
    stated_kind: str = ""  # what the line says (issue 16 item 6); "" = the same as ``kind``
    unreadable: tuple[str, ...] = field(default_factory=tuple)  # plate texts that cannot be read (item 5)
    # The register's word on each plate on the line's day, as stored with the line (see trip_lines.py).
    plate_verdicts: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def stated(self) -> str:
        """What the line says it is (green or conventional …), whatever it counts as."""
        return self.stated_kind or self.kind

    # Reconciliation (compliance.assessment.trip_reconciliation): the quantity the document states,
    # why not all of it counts, the invoice a credit names, the line it credits and the earlier line a
    # repeat repeats ("GB-202510 line 3"), and a contract manager's acceptance of a held line.
    invoiced: Decimal | None = None
    held: str | None = None
    credits_invoice: str | None = None
    credited: str | None = None
    duplicate_of: str | None = None
    duplicate_file: str | None = None
    acceptance: str | None = None

    def as_evidence(self) -> dict[str, object]:
        return {
            "invoice": self.invoice_number,
            "document_type": self.document_type,
            "file": self.source_path,
            "line": self.line_id,
            "source_line": self.source_line,
            "day": self.day.isoformat(),
            "kind": self.kind,
            "stated_kind": self.stated,
            "trips": str(self.trips),
            "registrations": list(self.registrations),
        }
