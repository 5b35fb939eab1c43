"""The whole pipeline on the sample data, checked against figures read from the files independently."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from compliance.base.settings import Settings
from compliance.pipeline import run_pipeline
from compliance.store.db import make_engine, session_scope
from compliance.store.models import Assessment, Finding, Notice
from tests.conftest import SAMPLE_DIR

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
AS_OF = date(2026, 11, 22)

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # each test runs the whole pipeline


# The sample register's vehicles that are not green (sample_invoices/transport/koeretoejer.csv).
NOT_GREEN = {"DX 18 334", "DX 18 335", "DX 18 336", "TR 75 021"}


def trips_in_files(start: date, end: date) -> tuple[Decimal, Decimal]:
    """(green, conventional) trips in the transport sample, read straight from the XML with XPath.

    A green line naming a vehicle the register knows as not green counts as conventional (§2.1)."""
    green = conventional = Decimal(0)
    for path in sorted((SAMPLE_DIR / "transport").glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        sign = -1 if root.tag.endswith("CreditNote") else 1
        for line in root.xpath("cac:InvoiceLine | cac:CreditNoteLine", namespaces=NS):
            day = date.fromisoformat(line.xpath("string(cac:Delivery/cbc:ActualDeliveryDate)", namespaces=NS))
            if not start <= day <= end:
                continue
            item = line.xpath("string(cac:Item/cac:SellersItemIdentification/cbc:ID)", namespaces=NS)
            quantity = Decimal(line.xpath("string(cbc:InvoicedQuantity | cbc:CreditedQuantity)", namespaces=NS)) * sign
            plates = set(line.xpath("cac:Item/cac:AdditionalItemProperty/cbc:Value/text()", namespaces=NS))
            if item == "KOERSEL-GROEN" and not plates & NOT_GREEN:
                green += quantity
            elif item in {"KOERSEL-GROEN", "KOERSEL-KONV"}:
                conventional += quantity
    return green, conventional


def test_sample_run_answers_did_the_supplier_drive_green_enough_and_what_is_the_penalty(settings: Settings) -> None:
    result = run_pipeline(settings, as_of=AS_OF)
    assert len(result.ingest.ingested) == 41 and not result.ingest.quarantined and not result.contract_errors
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        green = {
            a.contract_year: a for a in session.scalars(select(Assessment).where(Assessment.rule_id == "green_vehicles.share@1"))
        }
        # Year 1: measured 1 April – 31 December 2024 (3 transition months), offer 35 % binds.
        g1, c1 = trips_in_files(date(2024, 4, 1), date(2024, 12, 31))
        year1 = green[1]
        assert (year1.window_start, year1.window_end) == (date(2024, 4, 1), date(2024, 12, 31))
        assert Decimal(year1.details["green_trips"]) == g1 and Decimal(year1.details["total_trips"]) == g1 + c1
        assert year1.share == g1 / (g1 + c1) and year1.level == Decimal(35)
        assert year1.status == "compliant" and year1.penalty_total == 0
        # Year 2: 2025 with the November credit note deducted; offer 55 % binds; short.
        g2, c2 = trips_in_files(date(2025, 1, 1), date(2025, 12, 31))
        year2 = green[2]
        assert Decimal(year2.details["green_trips"]) == g2 and Decimal(year2.details["total_trips"]) == g2 + c2
        assert year2.status == "short" and year2.level == Decimal(55)
        missing = math.ceil(Decimal("0.55") * (g2 + c2) - g2)
        assert year2.details["shortfall_trips"] == missing
        assert year2.penalty_total == Decimal(450) * missing + Decimal(10000)
        # Every trip line behind the figures names its file and line.
        assert all(line["file"].endswith(".xml") and line["source_line"] for line in year2.details["trip_lines"])
        # The driving log gives km for year 2 only.
        assert year1.details["total_km"] is None and Decimal(year2.details["total_km"]) > 0
        # Year 3 has started but has no data yet: no penalty, no hearing while it runs.
        assert green[3].status == "in_progress" and green[3].penalty_total == 0

        hearing = session.scalars(select(Notice).where(Notice.kind == "hearing")).one()
        assert (hearing.contract_id, hearing.contract_year, hearing.status) == ("KK-2024-0117", 2, "proposed")
        assert hearing.proposed_penalty == year2.penalty_total and hearing.deadline == date(2026, 12, 6)

        coffee = session.scalars(
            select(Assessment).where(
                Assessment.rule_id == "purchase_share.coffee-tea-fairtrade-organic@1", Assessment.contract_year == 1
            )
        ).one()
        assert coffee.status == "compliant" and coffee.share is not None and coffee.share >= Decimal("0.5")
        rules = dict(session.execute(select(Finding.rule_id, func.count()).group_by(Finding.rule_id)).all())
    assert rules == {
        "euro6.not_euro6@1": 2,  # TR75021, a Euro 5 diesel truck, in years 1 and 2
        "green_vehicles.not_green_vehicle@1": 2,  # DX18336 (diesel) on two green lines in June 2025, counted conventional
        "green_vehicles.share@1": 1,
        # Unlabelled copy paper on four invoices; the cleaning product from July 2025 on five, because the
        # catalogue update of 20 June (in force 1 July) dropped its Nordic Swan label.
        "eco_labels.missing_label@1": 9,
        "eco_labels.catalogue_missing_label@1": 4,  # the copy paper and the updated cleaning product, years 1 and 2
        "ecolabel_categorisation.missing_type1@1": 2,  # the toner (own areas, category 1), years 1 and 2
        "catalogue.item_not_in_catalogue@1": 1,  # pens on the October invoice that no catalogue listed
        "catalogue.label_not_in_catalogue@1": 1,  # December's Excel invoice still claims the Nordic Swan label
        "banned_items.delivered@1": 1,  # plastic cups in August 2025
        "green_vehicles.log_mismatch@1": 1,  # September 2025: cargo-bike trips logged but not invoiced
        "completeness.silent_months@1": 1,  # year 3 (2026): no invoice for January–September (due 30 days after each month)
    }
    report = (settings.reports_dir / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").read_text(encoding="utf-8")
    assert "Under niveauet" in report
    assert f"{year2.penalty_total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " kr." in report
    assert (settings.reports_dir / "index.html").is_file()
    office = (settings.reports_dir / "KK-2025-0042" / "annual-report-KK-2025-0042-year-1.html").read_text(encoding="utf-8")
    assert "Miljømærkekategorisering 2025 (§3.1), kommunens egne indkøbsområder" in office
    assert "Kvartal 2: 1. april 2025 – 30. juni 2025" in office
    engine.dispose()


def test_a_second_run_counts_nothing_twice(settings: Settings) -> None:
    run_pipeline(settings, as_of=AS_OF)
    engine = make_engine(settings.db_url)

    def snapshot() -> tuple[object, ...]:
        with session_scope(engine) as session:
            assessments = sorted(
                (a.contract_id, a.contract_year, a.rule_id, a.share, a.penalty_total) for a in session.scalars(select(Assessment))
            )
            findings = sorted(f.fingerprint for f in session.scalars(select(Finding)))
            notices = session.scalar(select(func.count()).select_from(Notice))
            return tuple(assessments), tuple(findings), notices

    before = snapshot()
    second = run_pipeline(settings, as_of=AS_OF)
    assert len(second.ingest.duplicates) == 41 and not second.ingest.ingested
    assert snapshot() == before
    engine.dispose()


def test_reports_escape_supplier_text(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    hostile = (
        (SAMPLE_DIR / "office" / "NK-2025-0008.xml")
        .read_text(encoding="utf-8")
        .replace("Engangskrus plast 20 cl, 100 stk", "Engangskrus plast &lt;script&gt;alert(1)&lt;/script&gt;")
    )
    (inbox / "NK-2025-0008.xml").write_text(hostile, encoding="utf-8")
    settings = Settings(settings.db_url, inbox, settings.contracts_dir, settings.reports_dir, settings.max_file_bytes)
    run_pipeline(settings, as_of=AS_OF)
    report = (settings.reports_dir / "KK-2025-0042" / "annual-report-KK-2025-0042-year-1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "<script>" not in report


def test_a_broken_contract_is_listed_on_the_overview_and_the_others_are_checked(settings: Settings, tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    for path in settings.contracts_dir.glob("*.yaml"):
        (contracts / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    broken = (contracts / "KK-2025-0042.yaml").read_text(encoding="utf-8").replace("minimum_percent: 50", "minimum_percent: 150")
    (contracts / "KK-2025-0042.yaml").write_text(broken, encoding="utf-8")
    settings = Settings(settings.db_url, settings.inbox, contracts, settings.reports_dir, settings.max_file_bytes)
    result = run_pipeline(settings, as_of=AS_OF)
    (error,) = result.contract_errors
    assert error.location == "purchase_shares[0].minimum_percent"
    assert result.checks.contracts == 1
    overview = (settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "Kontraktfiler, der blev afvist (1)" in overview and "purchase_shares[0].minimum_percent" in overview
    # Its invoices now match no contract: reported, not dropped.
    assert result.checks.unmatched_invoices == 12


def test_a_running_year_warns_early_and_imposes_nothing(settings: Settings) -> None:
    run_pipeline(settings, as_of=date(2025, 9, 30))  # contract year 2 (2025) is still running
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        year2 = session.scalars(
            select(Assessment).where(Assessment.rule_id == "green_vehicles.share@1", Assessment.contract_year == 2)
        ).one()
        assert (year2.status, year2.penalty_total, year2.details["final"]) == ("at_risk", Decimal("0.00"), False)
        assert session.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "hearing")) == 0
        (warning,) = session.scalars(select(Finding).where(Finding.rule_id == "green_vehicles.early_warning@1")).all()
        assert warning.contract_year == 2 and warning.evidence["green_needed"] > 0
    engine.dispose()
