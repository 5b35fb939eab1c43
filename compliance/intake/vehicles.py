"""Vehicle register imports: the DMR extract (streamed, checked record by record) and the declared-vehicles file."""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine

from compliance.base.errors import ComplianceError, SourceFileError, TransientError
from compliance.base.text import shown, shown_lines
from compliance.ingest.dmr import DmrRecords, is_dmr_extract, iter_dmr_records
from compliance.intake.batch import IngestSummary, ingest_paths, record_quality, unexpected_read_error
from compliance.quality import FAILURES_KEPT_PER_RULE, QualityFailure, QualityResult, SuiteRun
from compliance.quality_gate import check_vehicle_records
from compliance.store.db import session_scope
from compliance.store.sources import record_quarantine, record_register_source
from compliance.store.vehicles import DmrStaging, store_register_vehicles

# Records staged per INSERT while the extract is read, and current records checked and stored per
# round: what the import holds in memory at once, whatever the size of the extract.
STAGE_CHUNK = 5_000
STORE_CHUNK = 50_000

_Item = TypeVar("_Item")

logger = logging.getLogger(__name__)


def _chunks(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class DmrImportSummary:
    """What a DMR import read and stored."""

    records: int
    vehicles: int
    skipped_without_plate: int
    error: SourceFileError | None
    left_out_by_quality: int = 0


@dataclass
class _QualityTotal:
    """The vehicles suite's results over every chunk of one import, as one run: each rule lists at
    most :data:`FAILURES_KEPT_PER_RULE` records and counts the rest, as a single run would."""

    runs: list[SuiteRun] = field(default_factory=list)
    kept: dict[str, list[QualityFailure]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, result: QualityResult) -> None:
        for run in result.runs:
            if not self.runs:
                self.runs.append(replace(run, failed_expectations=list(run.failed_expectations)))
                continue
            total = self.runs[0]
            total.rows += run.rows
            total.seconds += run.seconds
            total.failed_expectations += [name for name in run.failed_expectations if name not in total.failed_expectations]
        for failure in result.failures:
            kept = self.kept.setdefault(failure.rule.name, [])
            self.counts[failure.rule.name] = self.counts.get(failure.rule.name, 0) + 1 + failure.more
            if len(kept) < FAILURES_KEPT_PER_RULE:
                kept.append(replace(failure, more=0))

    def result(self) -> QualityResult:
        failures: list[QualityFailure] = []
        for rule, kept in self.kept.items():
            failures += kept[:-1] + [replace(kept[-1], more=self.counts[rule] - len(kept))]
        return QualityResult(runs=self.runs, failures=failures)


def _file_digest(path: Path) -> tuple[str, int]:
    """The extract's sha256 and size, read in blocks (an extract may be gigabytes)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def import_dmr(
    engine: Engine,
    path: Path,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary:
    """Import the current record per plate (only ``only_plates``, if given); a truncated file keeps its complete records.

    The extract is read once and its records staged in the database as they come; each plate's
    current record is then checked (the vehicles suite) and stored ``STORE_CHUNK`` plates at a
    time. A file refused as a whole (a zip bomb, a damaged zip) raises, and nothing of it is stored
    (:func:`import_vehicle_file` quarantines it).
    """
    outcome = DmrRecords(path)
    with session_scope(engine) as session:
        staging = DmrStaging(session)
        for chunk in _chunks(iter_dmr_records(path, only_plates, on_progress, outcome), STAGE_CHUNK):
            staging.add(chunk)
        assert outcome.sha256 is not None
        now = datetime.now(UTC)
        error = str(outcome.error) if outcome.error else None
        source_id = record_register_source(session, str(path), outcome.sha256, path.stat().st_size, error, now)
        # Data quality: DMR records are independent of each other, so a failing record is left out
        # (and listed on the data-quality page) while the rest are stored.
        quality = _QualityTotal()
        stored = left_out = 0
        for vehicles, earlier in staging.current_records(STORE_CHUNK):
            checked = check_vehicle_records(str(path), vehicles, now.date())
            quality.add(checked)
            failing = checked.failing_rows.get("vehicles", set())
            left_out += len(failing)
            kept = [vehicle for position, vehicle in enumerate(vehicles) if position not in failing]
            store_register_vehicles(session, source_id, kept, earlier)
            stored += len(kept)
        total = quality.result()
        record_quality(session, total, {str(path): source_id} if total.failures else {}, now)
        staging.drop()
    return DmrImportSummary(outcome.records, stored, outcome.skipped, outcome.error, left_out)


def import_vehicle_file(
    engine: Engine,
    path: Path,
    max_bytes: int,
    only_plates: set[str] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> DmrImportSummary | IngestSummary:
    """A DMR extract (.xml or .zip) is streamed, keeping only ``only_plates`` when given (the caller
    computes them, e.g. :func:`compliance.assessment.plates.plates_in_data`); anything else goes
    through the ordinary ingest.

    The file boundary holds here as for every other file: an extract refused as a whole (a zip
    bomb, a damaged zip, a DOCTYPE) or one whose reader fails in a way nobody foresaw is
    quarantined with its reason, so that the next run does not fail on it again; a busy database
    (a :class:`TransientError`) is raised for the task to be retried, the extract not judged.
    """
    try:
        if is_dmr_extract(path):
            return import_dmr(engine, path, only_plates, on_progress)
    except ComplianceError as error:
        if isinstance(error, TransientError):
            raise
        reason = str(error)
    except Exception as error:
        reason = str(unexpected_read_error(shown(str(path)), b"", error))
        logger.error("%s\n%s", reason, shown_lines("".join(traceback.format_exception(error))).rstrip())
    else:
        return ingest_paths(engine, [path], max_bytes)  # the ordinary ingest has its own file boundary
    digest, size = _file_digest(path)
    with session_scope(engine) as session:
        record_quarantine(session, shown(str(path)), digest, size, reason)
    return IngestSummary(quarantined=[(shown(str(path)), reason)])
