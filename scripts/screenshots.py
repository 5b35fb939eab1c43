"""Regenerate the pictures in docs/ from a demo run: report pages in Chromium, PDFs through pdftoppm.

Usage: python3 -m uv run --frozen python scripts/screenshots.py   (after `compliance run`)
"""

from __future__ import annotations

import subprocess
import sys

from compliance.base.settings import PROJECT_ROOT, load_settings
from compliance.reports.browser import screenshot

DOCS = PROJECT_ROOT / "docs"


def main() -> int:
    reports = load_settings().reports_dir
    pages = {
        "overview.png": (reports / "index.html", 1280, 1500),
        "annual-report-html.png": (reports / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html", 1280, 2200),
        "portfolio.png": (reports / "portfolio-2025.html", 1280, 1100),
    }
    for name, (page, width, height) in pages.items():
        result = screenshot(page, DOCS / name, width, height)
        print(f"{DOCS / name}: console errors {len(result.console_errors)}")
    pdfs = {
        "annual-report-pdf": reports / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.pdf",
        "penalty-statement-pdf": reports / "KK-2024-0117" / "penalty-statement-KK-2024-0117-year-2.pdf",
        "notice-pdf": reports / "notices" / "notice-KK-2025-0042-1-27614590.pdf",
    }
    for name, pdf in pdfs.items():
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(DOCS / name)], check=True
        )
        print(f"{DOCS / name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
