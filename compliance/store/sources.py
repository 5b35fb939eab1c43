"""The ``source_file`` table: every file ingest has seen, by content hash, with what became of it.

A file is ``ingested``, ``quarantined`` (with the reason a user reads) or, for a DMR extract that
breaks off, ``partial``. The same content is one row whatever its path; a file quarantined once and
readable later keeps its row and is marked ingested.

What ingest calls here reads and writes the tables through SQLAlchemy Core, never through the ORM's
mapped classes: the first ORM query in a process configures every mapper, and in an Airflow task
process that sets off Airflow's own hook importing all of Airflow's models (0.6–0.8 s of CPU an
ingest task would pay for nothing; ``benchmarks/startup.py``). Invoices, catalogues, driving logs
and licence registers are stored so; a vehicle register still goes through the ORM (the register's
upsert, ``compliance.store.vehicles``), and its watcher pays that once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from compliance.base.findings import FindingRecord
from compliance.store.db import ids_by_key, insert_rows
from compliance.store.models import Base, SourceFile

# The tables as SQLAlchemy Core sees them (see the module docstring).
SOURCE_FILE: Table = Base.metadata.tables["source_file"]
FINDING: Table = Base.metadata.tables["finding"]
DATA_QUALITY_RUN: Table = Base.metadata.tables["data_quality_run"]
DATA_QUALITY_FAILURE: Table = Base.metadata.tables["data_quality_failure"]


@dataclass(frozen=True)
class StoredSource:
    """A stored file as ingest needs it: its id and what became of it."""

    id: int
    sha256: str
    status: str


def _now() -> datetime:
    return datetime.now(UTC)


def first_seen_by_path(session: Session, paths: Sequence[str]) -> dict[str, list[tuple[int, datetime]]]:
    """Size and first-seen time (UTC) of every stored file at each of ``paths``."""
    seen: dict[str, list[tuple[int, datetime]]] = {}
    # A released file (compliance quarantine release) counts as unseen: the next ingest reads it again.
    table = SOURCE_FILE
    query = select(table.c.path, table.c.size_bytes, table.c.first_seen_at).where(
        table.c.path.in_(paths), table.c.status != "released"
    )
    for name, size, first_seen in session.connection().execute(query):
        seen.setdefault(name, []).append((size, first_seen if first_seen.tzinfo else first_seen.replace(tzinfo=UTC)))
    return seen


def sources_by_digest(session: Session, digests: Sequence[str]) -> dict[str, StoredSource]:
    """The stored files with these content hashes (ingested, quarantined or partial), by hash."""
    if not digests:
        return {}
    table = SOURCE_FILE
    query = select(table.c.id, table.c.sha256, table.c.status).where(table.c.sha256.in_(digests))
    return {digest: StoredSource(source_id, digest, status) for source_id, digest, status in session.connection().execute(query)}


def settled_digests(session: Session, digests: Sequence[str]) -> set[str]:
    """Which of ``digests`` ingest has judged: stored or quarantined (a released file waits to be read again)."""
    query = select(SOURCE_FILE.c.sha256).where(SOURCE_FILE.c.sha256.in_(digests), SOURCE_FILE.c.status != "released")
    return set(session.connection().scalars(query))


def source_ids_by_digest(session: Session, digests: Sequence[str]) -> dict[str, int]:
    """The ids of the stored files with these content hashes."""
    query = select(SOURCE_FILE.c.sha256, SOURCE_FILE.c.id).where(SOURCE_FILE.c.sha256.in_(digests))
    return {digest: source_id for digest, source_id in session.connection().execute(query)}


def record_ingested_sources(
    session: Session, files: Sequence[tuple[str, str, int, str, str]], known: dict[str, StoredSource], now: datetime
) -> dict[str, int]:
    """Mark ``files`` (path, sha256, size, document type, format) ingested and return their ids by hash.

    New content gets a new row, first seen ``now``; content in ``known`` (quarantined before,
    readable now) keeps its row, which takes the new path, kind and status.
    """
    values: list[dict[str, Any]] = [
        {
            "sha256": digest,
            "path": path,
            "size_bytes": size,
            "kind": kind,
            "format": format_name,
            "status": "ingested",
            "quarantine_reason": None,
            "ingested_at": now,
        }
        for path, digest, size, kind, format_name in files
    ]
    new = [row for row in values if row["sha256"] not in known]
    source_ids: dict[str, int] = {}
    if new:
        insert_rows(session.connection(), SourceFile, [{**row, "first_seen_at": now} for row in new])
        source_ids = ids_by_key(session.connection(), SourceFile, "sha256", [row["sha256"] for row in new])
    for row in values:
        if row["sha256"] in known:
            source_ids[row["sha256"]] = known[row["sha256"]].id
            session.connection().execute(update(SOURCE_FILE).where(SOURCE_FILE.c.id == known[row["sha256"]].id).values(**row))
    return source_ids


def record_quarantine(
    session: Session, path: str, digest: str, size: int, reason: str, finding: FindingRecord | None = None
) -> None:
    """Mark the file quarantined with its reason; ``finding`` (a reused document number) is also
    recorded once, against the file."""
    connection = session.connection()
    quarantined = {"status": "quarantined", "quarantine_reason": reason, "path": path}
    source_id = connection.scalar(select(SOURCE_FILE.c.id).where(SOURCE_FILE.c.sha256 == digest))
    if source_id is None:
        new = {"sha256": digest, "size_bytes": size, "first_seen_at": _now(), "kind": "unknown", **quarantined}
        source_id = connection.execute(insert(SOURCE_FILE).values(**new).returning(SOURCE_FILE.c.id)).scalar_one()
    else:
        connection.execute(update(SOURCE_FILE).where(SOURCE_FILE.c.id == source_id).values(**quarantined))
    if finding is None:
        return
    record = replace(finding, source_file_id=source_id)
    fingerprint = record.fingerprint()
    if connection.scalar(select(FINDING.c.id).where(FINDING.c.fingerprint == fingerprint)) is None:
        connection.execute(insert(FINDING).values(**record.row_values(), created_at=_now()))


def record_register_source(session: Session, path: str, digest: str, size: int, error: str | None, now: datetime) -> int:
    """Record a DMR extract as read ``now`` (``partial`` with ``error`` when it broke off) and return its id."""
    source = session.scalars(select(SourceFile).where(SourceFile.sha256 == digest)).first()
    if source is None:
        source = SourceFile(sha256=digest, path=path, size_bytes=size, first_seen_at=now)
        session.add(source)
    source.kind = "vehicle_register"
    source.format = "dmr-extract"
    source.status = "partial" if error else "ingested"
    source.quarantine_reason = error
    source.ingested_at = now
    session.flush()
    return source.id


def clear_quality_failures(session: Session, source_ids: Sequence[int]) -> None:
    """Forget the data-quality failures listed for these files (checked again, or stored now)."""
    table = DATA_QUALITY_FAILURE
    session.connection().execute(delete(table).where(table.c.source_file_id.in_(list(source_ids))))
