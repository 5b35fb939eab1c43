"""Open a report page in headless Chromium: a screenshot, and the console messages it logged.

Used by the tests (the overview must render in a real browser) and by ``scripts/screenshots.py``
for the pictures in ``docs/``. Chromium is Debian's package; nothing here is needed to write reports.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from compliance.base.errors import ReportError

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


@dataclass(frozen=True)
class BrowserResult:
    screenshot: Path
    console_errors: list[str]
    log: str


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 1600, timeout_seconds: float = 90) -> BrowserResult:
    """Render ``page`` (a local HTML file) at ``width``×``height`` into ``out`` (PNG)."""
    binary = chromium()
    if binary is None:
        raise ReportError("Chromium is not installed", expected="Debian package chromium (scripts/install-debian-tools.sh)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compliance-chromium-") as profile:
        completed = subprocess.run(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={out}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=False,
        )
    if completed.returncode != 0 or not out.is_file():
        raise ReportError(
            f"Chromium could not render {page.name} (exit {completed.returncode})",
            file=str(page),
            expected=completed.stderr[-2000:],
        )
    errors = [line for line in completed.stderr.splitlines() if "CONSOLE" in line and ("ERROR" in line or "Uncaught" in line)]
    return BrowserResult(out, errors, completed.stderr)
