"""The overview page opened in a real browser (headless Chromium): it renders, with every contract's state."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from compliance.base.settings import Settings
from compliance.pipeline import PipelineResult
from compliance.reports.browser import chromium, screenshot
from tests.conftest import need_tool

Run = tuple[Settings, PipelineResult]

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.browser]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_overview_renders_in_chromium_with_every_contract(sample_run: Run, tmp_path: Path) -> None:
    need_tool(None if chromium() else "Chromium is not installed")
    settings, result = sample_run
    page = result.reports.index
    html = page.read_text(encoding="utf-8")
    # Every contract, with its state, trend, findings by kind, the buyer units' eco-labelled spend and data quality.
    assert "I partshøring" in html and "I risiko" in html  # transport: hearing open; office: high findings
    assert html.count('class="spark"') == 1 and "1: 39,1 % · 2: 47,4 %" in html
    assert "9 × Krævet miljømærke mangler på fakturalinjen (§3.1)" in html
    assert "Miljømærket andel af forbruget pr. indkøbsenhed (2025)" in html and "5798000000038" in html
    assert "ingen filer i karantæne" in html and "senest indlæst 20" in html  # data quality and the last ingest
    shot = screenshot(page, tmp_path / "overview.png", 1280, 1600)
    assert shot.console_errors == []
    assert _png_size(shot.screenshot) == (1280, 1600)
    assert shot.screenshot.stat().st_size > 20_000, "a blank page compresses to almost nothing"
