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
