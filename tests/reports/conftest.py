"""One pipeline run over the sample data, shared by the report tests (reports only read what it stored)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date

import pytest

from compliance.base.settings import Settings, load_settings
from compliance.pipeline import PipelineResult, run_pipeline
from compliance.reports.pdf import pdf_available
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR, need_tool

AS_OF = date(2026, 11, 22)


@pytest.fixture
def need_pdf() -> None:
    need_tool(pdf_available())


@pytest.fixture
def need_poppler() -> None:
    need_tool(None if shutil.which("pdftotext") else "pdftotext (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, PipelineResult]:
    """The whole pipeline on the sample inbox, Danish reports, as of 22 November 2026."""
    root = tmp_path_factory.mktemp("reports-run")
    settings = replace(
        load_settings(),
        db_url=f"sqlite:///{root / 'compliance.sqlite'}",
        inbox=SAMPLE_DIR,
        contracts_dir=CONTRACTS_DIR,
        reports_dir=root / "reports",
        report_language="da",
    )
    return settings, run_pipeline(settings, as_of=AS_OF)
