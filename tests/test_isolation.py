"""The tests use their own contracts and throw-away folders, never the user's.

Issue 15 found that adding a valid contract to ``contracts/``, as the README tells a user to, made
tests fail: they read the demo contracts there. Now the tests read ``tests/data/contracts``, every
``COMPLIANCE_*`` setting names a throw-away folder, and an audit hook fails any test that touches
``contracts/``, ``var/`` or a folder the user configured (``tests/isolation.py``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from compliance.base.settings import PROJECT_ROOT, load_settings
from compliance.contracts import load_contracts
from tests.conftest import CONTRACTS_DIR, FOLDER_GUARD, SAMPLE_DIR
from tests.isolation import FolderGuard, user_folders

USER_FOLDERS = [PROJECT_ROOT / "contracts", PROJECT_ROOT / "var"]


def test_settings_a_test_forgets_to_override_name_no_user_folder() -> None:
    settings = load_settings()
    database = Path(settings.db_url.removeprefix("sqlite:///"))
    assert settings.db_url.startswith("sqlite:///")  # never a database URL from the user's environment
    for path in (settings.inbox, settings.contracts_dir, settings.reports_dir, database):
        assert not any(path.is_relative_to(folder) for folder in USER_FOLDERS), path
        assert not path.is_relative_to(PROJECT_ROOT), path
    assert sorted(p.name for p in settings.contracts_dir.iterdir()) == sorted(p.name for p in CONTRACTS_DIR.iterdir())
    assert list(settings.inbox.iterdir()) == []


def test_the_tests_read_their_own_copies_of_the_demo_contracts() -> None:
    assert CONTRACTS_DIR == PROJECT_ROOT / "tests" / "data" / "contracts"
    contracts, errors = load_contracts(CONTRACTS_DIR)
    assert errors == [] and [c.id for c in contracts] == ["KK-2024-0117", "KK-2025-0042"]


def test_the_guard_is_on_and_watches_contracts_var_and_the_sample_data() -> None:
    assert FOLDER_GUARD.active
    assert {str(folder) for folder in USER_FOLDERS} <= set(FOLDER_GUARD.unreadable)
    assert FOLDER_GUARD.unwritable == (str(SAMPLE_DIR),)


def test_reading_the_repository_contracts_or_opening_the_var_database_fails_the_test() -> None:
    with pytest.raises(pytest.fail.Exception, match="contracts is the user's folder"):
        (PROJECT_ROOT / "contracts" / "KK-2024-0117.yaml").read_text(encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="contracts is the user's folder"):
        load_contracts(PROJECT_ROOT / "contracts")
    with pytest.raises(pytest.fail.Exception, match="var is the user's folder"):
        sqlite3.connect(PROJECT_ROOT / "var" / "compliance.sqlite")
    assert len(FOLDER_GUARD.violations) == 3
    FOLDER_GUARD.violations.clear()  # expected here; any other violation fails the test that made it


def test_the_guard_refuses_reads_of_user_folders_and_writes_into_the_sample_data(tmp_path: Path) -> None:
    guard = FolderGuard.around([tmp_path / "contracts", tmp_path / "var"], [tmp_path / "sample"])
    guard.active = True
    refused = [
        ("open", (str(tmp_path / "contracts" / "KK-1.yaml"), "r", os.O_RDONLY)),
        ("os.scandir", (tmp_path / "contracts",)),
        ("os.listdir", (str(tmp_path / "var").encode(),)),
        ("sqlite3.connect", (str(tmp_path / "var" / "compliance.sqlite"),)),
        ("os.mkdir", (str(tmp_path / "var" / "reports"), 0o777, -1)),
        ("open", (str(tmp_path / "sample" / "x.xml"), None, os.O_WRONLY | os.O_CREAT)),
        ("os.rename", (str(tmp_path / "elsewhere"), str(tmp_path / "sample" / "x.xml"), -1, -1)),
    ]
    for event, args in refused:
        with pytest.raises(pytest.fail.Exception, match="the user's folder"):
            guard(event, args)
    guard("open", (str(tmp_path / "sample" / "x.xml"), "r", os.O_RDONLY))  # reading the sample data is fine
    guard("open", (str(tmp_path / "contracts-of-the-tests" / "x.yaml"), "r", os.O_RDONLY))  # a longer name, not inside
    guard("open", (3, "r", os.O_RDONLY))  # a file descriptor
    assert len(guard.violations) == len(refused)
    guard.active = False
    guard("open", (str(tmp_path / "contracts" / "KK-1.yaml"), "r", os.O_RDONLY))


def test_the_folders_the_user_configured_are_guarded_unless_they_hold_the_tests(tmp_path: Path) -> None:
    user = {
        "COMPLIANCE_INBOX": str(tmp_path.parent.parent / "somewhere" / "inbox"),
        "COMPLIANCE_CONTRACTS_DIR": str(SAMPLE_DIR),  # the sample data is read by the tests
        "COMPLIANCE_VAR_DIR": str(PROJECT_ROOT.parent),  # holds the project
        "COMPLIANCE_DB_URL": "postgresql+psycopg://u@db/compliance",
    }
    folders = user_folders(user, PROJECT_ROOT, SAMPLE_DIR)
    assert folders == [*USER_FOLDERS, (tmp_path.parent.parent / "somewhere" / "inbox").resolve()]
