"""Bulk rows go to PostgreSQL through COPY and are stored exactly as the INSERT path stores them (issue 21 item 3).

Needs ``COMPLIANCE_TEST_POSTGRES_URL`` (``scripts/start-test-postgres.sh`` starts a server); skipped otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import DateTime, MetaData, select
from sqlalchemy.exc import IntegrityError

from compliance.base.settings import Settings
from compliance.pipeline import ingest_files, initialise_database
from compliance.store import db as store_db
from compliance.store.db import insert_rows, make_engine, migrate_database, session_scope
from compliance.store.models import SourceFile
from tests.test_postgres import POSTGRES_URL, empty_database

pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
    ),
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.integration,
]


def stored_rows(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, without the columns that hold the time of the run or how long it took."""
    engine = make_engine(db_url)
    metadata = MetaData()
    try:
        with engine.connect() as connection:
            metadata.reflect(connection)
            tables: dict[str, list[tuple[Any, ...]]] = {}
            for table in metadata.sorted_tables:
                columns = [c for c in table.columns if not isinstance(c.type, DateTime) and c.name != "seconds"]
                rows = connection.execute(select(*columns)).all()
                tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    finally:
        engine.dispose()
    return tables


def ingest_sample(settings: Settings, copy: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[Any, ...]]]:
    assert POSTGRES_URL
    empty_database(POSTGRES_URL)
    monkeypatch.setattr(store_db, "COPY_ROWS", copy)
    postgres = replace(settings, db_url=POSTGRES_URL)
    initialise_database(postgres)
    summary = ingest_files(postgres)
    assert len(summary.ingested) > 30
    return stored_rows(POSTGRES_URL)


def test_copy_stores_what_insert_stores(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    by_insert = ingest_sample(settings, False, monkeypatch)
    by_copy = ingest_sample(settings, True, monkeypatch)
    assert by_insert["invoice_line"] and by_insert["trip"]
    assert by_copy == by_insert


def test_a_row_copy_refuses_is_the_same_error_as_an_insert_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert POSTGRES_URL
    empty_database(POSTGRES_URL)
    migrate_database(POSTGRES_URL)
    engine = make_engine(POSTGRES_URL)
    row = {
        "sha256": "0" * 64,
        "path": "a.xml",
        "size_bytes": 1,
        "kind": "invoice",
        "format": "oioubl-2.1",
        "status": "ingested",
        "first_seen_at": datetime.now(UTC),
    }
    try:
        for copy in (False, True):
            with pytest.raises(IntegrityError), session_scope(engine) as session:
                insert_rows(session.connection(), SourceFile, [row, row], copy=copy)
    finally:
        engine.dispose()
