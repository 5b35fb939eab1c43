"""Two pipeline runs at the same moment (a manual run during a scheduled one) count nothing twice.

Each run is a separate process on the same database; both must succeed and leave exactly what one
run leaves. On SQLite always; on PostgreSQL when ``COMPLIANCE_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from compliance.base.settings import Settings
from compliance.store.db import migrate_database
from tests.conftest import pipeline_results
from tests.test_postgres import empty_database

AS_OF = date(2026, 11, 22)
POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # two pipeline runs in two processes


def _run(settings: Settings, start: multiprocessing.synchronize.Event, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from compliance.pipeline import run_pipeline

    start.wait()
    try:
        result = run_pipeline(settings, as_of=AS_OF)
        results.put(("ok", len(result.ingest.ingested), len(result.ingest.duplicates), len(result.ingest.quarantined)))
    except Exception as exc:  # reported to the test, which fails with it
        results.put(("failed", f"{type(exc).__name__}: {exc}"))


def _two_runs_at_once(settings: Settings, tmp_path: Path) -> list[tuple[object, ...]]:
    migrate_database(settings.db_url)
    context = multiprocessing.get_context("spawn")
    start, queue = context.Event(), context.Queue()
    processes = [
        context.Process(target=_run, args=(replace(settings, reports_dir=tmp_path / f"reports-{n}"), start, queue))
        for n in (1, 2)
    ]
    for process in processes:
        process.start()
    start.set()
    outcomes = [queue.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return outcomes


def _check(settings: Settings, tmp_path: Path, reference: dict[str, object]) -> None:
    outcomes = _two_runs_at_once(settings, tmp_path)
    assert all(o[0] == "ok" for o in outcomes), outcomes
    # Every file stored once: one run ingested it, the other saw a duplicate.
    assert sum(o[1] for o in outcomes) == 41 and sum(o[1] + o[2] for o in outcomes) == 82  # type: ignore[operator]
    assert pipeline_results(settings.db_url) == reference


def _reference(settings: Settings, tmp_path: Path) -> dict[str, object]:
    from compliance.pipeline import run_pipeline

    single = replace(settings, db_url=f"sqlite:///{tmp_path / 'single.sqlite'}", reports_dir=tmp_path / "single-reports")
    run_pipeline(single, as_of=AS_OF)
    return pipeline_results(single.db_url)


def test_two_runs_at_once_on_sqlite_count_nothing_twice(settings: Settings, tmp_path: Path) -> None:
    _check(settings, tmp_path, _reference(settings, tmp_path))


@pytest.mark.skipif(
    not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
)
@pytest.mark.postgres
def test_two_runs_at_once_on_postgresql_count_nothing_twice(settings: Settings, tmp_path: Path) -> None:
    assert POSTGRES_URL is not None
    empty_database(POSTGRES_URL)
    _check(replace(settings, db_url=POSTGRES_URL), tmp_path, _reference(settings, tmp_path))
