"""Start-up (issue 21 item 2): each process imports what it uses. ``compliance --help`` answers with
click and the base layer alone; ingesting an invoice imports neither pandas nor Great Expectations
(the data-quality gate decides a passing batch by its column checks), nor Alembic when the schema is
at head, nor openpyxl and numpy when no workbook is read. Checked in fresh processes via ``sys.modules``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.store.db import _alembic_heads, script_heads
from tests.conftest import SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # fresh Python processes

# Runs the command as `compliance ...` does, then prints the top-level packages it imported.
RUN_AND_LIST = """
import json, sys
from compliance.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_by(arguments: list[str], env: dict[str, str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *arguments], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    last = done.stderr.strip().splitlines()[-1]
    return set(json.loads(last))


def packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "COMPLIANCE_DB_URL"}
    environment["COMPLIANCE_VAR_DIR"] = str(tmp_path / "var")
    return environment


def test_help_imports_click_and_the_base_layer_only(env: dict[str, str]) -> None:
    modules = imported_by(["--help"], env)
    assert "click" in modules
    heavy = packages(modules) & {"sqlalchemy", "alembic", "lxml", "openpyxl", "numpy", "jsonschema", "yaml", "pandas"}
    assert heavy == set()
    assert {m for m in modules if m.startswith("compliance.")} <= {
        "compliance.cli",
        "compliance.base",
        "compliance.base.errors",
        "compliance.base.formatting",
        "compliance.base.settings",
        "compliance.base.text",
        "compliance.base.i18n",  # the commands' texts come from the gettext catalogs (issue 19)
        "compliance.base.texts",
    }


def test_ingesting_one_invoice_imports_neither_pandas_nor_great_expectations(env: dict[str, str]) -> None:
    modules = imported_by(["ingest", str(SAMPLE_DIR / "office" / "NK-2025-0001.xml")], env)
    assert "compliance.intake.batch" in modules and "compliance.quality_gate" in modules  # it did ingest
    assert packages(modules) & {"pandas", "great_expectations"} == set()


def test_an_ingest_at_head_needs_no_alembic_and_an_invoice_no_openpyxl(env: dict[str, str]) -> None:
    imported_by(["init"], env)
    modules = imported_by(["ingest", str(SAMPLE_DIR / "transport" / "GB-202401.xml")], env)
    assert "compliance.intake.batch" in modules
    assert packages(modules) & {"alembic", "mako", "pygments", "openpyxl", "numpy", "PIL", "weasyprint"} == set()


def test_a_failing_invoice_is_reported_by_great_expectations(env: dict[str, str], tmp_path: Path) -> None:
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace('unitCode="EA"', 'unitCode="ea"', 1).replace("NK-2025-0001", "NK-2025-9101"), encoding="utf-8")
    assert 'unitCode="ea"' in bad.read_text(encoding="utf-8")
    modules = imported_by(["ingest", str(bad)], env)
    assert "great_expectations" in modules  # something to report: Great Expectations lists it


def test_the_schema_heads_read_from_the_scripts_are_alembics() -> None:
    assert script_heads() == _alembic_heads()


# What an Airflow ingest task runs, with a listener on the event that configuring any ORM mapper fires.
INGEST_TASK_WATCHING_THE_ORM = """
import sys
from sqlalchemy import event
from sqlalchemy.orm import Mapper
configured = []
event.listen(Mapper, "before_configured", lambda: configured.append(True))
from compliance.context import open_context
from compliance.pipeline import ingest_inbox_folder
with open_context() as context:
    summary = ingest_inbox_folder(context, "invoices")
print(len(summary.ingested), len(summary.quarantined), bool(configured), file=sys.stderr)
"""


def test_an_ingest_task_configures_no_orm_mapper(env: dict[str, str], tmp_path: Path) -> None:
    """Airflow imports all of its models the first time any ORM mapper in the process is configured
    (0.6–0.8 s of CPU per task): ingest — storing, quarantining, a reused number's finding, the
    data-quality records — goes through SQLAlchemy Core only."""
    imported_by(["init"], env)
    inbox = tmp_path / "inbox" / "invoices"
    inbox.mkdir(parents=True)
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    (inbox / "a.xml").write_text(text, encoding="utf-8")
    (inbox / "b-same-number.xml").write_text(
        text.replace("<cbc:CopyIndicator>false", "<cbc:CopyIndicator>true"), encoding="utf-8"
    )
    (inbox / "c-unit-code.xml").write_text(
        text.replace('unitCode="EA"', 'unitCode="ea"', 1).replace("NK-2025-0001", "NK-2025-9101"), encoding="utf-8"
    )
    (inbox / "d-broken.xml").write_bytes(b"<Invoice>")
    done = subprocess.run(
        [sys.executable, "-c", INGEST_TASK_WATCHING_THE_ORM],
        capture_output=True,
        text=True,
        env={**env, "COMPLIANCE_INBOX": str(tmp_path / "inbox")},
        timeout=300,
        check=True,
    )
    ingested, quarantined, configured = done.stderr.strip().splitlines()[-1].split()
    assert (ingested, quarantined) == ("1", "3"), done.stderr[-2000:]
    assert configured == "False", "an ORM mapper was configured during ingest"
