"""Annual report, penalty statement and workbook: the figures, their sources, both languages, PDF."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import compliance.checks
from compliance.assessment.outcomes import GreenVehicleOutcome, green_outcome
from compliance.base.settings import Settings
from compliance.base.texts import known
from compliance.checks.green_vehicles import RULE_SHARE
from compliance.pipeline import PipelineResult, write_contract_reports
from compliance.reports.language import EVENTS, RULE_TITLES, SEVERITY, STATUS, TERMS, WORDS, Language, language, rule_base
from compliance.store.db import make_engine, session_scope
from compliance.store.models import Assessment, Finding

Run = tuple[Settings, PipelineResult]
KK = "KK-2024-0117"


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_every_word_is_in_both_catalogs_and_every_rule_has_a_title() -> None:
    for table in (WORDS, STATUS, SEVERITY, EVENTS, RULE_TITLES, TERMS):
        for text in table["en"].values():
            assert known(text, "da") and known(text, "en"), text
    rule_ids = set()
    for module in pkgutil.iter_modules(compliance.checks.__path__):
        loaded = importlib.import_module(f"compliance.checks.{module.name}")
        rule_ids |= {value for name, value in vars(loaded).items() if name.startswith("RULE_") and "@" in str(value)}
    assert rule_ids, "no rule ids found"
    missing = {rule_base(rule) for rule in rule_ids} - set(RULE_TITLES["en"])
    assert not missing


def test_danish_and_english_formats() -> None:
    da, en = Language("da"), Language("en")
    assert da.money(Decimal("1234.56")) == "1.234,56 kr."
    assert da.date(date(2026, 11, 22)) == "22. november 2026"
    assert da.percent(Decimal("0.4912")) == "49,12 %"
    assert en.money(Decimal("-1234.5")) == "DKK -1,234.50"
    assert en.date(date(2026, 11, 22)) == "22 November 2026"
    assert language(None).code == "da"


@pytest.mark.slow
@pytest.mark.integration
def test_every_assessed_year_gets_html_pdf_and_a_workbook(sample_run: Run, need_pdf: None, need_poppler: None) -> None:
    settings, result = sample_run
    reports = result.reports
    assert len(reports.annual) == 5 and len(reports.xlsx) == 5 and len(reports.pdf) == 5
    pdf = settings.reports_dir / KK / f"annual-report-{KK}-year-2.pdf"
    text = _pdf_text(pdf)
    assert "Årlig rapport om kontraktopfølgning" in text
    assert "45.100,00 kr." in text and "Grøn andel pr. måned" in text and "Niveau 55,00 %" in text
    # The trip-line listing is for the screen; the PDF points at the workbook instead.
    assert "annual-report-KK-2024-0117-year-2.xlsx" in text
    statement = _pdf_text(settings.reports_dir / KK / f"penalty-statement-{KK}-year-2.pdf")
    steps = [
        "1. Måleperiode",
        "2. Ture",
        "3. Grøn andel",
        "4. Bindende niveau",
        "5. Manko",
        "6. Sats",
        "7. Fast tillæg",
        "8. Bod i alt",
    ]
    positions = [statement.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "450,00 kr. pr. tur × 78 ture = 35.100,00 kr." in statement
    assert "Partshøringens forløb" in statement and "ikke truffet afgørelse" in statement


@pytest.mark.slow
@pytest.mark.integration
def test_the_workbook_carries_the_rows_behind_every_figure(sample_run: Run) -> None:
    settings, _ = sample_run
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        green = green_outcome(session, KK, 2)
        assert green is not None
        findings = session.scalars(select(Finding).where(Finding.contract_id == KK, Finding.contract_year == 2)).all()
        finding_count = len(findings)
    engine.dispose()
    book = load_workbook(settings.reports_dir / KK / f"annual-report-{KK}-year-2.xlsx", read_only=True)
    assert book.sheetnames == ["Oversigt", "Måneder", "Turlinjer", "Fakturalinjer", "Kørebøger", "Katalogvarer", "Fund"]
    trip_rows = list(book["Turlinjer"].iter_rows(min_row=2, values_only=True))
    assert len(trip_rows) == len(green.trip_lines)
    green_trips = sum(Decimal(str(row[4])) for row in trip_rows if row[3] == "grøn")
    all_trips = sum(Decimal(str(row[4])) for row in trip_rows)
    assert green_trips == green.green_trips and all_trips == green.total_trips
    assert all(str(row[6]).endswith((".xml", ".xlsx")) for row in trip_rows)
    assert all(row[7] for row in trip_rows), "every trip line names its line in the file"
    months = list(book["Måneder"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and sum(Decimal(str(m[2])) for m in months) == all_trips
    invoice_rows = list(book["Fakturalinjer"].iter_rows(min_row=2, values_only=True))
    assert invoice_rows and all(row[12] and row[13] for row in invoice_rows), "file and line on every invoice line"
    log_rows = list(book["Kørebøger"].iter_rows(min_row=2, values_only=True))
    assert len(log_rows) == green.driving_log_trips and all(row[5] and row[6] for row in log_rows)
    assert len(list(book["Fund"].iter_rows(min_row=2))) == finding_count
    office = load_workbook(settings.reports_dir / "KK-2025-0042" / "annual-report-KK-2025-0042-year-1.xlsx", read_only=True)
    catalogue_rows = list(office["Katalogvarer"].iter_rows(min_row=2, values_only=True))
    assert {row[5] for row in catalogue_rows} >= {"KOP-A4-STD", "RENG-SV", "TONER-26A"}
    assert all(row[9] and row[10] for row in catalogue_rows)


@pytest.mark.slow
@pytest.mark.integration
def test_the_months_add_up_to_the_year(sample_run: Run) -> None:
    settings, _ = sample_run
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        for row in session.scalars(select(Assessment).where(Assessment.rule_id == RULE_SHARE)):
            green = GreenVehicleOutcome.from_json(row)
            if not green.trip_lines:
                continue
            months = green.monthly_figures()
            assert sum(m.green for m in months) == green.green_trips
            assert sum(m.total for m in months) == green.total_trips
    engine.dispose()
    html = (settings.reports_dir / KK / f"annual-report-{KK}-year-2.html").read_text(encoding="utf-8")
    assert 'aria-label="Grøn andel pr. måned"' in html and ">Måned</text>" in html and ">Grøn andel (%)</text>" in html


@pytest.mark.slow
@pytest.mark.integration
def test_english_reports_on_request(sample_run: Run, tmp_path: Path) -> None:
    settings, _ = sample_run
    written = write_contract_reports(settings, KK, 2, tmp_path, "en")
    html = (tmp_path / KK / f"annual-report-{KK}-year-2.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Short of the level" in html and "DKK 45,100.00" in html and "1 January 2025 – 31 December 2025" in html
    assert "Green share per month" in html
    assert [p.name for p in written.annual] == [f"annual-report-{KK}-year-2.html"]


@pytest.mark.slow
@pytest.mark.integration
def test_without_pango_the_html_and_workbooks_are_still_written_and_the_reason_is_given(
    sample_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = sample_run
    problem = "WeasyPrint cannot load Pango (test); install libpango-1.0-0 libpangoft2-1.0-0"
    monkeypatch.setattr("compliance.reports.views.pdf_available", lambda: problem)
    written = write_contract_reports(settings, out_dir=tmp_path)
    assert written.pdf_skipped == problem and written.pdf == []
    assert len(written.annual) == 5 and len(written.xlsx) == 5 and not list(tmp_path.rglob("*.pdf"))
    html = written.annual[0].read_text(encoding="utf-8")
    assert ".pdf" not in html, "no link to a PDF that was not written"
