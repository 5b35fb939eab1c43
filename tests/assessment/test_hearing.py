"""§2.1 hearing: nothing is imposed before the supplier is heard; every step is kept.

The hearing lives in the database (``Notice`` and its ``HearingEvent`` rows), so these tests use one.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from compliance.assessment.hearing import (
    HearingError,
    hearing_notice,
    note_no_shortfall,
    propose_penalty,
    record_comment,
    record_decision,
    record_withdrawal,
)
from compliance.cli import main
from compliance.store.db import session_scope
from tests.builders import transport_contract_data, write_contract
from tests.conftest import SAMPLE_DIR

TODAY = date(2026, 11, 22)


def open_hearing(engine: Engine, penalty: str = "41500.00") -> None:
    with session_scope(engine) as session:
        propose_penalty(session, "KK-2024-0117", 2, "38451236", Decimal(penalty), 14, TODAY)


def test_no_decision_before_the_supplier_is_heard(engine: Engine) -> None:
    open_hearing(engine)
    with session_scope(engine) as session, pytest.raises(HearingError) as caught:
        record_decision(session, "KK-2024-0117", 2, "confirm", "short of the offer", "kl", TODAY)
    assert "may comment until 6. december 2026" in str(caught.value)
    with session_scope(engine) as session:
        # After the deadline, silence is the supplier's answer.
        notice = record_decision(session, "KK-2024-0117", 2, "confirm", "no comment received", "kl", TODAY + timedelta(days=15))
        assert (notice.status, notice.decided_penalty) == ("confirmed", Decimal("41500.00"))


def test_comment_then_reduce_with_reason_and_the_decision_is_final(engine: Engine) -> None:
    open_hearing(engine)
    with session_scope(engine) as session:
        record_comment(session, "KK-2024-0117", 2, "Two electric vans were in repair in March; workshop invoices attached.", "kl")
    with session_scope(engine) as session, pytest.raises(HearingError):
        record_decision(session, "KK-2024-0117", 2, "reduce", "repairs", "kl", TODAY, Decimal("41500.00"))
    with session_scope(engine) as session:
        notice = record_decision(
            session, "KK-2024-0117", 2, "reduce", "repairs documented for 30 trips", "kl", TODAY, Decimal("28000")
        )
        assert (notice.status, notice.decided_penalty) == ("reduced", Decimal("28000.00"))
    with session_scope(engine) as session, pytest.raises(HearingError) as caught:
        record_decision(session, "KK-2024-0117", 2, "waive", "changed my mind", "kl", TODAY)
    assert "is reduced; it cannot change" in str(caught.value)
    with session_scope(engine) as session:
        heard = hearing_notice(session, "KK-2024-0117", 2)
        assert heard is not None
        assert [(e.kind, e.status_after, e.actor) for e in heard.events] == [
            ("proposed", "proposed", "compliance check"),
            ("supplier_comment", "commented", "kl"),
            ("decision_reduce", "reduced", "kl"),
        ]


def test_changed_data_follows_an_open_proposal_and_is_only_noted_after_a_decision(engine: Engine) -> None:
    open_hearing(engine)
    open_hearing(engine, "42400.00")
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None and notice.proposed_penalty == Decimal("42400.00")
        record_decision(session, "KK-2024-0117", 2, "waive", "first year of a new fleet", "kl", TODAY)
    open_hearing(engine, "43300.00")
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None
        assert (notice.status, notice.decided_penalty, notice.proposed_penalty) == (
            "waived",
            Decimal("0.00"),
            Decimal("42400.00"),
        )
        assert [e.kind for e in notice.events] == [
            "proposed",
            "assessment_changed",
            "decision_waive",
            "assessment_changed_after_decision",
        ]


def test_only_a_contract_manager_withdraws_a_proposal_and_only_with_a_reason(engine: Engine) -> None:
    open_hearing(engine)
    with session_scope(engine) as session:
        # A later check without a shortfall and with no recorded change leaves the proposal as it is.
        note_no_shortfall(session, "KK-2024-0117", 2, None)
        with pytest.raises(HearingError):
            record_withdrawal(session, "KK-2024-0117", 2, "  ", "kl")
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None and notice.status == "proposed"
        record_withdrawal(session, "KK-2024-0117", 2, "the credit note of 14 November was right", "kl")
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None and notice.status == "withdrawn"
        assert (notice.events[-1].kind, notice.events[-1].actor) == ("withdrawn", "kl")
        with pytest.raises(HearingError):
            record_comment(session, "KK-2024-0117", 2, "too late", "kl")


@pytest.mark.slow
@pytest.mark.integration
def test_cli_hearing_and_penalty_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample transport invoices, under the transport contract's terms written out inline: year 2 (2025)
    # falls 70 trips short of the 55 % offer, so 70 × 450 kr. + 10.000 kr. = 41.500 kr. is proposed.
    write_contract(tmp_path / "contracts", transport_contract_data())
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    monkeypatch.setenv("COMPLIANCE_INBOX", str(SAMPLE_DIR / "transport"))
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(tmp_path / "contracts"))
    runner = CliRunner()
    assert runner.invoke(main, ["run"]).exit_code == 0
    listed = runner.invoke(main, ["hearing", "list"])
    assert "KK-2024-0117\tyear 2\tproposed\tproposed 41.500,00 kr." in listed.output
    early = runner.invoke(
        main, ["hearing", "decide", "--contract", "KK-2024-0117", "--year", "2", "--decision", "confirm", "--reason", "x"]
    )
    assert early.exit_code == 1 and "has not yet" in early.output
    comment = runner.invoke(
        main, ["hearing", "comment", "--contract", "KK-2024-0117", "--year", "2", "--text", "Vans in repair", "--by", "Anna"]
    )
    assert comment.exit_code == 0 and "hearing commented" in comment.output
    decided = runner.invoke(
        main,
        [
            "hearing",
            "decide",
            "--contract",
            "KK-2024-0117",
            "--year",
            "2",
            "--decision",
            "reduce",
            "--amount",
            "30000,00",
            "--reason",
            "repairs",
            "--by",
            "Anna",
        ],
    )
    assert decided.exit_code == 0, decided.output
    assert "reduced, penalty 30.000,00 kr." in decided.output
    statement = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2", "--lang", "en"]).output
    assert "5. Shortfall: 70 trips" in statement
    assert "6. Rate: DKK 450.00 per trip × 70 trips = DKK 31,500.00" in statement
    assert "8. Total penalty (rounded once to whole øre): DKK 41,500.00" in statement
    assert "Supplier's comment recorded (Anna): Vans in repair" in statement
    assert "Decision: penalty reduced (Anna) — DKK 30,000.00: repairs" in statement
    assert "Penalty imposed: DKK 30,000.00 (reduced), decided" in statement
    danish = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2"]).output
    assert "5. Manko: 70 ture" in danish
    assert "8. Bod i alt (afrundet én gang til hele øre): 41.500,00 kr." in danish
    assert "Pålagt bod: 30.000,00 kr. (nedsat), afgjort" in danish
    # A re-run keeps the decision and the report shows the history.
    assert runner.invoke(main, ["run"]).exit_code == 0
    report = (tmp_path / "var" / "reports" / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").read_text(
        encoding="utf-8"
    )
    assert "Afgørelse: bod nedsat — 30.000,00 kr. pålagt." in report and "Leverandørens bemærkning registreret" in report
