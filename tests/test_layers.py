"""The stages import only downward and without cycles (pyproject's [tool.importlinter] contracts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_code_keeps_every_layer_contract() -> None:
    result = _lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_against_the_flow_breaks_a_contract(tmp_path: Path) -> None:
    """The contracts can fail: a check that reads the store directly is reported, with the line."""
    shutil.copytree(PROJECT_ROOT / "compliance", tmp_path / "compliance", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    items = tmp_path / "compliance" / "checks" / "items.py"
    items.write_text(items.read_text(encoding="utf-8") + "\nfrom compliance.store import models  # noqa\n", encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "compliance.checks.items -> compliance.store" in result.stdout
