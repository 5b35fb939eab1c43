"""Normalised documents to database rows: one mapping per document kind, written in bulk.

The readers in ``compliance.ingest`` return the records of ``compliance.base.documents``; this
module is the one place that knows which table and columns each record becomes. Vehicle register
records are not mapped here: they follow the register's upsert policy (``compliance.store.vehicles``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from compliance.base.documents import (
    AllowanceCharge,
    CatalogueDocument,
    CatalogueLine,
    DocumentLine,
    DrivingLogDocument,
    EcolabelRegistryDocument,
    InvoiceDocument,
    SourceDocument,
    VehicleRegisterDocument,
)
from compliance.base.errors import DuplicateDocumentError
from compliance.store.db import insert_rows
from compliance.store.models import Base, Trip
from compliance.store.vehicles import declared_vehicle_row, store_declared_vehicles

TRIPS_PER_INSERT = 10_000


def _signed(value: Decimal | None, sign: int) -> Decimal | None:
    return None if value is None else value * sign


def _jsonable_list(records: list[AllowanceCharge]) -> list[dict[str, Any]]:
    return [
        {"charge": record.charge, "amount": str(record.amount), "reason": record.reason, "reason_code": record.reason_code}
        for record in records
    ]


def _item_json(line: DocumentLine | CatalogueLine) -> dict[str, list[dict[str, Any]]]:
    """The JSON columns an invoice line and a catalogue item share (built by hand: asdict is slow)."""
    return {
        "classification_codes": [{"code": code.code, "list_id": code.list_id} for code in line.classification_codes],
        "labels": [
            {"code": lb.code, "raw": lb.raw, "known": lb.known, "type1": lb.type1, "source": lb.source, "licence": lb.licence}
            for lb in line.labels
        ],
        "properties": [{"name": prop.name, "value": prop.value} for prop in line.properties],
    }


def invoice_row(source_id: int, document: InvoiceDocument) -> dict[str, Any]:
    """The ``invoice`` row of an invoice or credit note (its contract is assigned when the contracts are checked)."""
    return {
        "source_file_id": source_id,
        "document_type": document.document_type,
        "format": document.format,
        "number": document.id,
        "issue_date": document.issue_date,
        "currency": document.currency,
        "supplier_key": supplier_key(document),
        "supplier_cvr": document.supplier.cvr,
        "supplier_se": document.supplier.se,
        "supplier_name": document.supplier.name,
        "supplier_endpoint_id": document.supplier.endpoint_id,
        "supplier_endpoint_scheme": document.supplier.endpoint_scheme,
        "customer_endpoint_id": document.customer.endpoint_id,
        "customer_endpoint_scheme": document.customer.endpoint_scheme,
        "customer_gln": document.customer.gln,
        "customer_cvr": document.customer.cvr,
        "customer_name": document.customer.name,
        "contract_references": document.contract_references,
        "line_extension_amount": document.totals.line_extension,
        "net_amount": document.totals.net,
        "tax_amount": document.totals.tax,
        "gross_amount": document.totals.gross,
        "prepaid_amount": document.totals.prepaid,
        "rounding_amount": document.totals.rounding,
        "stated_totals": {name: str(value) for name, value in document.totals.stated.items()},
        "payable_amount": document.totals.payable,
        "allowance_total_amount": document.totals.allowance_total,
        "charge_total_amount": document.totals.charge_total,
        "allowance_charges": _jsonable_list(document.allowance_charges),
        "delivery_date": document.delivery_date,
        "period_start": document.period_start,
        "period_end": document.period_end,
        "contract_id": None,
        "supplier_gln": document.supplier.gln,
        "billing_references": document.billing_references,
    }


def invoice_line_rows(invoice_id: int, document: InvoiceDocument) -> list[dict[str, Any]]:
    """The ``invoice_line`` rows of a stored invoice (``invoice_id``)."""
    # Credit notes reduce trips and amounts: quantities and amounts are stored signed.
    sign = -1 if document.document_type == "credit_note" else 1
    return [
        {
            "invoice_id": invoice_id,
            "position": line.position,
            "line_id": line.id,
            "quantity": _signed(line.quantity, sign),
            "unit_code": line.unit_code,
            "line_amount": _signed(line.line_amount, sign),
            "name": line.name,
            "description": line.description,
            "seller_item_id": line.seller_item_id,
            "standard_item_id": line.standard_item_id,
            **_item_json(line),
            "notes": line.notes,
            "delivery_date": line.delivery_date,
            "allowance_charges": _jsonable_list(line.allowance_charges),
            "source_line": line.source_line,
            "path": line.path,
            "billing_reference": line.billing_reference,
            "billing_reference_line": line.billing_reference_line,
        }
        for line in document.lines
    ]


def catalogue_item_rows(source_id: int, document: CatalogueDocument) -> list[dict[str, Any]]:
    """One ``catalogue_item`` row per catalogue line, each carrying the catalogue's header fields."""
    return [
        {
            "source_file_id": source_id,
            "catalogue_id": document.id,
            "document_type": document.document_type,
            "issue_date": document.issue_date,
            "supplier_cvr": document.supplier.cvr,
            "contract_references": document.contract_references,
            "position": line.position,
            "line_id": line.id,
            "action_code": line.action_code,
            "seller_item_id": line.seller_item_id,
            "standard_item_id": line.standard_item_id,
            "name": line.name,
            **_item_json(line),
            "price": line.price,
            "unit_code": line.unit_code,
            "source_line": line.source_line,
            "path": line.path,
        }
        for line in document.lines
    ]


