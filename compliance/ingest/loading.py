"""Ingest files into the database: idempotent by content hash, quarantine with a reason, batch goes on.

Files are stored in batches, one transaction per batch: a run killed half-way loses only the
batch in flight, which the next run stores again (nothing lost, nothing twice). Should a batch
fail in the database (a concurrent run stored the same file, a value the database refuses),
its files are stored again one by one, so that one bad file cannot hold back the others.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, tuple_, update
from sqlalchemy.exc import DBAPIError, IntegrityError
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
from compliance.base.errors import ComplianceError, DuplicateDocumentError, SourceFileError
from compliance.base.findings import FindingRecord
from compliance.base.settings import DEFAULT_INGEST_BATCH_FILES
from compliance.ingest.detect import read_source
from compliance.ingest.driving_log import LogOptions
from compliance.quality import QualityResult, SuiteRun, quarantine_reason, validate_documents
from compliance.store.db import ids_by_key, insert_rows, session_scope
from compliance.store.models import (
    CatalogueItem,
    CatalogueMessage,
    DataQualityFailure,
    DataQualityRun,
    EcolabelLicence,
    Finding,
    Invoice,
    InvoiceLine,
    SourceFile,
    Trip,
    Vehicle,
)


@dataclass
class IngestSummary:
    """What one ingest run did with each file."""

    ingested: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    quality_runs: list[SuiteRun] = field(default_factory=list)
    quality_quarantined: list[str] = field(default_factory=list)

    def merge(self, other: IngestSummary) -> None:
        self.ingested += other.ingested
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.quality_runs += other.quality_runs
        self.quality_quarantined += other.quality_quarantined

    @property
    def quality_rows(self) -> int:
        return sum(run.rows for run in self.quality_runs)


def unseen_files(engine: Engine, files: Sequence[Path], chunk: int = 500) -> list[Path]:
    """The files ingest has not seen unchanged, found without reading them.

    A file is skipped when a file at the same path, of the same size, was first seen after this one
    was last modified; anything else (new, grown, shrunk, touched since) is returned. The inbox
    watchers use it so that a large inbox is not reread every few minutes; a full run reads everything.
    """
    seen: dict[str, list[tuple[int, datetime]]] = {}
    with session_scope(engine) as session:
        for start in range(0, len(files), chunk):
            names = [str(path) for path in files[start : start + chunk]]
            query = select(SourceFile.path, SourceFile.size_bytes, SourceFile.first_seen_at).where(SourceFile.path.in_(names))
            for name, size, first_seen in session.execute(query):
                seen.setdefault(name, []).append((size, first_seen if first_seen.tzinfo else first_seen.replace(tzinfo=UTC)))
    unseen = []
    for path in files:
        status = path.stat()
        modified = datetime.fromtimestamp(status.st_mtime, UTC)
        if not any(size == status.st_size and modified < first_seen for size, first_seen in seen.get(str(path), [])):
            unseen.append(path)
    return unseen


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (sorted by path parts, hidden files and folders
    skipped, symbolic links to folders not followed)."""
    for path in paths:
        if path.is_dir():
            yield from (found for _, found in sorted(_files_under(path), key=lambda pair: pair[0]))
        else:
            yield path


def _files_under(folder: Path) -> list[tuple[tuple[str, ...], Path]]:
    """Every regular file under ``folder`` with its path parts below it, in one scan per folder.

    ``os.scandir`` knows from the directory entry whether a name is a folder or a file, so a
    large inbox is listed without a ``stat`` per file. A subfolder that cannot be listed is
    skipped, as ``Path.rglob`` skips it; the folder named itself must be listable.
    """
    found: list[tuple[tuple[str, ...], Path]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while pending:
        directory, parts = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, (*parts, entry.name)))
                    elif entry.is_file():
                        found.append(((*parts, entry.name), Path(entry.path)))
        except PermissionError as exc:
            if not parts:
                raise SourceFileError(
                    f"cannot list the folder: {exc.strerror}", file=str(folder), expected="a folder this user can read"
                ) from None
    return found


def _now() -> datetime:
    return datetime.now(UTC)


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


