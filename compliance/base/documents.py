"""Normalised records every source format is turned into; the store keeps them, and the checks read
them back as the typed records of ``compliance.checks.inputs`` (the same labels, codes and properties).

Amounts and quantities keep the exact text of the document (``Decimal`` preserves it); sign
conventions for credit notes are applied when storing, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

DocumentType = Literal["invoice", "credit_note"]


@dataclass(frozen=True)
class Party:
    """A supplier or customer as identified on a document."""

    endpoint_id: str | None = None
    endpoint_scheme: str | None = None
    cvr: str | None = None
    gln: str | None = None
    name: str | None = None
    se: str | None = None
    # How an identifier was read when the document does not say its scheme: {"cvr": "..."} (issue 16, item 8).
    provenance: dict[str, str] | None = None


@dataclass(frozen=True)
class Label:
    """An eco- or social label claimed for an item, mapped to the shared vocabulary.

    ``code`` is the canonical code (GS1 style, e.g. ``SVANEN``) when recognised, else the raw text
    upper-cased; ``known`` says which. ``raw`` is the text as the supplier wrote it.
    """

    code: str
    raw: str
    known: bool
    type1: bool
    source: str
    licence: str | None = None


@dataclass(frozen=True)
class Classification:
    code: str
    list_id: str | None = None


@dataclass(frozen=True)
class Property:
    name: str
    value: str


@dataclass(frozen=True)
class AllowanceCharge:
    """A discount (``charge`` false) or surcharge on a document or a line, as stated."""

    charge: bool
    amount: Decimal
    reason: str | None = None
    reason_code: str | None = None


@dataclass
class DocumentLine:
    """One invoice or credit-note line; ``position`` is its 1-based order, ``path`` its element path."""

    position: int
    id: str
    quantity: Decimal | None
    unit_code: str | None
    line_amount: Decimal | None
    name: str | None
    description: str | None = None
    seller_item_id: str | None = None
    standard_item_id: str | None = None
    standard_item_scheme: str | None = None
    classification_codes: list[Classification] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    delivery_date: date | None = None
    allowance_charges: list[AllowanceCharge] = field(default_factory=list)
    source_line: int | None = None
    path: str | None = None
    # What a credit-note (or corrective) line credits: the invoice number and that invoice's line id
    # (UBL ``BillingReference/InvoiceDocumentReference/ID`` and ``BillingReferenceLine/ID`` on the line).
    billing_reference: str | None = None
    billing_reference_line: str | None = None


@dataclass(frozen=True)
class Totals:
    """A document's totals under names that mean the same in every format (issue 16 item 9).

    - ``line_extension``: the sum of the lines' net amounts;
    - ``allowance_total`` / ``charge_total``: document-level discounts and surcharges;
    - ``net``: the total excl. VAT = line_extension − allowances + charges;
    - ``tax``: the VAT total in the document's currency;
    - ``gross``: the total incl. VAT = net + tax;
    - ``prepaid`` and ``rounding``: what was paid in advance and the rounding of the amount due;
    - ``payable``: the amount due = gross − prepaid + rounding.

    The formats name these differently: OIOUBL 2.x writes the VAT total in ``TaxExclusiveAmount``,
    Peppol BIS 3 and plain UBL the net amount; ``stated`` keeps each ``LegalMonetaryTotal`` element
    (or template field) exactly as the document wrote it, for ``compliance inspect``.
    """

    line_extension: Decimal | None = None
    allowance_total: Decimal | None = None
    charge_total: Decimal | None = None
    net: Decimal | None = None
    tax: Decimal | None = None
    gross: Decimal | None = None
    prepaid: Decimal | None = None
    rounding: Decimal | None = None
    payable: Decimal | None = None
    stated: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class InvoiceDocument:
    """An invoice or credit note, whatever format it arrived in."""

    document_type: DocumentType
    format: str
    id: str
    issue_date: date
    currency: str | None
    supplier: Party
    customer: Party
    contract_references: list[str]
    totals: Totals
    lines: list[DocumentLine]
    customization_id: str | None = None
    profile_id: str | None = None
    type_code: str | None = None
    delivery_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    billing_references: list[str] = field(default_factory=list)
    allowance_charges: list[AllowanceCharge] = field(default_factory=list)


@dataclass
class CatalogueLine:
    """One catalogue item as the supplier describes it."""

    position: int
    id: str
    action_code: str | None
    seller_item_id: str | None
    standard_item_id: str | None
    name: str | None
    classification_codes: list[Classification] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    price: Decimal | None = None
    unit_code: str | None = None
    source_line: int | None = None
    path: str | None = None


@dataclass
class CatalogueDocument:
    """A catalogue, an item-specification or pricing update, or a deletion.

    ``target_catalogue_id`` is the catalogue an update or deletion applies to (its own id for a
    full catalogue); ``action_code`` is the header action (Peppol ``Add``/``Replace``/``Update``).
    """

    document_type: str
    format: str
    id: str
    issue_date: date
    supplier: Party
    customer: Party
    contract_references: list[str]
    lines: list[CatalogueLine]
    issue_time: str | None = None
    action_code: str | None = None
    version_id: str | None = None
    target_catalogue_id: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass
class TripRecord:
    """One trip from a driving log: a plate, or a vehicle type with no plate (cargo bike)."""

    row: int
    trip_date: date
    registration: str | None
    vehicle_type: str | None
    distance_km: Decimal | None
    contract_reference: str | None = None
    fuel: str | None = None


@dataclass
class DrivingLogDocument:
    document_type: str
    format: str
    supplier_cvr: str | None
    trips: Sequence[TripRecord]  # a reader keeps a long log by column (compliance.ingest.driving_log.TripTable)


@dataclass
class VehicleRecord:
    """What the register says about one vehicle; ``green_evidence`` backs a declared biogas vehicle."""

    row: int
    registration: str
    kind: str
    fuel: str
    euro_norm: int | None
    total_weight_kg: int | None
    registered: bool
    green_evidence: str | None = None
    # What the record says from and until (inclusive; None = open): a declared vehicle's own dates.
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass
class VehicleRegisterDocument:
    document_type: str
    format: str
    vehicles: list[VehicleRecord]


@dataclass
class LicenceRecord:
    """One licence in an eco-label registry export, by row."""

    row: int
    label_code: str
    licence_number: str
    product_group: str | None
    product_name: str | None
    holder: str | None
    gtin: str | None
    valid_to: date | None


@dataclass
class EcolabelRegistryDocument:
    document_type: str
    format: str
    licences: list[LicenceRecord]


SourceDocument = InvoiceDocument | CatalogueDocument | DrivingLogDocument | VehicleRegisterDocument | EcolabelRegistryDocument


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def document_as_json(document: SourceDocument) -> dict[str, Any]:
    """The JSON shape published in ``compliance/data/normalized-document.schema.json``."""
    if isinstance(document, DrivingLogDocument) and not isinstance(document.trips, list):
        document = replace(document, trips=list(document.trips))
    return dict(_jsonable(asdict(document)))
