"""Vehicle register imports: the DMR extract (streamed, checked record by record) and the declared-vehicles file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from compliance.base.errors import SourceFileError
from compliance.ingest.dmr import is_dmr_extract, read_dmr_fast
from compliance.intake.batch import IngestSummary, ingest_paths, record_quality
from compliance.quality import validate_vehicle_records
from compliance.store.db import session_scope
from compliance.store.sources import record_register_source
from compliance.store.vehicles import store_register_vehicles


@dataclass
class DmrImportSummary:
    """What a DMR import read and stored."""

    records: int
    vehicles: int
    skipped_without_plate: int
    error: SourceFileError | None
    left_out_by_quality: int = 0


def import_dmr(
    engine: Engine,
    path: Path,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary:
    """Import the current record per plate (only ``only_plates``, if given); a truncated file keeps its complete records."""
    result = read_dmr_fast(path, only_plates, on_progress)
    assert result.sha256 is not None
    digest = result.sha256  # hashed while reading: the extract is read once
    with session_scope(engine) as session:
        now = datetime.now(UTC)
        error = str(result.error) if result.error else None
        source_id = record_register_source(session, str(path), digest, path.stat().st_size, error, now)
        vehicles = list(result.vehicles.values())
        # Data quality: DMR records are independent of each other, so a failing record is left out
        # (and listed on the data-quality page) while the rest are stored.
        quality = validate_vehicle_records(str(path), vehicles, now.date())
        record_quality(session, quality, {str(path): source_id} if quality.failures else {}, now)
        failing = quality.failing_rows.get("vehicles", set())
        left_out = len(failing)
        vehicles = [v for position, v in enumerate(vehicles) if position not in failing]
        store_register_vehicles(session, source_id, vehicles)
    return DmrImportSummary(result.records, len(vehicles), result.skipped_without_plate, result.error, left_out)


def import_vehicle_file(
    engine: Engine,
    path: Path,
    max_bytes: int,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary | IngestSummary:
    """A DMR extract (.xml or .zip) is streamed, keeping only ``only_plates`` when given (the caller
    computes them, e.g. :func:`compliance.assessment.plates.plates_in_data`); anything else goes
    through the ordinary ingest."""
    if is_dmr_extract(path):
        return import_dmr(engine, path, only_plates, on_progress)
    return ingest_paths(engine, [path], max_bytes)
