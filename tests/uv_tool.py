"""How the tests that build and install the wheel call uv (the wheel-install and production-shape tests)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def uv_command() -> list[str]:
    """``$UV`` (set by ``uv run``, which the README's test command uses), a ``uv`` on PATH, or
    ``python3 -m uv`` of the first ``python3`` that has it; skips with a reason when there is none."""
    if os.environ.get("UV"):
        return [os.environ["UV"]]
    if shutil.which("uv"):
        return [str(shutil.which("uv"))]
    python3 = shutil.which("python3")
    if python3 and subprocess.run([python3, "-m", "uv", "--version"], capture_output=True).returncode == 0:
        return [python3, "-m", "uv"]
    pytest.skip("uv is not available (python3 -m pip install uv)")