def _invoice_row(source_id: int, document: InvoiceDocument) -> dict[str, Any]:
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
        "tax_exclusive_amount": document.totals.tax_exclusive,
        "payable_amount": document.totals.payable,
        "allowance_total_amount": document.totals.allowance_total,
        "charge_total_amount": document.totals.charge_total,
        "allowance_charges": _jsonable_list(document.allowance_charges),
        "delivery_date": document.delivery_date,
        "period_start": document.period_start,
        "period_end": document.period_end,
        "contract_id": None,
    }


def _invoice_line_rows(invoice_id: int, document: InvoiceDocument) -> list[dict[str, Any]]:
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
        }
        for line in document.lines
    ]


def _catalogue_rows(source_id: int, document: CatalogueDocument) -> list[dict[str, Any]]:
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


def _catalogue_message_row(source_id: int, document: CatalogueDocument) -> dict[str, Any]:
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
        "supplier_name": document.supplier.name,
        "customer_gln": document.customer.gln,
        "contract_references": document.contract_references,
        "valid_from": document.valid_from,
        "valid_to": document.valid_to,
        "line_count": len(document.lines),
    }


def _licence_rows(source_id: int, document: EcolabelRegistryDocument) -> list[dict[str, Any]]:
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


def _trip_rows(source_id: int, document: DrivingLogDocument) -> list[dict[str, Any]]:
    return [
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
    ]


def _store_vehicle_register(session: Session, source_id: int, document: VehicleRegisterDocument) -> None:
    """Upsert each plate: the last imported file is the current record."""
    plates = [record.registration for record in document.vehicles]
    existing = {v.registration: v for v in session.scalars(select(Vehicle).where(Vehicle.registration.in_(plates)))}
    for record in document.vehicles:
        vehicle = existing.get(record.registration)
        if vehicle is None:
            vehicle = existing[record.registration] = Vehicle(registration=record.registration)
            session.add(vehicle)
        vehicle.kind = record.kind
        vehicle.fuel = record.fuel
        vehicle.euro_norm = record.euro_norm
        vehicle.total_weight_kg = record.total_weight_kg
        vehicle.registered = record.registered
        vehicle.green_evidence = record.green_evidence
        vehicle.source_file_id = source_id
        vehicle.row = record.row
        vehicle.origin = "declared"
    session.flush()


def store_documents(session: Session, documents: list[tuple[int, SourceDocument]]) -> None:
    """Write the normalised records of parsed files, each linked to its source-file id, in bulk.

    Driver-level inserts on the session's connection (:func:`insert_rows`): the ORM's bulk path costs
    several times more per row and these rows need none of its bookkeeping (the vehicle register,
    an upsert, still uses the ORM).
    """
    connection = session.connection()
    invoices = [(source_id, doc) for source_id, doc in documents if isinstance(doc, InvoiceDocument)]
    if invoices:
        source_ids = [source_id for source_id, _ in invoices]
        insert_rows(connection, Invoice, [_invoice_row(source_id, doc) for source_id, doc in invoices])
        invoice_ids = ids_by_key(connection, Invoice, "source_file_id", source_ids)
        lines = [row for source_id, doc in invoices for row in _invoice_line_rows(invoice_ids[source_id], doc)]
        insert_rows(connection, InvoiceLine, lines)
    catalogues = [(source_id, doc) for source_id, doc in documents if isinstance(doc, CatalogueDocument)]
    insert_rows(connection, CatalogueMessage, [_catalogue_message_row(source_id, doc) for source_id, doc in catalogues])
    items = [row for source_id, doc in catalogues for row in _catalogue_rows(source_id, doc)]
    insert_rows(connection, CatalogueItem, items)
    trips = [row for source_id, doc in documents if isinstance(doc, DrivingLogDocument) for row in _trip_rows(source_id, doc)]
    insert_rows(connection, Trip, trips)
    licences = [
        row for source_id, doc in documents if isinstance(doc, EcolabelRegistryDocument) for row in _licence_rows(source_id, doc)
    ]
    insert_rows(connection, EcolabelLicence, licences)
    for source_id, doc in documents:
        if isinstance(doc, VehicleRegisterDocument):
            _store_vehicle_register(session, source_id, doc)


