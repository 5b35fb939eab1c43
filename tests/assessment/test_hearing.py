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
    correct_decision,
    hearing_notice,
    note_no_shortfall,
    preview_decision,
    propose_penalty,
    record_comment,
    record_decision,
    record_withdrawal,
    reopen_hearing,
)
from compliance.base.texts import render_error
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
    # The English text (the logs) writes the day in English; the Danish refusal in Danish.
    assert "may comment until 6 December 2026" in str(caught.value)
    assert "til og med 6. december 2026" in render_error(caught.value, "da")
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


def test_a_decision_is_previewed_then_corrected_and_reopened_as_recorded_steps(engine: Engine) -> None:
    """41.500,00 kr. proposed; reduced to 30.000,00 kr.; corrected to 28.000,00 kr.; reopened; confirmed at 41.500,00 kr."""
    open_hearing(engine)
    with session_scope(engine) as session:
        record_comment(session, "KK-2024-0117", 2, "Two vans in repair", "Anna")
    with session_scope(engine) as session:
        preview = preview_decision(session, "KK-2024-0117", 2, "reduce", "repairs", "Anna", TODAY, Decimal("30000"))
        assert (preview.status_before, preview.status_after, preview.decided_after) == (
            "commented",
            "reduced",
            Decimal("30000.00"),
        )
    with session_scope(engine) as session:
        notice = hearing_notice(session, "KK-2024-0117", 2)
        assert notice is not None and notice.status == "commented" and notice.decided_penalty is None  # a preview stores nothing
        record_decision(session, "KK-2024-0117", 2, "reduce", "repairs", "Anna", TODAY, Decimal("30000"))
    with session_scope(engine) as session:
        correction = preview_decision(
            session, "KK-2024-0117", 2, "reduce", "typo: 28.000", "Bo", TODAY, Decimal("28000"), correction=True
        )
        assert (correction.decided_before, correction.decided_after) == (Decimal("30000.00"), Decimal("28000.00"))
        notice = correct_decision(session, "KK-2024-0117", 2, "reduce", "typo: 28.000", "Bo", TODAY, Decimal("28000"))
        assert (notice.status, notice.decided_penalty) == ("reduced", Decimal("28000.00"))
    with session_scope(engine) as session:
        notice = reopen_hearing(session, "KK-2024-0117", 2, "the supplier sent new workshop invoices", "Bo")
        assert (notice.status, notice.decided_penalty, notice.decided_at) == ("commented", None, None)
    with session_scope(engine) as session, pytest.raises(HearingError, match="no decided hearing to correct or reopen"):
        reopen_hearing(session, "KK-2024-0117", 2, "again", "Bo")
    with session_scope(engine) as session:
        notice = record_decision(session, "KK-2024-0117", 2, "confirm", "the invoices do not cover March", "Bo", TODAY)
        assert (notice.status, notice.decided_penalty) == ("confirmed", Decimal("41500.00"))
        assert [(e.kind, e.status_after, e.amount, e.actor) for e in notice.events] == [
            ("proposed", "proposed", Decimal("41500.00"), "compliance check"),
            ("supplier_comment", "commented", None, "Anna"),
            ("decision_reduce", "reduced", Decimal("30000.00"), "Anna"),
            ("decision_corrected", "reduced", Decimal("28000.00"), "Bo"),
            ("reopened", "commented", None, "Bo"),
            ("decision_confirm", "confirmed", Decimal("41500.00"), "Bo"),
        ]


