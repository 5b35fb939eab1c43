"""Issue 16 items 2–4 on the sample transport contract: credit notes reconciled, held-out negative
quantities, hearings that change only through recorded steps, and re-invoiced deliveries counted once.

Each test ingests the sample transport invoices (read, never written) plus one hostile file written
to a temporary folder, and checks under the transport contract's terms written out inline.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import Engine, select
from sqlalchemy.orm import aliased

from compliance.assessment.contract_year import run_checks
from compliance.assessment.hearing import hearing_notice
from compliance.assessment.outcomes import green_outcome
from compliance.base.settings import Settings
from compliance.cli import main
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import Finding, Invoice, InvoiceLine, LineAcceptance, TripLine
from tests.builders import transport_contract, transport_contract_data, write_contract
from tests.conftest import SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]

AS_OF = date(2026, 11, 22)
MAX = 5 * 1024 * 1024
TRANSPORT = SAMPLE_DIR / "transport"
SAMPLE_GREEN_2025 = Decimal(488)  # 496 invoiced green; June's two lines naming a diesel van count as conventional
SAMPLE_CONVENTIONAL_2025 = Decimal(541)
OCTOBER_GREEN = Decimal(44)  # GB-202510's nine green trip lines
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def credit_note(
    number: str,
    issue_date: str,
    quantity: str,
    *,
    credits: str | None = "GB-202510",
    delivery_date: str | None = None,
    item: str = "KOERSEL-GROEN",
    line_reference: tuple[str, str] | None = None,
) -> str:
    """The sample credit note GB-K-202511 with another number, date, quantity, reference and delivery date."""
    text = (TRANSPORT / "GB-K-202511.xml").read_text(encoding="utf-8")
    text = text.replace("<cbc:ID>GB-K-202511</cbc:ID>", f"<cbc:ID>{number}</cbc:ID>")
    text = text.replace("<cbc:IssueDate>2025-11-14</cbc:IssueDate>", f"<cbc:IssueDate>{issue_date}</cbc:IssueDate>")
    text = text.replace(
        '<cbc:CreditedQuantity unitCode="EA">2</cbc:CreditedQuantity>',
        f'<cbc:CreditedQuantity unitCode="EA">{quantity}</cbc:CreditedQuantity>',
    )
    text = text.replace("KOERSEL-GROEN", item)
    header = "<cac:BillingReference>\n    <cac:InvoiceDocumentReference>\n      <cbc:ID>GB-202510</cbc:ID>\n    </cac:InvoiceDocumentReference>\n  </cac:BillingReference>\n  "
    text = text.replace(header, "" if credits is None else header.replace("GB-202510", credits))
    delivery = "<cac:Delivery>\n      <cbc:ActualDeliveryDate>2025-10-07</cbc:ActualDeliveryDate>\n    </cac:Delivery>"
    replacement = "" if delivery_date is None else delivery.replace("2025-10-07", delivery_date)
    if line_reference is not None:
        invoice, line = line_reference
        replacement += (
            "<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>"
            f"{invoice}</cbc:ID></cac:InvoiceDocumentReference><cac:BillingReferenceLine><cbc:ID>{line}"
            "</cbc:ID></cac:BillingReferenceLine></cac:BillingReference>"
        )
    return text.replace(delivery, replacement)


def run(engine: Engine, *extra: Path, **contract: Any) -> None:
    ingest_paths(engine, [TRANSPORT, *extra], MAX)
    run_checks(engine, [transport_contract(**contract)], as_of=AS_OF)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def year_figures(engine: Engine, year: int = 2) -> tuple[Decimal, Decimal, str, Decimal]:
    with session_scope(engine) as session:
        outcome = green_outcome(session, "KK-2024-0117", year)
        assert outcome is not None
        return outcome.green_trips, outcome.conventional_trips, outcome.status, outcome.penalty_total


def findings(engine: Engine, rule: str) -> list[Finding]:
    with session_scope(engine) as session:
        rows = list(session.scalars(select(Finding).where(Finding.rule_id == rule)))
        session.expunge_all()
        return rows


def test_a_credit_note_cannot_credit_more_trips_than_the_credited_invoice_holds(engine: Engine, tmp_path: Path) -> None:
    run(engine)
    before = year_figures(engine)
    assert before[2] == "short" and before[3] == Decimal("45100.00")
    run(engine, write(tmp_path / "inbox", "GB-K-202512.xml", credit_note("GB-K-202512", "2025-12-10", "5000")))
    green, conventional, status, penalty = year_figures(engine)
    # October holds 44 green trips; GB-K-202511 already credited 2: at most 42 more, the rest is held out.
    assert (green, conventional) == (SAMPLE_GREEN_2025 - 42, SAMPLE_CONVENTIONAL_2025)
    assert status == "short" and penalty > Decimal("45100.00")
    excess = findings(engine, "credit_notes.excess_credit@1")
    assert len(excess) == 1 and excess[0].severity == "high"
    assert "GB-K-202512" in excess[0].message and "GB-202510" in excess[0].message and "4958" in excess[0].message
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None and notice.status == "proposed" and notice.proposed_penalty == penalty
        event = notice.events[-1]
        assert event.kind == "assessment_changed" and event.details is not None
        assert [d["invoice"] for d in event.details["documents"]] == ["GB-K-202512"]
        assert event.details["before"]["green_trips"] == "488" and event.details["after"]["green_trips"] == "446"


def test_a_credit_note_without_reference_cannot_credit_more_than_the_contract_year_holds(engine: Engine, tmp_path: Path) -> None:
    note = credit_note("GB-K-202513", "2025-12-10", "5000", credits=None, delivery_date="2025-12-01")
    run(engine, write(tmp_path / "inbox", "GB-K-202513.xml", note))
    green, _, status, _ = year_figures(engine)
    assert green == 0 and status == "short"  # every green trip of 2025 credited, never fewer than none
    excess = findings(engine, "credit_notes.excess_credit@1")
    assert len(excess) == 1 and "contract year 2" in excess[0].message


def test_an_undated_credit_note_after_the_contract_is_dated_as_the_lines_it_credits(engine: Engine, tmp_path: Path) -> None:
    # The contract ends with 2025; the credit note for October, without any date of its own, comes in March 2026.
    ended = {"period": {"start": "2024-01-01", "end": "2025-12-31"}}
    run(engine, write(tmp_path / "inbox", "GB-K-202601.xml", credit_note("GB-K-202601", "2026-03-01", "3")), **ended)
    green, _, _, _ = year_figures(engine)
    assert green == SAMPLE_GREEN_2025 - 3


def test_a_line_reference_dates_the_credit_as_that_line(engine: Engine, tmp_path: Path) -> None:
    # Line 17 of GB-202510 (3 green trips on 30 October); the credit note itself names no date.
    note = credit_note("GB-K-202602", "2026-03-01", "3", line_reference=("GB-202510", "17"))
    run(engine, write(tmp_path / "inbox", "GB-K-202602.xml", note))
    assert year_figures(engine)[0] == SAMPLE_GREEN_2025 - 3
    more = credit_note("GB-K-202603", "2026-03-02", "1", line_reference=("GB-202510", "17"))
    run(engine, write(tmp_path / "more", "GB-K-202603.xml", more))
    assert year_figures(engine)[0] == SAMPLE_GREEN_2025 - 3  # line 17 held 3 trips: the fourth is excess
    assert len(findings(engine, "credit_notes.excess_credit@1")) == 1


def test_a_negative_credited_quantity_is_held_out_until_accepted(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, write(tmp_path / "inbox", "GB-K-202514.xml", credit_note("GB-K-202514", "2025-12-10", "-200")))
    green, _, _, _ = year_figures(engine)
    assert green == SAMPLE_GREEN_2025
    held = findings(engine, "credit_notes.negative_quantity@1")
    assert len(held) == 1 and held[0].severity == "high" and "GB-K-202514" in held[0].message
    # A contract manager accepts it, with a reason: the command records who, when and why, and checks again.
    write_contract(tmp_path / "contracts", transport_contract_data())
    monkeypatch.setenv("COMPLIANCE_DB_URL", settings.db_url)
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(tmp_path / "contracts"))
    runner = CliRunner()
    refused = runner.invoke(main, ["lines", "accept", "--invoice", "GB-K-202514", "--line", "1", "--reason", " "])
    assert refused.exit_code == 1 and "Fejl: godkendelsen har ingen begrundelse" in refused.output
    accepted = runner.invoke(
        main,
        ["lines", "accept", "--invoice", "GB-K-202514", "--line", "1", "--reason", "a debit agreed by phone", "--by", "Anna"],
    )
    assert accepted.exit_code == 0, accepted.output
    assert "kreditnota GB-K-202514 linje 1: godkendt af Anna" in accepted.output and "KK-2024-0117" in accepted.output
    assert year_figures(engine)[0] == SAMPLE_GREEN_2025 + 200
    with session_scope(engine) as session:
        record = session.scalars(select(LineAcceptance)).one()
        assert (record.accepted_by, record.reason, record.held) == ("Anna", "a debit agreed by phone", "negative_quantity")
    noted = findings(engine, "credit_notes.negative_quantity@1")
    assert len(noted) == 1 and noted[0].severity == "low" and "accepted by Anna" in noted[0].message
    again = runner.invoke(main, ["lines", "accept", "--invoice", "GB-K-202514", "--line", "1", "--reason", "x"])
    assert again.exit_code == 1 and "er allerede godkendt" in again.output


def test_a_negative_quantity_on_an_invoice_is_held_out_until_accepted(engine: Engine, tmp_path: Path) -> None:
    text = (TRANSPORT / "GB-202512.xml").read_text(encoding="utf-8").replace("GB-202512", "GB-202512-N")
    # The first conventional line of December with −300 trips instead of its own quantity.
    start = text.index("KOERSEL-KONV")
    quantity = text.rindex("<cbc:InvoicedQuantity", 0, start)
    end = text.index("</cbc:InvoicedQuantity>", quantity)
    text = text[: text.index(">", quantity) + 1] + "-300" + text[end:]
    run(engine, write(tmp_path / "inbox", "GB-202512-N.xml", text))
    _, conventional, _, _ = year_figures(engine)
    december_line = findings(engine, "credit_notes.negative_quantity@1")
    assert len(december_line) == 1 and "GB-202512-N" in december_line[0].message
    # Held out, and the rest of the re-sent December invoice is the same deliveries: counted once.
    assert conventional == SAMPLE_CONVENTIONAL_2025


def test_the_same_deliveries_invoiced_again_under_a_new_number_count_once(engine: Engine, tmp_path: Path) -> None:
    text = (TRANSPORT / "GB-202510.xml").read_text(encoding="utf-8").replace("GB-202510", "GB-202510-X")
    text = text.replace("<cbc:IssueDate>2025-11-01</cbc:IssueDate>", "<cbc:IssueDate>2025-11-20</cbc:IssueDate>")
    run(engine, write(tmp_path / "inbox", "GB-202510-X.xml", text))
    green, conventional, _, penalty = year_figures(engine)
    assert (green, conventional, penalty) == (SAMPLE_GREEN_2025, SAMPLE_CONVENTIONAL_2025, Decimal("45100.00"))
    repeated = findings(engine, "invoices.reinvoiced@1")
    assert len(repeated) == 18  # every trip line of October, each naming both documents
    assert all("GB-202510-X" in f.message and re.search(r"GB-202510\b", f.message) for f in repeated)


def test_a_recalculation_is_recorded_on_the_hearing_and_nothing_withdraws_it_silently(
    engine: Engine, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine)
    # Plenty of green trips appear for 2025: the shortfall disappears.
    text = (TRANSPORT / "GB-202512.xml").read_text(encoding="utf-8").replace("GB-202512", "GB-202512-G")
    first = text.index("<cbc:InvoicedQuantity")  # December's first line is a green one: 500 trips more
    text = text[: text.index(">", first) + 1] + "500" + text[text.index("</cbc:InvoicedQuantity>", first) :]
    run(engine, write(tmp_path / "inbox", "GB-202512-G.xml", text))
    assert year_figures(engine)[2] == "compliant"
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None and notice.status == "proposed"  # only a contract manager withdraws it
        event = notice.events[-1]
        assert event.kind == "assessment_changed" and "recalculated: green trips 488 → 988" in (event.text or "")
        assert event.details is not None
        assert event.details["before"]["penalty_total"] == "45100.00" and event.details["after"]["penalty_total"] == "0.00"
        assert [d["invoice"] for d in event.details["documents"]] == ["GB-202512-G"]
    # The statement shows it; a contract manager withdraws the proposal, with a reason.
    write_contract(tmp_path / "contracts", transport_contract_data())
    monkeypatch.setenv("COMPLIANCE_DB_URL", settings.db_url)
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(tmp_path / "contracts"))
    runner = CliRunner()
    shown = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2", "--lang", "en"]).output
    assert "Assessment changed (automatic check) — DKK 0.00: recalculated: green trips 488 → 988" in shown
    assert "documents: invoice GB-202512-G" in shown and "the proposal stands until a contract manager withdraws it" in shown
    withdrawn = runner.invoke(
        main,
        [
            "hearing",
            "withdraw",
            "--contract",
            "KK-2024-0117",
            "--year",
            "2",
            "--reason",
            "December was re-invoiced",
            "--by",
            "Anna",
        ],
    )
    assert withdrawn.exit_code == 0 and "trukket tilbage" in withdrawn.output
    shown = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2", "--lang", "en"]).output
    assert "Proposal withdrawn (Anna): December was re-invoiced" in shown


def test_a_delivery_credited_in_full_may_be_invoiced_again(engine: Engine, tmp_path: Path) -> None:
    # October's line 1 (5 green trips on 2 October) is credited in full, then October is invoiced again.
    inbox = tmp_path / "inbox"
    write(inbox, "GB-K-202515.xml", credit_note("GB-K-202515", "2025-11-15", "5", line_reference=("GB-202510", "1")))
    text = (TRANSPORT / "GB-202510.xml").read_text(encoding="utf-8").replace("GB-202510", "GB-202510-X")
    write(
        inbox,
        "GB-202510-X.xml",
        text.replace("<cbc:IssueDate>2025-11-01</cbc:IssueDate>", "<cbc:IssueDate>2025-11-20</cbc:IssueDate>"),
    )
    run(engine, inbox)
    assert year_figures(engine)[:2] == (SAMPLE_GREEN_2025, SAMPLE_CONVENTIONAL_2025)  # 5 − 5 + 5 on line 1
    repeated = findings(engine, "invoices.reinvoiced@1")
    assert len(repeated) == 17 and sorted(int(f.evidence["line"]) for f in repeated) == list(range(2, 19))


def test_a_credit_note_for_an_invoice_not_on_file_is_reported_and_capped_by_the_year(engine: Engine, tmp_path: Path) -> None:
    note = credit_note("GB-K-202516", "2025-12-10", "4", credits="GB-209999", delivery_date="2025-12-02")
    run(engine, write(tmp_path / "inbox", "GB-K-202516.xml", note))
    assert year_figures(engine)[0] == SAMPLE_GREEN_2025 - 4  # on its own day, 2 December 2025
    unknown = findings(engine, "credit_notes.unknown_reference@1")
    assert len(unknown) == 1 and "GB-209999" in unknown[0].message and unknown[0].severity == "medium"
    assert not findings(engine, "credit_notes.excess_credit@1")


def test_a_credit_of_a_kind_the_credited_invoice_does_not_hold_is_all_excess(engine: Engine, tmp_path: Path) -> None:
    # An extra invoice for 1 December 2025 with green trip lines only (December's, its conventional lines removed).
    root = etree.fromstring((TRANSPORT / "GB-202512.xml").read_bytes())
    for line in root.findall("cac:InvoiceLine", NS):
        if line.findtext("cac:Item/cac:SellersItemIdentification/cbc:ID", namespaces=NS) == "KOERSEL-KONV":
            root.remove(line)
        line.find("cac:Delivery/cbc:ActualDeliveryDate", NS).text = "2025-12-01"  # type: ignore[union-attr]
    root.find("cbc:ID", NS).text = "GB-202512-E"  # type: ignore[union-attr]
    inbox = tmp_path / "inbox"
    write(inbox, "GB-202512-E.xml", etree.tostring(root, encoding="unicode"))
    note = credit_note("GB-K-202517", "2025-12-10", "3", credits="GB-202512-E", item="KOERSEL-KONV")
    write(inbox, "GB-K-202517.xml", note)
    run(engine, inbox)
    _, conventional, _, _ = year_figures(engine)
    assert conventional == SAMPLE_CONVENTIONAL_2025  # the invoice holds no conventional trips to credit
    excess = findings(engine, "credit_notes.excess_credit@1")
    assert len(excess) == 1 and "invoice GB-202512-E, which held only 0 more" in excess[0].message
    assert not findings(engine, "credit_notes.unknown_reference@1")


def test_a_credit_for_a_green_line_that_counts_as_conventional_reduces_the_conventional_count(
    engine: Engine, tmp_path: Path
) -> None:
    """GB-202506 line 1 says 4 green trips but names the diesel van DX 18 336, so it counts as conventional
    (issue 16 item 6). A credit note naming that line credits it — not another green line — and takes the
    4 trips from the count the line was in: 488 green of 1.025, 0,55 × 1.025 = 563,75 − 488 = 75,75 → 76
    trips short, 76 × 450 + 10.000 = 44.200,00 kr."""
    note = credit_note(
        "GB-K-202506", "2025-06-20", "4", credits="GB-202506", delivery_date="2025-06-03", line_reference=("GB-202506", "1")
    )
    run(engine, write(tmp_path / "inbox", "GB-K-202506.xml", note))
    assert year_figures(engine) == (SAMPLE_GREEN_2025, SAMPLE_CONVENTIONAL_2025 - 4, "short", Decimal("44200.00"))
    with session_scope(engine) as session:
        credited = aliased(InvoiceLine)
        row = session.execute(
            select(TripLine.kind, TripLine.trips_milli, Invoice.number, credited.line_id)
            .join(Invoice, Invoice.id == TripLine.invoice_id)
            .join(credited, credited.id == TripLine.credited_line_id)
            .where(Invoice.number == "GB-K-202506")
        ).one()
    assert tuple(row) == ("conventional", -4000, "GB-K-202506", "1")
