"""The built wheel, installed into a clean venv outside the repository, runs the sample inbox.

This is what the Dockerfile's ``pip install --no-deps .`` does: nothing the package reads at run
time may live outside ``compliance/`` (the JSON schemas and reference tables are package data).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compliance.base.settings import PROJECT_ROOT
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR
from tests.uv_tool import uv_command

pytestmark = [pytest.mark.slow, pytest.mark.integration]

# The whole test (build, venv, install from the uv cache, sample run) stays well under this.
TIME_BUDGET_SECONDS = 120


def _clean_environment(**settings: str) -> dict[str, str]:
    """The caller's environment without the project venv, Python paths or COMPLIANCE_* settings."""
    dropped = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT")
    env = {key: value for key, value in os.environ.items() if key not in dropped and not key.startswith("COMPLIANCE_")}
    env.update(settings)
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIME_BUDGET_SECONDS)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_installed_wheel_runs_the_sample_inbox_outside_the_repository(tmp_path: Path) -> None:
    started = time.monotonic()
    uv = uv_command()
    env = _clean_environment()

    # Build the wheel from the checkout, and the locked run-time requirements (no dev tools, no project).
    dist = tmp_path / "dist"
    _run([*uv, "build", "--wheel", "--out-dir", str(dist)], cwd=PROJECT_ROOT, env=env)
    (wheel,) = dist.glob("*.whl")
    requirements = tmp_path / "requirements.txt"
    _run(
        [*uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--output-file", str(requirements)],
        cwd=PROJECT_ROOT,
        env=env,
    )

    # A clean venv outside the repository, with the wheel and the locked dependencies (uv's cache).
    venv = tmp_path / "venv"
    _run([*uv, "venv", "--python", sys.executable, str(venv)], cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    _run([*uv, "pip", "install", "--python", str(python), "-r", str(requirements), str(wheel)], cwd=tmp_path, env=env)

    # Copies of the sample inbox and contracts; the run writes only under tmp_path.
    shutil.copytree(SAMPLE_DIR, tmp_path / "sample_invoices")
    shutil.copytree(CONTRACTS_DIR, tmp_path / "contracts")
    run_env = _clean_environment(
        COMPLIANCE_INBOX=str(tmp_path / "sample_invoices"),
        COMPLIANCE_CONTRACTS_DIR=str(tmp_path / "contracts"),
        COMPLIANCE_VAR_DIR=str(tmp_path / "var"),
    )
    result = subprocess.run(
        [str(venv / "bin" / "compliance"), "run"],
        cwd=tmp_path,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "indlæst 41" in output
    assert "25 forhold" in output
    assert "45.100,00 kr." in output
    assert (tmp_path / "var" / "reports" / "index.html").is_file()

    # The package really ran from the venv, not from the checkout; without settings, its folders are
    # under the working directory, not in site-packages.
    located = _run([str(python), "-c", "import compliance; print(compliance.__file__)"], cwd=tmp_path, env=run_env)
    assert Path(located.stdout.strip()).is_relative_to(venv)
    show_defaults = (
        "from compliance.base.settings import load_settings as s; d = s(); print(d.inbox, d.contracts_dir, d.reports_dir)"
    )
    defaults = _run([str(python), "-c", show_defaults], cwd=tmp_path, env=_clean_environment())
    assert defaults.stdout.split() == [str(tmp_path / "inbox"), str(tmp_path / "contracts"), str(tmp_path / "var" / "reports")]
    elapsed = time.monotonic() - started
    assert elapsed < TIME_BUDGET_SECONDS, f"the wheel-install test took {elapsed:.0f} s"
