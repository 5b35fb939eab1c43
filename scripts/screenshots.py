"""Regenerate the pictures in docs/ from a demo run: report pages in Chromium, PDFs through pdftoppm.

The decision letter comes from a copy of the demo's database in which a contract manager has
reduced the proposed penalty; the demo's own database and reports are not touched.

Usage: python3 -m uv run --frozen python scripts/screenshots.py   (after `compliance run`)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from compliance import pipeline
from compliance.base.settings import PROJECT_ROOT, Settings, load_settings
from compliance.reports.browser import screenshot

DOCS = PROJECT_ROOT / "docs"


def _pdf_page(pdf: Path, name: str) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(DOCS / name)], check=True)
    print(f"{DOCS / name}.png")


def decision_letter(settings: Settings) -> Path:
    """The transport contract's year-2 letter after a reduced penalty, written from a copy of the demo database."""
    database = Path(settings.db_url.removeprefix("sqlite:///"))
    work = Path(tempfile.mkdtemp(prefix="decision-letter-"))
    shutil.copy(database, work / "compliance.sqlite")
    copy = replace(settings, db_url=f"sqlite:///{work / 'compliance.sqlite'}", reports_dir=work / "reports")
    shutil.copytree(settings.reports_dir / "KK-2024-0117", copy.reports_dir / "KK-2024-0117")  # the statement it attaches
    today = date.today()
    pipeline.comment_on_hearing(
        copy, "KK-2024-0117", 2, "To elvarebiler var på værksted i marts; fakturaer vedlagt.", "Grøn Bud ApS"
    )
    pipeline.decide_hearing(
        copy, "KK-2024-0117", 2, "reduce", "Værkstedsophold dokumenteret for 25 ture", "Mette Holm", today, Decimal("30250")
    )
    (letter,) = [n for n in pipeline.write_supplier_notices(copy, "KK-2024-0117", 2, today=today) if n.pdf is not None]
    assert letter.pdf is not None
    return letter.pdf


def main() -> int:
    settings = load_settings()
    reports = settings.reports_dir
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
        _pdf_page(pdf, name)
    _pdf_page(decision_letter(settings), "decision-letter-pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
