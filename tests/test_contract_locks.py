"""Contracts in parallel (issue 20): on PostgreSQL the checks of one contract never wait for another
contract's, while two runs of the same contract still take turns and leave what one run leaves.

Needs ``COMPLIANCE_TEST_POSTGRES_URL``; skipped otherwise (SQLite has one writer at a time anyway).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from compliance.base.settings import Settings
from compliance.pipeline import check_and_report_contract, ingest_files, prepare_contract_checks
from compliance.store.db import make_engine, session_scope
from tests.conftest import pipeline_results
from tests.test_postgres import empty_database

POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")
AS_OF = date(2026, 11, 22)
FIRST, SECOND = "KK-2024-0117", "KK-2025-0042"

pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
    ),
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.integration,
]


def _ingested(settings: Settings) -> Settings:
    """``settings`` on the emptied PostgreSQL test database, with the sample inbox stored and the terms loaded."""
    assert POSTGRES_URL is not None
    empty_database(POSTGRES_URL)
    chosen = replace(settings, db_url=POSTGRES_URL)
    prepare_contract_checks(chosen)
    ingest_files(chosen)
    return chosen


def test_a_contract_being_checked_holds_up_only_its_own_runs(settings: Settings) -> None:
    chosen = _ingested(settings)
    engine = make_engine(chosen.db_url)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            # Another task is in the middle of FIRST's database stage (its lock held until it commits) …
            with session_scope(engine, exclusive=True, contracts=[FIRST]):
                same = pool.submit(
                    check_and_report_contract, replace(chosen, reports_dir=settings.reports_dir / "a"), FIRST, None, AS_OF
                )
                started = time.monotonic()
                # … SECOND's checks go through meanwhile (with the single pipeline_lock row they waited) …
                other = pool.submit(
                    check_and_report_contract, replace(chosen, reports_dir=settings.reports_dir / "b"), SECOND, None, AS_OF
                )
                assert other.result(timeout=120).years > 0 and time.monotonic() - started < 120
                # … while FIRST's second run waits for the first.
                time.sleep(1)
                assert not same.done()
            assert same.result(timeout=300).years > 0
    finally:
        engine.dispose()


def _check(
    db_url: str, contract_id: str, reports: Path, start: multiprocessing.synchronize.Event, results: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    from compliance.base.settings import load_settings
    from tests.conftest import CONTRACTS_DIR

    settings = replace(load_settings(), db_url=db_url, contracts_dir=CONTRACTS_DIR, reports_dir=reports)
    start.wait()
    try:
        run = check_and_report_contract(settings, contract_id, as_of=AS_OF)
        results.put(("ok", contract_id, run.findings))
    except Exception as exc:  # reported to the test, which fails with it
        results.put(("failed", contract_id, f"{type(exc).__name__}: {exc}"))


def test_two_processes_per_contract_at_once_leave_what_one_run_per_contract_leaves(settings: Settings, tmp_path: Path) -> None:
    single = replace(settings, db_url=f"sqlite:///{tmp_path / 'single.sqlite'}", reports_dir=tmp_path / "single")
    prepare_contract_checks(single)
    ingest_files(single)
    for contract_id in (FIRST, SECOND):
        check_and_report_contract(single, contract_id, as_of=AS_OF)
    reference = pipeline_results(single.db_url)

    chosen = _ingested(settings)
    context = multiprocessing.get_context("spawn")
    start, queue = context.Event(), context.Queue()
    processes = [
        context.Process(target=_check, args=(chosen.db_url, contract_id, tmp_path / f"reports-{n}", start, queue))
        for n, contract_id in enumerate((FIRST, SECOND, FIRST, SECOND))
    ]
    for process in processes:
        process.start()
    start.set()
    outcomes = [queue.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert all(outcome[0] == "ok" for outcome in outcomes), outcomes
    assert pipeline_results(chosen.db_url) == reference