def supplier_key(document: InvoiceDocument | CatalogueDocument) -> str:
    """Who a document number belongs to: the CVR, else the endpoint id, else the name."""
    return document.supplier.cvr or document.supplier.endpoint_id or document.supplier.name or "unknown"


def _reused_numbers(session: Session, documents: list[tuple[str, InvoiceDocument]]) -> dict[str, DuplicateDocumentError]:
    """Documents (by file name) whose supplier already used their number for other content."""
    keys = {(supplier_key(doc), doc.document_type, doc.id) for _, doc in documents}
    first: dict[tuple[str, str, str], tuple[str, str]] = {}
    if keys:
        stored = session.execute(
            select(Invoice.supplier_key, Invoice.document_type, Invoice.number, SourceFile.path, SourceFile.sha256)
            .join(SourceFile, Invoice.source_file_id == SourceFile.id)
            .where(tuple_(Invoice.supplier_key, Invoice.document_type, Invoice.number).in_(list(keys)))
        ).all()
        first = {(row[0], row[1], row[2]): (row[3], row[4]) for row in stored}
    reused: dict[str, DuplicateDocumentError] = {}
    for name, doc in documents:
        key = (supplier_key(doc), doc.document_type, doc.id)
        if key in first:
            first_file, first_sha = first[key]
            reused[name] = DuplicateDocumentError(
                f"duplicate {doc.document_type.replace('_', ' ')} number {doc.id!r} from supplier {key[0]} "
                f"with different content (first received in {first_file})",
                file=name,
                supplier=key[0],
                number=doc.id,
                first_file=first_file,
                first_sha256=first_sha,
            )
        else:
            first[key] = (name, "")  # a later file in the same batch reusing the number is caught too
    return reused


RULE_DUPLICATE_NUMBER = "invoice.duplicate_number@1"


def _record_quarantine(
    session: Session, path: str, digest: str, size: int, reason: str, duplicate: DuplicateDocumentError | None = None
) -> None:
    """Mark the file quarantined with its reason; a reused document number is also a finding."""
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
    if session.scalars(select(Finding).where(Finding.fingerprint == record.fingerprint())).first() is None:
        session.add(Finding(**record.row_values(), created_at=_now()))


def record_quality(session: Session, quality: QualityResult, source_ids: dict[str, int], now: datetime) -> None:
    """Record each suite run and its failing rows (``source_ids`` maps the failing files to their ids);
    a file checked again replaces its earlier failures, so nothing is listed twice."""
    if source_ids:
        session.execute(delete(DataQualityFailure).where(DataQualityFailure.source_file_id.in_(list(source_ids.values()))))
    for run in quality.runs:
        failures = [f for f in quality.failures if f.rule.dataset == run.dataset]
        record = DataQualityRun(
            run_at=now,
            dataset=run.dataset,
            files=run.files,
            rows=run.rows,
            expectations=run.expectations,
            failed_expectations=run.failed_expectations,
            failing_files=len({f.file for f in failures}),
            seconds=Decimal(str(round(run.seconds, 3))),
        )
        session.add(record)
        session.flush()
        if failures:
            session.execute(
                insert(DataQualityFailure),
                [
                    {
                        "run_id": record.id,
                        "source_file_id": source_ids[f.file],
                        "dataset": f.rule.dataset,
                        "rule": f.rule.name,
                        "expectation": f.rule.expectation,
                        "columns": ", ".join(f.rule.columns),
                        "place": f.place,
                        "value": f.value,
                        "expected": f.rule.expected,
                        "more_rows": f.more,
                    }
                    for f in failures
                ],
            )


@dataclass
class _Candidate:
    """A file read and hashed, waiting to be parsed and stored."""

    path: Path
    size: int
    digest: str
    data: bytes

    @property
    def name(self) -> str:
        return str(self.path)


