"""Shared fixtures: a migrated SQLite database per test, sample data, and ../shared/reference.

The tests never use the user's folders: they read their own contracts (``tests/data/contracts``,
copies of the demo contracts), read ``sample_invoices/`` without writing it, and run with the
user's ``COMPLIANCE_*`` variables replaced by throw-away folders; an audit hook fails a test that touches
``contracts/``, ``var/`` or a folder the user configured (see ``tests/isolation.py``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from compliance.base.settings import PROJECT_ROOT, Settings, load_settings
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import Assessment, Finding, Invoice, InvoiceLine, Notice, TripLine
from tests.isolation import FolderGuard, install, isolated_environment, user_folders

TESTS_DIR = Path(__file__).resolve().parent
REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"
SAMPLE_DIR = PROJECT_ROOT / "sample_invoices"  # the repository's sample data: read, never written
CONTRACTS_DIR = TESTS_DIR / "data" / "contracts"  # the tests' own copies of the demo contracts

# Taken from the environment the tests were started in, before the session replaces it.
FOLDER_GUARD = FolderGuard.around(user_folders(os.environ, PROJECT_ROOT, SAMPLE_DIR), [SAMPLE_DIR])
_SESSION = ExitStack()

# A test with one of these markers is never fast, so it must be marked slow as well.
SLOW_KINDS = ("integration", "postgres", "browser", "fuzz")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before collection: throw-away COMPLIANCE_* folders, and the guard on the user's folders."""
    _SESSION.enter_context(isolated_environment(CONTRACTS_DIR))
    install(FOLDER_GUARD)
    FOLDER_GUARD.active = True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    FOLDER_GUARD.active = False
    _SESSION.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    yield from _fail_on_a_hidden_touch()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield from _fail_on_a_hidden_touch()


def _fail_on_a_hidden_touch() -> Generator[None, None, None]:
    """Fails a test whose touch of a user folder was swallowed (another thread, ``except BaseException``)."""
    FOLDER_GUARD.violations.clear()
    yield  # re-raises when the test failed by itself
    if FOLDER_GUARD.violations:
        pytest.fail("; ".join(FOLDER_GUARD.violations))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuses an integration/postgres/browser/fuzz test not marked slow, so the fast set stays fast."""
    unmarked = []
    for item in items:
        kinds = [kind for kind in SLOW_KINDS if item.get_closest_marker(kind)]
        if kinds and not item.get_closest_marker("slow"):
            unmarked.append(f"{item.nodeid} (marked {', '.join(kinds)})")
    if unmarked:
        raise pytest.UsageError("mark these tests slow too, so the fast set leaves them out: " + "; ".join(unmarked))


REQUIRE_TOOLS = os.environ.get("COMPLIANCE_REQUIRE_DEBIAN_TOOLS") == "1"  # set by .ci/run: never skip there


def need_tool(problem: str | None) -> None:
    """Skip (or, in CI, fail) when a Debian tool the test needs is missing."""
    if problem:
        if REQUIRE_TOOLS:
            pytest.fail(problem)
        pytest.skip(f"{problem} (scripts/install-debian-tools.sh installs it)")


@pytest.fixture
def reference_dir() -> Path:
    """The real OIOUBL/Peppol files beside the project; tests that need them skip without them."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference files not available: {REFERENCE_DIR} is absent (a plain clone has no ../shared)")
    return REFERENCE_DIR


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fresh SQLite file and report folder under tmp_path."""
    return replace(
        load_settings(),
        db_url=f"sqlite:///{tmp_path / 'compliance.sqlite'}",
        inbox=SAMPLE_DIR,
        contracts_dir=CONTRACTS_DIR,
        reports_dir=tmp_path / "reports",
    )


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the newest schema once per session (each migration step
    commits and syncs to disk, slow on a busy machine); ``engine`` gives each test a copy."""
    path = tmp_path_factory.mktemp("schema") / "compliance.sqlite"
    migrate_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(settings: Settings, migrated_database: Path) -> Iterator[Engine]:
    """The test's own database (``settings.db_url``), at the newest schema."""
    shutil.copyfile(migrated_database, settings.db_url.removeprefix("sqlite:///"))
    engine = make_engine(settings.db_url)
    yield engine
    engine.dispose()


def pipeline_results(db_url: str) -> dict[str, object]:
    """What a pipeline run stored, in a form two databases or two runs can be compared by."""
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        outcome = {
            "assessments": sorted(
                (a.contract_id, a.contract_year, a.rule_id, a.status, a.share, a.level, a.penalty_total)
                for a in session.scalars(select(Assessment))
            ),
            "findings": sorted(f.fingerprint for f in session.scalars(select(Finding))),
            "lines": sorted(
                (i.number, line.position, line.quantity, line.line_amount)
                for i in session.scalars(select(Invoice))
                for line in i.lines
            ),
            "line_count": len(session.scalars(select(InvoiceLine)).all()),
            "trip_lines": sorted((t.contract_id, t.invoice_line_id, t.trips_milli) for t in session.scalars(select(TripLine))),
            "notices": sorted(
                (n.contract_id, n.contract_year, n.kind, n.status, n.proposed_penalty, len(n.events))
                for n in session.scalars(select(Notice))
            ),
        }
    engine.dispose()
    return outcome
