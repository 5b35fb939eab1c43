"""The pipeline on a real PostgreSQL server gives exactly what it gives on SQLite.

Needs ``COMPLIANCE_TEST_POSTGRES_URL`` (``.ci/run`` starts a server with
``scripts/start-test-postgres.sh``); skipped otherwise.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import MetaData, text

from compliance.base.settings import Settings
from compliance.pipeline import run_pipeline
from compliance.store.db import make_engine
from tests.conftest import pipeline_results as results

POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")
AS_OF = date(2026, 11, 22)


def empty_database(db_url: str) -> None:
    """Drop every table, so the test server's database starts empty."""
    engine = make_engine(db_url)
    with engine.begin() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
    ),
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.integration,
]


def test_postgresql_and_sqlite_give_identical_results(settings: Settings) -> None:
    assert POSTGRES_URL is not None
    empty_database(POSTGRES_URL)
    run_pipeline(settings, as_of=AS_OF)
    postgres_settings = replace(settings, db_url=POSTGRES_URL, reports_dir=settings.reports_dir.parent / "pg-reports")
    first = run_pipeline(postgres_settings, as_of=AS_OF)
    assert len(first.ingest.ingested) == 41
    on_sqlite = results(settings.db_url)
    on_postgres = results(POSTGRES_URL)
    assert on_postgres == on_sqlite
    assert any(a[3] == "short" for a in on_postgres["assessments"])  # type: ignore[attr-defined]
    again = run_pipeline(postgres_settings, as_of=AS_OF)
    assert len(again.ingest.duplicates) == 41
    assert results(POSTGRES_URL) == on_postgres