def catalogue_message_row(source_id: int, document: CatalogueDocument) -> dict[str, Any]:
    """The ``catalogue_message`` row: one per catalogue file, what the catalogue history is built from."""
    return {
        "source_file_id": source_id,
        "catalogue_id": document.id,
        "document_type": document.document_type,
        "format": document.format,
        "issue_date": document.issue_date,
        "issue_time": document.issue_time,
        "action_code": document.action_code,
        "version_id": document.version_id,
        "target_catalogue_id": document.target_catalogue_id or document.id,
        "supplier_key": supplier_key(document),
        "supplier_cvr": document.supplier.cvr,
        "supplier_se": document.supplier.se,
        "supplier_gln": document.supplier.gln,
        "supplier_name": document.supplier.name,
        "customer_gln": document.customer.gln,
        "contract_references": document.contract_references,
        "valid_from": document.valid_from,
        "valid_to": document.valid_to,
        "line_count": len(document.lines),
    }


def licence_rows(source_id: int, document: EcolabelRegistryDocument) -> list[dict[str, Any]]:
    """One ``ecolabel_licence`` row per licence in an ecolabel registry export."""
    return [
        {
            "source_file_id": source_id,
            "row": licence.row,
            "label_code": licence.label_code,
            "licence_number": licence.licence_number,
            "product_group": licence.product_group,
            "product_name": licence.product_name,
            "holder": licence.holder,
            "gtin": licence.gtin,
            "valid_to": licence.valid_to,
        }
        for licence in document.licences
    ]


def trip_rows(source_id: int, document: DrivingLogDocument) -> Iterator[dict[str, Any]]:
    """One ``trip`` row per driving-log row, with the supplier the log belongs to (made as they are written)."""
    return (
        {
            "source_file_id": source_id,
            "row": trip.row,
            "supplier_cvr": document.supplier_cvr,
            "trip_date": trip.trip_date,
            "registration": trip.registration,
            "vehicle_type": trip.vehicle_type,
            "distance_km": trip.distance_km,
            "fuel": trip.fuel,
            "contract_reference": trip.contract_reference,
        }
        for trip in document.trips
    )


