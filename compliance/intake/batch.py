"""The ingest batch: read → data quality → store, idempotent by content hash, quarantine with a reason.

Files are stored in batches, one transaction per batch: a run killed half-way loses only the
batch in flight, which the next run stores again (nothing lost, nothing twice). Should a batch
fail in the database (a concurrent run stored the same file, a value the database refuses),
its files are stored again one by one, so that one bad file cannot hold back the others.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Dialect, Engine, insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from compliance.base.documents import SourceDocument
from compliance.base.errors import ComplianceError, DuplicateDocumentError, SourceFileError
from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.i18n import N_
from compliance.base.settings import DEFAULT_INGEST_BATCH_FILES
from compliance.base.text import find_control_character, shown, shown_lines
from compliance.ingest.detect import read_source, xml_without_control_characters
from compliance.ingest.driving_log import LogOptions
from compliance.intake.files import InputFile, InputOpener, SkippedInput, file_batches, list_input_files
from compliance.quality import QualityResult, SuiteRun, combined_results, quarantine_reason, restricted_to
from compliance.quality_gate import check_documents
from compliance.store.db import session_scope
from compliance.store.documents import reused_numbers
from compliance.store.limits import OversizedValueError
from compliance.store.prepared import PreparedDocument, prepare_document, store_prepared
from compliance.store.sources import (
    DATA_QUALITY_FAILURE,
    DATA_QUALITY_RUN,
    clear_quality_failures,
    record_ingested_sources,
    record_quarantine,
    source_ids_by_digest,
    sources_by_digest,
)

RULE_DUPLICATE_NUMBER = "invoice.duplicate_number@1"

logger = logging.getLogger(__name__)

# A batch's files, parsed documents included, are in memory together: a batch of large files
# (catalogues of tens of megabytes) is cut short at this many bytes of files.
BATCH_BYTES = 256 * 1024 * 1024


@dataclass
class IngestSummary:
    """What one ingest run did with each file."""

    ingested: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    quality_runs: list[SuiteRun] = field(default_factory=list)
    quality_quarantined: list[str] = field(default_factory=list)
    # Paths that are not files of the inbox's own (links, pipes, sockets, devices), never opened: (path, why).
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: IngestSummary) -> None:
        self.ingested += other.ingested
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.quality_runs += other.quality_runs
        self.quality_quarantined += other.quality_quarantined
        self.skipped += other.skipped

    @property
    def quality_rows(self) -> int:
        return sum(run.rows for run in self.quality_runs)


@dataclass(frozen=True)
class IngestProgress:
    """How far :func:`ingest_paths` has come, reported after each batch."""

    files_done: int
    files_total: int
    summary: IngestSummary
    seconds: float

    @property
    def files_per_second(self) -> float:
        return self.files_done / self.seconds if self.seconds > 0 else 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def record_quality(session: Session, quality: QualityResult, source_ids: dict[str, int], now: datetime) -> None:
    """Record each suite run and its failing rows (``source_ids`` maps the failing files to their ids);
    a file checked again replaces its earlier failures, so nothing is listed twice."""
    if source_ids:
        clear_quality_failures(session, list(source_ids.values()))
    connection = session.connection()
    for run in quality.runs:
        failures = [f for f in quality.failures if f.rule.dataset == run.dataset]
        # Core, not the ORM (see compliance.store.sources): an ingest task configures no mappers.
        run_id = connection.execute(
            insert(DATA_QUALITY_RUN)
            .values(
                run_at=now,
                dataset=run.dataset,
                files=run.files,
                rows=run.rows,
                expectations=run.expectations,
                failed_expectations=run.failed_expectations,
                failing_files=len({f.file for f in failures}),
                seconds=Decimal(str(round(run.seconds, 3))),
            )
            .returning(DATA_QUALITY_RUN.c.id)
        ).scalar_one()
        if failures:
            connection.execute(
                insert(DATA_QUALITY_FAILURE),
                [
                    {
                        "run_id": run_id,
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


def duplicate_number_finding(duplicate: DuplicateDocumentError, digest: str) -> FindingRecord:
    """The finding a reused document number raises (the file's id is added when it is recorded)."""
    return FindingRecord(
        RULE_DUPLICATE_NUMBER,
        "high",
        message_key="invoice.duplicate_number",
        params={"number": duplicate.number, "supplier": duplicate.supplier, "first_file": duplicate.first_file},
        subject=evidence_key(number=duplicate.number),
        supplier_cvr=duplicate.supplier if len(duplicate.supplier) == 8 else None,
        expected="a new document number for new content, or the identical file",
        received=f"the number {duplicate.number} again with different content",
        location="cbc:ID",
        evidence={
            "number": duplicate.number,
            "first_file": duplicate.first_file,
            "first_sha256": duplicate.first_sha256,
            "sha256": digest,
        },
    )


@dataclass
class _Candidate:
    """A file read and hashed, waiting to be parsed and stored; ``name`` is its path as shown and stored."""

    name: str
    size: int
    digest: str
    data: bytes


# A file to mark quarantined once the batch's documents are stored: (path, sha256, size, reason).
_Quarantine = tuple[str, str, int, str]


def _read(
    file: InputFile, max_bytes: int, summary: IngestSummary, quarantines: list[_Quarantine], opener: InputOpener
) -> _Candidate | None:
    """Read and hash one file; an unreadable or oversized one is noted and skipped, a link or a pipe
    (swapped in since the listing) is skipped unopened."""
    name = shown(str(file.path))  # control characters escaped: the name goes into reasons, the database and reports
    try:
        # One open for size, hash and content: the size is the open file's, not an earlier look at the path.
        descriptor, status = opener.open(file)
        try:
            size = status.st_size
            if size > max_bytes:
                # An oversized file is hashed in chunks but never read into memory whole.
                with open(descriptor, "rb", buffering=0, closefd=False) as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                reason = str(
                    SourceFileError(
                        f"the file is {size} bytes", file=name, expected=f"at most {max_bytes} bytes (COMPLIANCE_MAX_FILE_MB)"
                    )
                )
                quarantines.append((name, digest, size, reason))
                summary.quarantined.append((name, reason))
                return None
            data = _read_to_end(descriptor, size, max_bytes)
            if len(data) > max_bytes:  # it grew past the limit while it was read: never held whole
                reason = str(
                    SourceFileError(
                        f"the file grew to more than {max_bytes} bytes while it was read",
                        file=name,
                        expected=f"at most {max_bytes} bytes (COMPLIANCE_MAX_FILE_MB), a file that is complete when it is put in the inbox",
                    )
                )
                # Recorded by what was read (the limit and a byte): no later file matches it, so it stays
                # open in the quarantine list until the data team dismisses it.
                quarantines.append((name, hashlib.sha256(data).hexdigest(), len(data), reason))
                summary.quarantined.append((name, reason))
                return None
        finally:
            os.close(descriptor)
    except SkippedInput as skipped:
        summary.skipped.append((name, skipped.reason))
        return None
    except OSError as exc:
        summary.quarantined.append((name, f"{name}: cannot read the file: {exc.strerror}"))
        return None
    return _Candidate(name, len(data), hashlib.sha256(data).hexdigest(), data)


def read_named_file(path: Path, max_bytes: int) -> tuple[str, bytes]:
    """One file a person names (``compliance inspect``): its name as shown and its bytes, read as ingest
    reads a file (no link followed, no pipe or device opened, nothing past ``max_bytes`` held), or a
    :class:`SourceFileError` with the reason ingest would have skipped or quarantined it for."""
    listing = list_input_files([path])
    if listing.skipped:
        name, note = listing.skipped[0]
        raise SourceFileError(note, file=name)
    if [file.path for file in listing.files] != [path]:  # a folder swapped in since the command was given
        raise SourceFileError(N_("not a regular file"), file=shown(str(path)), expected=N_("one file"))
    summary = IngestSummary()
    quarantines: list[_Quarantine] = []
    with InputOpener() as opener:
        candidate = _read(listing.files[0], max_bytes, summary, quarantines, opener)
    if candidate is None:
        if summary.skipped:
            name, note = summary.skipped[0]
            raise SourceFileError(note, file=name)
        raise SourceFileError(summary.quarantined[0][1])  # the reason names the file itself
    return candidate.name, candidate.data


def _read_to_end(descriptor: int, size: int, limit: int) -> bytes:
    """An open file's bytes to its end: its size when opened asked for at once (one read more finds the
    end), and whatever was written to it since read too, as a read to the end does, but never more than
    ``limit`` + 1 bytes (a file still growing past the limit is cut there: the caller refuses it)."""
    data = os.read(descriptor, min(size, limit) + 1)
    more = os.read(descriptor, min(1 << 16, limit + 1 - len(data))) if data and len(data) <= limit else b""
    if not more:
        return data
    parts, read = [data, more], len(data) + len(more)
    while more and read <= limit:
        more = os.read(descriptor, min(1 << 16, limit + 1 - read))
        parts.append(more)
        read += len(more)
    return b"".join(parts)


def _expected_content(data: bytes) -> str:
    """What a file that starts like ``data`` should have been, for a reason a person can act on."""
    if data.startswith(b"PK"):
        return "an .xlsx workbook with every part intact (save it again from Excel)"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "a well-formed OIOUBL/Peppol/UBL XML document"
    return "a UTF-8 CSV file as described in schemas/csv-formats.md"


_ARCHIVE_PART = re.compile(r"'((?:xl|docProps|_rels|customXml)/[^']*|\[Content_Types\]\.xml)'")


def _place_of(error: BaseException) -> str | None:
    """Where in the file an unexpected error happened, when the error says: a line and column, or a workbook part."""
    position = getattr(error, "position", None)
    if isinstance(position, tuple) and len(position) == 2 and all(isinstance(n, int) for n in position):
        return f"line {position[0]}, column {position[1]}"
    part = _ARCHIVE_PART.search(str(error))
    return f"part {part.group(1)}" if part else None


def unexpected_read_error(name: str, data: bytes, error: Exception) -> SourceFileError:
    """The quarantine reason for an error no reader raised on purpose: the file, the place when the error
    tells it, what was expected, and the error's kind and text (the traceback goes to the log)."""
    kind = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
    detail = shown(str(error))
    detail = detail if len(detail) <= 200 else detail[:197] + "..."
    return SourceFileError(
        f"the file could not be read ({kind}{': ' + detail if detail else ''})",
        file=name,
        location=_place_of(error),
        expected=f"{_expected_content(data)}; the data team finds the traceback in the log",
    )


def _read_document(
    candidate: _Candidate, max_bytes: int, log_options: LogOptions | None, dialect: Dialect
) -> tuple[SourceDocument, PreparedDocument] | str:
    """The file boundary: the document of one file and the rows it becomes (for ``dialect``), or the reason
    it is quarantined. Any exception a reader raises stays with its file (the traceback is logged for the
    data team); the batch goes on."""
    try:
        document = read_source(candidate.data, candidate.name, max_bytes, log_options)
        fault = None if xml_without_control_characters(candidate.data) else find_control_character(document)
    except ComplianceError as error:
        return str(error)
    except Exception as error:  # the boundary: whatever a reader lets escape quarantines its file only
        reason = str(unexpected_read_error(candidate.name, candidate.data, error))
        logger.error("%s\n%s", reason, shown_lines("".join(traceback.format_exception(error))).rstrip())
        return reason
    if fault is None:
        # The rows it becomes. A value longer than its field (or an integer beyond 32 bits): SQLite would store
        # it, PostgreSQL refuse it. Any other error here is ours, not the file's: it stops the batch.
        try:
            return document, prepare_document(document, dialect)
        except OversizedValueError as oversized:
            return str(oversized.for_file(candidate.name))
    return str(
        SourceFileError(
            fault.message,
            file=candidate.name,
            location=fault.location,
            expected="text without control characters (tab and line breaks are text; NUL, ESC, DEL and the like are not)",
        )
    )


@dataclass
class PreparedFiles:
    """Files read, hashed, parsed and checked ahead of :func:`ingest_batch` (by parse workers, see
    ``parallel.py``): the candidates (content dropped once parsed), each parsed content's rows or
    quarantine reason by SHA-256 (a content already ingested when it was read has none), the
    data-quality result of the documents parsed, and what reading noted (skipped, quarantined)."""

    candidates: list[_Candidate] = field(default_factory=list)
    documents: dict[str, PreparedDocument | str] = field(default_factory=dict)
    quality: QualityResult = field(default_factory=QualityResult)
    quarantines: list[_Quarantine] = field(default_factory=list)
    summary: IngestSummary = field(default_factory=IngestSummary)

    def merge(self, other: PreparedFiles) -> None:
        """``other`` (the next chunk) after these files. A content both parsed keeps what the earlier
        chunk made of it, as one process parses a content once, under its first name: a quarantine
        reason names that file."""
        self.candidates += other.candidates
        for digest, outcome in other.documents.items():
            self.documents.setdefault(digest, outcome)
        self.quality = combined_results([self.quality, other.quality])
        self.quarantines += other.quarantines
        self.summary.merge(other.summary)


def ingest_batch(
    engine: Engine,
    files: list[InputFile],
    max_bytes: int,
    one_by_one: bool = False,
    log_options: LogOptions | None = None,
    prepared: PreparedFiles | None = None,
) -> IngestSummary:
    """Read, check and store ``files`` in one transaction; on a database conflict, redo one by one.

    A file already ingested (same content) is a duplicate; one that cannot be read, fails a
    data-quality expectation or reuses a document number is quarantined with the reason.
    ``prepared``: ``files`` already read and parsed elsewhere; a content it has no document for is read here.
    """
    summary = IngestSummary()
    quarantines: list[_Quarantine] = []
    ready: dict[str, PreparedDocument | str] = {}
    if prepared is None:
        with InputOpener() as opener:
            candidates = [c for c in (_read(file, max_bytes, summary, quarantines, opener) for file in files) if c is not None]
    else:
        summary.merge(prepared.summary)
        quarantines += prepared.quarantines
        candidates, ready = prepared.candidates, prepared.documents
    try:
        with session_scope(engine) as session:
            # 1. Read: each new content once, into its normalised document and the rows it becomes.
            known = sources_by_digest(session, [c.digest for c in candidates])
            parsed: list[tuple[_Candidate, PreparedDocument]] = []
            checked_here: list[tuple[str, SourceDocument]] = []  # parse workers checked theirs already
            seen: set[str] = set()
            for candidate in candidates:
                previous = known.get(candidate.digest)
                if (previous is not None and previous.status == "ingested") or candidate.digest in seen:
                    summary.duplicates.append(candidate.name)
                    continue
                seen.add(candidate.digest)
                if candidate.digest in ready:
                    outcome = ready[candidate.digest]
                else:
                    read = _read_document(candidate, max_bytes, log_options, engine.dialect)
                    if not isinstance(read, str):
                        checked_here.append((candidate.name, read[0]))
                    outcome = read if isinstance(read, str) else read[1]
                candidate.data = b""  # read: the rows (or the reason) are what the batch keeps
                if isinstance(outcome, str):
                    quarantines.append((candidate.name, candidate.digest, candidate.size, outcome))
                    summary.quarantined.append((candidate.name, outcome))
                else:
                    parsed.append((candidate, outcome))
            # 2. Data quality before anything is stored: a failing file is quarantined whole. The column checks
            # decide; Great Expectations lists the failures of a batch that has some (compliance.quality_gate).
            quality = check_documents(checked_here, _now().date()) if checked_here else QualityResult()
            if prepared is not None:  # the workers checked what they parsed: only this batch's files count
                checked_ahead = {c.name for c, _ in parsed if c.digest in ready}
                quality = combined_results([restricted_to(prepared.quality, checked_ahead), quality])
            failing = quality.failures_by_file()
            for candidate, _doc in parsed:
                if candidate.name in failing:
                    reason = quarantine_reason(candidate.name, failing[candidate.name])
                    quarantines.append((candidate.name, candidate.digest, candidate.size, reason))
                    summary.quarantined.append((candidate.name, reason))
                    summary.quality_quarantined.append(candidate.name)
            parsed = [(c, doc) for c, doc in parsed if c.name not in failing]
            # 3. A supplier's document number used before for other content: quarantined, and a finding.
            duplicates = reused_numbers(
                session, [(c.name, c.digest, doc.number_key) for c, doc in parsed if doc.number_key is not None]
            )
            for candidate, _doc in parsed:
                if candidate.name in duplicates:
                    error = duplicates[candidate.name]
                    finding = duplicate_number_finding(error, candidate.digest)
                    record_quarantine(session, candidate.name, candidate.digest, candidate.size, str(error), finding)
                    summary.quarantined.append((candidate.name, str(error)))
            storable = [(c, doc) for c, doc in parsed if c.name not in duplicates]
            # 4. Store: the source files, their documents' rows, the quarantined files and the quality runs.
            now = _now()
            source_ids = record_ingested_sources(
                session, [(c.name, c.digest, c.size, doc.document_type, doc.format) for c, doc in storable], known, now
            )
            store_prepared(session, [(source_ids[c.digest], doc) for c, doc in storable])
            for name, digest, size, reason in quarantines:
                record_quarantine(session, name, digest, size, reason)
            if known_ids := [source_ids[c.digest] for c, _ in storable if c.digest in known]:
                # Quarantined by an earlier check and stored now: its old failures no longer apply.
                clear_quality_failures(session, known_ids)
            failing_ids: dict[str, int] = {}
            if failing:
                digests = {c.name: c.digest for c in candidates if c.name in failing}
                ids = source_ids_by_digest(session, list(set(digests.values())))
                failing_ids = {name: ids[digest] for name, digest in digests.items()}
            record_quality(session, quality, failing_ids, now)
            summary.quality_runs += quality.runs
            summary.ingested += [c.name for c, _ in storable]
    except (DataError, IntegrityError) as exc:
        # A value the database refused (too long, out of range) or a row another run stored first: found
        # file by file. Any other database error (a timeout, a disk fault) is not the file's fault and stops the batch.
        if one_by_one or len(files) == 1:
            name = shown(str(files[0].path))
            if isinstance(exc, IntegrityError):
                # Another run stored the same file or number at the same moment: counted once, by that run.
                return IngestSummary(duplicates=[name])
            reason = f"{name}: the database refused a value: {shown(str(exc.orig).splitlines()[0])} (expected values within the documented field sizes)"
            with session_scope(engine) as session:
                if candidates:
                    record_quarantine(session, candidates[0].name, candidates[0].digest, candidates[0].size, reason)
            return IngestSummary(quarantined=[(name, reason)])
        summary = IngestSummary()
        for file in files:
            summary.merge(ingest_batch(engine, [file], max_bytes, one_by_one=True, log_options=log_options))
    return summary


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
    return ingest_paths(engine, [path], max_bytes)


def ingest_paths(
    engine: Engine,
    paths: Iterable[Path | InputFile],
    max_bytes: int,
    on_progress: Callable[[IngestProgress], None] | None = None,
    batch_size: int = DEFAULT_INGEST_BATCH_FILES,
    log_options: LogOptions | None = None,
) -> IngestSummary:
    """Ingest every file under ``paths`` (or the files listed already); a bad file is quarantined and the rest go on.

    Files are stored ``batch_size`` at a time (fewer when they add up to more than
    ``BATCH_BYTES``), one transaction per batch; ``on_progress`` is called after each batch
    (the CLI shows it on a terminal). Links, pipes and devices are skipped with a note, never opened.
    With parse workers: :func:`compliance.intake.parallel.ingest_with_workers`.
    """
    listing = list_input_files(paths)
    files = listing.files
    summary = IngestSummary(skipped=list(listing.skipped))
    started = time.monotonic()
    done = 0
    for batch in file_batches(files, batch_size, BATCH_BYTES):
        with _collector_paused():
            summary.merge(ingest_batch(engine, batch, max_bytes, log_options=log_options))
        done += len(batch)
        if on_progress is not None:
            on_progress(IngestProgress(done, len(files), summary, time.monotonic() - started))
    return summary
