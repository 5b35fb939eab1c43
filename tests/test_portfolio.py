"""Portfolio figures: spend shares per buyer unit and category, and green terms per contract (RULES.md §6)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from compliance.assessment.contract_year import run_checks
from compliance.assessment.portfolio import category_of, portfolio_figures
from compliance.base.documents import Classification, InvoiceDocument
from compliance.base.settings import Settings
from compliance.cli import main
from compliance.contracts import contract_from_data, load_contract
from compliance.ingest.detect import read_source
from compliance.intake.batch import ingest_paths
from compliance.pipeline import portfolio, run_pipeline
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

AS_OF = date(2026, 11, 22)
MAX = 5 * 1024 * 1024


def _lines_delivered_in(year: int) -> list[tuple[InvoiceDocument, Decimal, str | None]]:
    """Every sample invoice line delivered in ``year``, read straight from the files (sign applied)."""
    found = []
    for path in sorted(SAMPLE_DIR.glob("*/*")):
        if path.suffix not in {".xml", ".xlsx"}:
            continue
        document = read_source(path.read_bytes(), str(path), MAX)
        if not isinstance(document, InvoiceDocument):
            continue
        sign = -1 if document.document_type == "credit_note" else 1
        for line in document.lines:
            day = line.delivery_date or document.delivery_date or document.period_end or document.issue_date
            if day.year == year and line.line_amount is not None:
                found.append((document, sign * line.line_amount, line.seller_item_id))
    return found


@pytest.mark.slow
@pytest.mark.integration
def test_spend_per_buyer_unit_adds_up_to_the_files_and_labels_come_from_the_catalogue(settings: Settings) -> None:
    run_pipeline(settings, as_of=AS_OF)
    figures = portfolio(settings, 2025)
    lines = _lines_delivered_in(2025)
    assert sum((row.spend for row in figures.spend), Decimal(0)) == sum((amount for _, amount, _ in lines), Decimal(0))
    assert sum(row.lines for row in figures.spend) == len(lines) and figures.other_currency_lines == 0
    paper = next(r for r in figures.spend if r.buyer_unit == "5798000000038" and r.category.startswith("14 "))
    # Only the Nordic Swan copy paper is eco-labelled (the catalogue says so; the invoices carry no labels).
    assert paper.eco_labelled == sum((a for _, a, item in lines if item == "KOP-A4-SV"), Decimal(0))
    food = next(r for r in figures.spend if r.category.startswith("50 "))
    assert food.organic == sum((a for _, a, item in lines if item in {"KAF-FT-OKO", "TE-OKO"}), Decimal(0))
    assert food.eco_labelled == 0
    transport = next(r for r in figures.spend if r.buyer_unit == "5798000000014")
    assert transport.category == "78 Transportation and storage and mail services"


@pytest.mark.slow
@pytest.mark.integration
def test_green_terms_per_contract_and_the_share_of_new_contracts(settings: Settings) -> None:
    run_pipeline(settings, as_of=AS_OF)
    figures = portfolio(settings, 2025).as_json()
    terms = figures["green_terms"]
    assert [(c["id"], c["green_terms"]) for c in terms["per_contract"]] == [("KK-2024-0117", 2), ("KK-2025-0042", 6)]
    assert terms["new_contracts"] == {"contracts": 1, "with_green_terms": 1, "share": "1", "target": "0.80", "meets_target": True}
    assert portfolio(settings, 2027).as_json()["green_terms"]["new_contracts"]["share"] is None  # no new contracts


@pytest.mark.slow
@pytest.mark.integration
def test_lines_in_another_currency_are_counted_apart_not_converted(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in (SAMPLE_DIR / "office").glob("NK-2025-000[1-2].xml"):
        (inbox / path.name).write_bytes(path.read_bytes())
    euro = (SAMPLE_DIR / "office" / "NK-2025-0003.xml").read_text(encoding="utf-8")
    euro = euro.replace('currencyID="DKK"', 'currencyID="EUR"').replace(">DKK<", ">EUR<")
    (inbox / "NK-2025-0003.xml").write_text(euro, encoding="utf-8")
    settings = Settings(**{**settings.__dict__, "inbox": inbox})
    run_pipeline(settings, as_of=AS_OF)
    figures = portfolio(settings, 2025)
    assert figures.other_currency_lines > 0
    assert all(row.buyer_unit == "5798000000038" for row in figures.spend)


def test_portfolio_spend_is_what_was_paid_in_kroner(engine: Engine, tmp_path: Path) -> None:
    """Issue 16 item 10. NK-2025-0001 as it is (16.474,00 kr.); NK-2025-0002 (lines 19.587,00) with a
    document discount of 1.958,70 → 17.628,30; NK-2025-0003 (lines 17.985,00) in EUR. Without a rate
    the euros are counted apart: spend 34.102,30. At the contract's 7,4604 kr./EUR they are
    134.175,294 kr.: spend 168.277,594."""
    office = SAMPLE_DIR / "office"
    (tmp_path / "NK-2025-0001.xml").write_bytes((office / "NK-2025-0001.xml").read_bytes())
    discounted = (office / "NK-2025-0002.xml").read_text(encoding="utf-8")
    allowance = (
        "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
        '<cbc:AllowanceChargeReason>Rabat</cbc:AllowanceChargeReason><cbc:Amount currencyID="DKK">1958.70</cbc:Amount>'
        "</cac:AllowanceCharge>\n  <cac:TaxTotal>"
    )
    (tmp_path / "NK-2025-0002.xml").write_text(discounted.replace("<cac:TaxTotal>", allowance, 1), encoding="utf-8")
    euro = (office / "NK-2025-0003.xml").read_text(encoding="utf-8")
    euro = euro.replace('currencyID="DKK"', 'currencyID="EUR"').replace(">DKK<", ">EUR<")
    (tmp_path / "NK-2025-0003.xml").write_text(euro, encoding="utf-8")
    assert len(ingest_paths(engine, sorted(tmp_path.glob("*.xml")), MAX).ingested) == 3
    plain = load_contract(CONTRACTS_DIR / "KK-2025-0042.yaml")
    data = plain.raw
    run_checks(engine, [plain], as_of=AS_OF)

    figures = portfolio_figures(engine, [plain], 2025)
    assert sum((row.spend for row in figures.spend), Decimal(0)) == Decimal("34102.30")
    assert (figures.other_currency_lines, figures.other_currency_amounts) == (6, {"EUR": Decimal("17985.00")})

    priced = contract_from_data({**data, "exchange_rates": [{"currency": "EUR", "dkk": "7.4604"}]}, "KK-2025-0042.yaml")
    figures = portfolio_figures(engine, [priced], 2025)
    assert sum((row.spend for row in figures.spend), Decimal(0)) == Decimal("168277.594")
    assert (figures.other_currency_lines, figures.other_currency_amounts) == (0, {})
    assert figures.as_json()["rates"] == [{"currency": "EUR", "dkk": "7.4604", "source": None}]


def test_categories_are_unspsc_segments() -> None:
    assert category_of([Classification("50201706", "UNSPSC")]) == "50 Food beverage and tobacco products"
    assert category_of([Classification("99123456", "UNSPSC")]) == "99 (segment 99)"
    assert category_of([Classification("N2", "CVD")]) == "unclassified"


@pytest.mark.slow
@pytest.mark.integration
def test_the_cli_prints_the_figures_and_the_pipeline_writes_a_page(settings: Settings) -> None:
    run_pipeline(settings, as_of=AS_OF)
    page = (settings.reports_dir / "portfolio-2025.html").read_text(encoding="utf-8")
    assert "5798000000038" in page and "Grønne krav pr. kontrakt" in page
    assert 'href="portfolio-2025.html"' in (settings.reports_dir / "index.html").read_text(encoding="utf-8")
    env = {"COMPLIANCE_DB_URL": settings.db_url, "COMPLIANCE_CONTRACTS_DIR": str(settings.contracts_dir)}
    result = CliRunner().invoke(main, ["portfolio", "--year", "2025", "--json"], env=env)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    courier = [row for row in figures["spend"] if row["category"].startswith("78 ")]
    assert figures["year"] == 2025 and courier, figures["spend"]
    # Courier spend cannot carry labels: no share (null), as the page's "ikke relevant", never 0 %.
    assert all(not row["labels_apply"] and row["eco_share"] is None for row in courier)
    text = CliRunner().invoke(main, ["portfolio", "--year", "2025"], env=env).output
    assert "Nye kontrakter fra 2025: 1; med mindst ét grønt krav: 100 % (mål 80 %)" in text
    courier_line = next(line for line in text.splitlines() if "78 Transport, lager og post" in line)
    assert "ikke relevant" in courier_line and "0,0 %" not in courier_line
    assert "  KK-2025-0042  Start 1. januar 2025  Grønne krav: 6" in text
    english = CliRunner().invoke(main, ["portfolio", "--year", "2025", "--lang", "en"], env=env).output
    assert "New contracts from 2025: 1; with at least one green term: 100 % (target 80 %)" in english
    assert "not relevant" in next(line for line in english.splitlines() if line.startswith("5798000000014"))
