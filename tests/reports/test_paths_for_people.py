"""Paths for people (issue 19 item 4): outputs name a source by its path relative to the inbox, never a server path."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from compliance.base.paths import inbox_shown_from, shown_source
from compliance.base.settings import PROJECT_ROOT, Settings
from compliance.pipeline import PipelineResult
from tests.conftest import SAMPLE_DIR

Run = tuple[Settings, PipelineResult]


def test_a_path_below_the_inbox_is_shown_relative_to_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    assert shown_source(str(inbox / "invoices" / "GB-202506.xml"), inbox) == "invoices/GB-202506.xml"
    assert shown_source(str(inbox / "office" / "NK-2025-0005.xml"), inbox) == "office/NK-2025-0005.xml"


def test_a_path_elsewhere_is_shown_from_its_inbox_folder_or_by_its_name(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    # Another machine's inbox: from the kind folder on.
    assert shown_source("/srv/other/inbox/driving-logs/log.csv", inbox) == "driving-logs/log.csv"
    # A file given on the command line, outside any inbox: its name only.
    assert shown_source("/home/someone/Downloads/GB-202506.xml", inbox) == "GB-202506.xml"
    assert shown_source("../../elsewhere/GB-202506.xml", inbox) == "GB-202506.xml"
    assert shown_source(r"C:\Users\x\inbox\invoices\a.xml", inbox) == "invoices/a.xml"
    # Shown twice is shown once; nothing stays nothing.
    assert shown_source("office/NK-2025-0005.xml", inbox) == "office/NK-2025-0005.xml"
    assert shown_source(None, inbox) is None and shown_source("", inbox) is None


def test_the_runs_inbox_wins_over_the_environments(tmp_path: Path) -> None:
    with inbox_shown_from(tmp_path / "run-inbox"):
        assert shown_source(str(tmp_path / "run-inbox" / "vehicles" / "reg.csv")) == "vehicles/reg.csv"
        assert shown_source(str(tmp_path / "run-inbox" / "x" / "a.xml")) == "x/a.xml"


def _server_paths(text: str, roots: list[str]) -> list[str]:
    return sorted({root for root in roots if root in text})


def _visible_texts(reports: Path) -> dict[str, str]:
    """Every output's text: HTML and CSV as written, XLSX cell strings, PDF text (when pdftotext is there)."""
    texts: dict[str, str] = {}
    for path in sorted(reports.rglob("*")):
        if path.suffix in (".html", ".csv"):
            texts[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts[str(path)] = " ".join(
                    book.read(name).decode("utf-8")
                    for name in book.namelist()
                    if re.match(r"xl/(sharedStrings|worksheets/)", name)
                )
        elif path.suffix == ".pdf" and shutil.which("pdftotext"):
            texts[str(path)] = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return texts


@pytest.mark.slow
@pytest.mark.integration
def test_no_output_of_the_demo_names_a_server_path(sample_run: Run) -> None:
    settings, _ = sample_run
    reports = settings.reports_dir
    roots = [str(PROJECT_ROOT), str(SAMPLE_DIR), str(reports.parent), "/tmp/", "/home/", "/work/"]
    texts = _visible_texts(reports)
    assert any(name.endswith(".xlsx") for name in texts) and any(name.endswith("findings.csv") for name in texts)
    leaks = {name: _server_paths(text, roots) for name, text in texts.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    # The sources are named relative to the inbox instead.
    year2 = (reports / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").read_text(encoding="utf-8")
    assert "<code>transport/GB-202506.xml</code>" in year2
    assert "transport/GB-202506.xml" in (reports / "findings.csv").read_text(encoding="utf-8")


def test_a_quarantined_file_typed_on_the_command_line_is_shown_relative_to_the_inbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "invoices").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    # Stored as typed (`compliance ingest inbox/invoices/bad.pdf`), shown from the inbox.
    assert shown_source("inbox/invoices/bad.pdf", inbox) == "invoices/bad.pdf"
    assert shown_source("./inbox/invoices/bad.pdf", inbox) == "invoices/bad.pdf"