def test_each_missing_or_wrong_argument_of_a_decision_says_what_is_wanted(engine: Engine) -> None:
    open_hearing(engine)
    with session_scope(engine) as session:
        record_comment(session, "KK-2024-0117", 2, "comment", "Anna")
    cases = [
        ("reduce", "repairs", None, "the reduced penalty is missing (expected --amount with the reduced penalty"),
        ("reduce", "repairs", Decimal("41500"), "a reduced penalty must be below the proposed DKK 41,500.00"),
        ("confirm", "repairs", Decimal("100"), "an amount is given with --decision confirm"),
        ("confirm", "  ", None, "the decision has no reason"),
    ]
    for decision, reason, amount, message in cases:
        with session_scope(engine) as session, pytest.raises(HearingError) as caught:
            preview_decision(session, "KK-2024-0117", 2, decision, reason, "Anna", TODAY, amount)
        assert message in str(caught.value)
    with session_scope(engine) as session, pytest.raises(HearingError, match="has no decided hearing to correct or reopen"):
        correct_decision(session, "KK-2024-0117", 2, "waive", "not decided yet", "Anna", TODAY)


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
    # falls 78 trips short of the 55 % offer (488 of 1.029 green: June's two green lines naming the diesel
    # van DX18336 count as conventional), so 78 × 450 kr. + 10.000 kr. = 45.100 kr. is proposed.
    write_contract(tmp_path / "contracts", transport_contract_data())
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    monkeypatch.setenv("COMPLIANCE_INBOX", str(SAMPLE_DIR / "transport"))
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(tmp_path / "contracts"))
    runner = CliRunner()
    assert runner.invoke(main, ["run"]).exit_code == 0
    listed = runner.invoke(main, ["hearing", "list"])
    assert "KK-2024-0117\tår 2\tforeslået\tforeslået 45.100,00 kr.\tfrist" in listed.output
    english = runner.invoke(main, ["hearing", "list", "--lang", "en"]).output
    assert "KK-2024-0117\tyear 2\tproposed\tproposed DKK 45,100.00\tdeadline" in english
    early = runner.invoke(
        main, ["hearing", "decide", "--contract", "KK-2024-0117", "--year", "2", "--decision", "confirm", "--reason", "x"]
    )
    # A refusal reads in the contract manager's language: Danish, English on request.
    assert early.exit_code == 1 and "Fejl: leverandøren kan komme med bemærkninger til og med " in early.output
    assert "(forventet: leverandørens bemærkninger (compliance hearing comment) eller en dato efter fristen)" in early.output
    early_en = runner.invoke(
        main,
        ["hearing", "decide", "--contract", "KK-2024-0117", "--year", "2", "--decision", "confirm", "--reason", "x"],
        env={"COMPLIANCE_REPORT_LANGUAGE": "en"},
    )
    assert (
        early_en.exit_code == 1
        and "Error: the supplier may comment until " in early_en.output
        and " 2026 and has not yet" in early_en.output
        and ". " not in early_en.output.split("until ")[1].split(" and has")[0]  # "6 December 2026", not "6. december"
    )
    comment = runner.invoke(
        main, ["hearing", "comment", "--contract", "KK-2024-0117", "--year", "2", "--text", "Vans in repair", "--by", "Anna"]
    )
    assert comment.exit_code == 0 and "høring kommenteret" in comment.output
    decide = ["hearing", "decide", "--contract", "KK-2024-0117", "--year", "2", "--decision", "reduce", "--by", "Anna"]
    missing = runner.invoke(main, [*decide, "--reason", "repairs"])
    assert (
        missing.exit_code == 1
        and "Fejl: den nedsatte bod mangler (forventet: --amount med den nedsatte bod, fra 0 op til 45.100,00 kr. (ekskl.))"
        in missing.output
    )
    # The decision is shown first; declined, nothing is stored.
    declined = runner.invoke(main, [*decide, "--amount", "30.000,00", "--reason", "repairs"], input="n\n")
    assert declined.exit_code == 1 and "ikke bekræftet; intet er gemt" in declined.output
    assert "høring: kommenteret -> nedsat" in declined.output and "pålagt bod: 30.000,00 kr." in declined.output
    assert "KK-2024-0117\tår 2\tkommenteret" in runner.invoke(main, ["hearing", "list"]).output
    decided = runner.invoke(main, [*decide, "--amount", "30.000,00", "--reason", "repairs"], input="y\n")
    assert decided.exit_code == 0, decided.output
    assert "nedsat, bod 30.000,00 kr." in decided.output
    statement = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2", "--lang", "en"]).output
    # Each step with its arithmetic, so a supplier's lawyer can redo it (hand-computed: 0,55 × 1.029 = 565,95;
    # June's two green lines naming the diesel van DX 18 336 count as conventional, so 488 green trips).
    assert "2. Trips: 488 with green vehicles of 1,029 in all" in statement
    assert "3. Green share: 488 ÷ 1,029 = 47.42 %" in statement
    assert "5. Shortfall: 0.55 × 1,029 = 565.95; 565.95 − 488 = 77.95, rounded up to whole trips: 78 trips" in statement
    assert "6. Rate: DKK 450.00 per trip × 78 trips = DKK 35,100.00" in statement
    assert "8. Total penalty (rounded once to whole øre): DKK 35,100.00 + DKK 10,000.00 = DKK 45,100.00" in statement
    assert "credit note GB-K-202511, line 1: 2 trips deducted (green, delivered" in statement
    assert "Penalty proposed (automatic check)" in statement and "compliance check" not in statement
    assert "Terms file: KK-2024-0117.yaml for contract KK-2024-0117, version (sha256)" in statement
    assert str(tmp_path) not in statement  # never a server path
    assert "Supplier's comment recorded (Anna): Vans in repair" in statement
    assert "Decision: penalty reduced (Anna) — DKK 30,000.00: repairs" in statement
    assert "Penalty imposed: DKK 30,000.00 (reduced), decided" in statement
    danish = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2"]).output
    assert "5. Manko: 0,55 × 1.029 = 565,95; 565,95 − 488 = 77,95, rundet op til hele ture: 78 ture" in danish
    assert "8. Bod i alt (afrundet én gang til hele øre): 35.100,00 kr. + 10.000,00 kr. = 45.100,00 kr." in danish
    assert "Pålagt bod: 30.000,00 kr. (nedsat), afgjort" in danish
    # A correction and a reopening are recorded steps with their reasons; the statement shows them.
    correct = ["hearing", "correct", "--contract", "KK-2024-0117", "--year", "2", "--by", "Bo", "--yes"]
    corrected = runner.invoke(main, [*correct, "--decision", "reduce", "--amount", "28000.00", "--reason", "typo"])
    assert corrected.exit_code == 0 and "afgjort indtil nu: 30.000,00 kr." in corrected.output
    assert "rettet; nedsat, bod 28.000,00 kr." in corrected.output
    reopen = ["hearing", "reopen", "--contract", "KK-2024-0117", "--year", "2", "--reason", "new invoices", "--yes"]
    assert "genåbnet; høring kommenteret" in runner.invoke(main, reopen).output
    again = runner.invoke(main, reopen).output  # the status inside the sentence is a Danish word too
    assert "kontrakt KK-2024-0117 år 2 har ingen afgjort bod at rette eller genåbne (status: kommenteret)" in again
    history = runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2"]).output
    assert "Afgørelsen rettet (Bo) — 28.000,00 kr.: typo" in history and "Høringen genåbnet" in history
    redecided = runner.invoke(main, [*decide, "--amount", "30000,00", "--reason", "repairs", "--yes"])
    assert redecided.exit_code == 0, redecided.output
    # A re-run keeps the decision and the report shows the history.
    assert runner.invoke(main, ["run"]).exit_code == 0
    report = (tmp_path / "var" / "reports" / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").read_text(
        encoding="utf-8"
    )
    assert "Afgørelse: bod nedsat — 30.000,00 kr. pålagt." in report and "Leverandørens bemærkning registreret" in report
    # The pipeline's own steps are named as the automatic check in the report too, as in the statement.
    assert "automatisk kontrol" in report and "compliance check" not in report
