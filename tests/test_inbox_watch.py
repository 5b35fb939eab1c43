"""The inbox watchers' building blocks: only new or changed files are read, one folder per kind, contracts by id."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from compliance.base.errors import SettingsError
from compliance.base.settings import Settings
from compliance.intake.batch import ingest_paths
from compliance.intake.files import iter_input_files, unseen_files
from compliance.pipeline import (
    check_and_report_contract,
    contract_ids,
    ingest_inbox_folder,
    initialise_database,
    pending_inbox_files,
)
from compliance.store.db import make_engine, session_scope
from compliance.store.models import Vehicle
from tests.conftest import SAMPLE_DIR
from tests.ingest.test_dmr import write_extract

MAX = 5 * 1024 * 1024


def test_only_new_or_changed_files_are_unseen(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("GB-202401.xml", "GB-202402.xml"):
        shutil.copy(SAMPLE_DIR / "transport" / name, inbox / name)
    files = list(iter_input_files([inbox]))
    assert unseen_files(engine, files) == files
    ingest_paths(engine, [inbox], MAX)
    assert unseen_files(engine, files) == []
    # Changed after it was seen (same size, newer modification time): read again.
    changed = inbox / "GB-202402.xml"
    later = time.time() + 5
    os.utime(changed, (later, later))
    new = inbox / "GB-202403.xml"
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202403.xml", new)
    assert unseen_files(engine, [*files, new]) == [changed, new]


@pytest.mark.slow
def test_an_inbox_folder_per_kind_and_a_dmr_extract_among_the_vehicles(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "invoices").mkdir(parents=True)
    (inbox / "vehicles").mkdir()
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202401.xml", inbox / "invoices")
    write_extract(inbox / "vehicles" / "dmr.xml")
    chosen = replace(settings, inbox=inbox)
    initialise_database(chosen)

    assert len(ingest_inbox_folder(chosen, "invoices").ingested) == 1
    assert ingest_inbox_folder(chosen, "invoices").ingested == []  # nothing new
    assert ingest_inbox_folder(chosen, "catalogues").ingested == []  # no such folder: nothing to do
    vehicles = ingest_inbox_folder(chosen, "vehicles")
    assert vehicles.ingested == [str(inbox / "vehicles" / "dmr.xml")]
    engine = make_engine(chosen.db_url)
    with session_scope(engine) as session:
        # Only plates our data mentions are kept from a DMR extract dropped into the inbox.
        assert set(session.scalars(select(Vehicle.registration))) <= {"EC41208", "TR75021", "BG22519", "AB12345"}
    engine.dispose()
    with pytest.raises(SettingsError, match="one of invoices, catalogues, driving-logs, vehicles"):
        ingest_inbox_folder(chosen, "receipts")


def test_contracts_by_id_and_an_unknown_id_names_the_known_ones(settings: Settings) -> None:
    assert contract_ids(settings) == ["KK-2024-0117", "KK-2025-0042"]
    assert contract_ids(settings, "KK-2025-0042") == ["KK-2025-0042"]
    with pytest.raises(SettingsError, match="KK-2024-0117, KK-2025-0042"):
        contract_ids(settings, "KK-1999-0001")


@pytest.mark.slow
@pytest.mark.integration
def test_one_contract_is_checked_and_reported_without_touching_the_overview(settings: Settings, engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_DIR], MAX)
    run = check_and_report_contract(settings, "KK-2024-0117")
    assert run.years >= 2 and run.shortfalls
    assert all("KK-2024-0117" in path for path in run.reports)
    assert not (settings.reports_dir / "index.html").exists()
    assert not (settings.reports_dir / "KK-2025-0042").exists()


@pytest.mark.slow
@pytest.mark.integration
def test_a_running_year_below_its_level_gives_an_early_warning(settings: Settings, engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_DIR], MAX)
    run = check_and_report_contract(settings, "KK-2024-0117", as_of=date(2025, 6, 30))
    assert len(run.early_warnings) == 1 and run.early_warnings[0].startswith("year 2 so far")
    assert run.as_json()["early_warnings"] == run.early_warnings


def test_the_inbox_is_settled_once_every_file_is_stored_or_quarantined(settings: Settings, tmp_path: Path) -> None:
    """What the checks DAG waits for (issue 20): no file in the inbox folders that no ingest has judged."""
    inbox = tmp_path / "inbox"
    (inbox / "invoices").mkdir(parents=True)
    (inbox / "catalogues").mkdir()
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202401.xml", inbox / "invoices")
    (inbox / "catalogues" / "broken.xlsx").write_bytes(b"not a workbook")
    chosen = replace(settings, inbox=inbox)
    initialise_database(chosen)
    assert pending_inbox_files(chosen) == [str(inbox / "catalogues" / "broken.xlsx"), str(inbox / "invoices" / "GB-202401.xml")]

    ingest_inbox_folder(chosen, "invoices")
    # The invoices are in, the catalogue folder is not: checks now would judge a partial ingest.
    assert pending_inbox_files(chosen) == [str(inbox / "catalogues" / "broken.xlsx")]
    assert len(ingest_inbox_folder(chosen, "catalogues").quarantined) == 1
    assert pending_inbox_files(chosen) == []
    # A copy of a stored file under another name is a duplicate ingest does not record again: settled too.
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202401.xml", inbox / "invoices" / "again.xml")
    assert pending_inbox_files(chosen) == []
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202402.xml", inbox / "invoices")
    assert pending_inbox_files(chosen) == [str(inbox / "invoices" / "GB-202402.xml")]
