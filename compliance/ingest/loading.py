"""Ingest files into the database: idempotent by content hash, quarantine with a reason, batch goes on."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from compliance.checks import FindingRecord
from compliance.documents import (
    AllowanceCharge,
    CatalogueDocument,
    CatalogueLine,
    DocumentLine,
    DrivingLogDocument,
    InvoiceDocument,
    SourceDocument,
    VehicleRegisterDocument,
)
from compliance.errors import ComplianceError, DuplicateDocumentError, SourceFileError
from compliance.ingest.detect import read_source
from compliance.store.db import session_scope
from compliance.store.models import CatalogueItem, Finding, Invoice, InvoiceLine, SourceFile, Trip, Vehicle


@dataclass
class IngestSummary:
    """What one ingest run did with each file."""

    ingested: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: IngestSummary) -> None:
        self.ingested += other.ingested
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (sorted, hidden files skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def _now() -> datetime:
    return datetime.now(UTC)


def _signed(value: Decimal | None, sign: int) -> Decimal | None:
    return None if value is None else value * sign


def _jsonable_list(records: list[AllowanceCharge]) -> list[dict[str, Any]]:
    return [{**asdict(record), "amount": str(record.amount)} for record in records]


def _item_json(line: DocumentLine | CatalogueLine) -> dict[str, list[dict[str, Any]]]:
    """The JSON columns an invoice line and a catalogue item share."""
    return {
        "classification_codes": [asdict(code) for code in line.classification_codes],
        "labels": [asdict(label) for label in line.labels],
        "properties": [asdict(prop) for prop in line.properties],
    }


def _store_invoice(session: Session, source: SourceFile, document: InvoiceDocument) -> None:
    supplier_key = document.supplier.cvr or document.supplier.endpoint_id or document.supplier.name or "unknown"
    existing = session.scalars(
        select(Invoice).where(
            Invoice.supplier_key == supplier_key,
            Invoice.document_type == document.document_type,
            Invoice.number == document.id,
        )
    ).first()
    if existing is not None:
        raise DuplicateDocumentError(
            f"duplicate {document.document_type.replace('_', ' ')} number {document.id!r} from supplier {supplier_key} "
            f"with different content (first received in {existing.source_file.path})",
            file=source.path,
            supplier=supplier_key,
            number=document.id,
            first_file=existing.source_file.path,
            first_sha256=existing.source_file.sha256,
        )
    invoice = Invoice(
        source_file=source,
        document_type=document.document_type,
        format=document.format,
        number=document.id,
        issue_date=document.issue_date,
        currency=document.currency,
        supplier_key=supplier_key,
        supplier_cvr=document.supplier.cvr,
        supplier_se=document.supplier.se,
        supplier_name=document.supplier.name,
        supplier_endpoint_id=document.supplier.endpoint_id,
        supplier_endpoint_scheme=document.supplier.endpoint_scheme,
        customer_endpoint_id=document.customer.endpoint_id,
        customer_endpoint_scheme=document.customer.endpoint_scheme,
        customer_gln=document.customer.gln,
        customer_cvr=document.customer.cvr,
        customer_name=document.customer.name,
        contract_references=document.contract_references,
        line_extension_amount=document.totals.line_extension,
        tax_exclusive_amount=document.totals.tax_exclusive,
        payable_amount=document.totals.payable,
        allowance_total_amount=document.totals.allowance_total,
        charge_total_amount=document.totals.charge_total,
        allowance_charges=_jsonable_list(document.allowance_charges),
        delivery_date=document.delivery_date,
        period_start=document.period_start,
        period_end=document.period_end,
    )
    session.add(invoice)
    session.flush()
    # Credit notes reduce trips and amounts: quantities and amounts are stored signed.
    # Lines go in as one bulk INSERT: large invoices have thousands of them.
    sign = -1 if document.document_type == "credit_note" else 1
    rows = [
        dict(
            invoice_id=invoice.id,
            position=line.position,
            line_id=line.id,
            quantity=_signed(line.quantity, sign),
            unit_code=line.unit_code,
            line_amount=_signed(line.line_amount, sign),
            name=line.name,
            description=line.description,
            seller_item_id=line.seller_item_id,
            standard_item_id=line.standard_item_id,
            **_item_json(line),
            notes=line.notes,
            delivery_date=line.delivery_date,
            allowance_charges=_jsonable_list(line.allowance_charges),
            source_line=line.source_line,
            path=line.path,
        )
        for line in document.lines
    ]
    if rows:
        session.execute(insert(InvoiceLine), rows)


def _store_catalogue(session: Session, source: SourceFile, document: CatalogueDocument) -> None:
    rows = [
        dict(
            source_file_id=source.id,
            catalogue_id=document.id,
            document_type=document.document_type,
            issue_date=document.issue_date,
            supplier_cvr=document.supplier.cvr,
            contract_references=document.contract_references,
            position=line.position,
            line_id=line.id,
            action_code=line.action_code,
            seller_item_id=line.seller_item_id,
            standard_item_id=line.standard_item_id,
            name=line.name,
            **_item_json(line),
            price=line.price,
            unit_code=line.unit_code,
            source_line=line.source_line,
            path=line.path,
        )
        for line in document.lines
    ]
    if rows:
        session.execute(insert(CatalogueItem), rows)


def _store_driving_log(session: Session, source: SourceFile, document: DrivingLogDocument) -> None:
    rows = [
        dict(
            source_file_id=source.id,
            row=trip.row,
            supplier_cvr=document.supplier_cvr,
            trip_date=trip.trip_date,
            registration=trip.registration,
            vehicle_type=trip.vehicle_type,
            distance_km=trip.distance_km,
            fuel=trip.fuel,
            contract_reference=trip.contract_reference,
        )
        for trip in document.trips
    ]
    if rows:
        session.execute(insert(Trip), rows)


def _store_vehicle_register(session: Session, source: SourceFile, document: VehicleRegisterDocument) -> None:
    for record in document.vehicles:
        vehicle = session.scalars(select(Vehicle).where(Vehicle.registration == record.registration)).first()
        if vehicle is None:
            vehicle = Vehicle(registration=record.registration)
            session.add(vehicle)
        vehicle.kind = record.kind
        vehicle.fuel = record.fuel
        vehicle.euro_norm = record.euro_norm
        vehicle.total_weight_kg = record.total_weight_kg
        vehicle.registered = record.registered
        vehicle.green_evidence = record.green_evidence
        vehicle.source_file = source
        vehicle.row = record.row


def store_document(session: Session, source: SourceFile, document: SourceDocument) -> None:
    """Write the normalised records of one parsed file, linked to its source file row."""
    if isinstance(document, InvoiceDocument):
        _store_invoice(session, source, document)
    elif isinstance(document, CatalogueDocument):
        _store_catalogue(session, source, document)
    elif isinstance(document, DrivingLogDocument):
        _store_driving_log(session, source, document)
    else:
        _store_vehicle_register(session, source, document)


RULE_DUPLICATE_NUMBER = "invoice.duplicate_number@1"


def _quarantine(
    engine: Engine, path: str, digest: str, size: int, reason: str, duplicate: DuplicateDocumentError | None = None
) -> None:
    """Record the file as quarantined with its reason; a reused document number is also a finding."""
    with session_scope(engine) as session:
        source = session.scalars(select(SourceFile).where(SourceFile.sha256 == digest)).first()
        if source is None:
            source = SourceFile(sha256=digest, path=path, size_bytes=size, first_seen_at=_now(), kind="unknown")
            session.add(source)
        source.status = "quarantined"
        source.quarantine_reason = reason
        source.path = path
        if duplicate is None:
            return
        session.flush()
        record = FindingRecord(
            RULE_DUPLICATE_NUMBER,
            "high",
            f"duplicate invoice number, different content: {duplicate.number} from supplier {duplicate.supplier} "
            f"was first received in {duplicate.first_file}; this file was not stored",
            supplier_cvr=duplicate.supplier if len(duplicate.supplier) == 8 else None,
            expected="a new document number for new content, or the identical file",
            received=f"the number {duplicate.number} again with different content",
            source_file_id=source.id,
            location="cbc:ID",
            evidence={
                "number": duplicate.number,
                "first_file": duplicate.first_file,
                "first_sha256": duplicate.first_sha256,
                "sha256": digest,
            },
        )
        fingerprint = record.fingerprint()
        if session.scalars(select(Finding).where(Finding.fingerprint == fingerprint)).first() is None:
            session.add(
                Finding(
                    fingerprint=fingerprint,
                    rule_id=record.rule_id,
                    severity=record.severity,
                    supplier_cvr=record.supplier_cvr,
                    message=record.message,
                    expected=record.expected,
                    received=record.received,
                    source_file_id=record.source_file_id,
                    location=record.location,
                    evidence=record.evidence,
                    created_at=_now(),
                )
            )


def ingest_file(engine: Engine, path: Path, max_bytes: int) -> IngestSummary:
    """Ingest one file in its own transaction; the outcome is recorded in the summary."""
    summary = IngestSummary()
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            # An oversized file is hashed in chunks but never read into memory whole.
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            reason = str(
                SourceFileError(
                    f"the file is {size} bytes", file=name, expected=f"at most {max_bytes} bytes (COMPLIANCE_MAX_FILE_MB)"
                )
            )
            _quarantine(engine, name, digest, size, reason)
            summary.quarantined.append((name, reason))
            return summary
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
    except OSError as exc:
        summary.quarantined.append((name, f"{name}: cannot read the file: {exc.strerror}"))
        return summary
    with session_scope(engine) as session:
        known = session.scalars(select(SourceFile).where(SourceFile.sha256 == digest)).first()
        if known is not None and known.status == "ingested":
            summary.duplicates.append(name)
            return summary
    try:
        document = read_source(data, name, max_bytes)
        with session_scope(engine) as session:
            source = session.scalars(select(SourceFile).where(SourceFile.sha256 == digest)).first()
            if source is None:
                source = SourceFile(sha256=digest, path=name, size_bytes=len(data), first_seen_at=_now())
                session.add(source)
            source.path = name
            source.kind = document.document_type
            source.format = document.format
            source.status = "ingested"
            source.quarantine_reason = None
            source.ingested_at = _now()
            session.flush()
            store_document(session, source, document)
    except IntegrityError:
        # Another run stored the same file at the same moment: it is counted once, by that run.
        summary.duplicates.append(name)
        return summary
    except DBAPIError as exc:
        # A value the database refuses (e.g. longer than its column on PostgreSQL): quarantine, go on.
        reason = str(
            SourceFileError(
                f"the database refused a value: {str(exc.orig).splitlines()[0]}",
                file=name,
                expected="values within the documented field sizes",
            )
        )
        _quarantine(engine, name, digest, len(data), reason)
        summary.quarantined.append((name, reason))
        return summary
    except ComplianceError as exc:
        _quarantine(engine, name, digest, len(data), str(exc), exc if isinstance(exc, DuplicateDocumentError) else None)
        summary.quarantined.append((name, str(exc)))
        return summary
    summary.ingested.append(name)
    return summary


@dataclass(frozen=True)
class IngestProgress:
    files_done: int
    files_total: int
    summary: IngestSummary
    seconds: float

    @property
    def files_per_second(self) -> float:
        return self.files_done / self.seconds if self.seconds > 0 else 0.0


def ingest_paths(
    engine: Engine,
    paths: Iterable[Path],
    max_bytes: int,
    on_progress: Callable[[IngestProgress], None] | None = None,
) -> IngestSummary:
    """Ingest every file under ``paths``; a bad file is quarantined and the rest go on.

    ``on_progress`` is called after each file (the CLI shows it on a terminal).
    """
    files = list(iter_input_files(paths))
    summary = IngestSummary()
    started = time.monotonic()
    for done, path in enumerate(files, start=1):
        summary.merge(ingest_file(engine, path, max_bytes))
        if on_progress is not None:
            on_progress(IngestProgress(done, len(files), summary, time.monotonic() - started))
    return summary