def _read(path: Path, max_bytes: int, summary: IngestSummary, quarantines: list[tuple[str, str, int, str]]) -> _Candidate | None:
    """Read and hash one file; an unreadable or oversized one is noted and skipped."""
    name = str(path)
    try:
        # One open for size, hash and content: the size is the open file's, not an earlier look at the path.
        with open(name, "rb", buffering=0) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                # An oversized file is hashed in chunks but never read into memory whole.
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
                reason = str(
                    SourceFileError(
                        f"the file is {size} bytes", file=name, expected=f"at most {max_bytes} bytes (COMPLIANCE_MAX_FILE_MB)"
                    )
                )
                quarantines.append((name, digest, size, reason))
                summary.quarantined.append((name, reason))
                return None
            data = handle.readall()
    except OSError as exc:
        summary.quarantined.append((name, f"{name}: cannot read the file: {exc.strerror}"))
        return None
    return _Candidate(path, len(data), hashlib.sha256(data).hexdigest(), data)


def _ingest_batch(
    engine: Engine, paths: list[Path], max_bytes: int, one_by_one: bool = False, log_options: LogOptions | None = None
) -> IngestSummary:
    """Read, parse and store ``paths`` in one transaction; on a database conflict, redo one by one."""
    summary = IngestSummary()
    quarantines: list[tuple[str, str, int, str]] = []
    candidates = [c for c in (_read(path, max_bytes, summary, quarantines) for path in paths) if c is not None]
    try:
        with session_scope(engine) as session:
            digests = [c.digest for c in candidates]
            known = (
                {row.sha256: row for row in session.scalars(select(SourceFile).where(SourceFile.sha256.in_(digests)))}
                if digests
                else {}
            )
            parsed: list[tuple[_Candidate, SourceDocument]] = []
            seen: set[str] = set()
            for candidate in candidates:
                previous = known.get(candidate.digest)
                if (previous is not None and previous.status == "ingested") or candidate.digest in seen:
                    summary.duplicates.append(candidate.name)
                    continue
                seen.add(candidate.digest)
                try:
                    parsed.append((candidate, read_source(candidate.data, candidate.name, max_bytes, log_options)))
                    candidate.data = b""  # parsed: the document is what the batch keeps
                except ComplianceError as exc:
                    quarantines.append((candidate.name, candidate.digest, candidate.size, str(exc)))
                    summary.quarantined.append((candidate.name, str(exc)))
            # Data quality (Great Expectations) before anything is stored: a failing file is quarantined whole.
            quality = validate_documents([(c.name, doc) for c, doc in parsed], _now().date()) if parsed else QualityResult()
            failing = quality.failures_by_file()
            for candidate, _doc in parsed:
                if candidate.name in failing:
                    reason = quarantine_reason(candidate.name, failing[candidate.name])
                    quarantines.append((candidate.name, candidate.digest, candidate.size, reason))
                    summary.quarantined.append((candidate.name, reason))
                    summary.quality_quarantined.append(candidate.name)
            parsed = [(c, doc) for c, doc in parsed if c.name not in failing]
            duplicates = _reused_numbers(session, [(c.name, doc) for c, doc in parsed if isinstance(doc, InvoiceDocument)])
            for candidate, _doc in parsed:
                if candidate.name in duplicates:
                    error = duplicates[candidate.name]
                    _record_quarantine(session, candidate.name, candidate.digest, candidate.size, str(error), error)
                    summary.quarantined.append((candidate.name, str(error)))
            storable = [(c, doc) for c, doc in parsed if c.name not in duplicates]
            now = _now()
            source_values: list[dict[str, Any]] = [
                {
                    "sha256": c.digest,
                    "path": c.name,
                    "size_bytes": c.size,
                    "kind": doc.document_type,
                    "format": doc.format,
                    "status": "ingested",
                    "quarantine_reason": None,
                    "ingested_at": now,
                }
                for c, doc in storable
            ]
            new = [values for values in source_values if values["sha256"] not in known]
            source_ids: dict[str, int] = {}
            if new:
                insert_rows(session.connection(), SourceFile, [{**values, "first_seen_at": now} for values in new])
                source_ids = ids_by_key(session.connection(), SourceFile, "sha256", [values["sha256"] for values in new])
            for values in source_values:
                if values["sha256"] in known:  # quarantined before, readable now
                    source_ids[values["sha256"]] = known[values["sha256"]].id
                    session.execute(update(SourceFile).where(SourceFile.id == known[values["sha256"]].id).values(**values))
            store_documents(session, [(source_ids[c.digest], doc) for c, doc in storable])
            for name, digest, size, reason in quarantines:
                _record_quarantine(session, name, digest, size, reason)
            if known_ids := [source_ids[c.digest] for c, _ in storable if c.digest in known]:
                # Quarantined by an earlier check and stored now: its old failures no longer apply.
                session.execute(delete(DataQualityFailure).where(DataQualityFailure.source_file_id.in_(known_ids)))
            failing_ids: dict[str, int] = {}
            if failing:
                names = {c.digest: c.name for c in candidates if c.name in failing}
                rows = session.execute(select(SourceFile.sha256, SourceFile.id).where(SourceFile.sha256.in_(list(names))))
                failing_ids = {names[digest]: source_id for digest, source_id in rows}
            record_quality(session, quality, failing_ids, now)
            summary.quality_runs += quality.runs
            summary.ingested += [c.name for c, _ in storable]
    except DBAPIError as exc:
        if one_by_one or len(paths) == 1:
            if isinstance(exc, IntegrityError):
                # Another run stored the same file or number at the same moment: counted once, by that run.
                return IngestSummary(duplicates=[str(path) for path in paths])
            reason = f"{paths[0]}: the database refused a value: {str(exc.orig).splitlines()[0]} (expected values within the documented field sizes)"
            with session_scope(engine) as session:
                if candidates:
                    _record_quarantine(session, candidates[0].name, candidates[0].digest, candidates[0].size, reason)
            return IngestSummary(quarantined=[(str(paths[0]), reason)])
        summary = IngestSummary()
        for path in paths:
            summary.merge(_ingest_batch(engine, [path], max_bytes, one_by_one=True, log_options=log_options))
    return summary


