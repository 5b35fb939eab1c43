"""Shared fixtures: a migrated SQLite database per test, sample data, and ../shared/reference."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from compliance.base.settings import PROJECT_ROOT, Settings, load_settings
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import Assessment, Finding, Invoice, InvoiceLine, Notice, TripLine

REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"
SAMPLE_DIR = PROJECT_ROOT / "sample_invoices"
CONTRACTS_DIR = PROJECT_ROOT / "contracts"


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


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    migrate_database(settings.db_url)
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
