"""Letters a supplier can act on, on the demo (issue 19 item 3): one group per item, vehicle or document
with what to do and a deadline to correct; a catalogue fact told once; only the contract's evidence kinds;
identifiers whole in the PDF."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from compliance.assessment.notices import DeliveryAttempt, content_hash, record_delivery
from compliance.assessment.results import supplier_findings
from compliance.base.settings import Settings
from compliance.pipeline import PipelineResult, write_supplier_notices
from compliance.store.db import make_engine, session_scope
from compliance.store.models import Finding, Notice
from tests.reports.conftest import AS_OF

Run = tuple[Settings, PipelineResult]

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def _letters(settings: Settings) -> dict[tuple[str, int], str]:
    return {
        (n.contract_id, n.contract_year): n.html.read_text(encoding="utf-8")
        for n in write_supplier_notices(settings, today=AS_OF)
    }


def test_a_letter_has_one_group_per_item_with_what_to_do_and_by_when(sample_run: Run) -> None:
    settings, _ = sample_run
    notices = {(n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, today=AS_OF)}
    assert len(notices) == 5  # one per supplier and contract year, as before
    office = notices[("KK-2025-0042", 1)]
    html = office.html.read_text(encoding="utf-8")
    # 15 findings, 5 items: copy paper (4 invoices + the catalogue), the cleaning product (5 invoices, the
    # catalogue update, the Excel invoice's claimed label), the toner, the pens, the plastic cups.
    assert office.discrepancies == 15 and html.count('<section class="finding-group">') == 5
    for item in ("KOP-A4-STD", "RENG-SV", "TONER-26A", "KUGLE-BLAA", "PLASTKRUS"):
        assert f'Vare <span class="ident">{item}</span>' in html
    assert "Send en katalogopdatering for varen med miljømærket og licensnummeret" in html
    assert "Send en kreditnota for varen, og lever den ikke igen" in html
    # Two deadlines: for comments (the contract's hearing_days) and for corrections (correction_days, 30 by default).
    issued = datetime.now(UTC).date()
    correct_by = issued + timedelta(days=30)
    assert "Frist for bemærkninger" in html and "Frist for rettelser" in html
    assert f"Send rettelsen senest {correct_by.day}. " in html
    # The office supplier sends invoices and catalogues, never driving logs.
    assert "fakturaer og kataloger" in html and "kørebøger" not in html
    transport = notices[("KK-2024-0117", 2)].html.read_text(encoding="utf-8")
    assert "fakturaer og kørebøger" in transport
    assert 'Køretøj <span class="ident">DX18336</span>' in transport and "(2 forhold)" in transport
    # The shortfall is commented on, not corrected.
    assert "Intet at rette: I kan komme med bemærkninger til opgørelsen." in transport
    assert "Frist for rettelser" in notices[("KK-2024-0117", 2)].body


def test_next_years_letter_refers_to_the_catalogue_facts_already_told(sample_run: Run) -> None:
    settings, _ = sample_run
    notices = {(n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, today=AS_OF)}
    year_2 = notices[("KK-2025-0042", 2)]
    html = year_2.html.read_text(encoding="utf-8")
    # The three catalogue facts (copy paper, cleaning product, toner) are year 1's letter's: named, not repeated.
    assert year_2.discrepancies == 0 and '<section class="finding-group">' not in html
    assert "Vi har ikke fundet nye uoverensstemmelser i kontraktåret." in html and "Tidligere meddelt" in html
    assert "meddelelse for kontraktår 1 af" in html
    for item in ("KOP-A4-STD", "RENG-SV", "TONER-26A"):
        assert f'Vare <span class="ident">{item}</span>' in html
    assert "Frist for rettelser" not in html  # nothing new to correct, no new deadline
    # The deadline is still that of the year's findings, all of them: regrouping restarted nothing.
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        findings = [f for f in supplier_findings(session, "KK-2025-0042", "27614590") if f.contract_year == 2]
        stored = session.scalars(select(Notice).where(Notice.contract_id == "KK-2025-0042", Notice.contract_year == 2)).one()
        assert len(findings) == 3 and stored.content_sha256 == content_hash(findings, None) == year_2.content_sha256
        # Once year 1's letter went out, the reference names the day it was sent.
        year_1 = notices[("KK-2025-0042", 1)]
        record_delivery(
            session,
            DeliveryAttempt(
                year_1.notice_id,
                datetime(2026, 11, 23, 9, tzinfo=UTC),
                "a@b.example",
                "c@d.example",
                "smtp",
                "<id>",
                "x.pdf",
                "0" * 64,
                year_1.content_sha256,
                year_1.letter_sha256,
                None,
            ),
        )
    engine.dispose()
    again = {
        (n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, "KK-2025-0042", today=date(2026, 12, 1))
    }
    assert "meddelelse for kontraktår 1 af 23. november 2026" in again[("KK-2025-0042", 2)].html.read_text(encoding="utf-8")
    assert again[("KK-2025-0042", 2)].deadline == year_2.deadline  # a new letter date moves no deadline


def test_identifiers_are_whole_in_the_pdf(sample_run: Run, need_pdf: None, need_poppler: None) -> None:
    settings, _ = sample_run
    notices = {(n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, today=AS_OF)}
    for key, identifiers in {
        ("KK-2025-0042", 1): ["KOP-A4-STD", "TONER-26A", "NK-2025-0010", "NK-KAT-2025-U1", "27614590"],
        ("KK-2024-0117", 2): ["DX18336", "TR75021", "GB-202506", "38451236"],
    }.items():
        pdf = notices[key].pdf
        assert pdf is not None
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        words = set(re.split(r"[\s,()]+", text))
        for identifier in identifiers:
            assert identifier in words, f"{identifier} is broken in {pdf.name}"
        # Row numbers are whole: no "1 3" in the # column (a row number is at most two digits here).
        assert not re.search(r"^\s*\d \d\s{3,}", text, re.MULTILINE)


def test_a_letter_sent_before_is_referred_to_and_only_new_findings_are_told(sample_run: Run) -> None:
    settings, _ = sample_run
    (first,) = write_supplier_notices(settings, "KK-2024-0117", 1, today=AS_OF)
    assert first.discrepancies == 1  # TR75021, Euro 5, in year 1
    sent_at = datetime.now(UTC)
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        record_delivery(
            session,
            DeliveryAttempt(
                first.notice_id,
                sent_at,
                "a@b.example",
                "c@d.example",
                "smtp",
                "<id>",
                "x.pdf",
                "0" * 64,
                first.content_sha256,
                first.letter_sha256,
                None,
            ),
        )
    # The same content again: the letter is the same (nothing referred), so it is not sent twice.
    (same,) = write_supplier_notices(settings, "KK-2024-0117", 1, today=AS_OF)
    assert same.discrepancies == 1 and same.letter_sha256 == first.letter_sha256
    # A finding found after the letter went out: the new letter tells it and refers to the first for the rest.
    with session_scope(engine) as session:
        session.add(
            Finding(
                fingerprint="n" * 64,
                rule_id="green_vehicles.log_mismatch@1",
                severity="medium",
                contract_id="KK-2024-0117",
                contract_year=1,
                supplier_cvr="38451236",
                subject='{"month":"2024-05"}',
                message_key="legacy.recorded_text",
                message_params={"text": "a new month"},
                message="a new month",
                evidence={"month": "2024-05"},
                created_at=sent_at + timedelta(days=1),
            )
        )
    (changed,) = write_supplier_notices(settings, "KK-2024-0117", 1, today=date(2026, 12, 1))
    html = changed.html.read_text(encoding="utf-8")
    assert changed.discrepancies == 1 and 'Måned <span class="ident">2024-05</span>' in html
    assert f"meddelelse for kontraktår 1 af {sent_at.day}. " in html and 'Køretøj <span class="ident">TR75021</span>' in html
    assert '<section class="finding-group">' in html and html.count('<section class="finding-group">') == 1
    # Sending the changed letter does not make the next one refer to it: the letter stays as it is.
    with session_scope(engine) as session:
        record_delivery(
            session,
            DeliveryAttempt(
                changed.notice_id,
                sent_at + timedelta(days=2),
                "a@b.example",
                "c@d.example",
                "smtp",
                "<id2>",
                "x.pdf",
                "0" * 64,
                changed.content_sha256,
                changed.letter_sha256,
                None,
            ),
        )
    (stable,) = write_supplier_notices(settings, "KK-2024-0117", 1, today=date(2026, 12, 2))
    assert stable.letter_sha256 == changed.letter_sha256 and stable.deadline == changed.deadline
    with session_scope(engine) as session:
        session.delete(session.scalars(select(Finding).where(Finding.fingerprint == "n" * 64)).one())
    engine.dispose()
