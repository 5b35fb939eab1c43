"""A run killed in the middle of a batch, started again, ends exactly where a clean run ends."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic_invoices import write_invoices
from compliance.base.settings import PROJECT_ROOT
from tests.conftest import CONTRACTS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # two ingest subprocesses over 1,200 files


def content(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything ingest stores, without row ids or timestamps."""
    with sqlite3.connect(db) as connection:
        return {
            "files": sorted(connection.execute("SELECT sha256, path, kind, status FROM source_file").fetchall()),
            "invoices": sorted(connection.execute("SELECT number, supplier_key, payable_amount FROM invoice").fetchall()),
            "lines": sorted(
                connection.execute(
                    "SELECT i.number, l.position, l.quantity, l.line_amount, l.properties FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id"
                ).fetchall()
            ),
        }


def ingest_command(inbox: Path, var: Path) -> tuple[list[str], dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLIANCE_")}
    env["COMPLIANCE_VAR_DIR"] = str(var)
    env["COMPLIANCE_CONTRACTS_DIR"] = str(CONTRACTS_DIR)
    env["COMPLIANCE_INGEST_BATCH_FILES"] = "200"  # several transactions: some are stored when the run is killed
    return [sys.executable, "-m", "compliance.cli", "ingest", str(inbox)], env


def stored_files(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return int(connection.execute("SELECT count(*) FROM source_file").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def test_killed_run_then_restart_equals_a_clean_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_invoices(inbox, 1200)
    clean_command, clean_env = ingest_command(inbox, tmp_path / "clean")
    assert subprocess.run(clean_command, env=clean_env, cwd=PROJECT_ROOT, capture_output=True, timeout=600).returncode == 0

    var = tmp_path / "killed"
    command, env = ingest_command(inbox, var)
    db = var / "compliance.sqlite"
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while stored_files(db) < 200 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be killed; use more files"
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = stored_files(db)
    assert 0 < partial < 1200

    rerun = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"dubletter {partial}" in rerun.stdout  # "duplicates", in the default language
    assert content(db) == content(tmp_path / "clean" / "compliance.sqlite")
