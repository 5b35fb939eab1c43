"""Vehicle register imports: the DMR extract (streamed, checked record by record) and the declared-vehicles file."""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from compliance.base.errors import ComplianceError, SourceFileError, TransientError
from compliance.base.text import shown, shown_lines
from compliance.ingest.dmr import is_dmr_extract, read_dmr_fast
from compliance.intake.batch import IngestSummary, ingest_paths, record_quality, unexpected_read_error
from compliance.quality_gate import check_vehicle_records
from compliance.store.db import session_scope
from compliance.store.sources import record_quarantine, record_register_source
from compliance.store.vehicles import store_register_vehicles

logger = logging.getLogger(__name__)


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
        quality = check_vehicle_records(str(path), vehicles, now.date())
        record_quality(session, quality, {str(path): source_id} if quality.failures else {}, now)
        failing = quality.failing_rows.get("vehicles", set())
        left_out = len(failing)
        vehicles = [v for position, v in enumerate(vehicles) if position not in failing]
        store_register_vehicles(session, source_id, vehicles, result.earlier)
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
    if not is_dmr_extract(path):
        return ingest_paths(engine, [path], max_bytes)
    try:
        return import_dmr(engine, path, only_plates, on_progress)
    except ComplianceError as error:
        if isinstance(error, TransientError):
            raise  # a busy database: the task is retried, the extract is not judged
        reason = str(error)
    except Exception as error:  # the file boundary, as for every other file: the extract is quarantined, the run goes on
        reason = str(unexpected_read_error(shown(str(path)), b"", error))
        logger.error("%s\n%s", reason, shown_lines("".join(traceback.format_exception(error))).rstrip())
    digest, size = _file_digest(path)
    with session_scope(engine) as session:
        record_quarantine(session, shown(str(path)), digest, size, reason)
    return IngestSummary(quarantined=[(shown(str(path)), reason)])


def _file_digest(path: Path) -> tuple[str, int]:
    """The extract's sha256 and size, read in blocks (an extract may be gigabytes)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