def store_documents(session: Session, documents: list[tuple[int, SourceDocument]]) -> None:
    """Write the documents stored from themselves rather than from prepared rows
    (``compliance.store.prepared``): a driving log's trips, made and inserted in chunks as they are
    written (a log may have a million rows), and a vehicle register, stored by the register's upsert
    policy (:mod:`compliance.store.vehicles`). Anything else is refused: its rows are prepared."""
    connection = session.connection()
    if misplaced := [
        type(doc).__name__ for _, doc in documents if not isinstance(doc, DrivingLogDocument | VehicleRegisterDocument)
    ]:
        raise TypeError(f"stored from prepared rows, not here: {', '.join(misplaced)}")
    trips = (row for source_id, doc in documents if isinstance(doc, DrivingLogDocument) for row in trip_rows(source_id, doc))
    while chunk := list(islice(trips, TRIPS_PER_INSERT)):
        insert_rows(connection, Trip, chunk)
    for source_id, doc in documents:
        if isinstance(doc, VehicleRegisterDocument):
            store_declared_vehicles(session, source_id, doc.vehicles)


def supplier_key(document: InvoiceDocument | CatalogueDocument) -> str:
    """Who a document number belongs to: the CVR, else the endpoint id, else the name."""
    return document.supplier.cvr or document.supplier.endpoint_id or document.supplier.name or "unknown"


def reused_numbers(session: Session, documents: list[tuple[str, str, tuple[str, str, str]]]) -> dict[str, DuplicateDocumentError]:
    """Documents (by file name, with their content's SHA-256 and their supplier, type and number) whose
    supplier already used the number for other content: stored before, or earlier in ``documents``."""
    keys = {key for _, _, key in documents}
    first: dict[tuple[str, str, str], tuple[str, str]] = {}
    if keys:
        # Core, not the ORM: ingest configures no mappers (see compliance.store.sources).
        invoice, source = Base.metadata.tables["invoice"], Base.metadata.tables["source_file"]
        stored = (
            session.connection()
            .execute(
                select(invoice.c.supplier_key, invoice.c.document_type, invoice.c.number, source.c.path, source.c.sha256)
                .join(source, invoice.c.source_file_id == source.c.id)
                .where(tuple_(invoice.c.supplier_key, invoice.c.document_type, invoice.c.number).in_(list(keys)))
            )
            .all()
        )
        first = {(row[0], row[1], row[2]): (row[3], row[4]) for row in stored}
    reused: dict[str, DuplicateDocumentError] = {}
    for name, digest, key in documents:
        supplier, document_type, number = key
        if key in first:
            first_file, first_sha = first[key]
            reused[name] = DuplicateDocumentError(
                f"duplicate {document_type.replace('_', ' ')} number {number!r} from supplier {supplier} "
                f"with different content (first received in {first_file})",
                file=name,
                supplier=supplier,
                number=number,
                first_file=first_file,
                first_sha256=first_sha,
            )
        else:
            first[key] = (name, digest)  # a later file in the same batch reusing the number is caught too
    return reused


def document_rows(document: SourceDocument) -> list[tuple[str, Iterable[dict[str, Any]]]]:
    """The rows a document becomes, by table, with 0 standing in for the ids the database assigns: what
    the field-size check (``compliance.store.limits``) reads before anything is stored. A driving log's
    trip rows are made one at a time as the check reads them (a log may have millions)."""
    if isinstance(document, InvoiceDocument):
        return [("invoice", [invoice_row(0, document)]), ("invoice_line", invoice_line_rows(0, document))]
    if isinstance(document, CatalogueDocument):
        return [("catalogue_message", [catalogue_message_row(0, document)]), ("catalogue_item", catalogue_item_rows(0, document))]
    if isinstance(document, DrivingLogDocument):
        return [("trip", trip_rows(0, document))]
    if isinstance(document, EcolabelRegistryDocument):
        return [("ecolabel_licence", licence_rows(0, document))]
    return [("vehicle", [declared_vehicle_row(0, vehicle) for vehicle in document.vehicles])]
