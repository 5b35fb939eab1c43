"""Ingest with parse workers: several processes read, hash, parse and check files while this one stores them.

Reading, parsing, normalising, the data-quality checks and building each document's rows are most of
ingest's time and need nothing from the database but whether a content is already stored, so
``COMPLIANCE_INGEST_WORKERS`` processes do them, a chunk of files at a time, and send back plain rows
(``compliance.store.prepared``), not documents: unpickling documents cost the writer more than
storing them. The process that called stays the one writer: it stores each batch in one
transaction, with the duplicate and reused-number checks, exactly as :func:`ingest_batch` does
alone. While it stores one batch the workers already parse the next. (A transaction per chunk
would start the writer sooner, but each SQLite commit writes and deletes its journal: measured,
it cost more than it saved.) A worker asks the database which contents are already stored before
it parses, so a folder ingested again is hashed, not parsed; the batch's transaction looks again,
so a file another run stored meanwhile is still counted once.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from compliance.base.documents import SourceDocument
from compliance.base.settings import DEFAULT_INGEST_BATCH_FILES
from compliance.ingest.driving_log import LogOptions
from compliance.intake.batch import (
    BATCH_BYTES,
    IngestProgress,
    IngestSummary,
    PreparedFiles,
    _collector_paused,
    _now,
    _read,
    _read_document,
    ingest_batch,
    ingest_paths,
)
from compliance.intake.files import InputFile, InputOpener, file_batches, list_input_files
from compliance.quality_gate import check_documents
from compliance.store.db import make_engine, session_scope
from compliance.store.sources import sources_by_digest

# Files a worker takes at a time: small enough that the workers finish a batch together, large
# enough that the round trip per chunk is nothing against the parse.
CHUNK_FILES = 100

_worker_engine: Engine | None = None


def _start_worker(db_url: str) -> None:
    """Each worker's own engine (a connection is never shared across processes)."""
    global _worker_engine
    _worker_engine = make_engine(db_url)
    # A worker only parses: its documents and rows have no reference cycles and are freed as soon as
    # they are sent, so the cycle collector stays off (what it would find is a few dozen objects a
    # chunk, from the session that asks which contents are stored); what the fork brought along is
    # frozen out of its reach.
    gc.freeze()
    gc.disable()


def _prepare(files: list[InputFile], max_bytes: int, log_options: LogOptions | None) -> PreparedFiles:
    """In a worker: read and hash ``files``, parse each content not stored yet, run the data-quality checks
    on what was parsed and turn the documents into the rows they become, so that only plain values go
    back to the writer (the file boundary of :func:`_read_document` applies: whatever a reader raises
    becomes the file's quarantine reason)."""
    assert _worker_engine is not None
    prepared = PreparedFiles()
    with InputOpener() as opener:
        prepared.candidates = [
            c for c in (_read(file, max_bytes, prepared.summary, prepared.quarantines, opener) for file in files) if c is not None
        ]
    with session_scope(_worker_engine) as session:
        known = sources_by_digest(session, [c.digest for c in prepared.candidates])
    documents: list[tuple[str, SourceDocument]] = []
    for candidate in prepared.candidates:
        previous = known.get(candidate.digest)
        if (previous is not None and previous.status == "ingested") or candidate.digest in prepared.documents:
            continue  # a duplicate: the batch says so; its content is kept in case the batch finds it new after all
        read = _read_document(candidate, max_bytes, log_options, _worker_engine.dialect)
        if isinstance(read, str):
            prepared.documents[candidate.digest] = read
        else:
            documents.append((candidate.name, read[0]))
            prepared.documents[candidate.digest] = read[1]
        candidate.data = b""  # parsed: only the rows (or the reason) go back
    if documents:
        prepared.quality = check_documents(documents, _now().date())
    return prepared


def _gather(futures: list[Future[PreparedFiles]]) -> PreparedFiles:
    prepared = PreparedFiles()
    for future in futures:
        prepared.merge(future.result())
    return prepared


def ingest_with_workers(
    engine: Engine,
    paths: Iterable[Path | InputFile],
    max_bytes: int,
    on_progress: Callable[[IngestProgress], None] | None = None,
    batch_size: int = DEFAULT_INGEST_BATCH_FILES,
    log_options: LogOptions | None = None,
    workers: int = 1,
) -> IngestSummary:
    """:func:`ingest_paths` (``workers`` 1) or :func:`ingest_in_parallel` (more): what the pipeline calls.
    A daemonic process (a task in a Celery worker's pool) may not start children, so it ingests alone."""
    if workers > 1 and not multiprocessing.current_process().daemon:
        return ingest_in_parallel(engine, paths, max_bytes, workers, on_progress, batch_size, log_options)
    return ingest_paths(engine, paths, max_bytes, on_progress, batch_size, log_options)


def ingest_in_parallel(
    engine: Engine,
    paths: Iterable[Path | InputFile],
    max_bytes: int,
    workers: int,
    on_progress: Callable[[IngestProgress], None] | None = None,
    batch_size: int = DEFAULT_INGEST_BATCH_FILES,
    log_options: LogOptions | None = None,
) -> IngestSummary:
    """:func:`ingest_paths` with ``workers`` parse processes feeding this one, which stores (same summary)."""
    listing = list_input_files(paths)
    files = listing.files
    summary = IngestSummary(skipped=list(listing.skipped))
    # Fork where there is fork: the workers start at once, with the readers already imported.
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    db_url = engine.url.render_as_string(hide_password=False)
    # Everything loaded so far (the libraries, the parent's heap) is kept out of the cycle collector's
    # reach while the workers run: a forked worker then does not copy those pages by touching their
    # collector headers, and the writer does not rescan them (measured: ~25 % less CPU in all).
    gc.freeze()
    try:
        # The rows unpickled from the workers have no cycles either. The collector stays paused for the whole
        # run: what waits for it is a few dozen objects a batch (each transaction's session), not the rows.
        with _collector_paused():
            return _ingest_with_pool(
                engine, files, summary, max_bytes, workers, on_progress, batch_size, log_options, db_url, context
            )
    finally:
        gc.unfreeze()


def _ingest_with_pool(
    engine: Engine,
    files: list[InputFile],
    summary: IngestSummary,
    max_bytes: int,
    workers: int,
    on_progress: Callable[[IngestProgress], None] | None,
    batch_size: int,
    log_options: LogOptions | None,
    db_url: str,
    context: Any,
) -> IngestSummary:
    """The batches through the pool: batch k+1 handed to the workers before batch k is stored."""
    started = time.monotonic()
    done = 0
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(db_url,)) as pool:
        waiting: tuple[list[InputFile], list[Future[PreparedFiles]]] | None = None
        batches = iter(file_batches(files, batch_size, BATCH_BYTES))
        while True:
            batch = next(batches, None)
            if batch is not None:  # the next batch is parsed while the one before is stored
                chunk = max(1, min(CHUNK_FILES, -(-len(batch) // workers)))
                ahead = [pool.submit(_prepare, batch[i : i + chunk], max_bytes, log_options) for i in range(0, len(batch), chunk)]
            if waiting is not None:
                stored, futures = waiting
                prepared = _gather(futures)
                summary.merge(ingest_batch(engine, stored, max_bytes, log_options=log_options, prepared=prepared))
                done += len(stored)
                if on_progress is not None:
                    on_progress(IngestProgress(done, len(files), summary, time.monotonic() - started))
            if batch is None:
                break
            waiting = (batch, ahead)
    return summary
