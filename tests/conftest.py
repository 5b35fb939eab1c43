"""Shared fixtures: a migrated SQLite database per test, sample data, and ../shared/reference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from compliance.settings import PROJECT_ROOT, Settings, load_settings
from compliance.store.db import make_engine, migrate_database

REFERENCE_DIR = PROJECT_ROOT.parent / "shared" / "reference"
SAMPLE_DIR = PROJECT_ROOT / "sample_invoices"
CONTRACTS_DIR = PROJECT_ROOT / "contracts"


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
