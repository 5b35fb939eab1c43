"""Several processes migrating one empty database at once: exactly one creates the schema, the others
wait for it and find it at head (issue 20: every DAG task migrates first; unlocked, 3 of 4 parallel
watchers failed creating ``alembic_version`` on an empty PostgreSQL database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from compliance.base.settings import PROJECT_ROOT
from compliance.store.db import make_engine, migrate_database
from tests.test_postgres import empty_database

POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")
PROCESSES = 4

# Each process imports everything first, then waits for the same moment, so the migrations really overlap.
MIGRATE_AT = """
import sys, time
from compliance.store.db import migrate_database
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
migrate_database(sys.argv[1])
print("migrated")
"""


def migrate_at_once(db_url: str) -> list[subprocess.CompletedProcess[str]]:
    start = time.time() + 8  # time for every process to import SQLAlchemy and Alembic on a busy machine
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_AT, db_url, str(start)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    done = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def assert_one_schema_at_head(db_url: str, done: list[subprocess.CompletedProcess[str]]) -> None:
    assert [(p.returncode, p.stdout.strip()) for p in done] == [(0, "migrated")] * PROCESSES, [p.stderr[-2000:] for p in done]
    engine = make_engine(db_url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    heads = sorted(p.stem.split("_")[0] for p in (PROJECT_ROOT / "compliance/store/migrations/versions").glob("0*.py"))
    assert len(versions) == 1 and versions[0] == heads[-1]


@pytest.mark.slow
def test_parallel_migrations_of_an_empty_sqlite_database_take_turns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert_one_schema_at_head(url, migrate_at_once(url))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.integration
@pytest.mark.skipif(
    not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
)
def test_parallel_migrations_of_an_empty_postgresql_database_take_turns() -> None:
    assert POSTGRES_URL is not None
    empty_database(POSTGRES_URL)
    assert_one_schema_at_head(POSTGRES_URL, migrate_at_once(POSTGRES_URL))


def test_a_database_at_head_is_not_locked_to_be_migrated(engine: Engine) -> None:
    """Every command and task migrates first: at head that must not wait for another run's writing stage."""
    with engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")  # another run in the middle of a write (SQLite's write lock)
        started = time.monotonic()
        migrate_database(str(engine.url))
        assert time.monotonic() - started < 10
        writer.exec_driver_sql("ROLLBACK")