# A batch's files, parsed documents included, are in memory together: a batch of large files
# (catalogues of tens of megabytes) is cut short at this many bytes of files.
BATCH_BYTES = 256 * 1024 * 1024


def file_batches(files: Sequence[Path], batch_size: int, batch_bytes: int) -> Iterator[list[Path]]:
    """``files`` in order, in batches of at most ``batch_size`` files and, unless one file is
    larger on its own, at most ``batch_bytes`` bytes (sizes from the file system, not read)."""
    batch: list[Path] = []
    batch_total = 0
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # unreadable: reading it quarantines it with the reason
        if batch and (len(batch) >= batch_size or batch_total + size > batch_bytes):
            yield batch
            batch, batch_total = [], 0
        batch.append(path)
        batch_total += size
    if batch:
        yield batch


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one batch: the batch's documents are tens of thousands of
    objects without cycles (freed by reference counting), and every collection rescans them and
    the libraries' objects, about a fifth of ingest time. The batch size bounds what waits."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def ingest_file(engine: Engine, path: Path, max_bytes: int) -> IngestSummary:
    """Ingest one file in its own transaction; the outcome is recorded in the summary."""
    return _ingest_batch(engine, [path], max_bytes)


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
    batch_size: int = DEFAULT_INGEST_BATCH_FILES,
    log_options: LogOptions | None = None,
) -> IngestSummary:
    """Ingest every file under ``paths``; a bad file is quarantined and the rest go on.

    Files are stored ``batch_size`` at a time (fewer when they add up to more than
    ``BATCH_BYTES``), one transaction per batch; ``on_progress`` is called after each batch
    (the CLI shows it on a terminal).
    """
    files = list(iter_input_files(paths))
    summary = IngestSummary()
    started = time.monotonic()
    done = 0
    for batch in file_batches(files, batch_size, BATCH_BYTES):
        with _collector_paused():
            summary.merge(_ingest_batch(engine, batch, max_bytes, log_options=log_options))
        done += len(batch)
        if on_progress is not None:
            on_progress(IngestProgress(done, len(files), summary, time.monotonic() - started))
    return summary
