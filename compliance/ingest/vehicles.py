"""Vehicle register imports: the DMR extract (streamed) and the declared-vehicles CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from compliance.assessment.inputs import scanned_line
from compliance.base.errors import SourceFileError
from compliance.checks.green_vehicles import line_registrations
from compliance.contracts import ContractTerms
from compliance.ingest.dmr import DmrVehicle, open_dmr, read_dmr_fast
from compliance.ingest.loading import IngestSummary, ingest_paths, record_quality
from compliance.quality import validate_vehicle_records
from compliance.store.db import session_scope
from compliance.store.models import InvoiceLine, SourceFile, Trip, Vehicle

UPSERT_CHUNK = 5000


def is_dmr_extract(path: Path) -> bool:
    """Recognised by content: the DMR root element near the start (also inside a zip)."""
    try:
        stream, _size = open_dmr(path)
    except (SourceFileError, OSError, ValueError):
        return False
    with stream:
        return b"ESStatistikListeModtag" in stream.read(4096)


def plates_in_data(session: Session, contracts: Sequence[ContractTerms]) -> set[str]:
    """Every plate our data mentions: driving logs, and trip lines as each contract reads them."""
    plates = {plate for plate in session.scalars(select(Trip.registration)) if plate}
    plates.update(session.scalars(select(Vehicle.registration)))
    rules = [c.green_vehicles.trip_lines for c in contracts if c.green_vehicles is not None]
    for line in session.scalars(select(InvoiceLine)):
        for rule in rules:
            plates.update(line_registrations(rule, scanned_line(line)))
    return plates


@dataclass
class DmrImportSummary:
    records: int
    vehicles: int
    skipped_without_plate: int
    error: SourceFileError | None
    left_out_by_quality: int = 0


def _upsert(session: Session, source_id: int, vehicles: Iterable[DmrVehicle]) -> None:
    chunk = list(vehicles)
    existing = {
        v.registration: v
        for v in session.scalars(select(Vehicle).where(Vehicle.registration.in_([d.registration for d in chunk])))
    }
    new_rows = [
        {
            "registration": record.registration,
            "kind": record.kind,
            "fuel": record.fuel,
            "euro_norm": record.euro_norm,
            "total_weight_kg": record.total_weight_kg,
            "registered": record.registered,
            "green_evidence": None,
            "source_file_id": source_id,
            "row": record.record,
            "origin": "dmr",
            "dmr_vehicle_id": record.vehicle_id,
        }
        for record in chunk
        if record.registration not in existing
    ]
    if new_rows:
        session.execute(insert(Vehicle), new_rows)  # one bulk INSERT: a first import has millions
    for record in chunk:
        vehicle = existing.get(record.registration)
        if vehicle is None:
            continue
        # What the DMR knows with authority; a declared biogas fuel and its evidence are kept (§2.1).
        vehicle.registered = record.registered
        vehicle.total_weight_kg = record.total_weight_kg
        vehicle.euro_norm = record.euro_norm
        vehicle.dmr_vehicle_id = record.vehicle_id
        if not (vehicle.origin == "declared" and vehicle.fuel == "biogas"):
            vehicle.kind = record.kind
            vehicle.fuel = record.fuel
            vehicle.green_evidence = None
            vehicle.origin = "dmr"
            vehicle.source_file_id = source_id
            vehicle.row = record.record


def import_dmr(
    engine: Engine,
    path: Path,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary:
    """Import the current record per plate; a truncated file keeps its complete records."""
    result = read_dmr_fast(path, only_plates, on_progress)
    assert result.sha256 is not None
    digest = result.sha256  # hashed while reading: the extract is read once
    with session_scope(engine) as session:
        source = session.scalars(select(SourceFile).where(SourceFile.sha256 == digest)).first()
        now = datetime.now(UTC)
        if source is None:
            source = SourceFile(sha256=digest, path=str(path), size_bytes=path.stat().st_size, first_seen_at=now)
            session.add(source)
        source.kind = "vehicle_register"
        source.format = "dmr-extract"
        source.status = "partial" if result.error else "ingested"
        source.quarantine_reason = str(result.error) if result.error else None
        source.ingested_at = now
        session.flush()
        vehicles = list(result.vehicles.values())
        # Data quality: DMR records are independent of each other, so a failing record is left out
        # (and listed on the data-quality page) while the rest are stored.
        quality = validate_vehicle_records(str(path), vehicles, now.date())
        record_quality(session, quality, {str(path): source.id} if quality.failures else {}, now)
        failing = quality.failing_rows.get("vehicles", set())
        left_out = len(failing)
        vehicles = [v for position, v in enumerate(vehicles) if position not in failing]
        for start in range(0, len(vehicles), UPSERT_CHUNK):
            _upsert(session, source.id, vehicles[start : start + UPSERT_CHUNK])
    return DmrImportSummary(result.records, len(vehicles), result.skipped_without_plate, result.error, left_out)


def import_vehicle_file(
    engine: Engine,
    path: Path,
    max_bytes: int,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary | IngestSummary:
    """A DMR extract (.xml or .zip) is streamed; anything else goes through the ordinary ingest."""
    if is_dmr_extract(path):
        return import_dmr(engine, path, only_plates, on_progress)
    return ingest_paths(engine, [path], max_bytes)
