"""Errors: what they say (file, place, expected, rule, contract), terminal or transient, and what
the Airflow tasks do with each (fail at once, or leave it to the task's retries)."""

from __future__ import annotations

import inspect
import smtplib
import socket
import sqlite3
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

import compliance.base.errors as errors_module
from compliance.assessment.acceptance import AcceptanceError
from compliance.assessment.hearing import HearingError
from compliance.base.errors import (
    ComplianceError,
    ContractTermsError,
    DatabaseUnavailableError,
    DuplicateDocumentError,
    NoticeDeliveryError,
    ReportError,
    SettingsError,
    SourceFileError,
    TemporaryNoticeDeliveryError,
    TerminalError,
    TransientError,
    UnknownFormatError,
    UnsafeInputError,
)
from compliance.base.formatting import Money
from compliance.base.i18n import N_, Phrase
from compliance.base.texts import render_error
from compliance.cli import main
from compliance.contracts import contract_from_data, load_contract
from compliance.orchestration import fail_at_once_on_terminal_errors
from compliance.reports.notices import (
    DeliveryOutcome,
    WrittenNotice,
    delivery_error,
    smtp_settings_from_env,
    temporary_send_failure,
)
from compliance.store.db import make_engine, session_scope

# Every error class and whether running again can cure it.
CLASSIFICATION: dict[type[ComplianceError], bool] = {
    ContractTermsError: False,  # a contract file a person must correct
    SourceFileError: False,  # a supplier file: quarantined, never better on a second read
    DuplicateDocumentError: False,
    UnsafeInputError: False,
    UnknownFormatError: False,
    SettingsError: False,  # an environment setting a person must correct
    ReportError: False,  # no PDF library, no mail server configured
    NoticeDeliveryError: False,  # an address or login the mail server refused (5xx)
    HearingError: False,  # a hearing step not allowed now
    AcceptanceError: False,  # a held line that cannot be accepted (not found, not held, no reason)
    TemporaryNoticeDeliveryError: True,  # 4xx, refused connection, timeout
    DatabaseUnavailableError: True,  # locked, busy or unreachable
}


def _all_subclasses(cls: type[ComplianceError]) -> set[type[ComplianceError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_error_class_is_deliberately_terminal_or_transient() -> None:
    defined = _all_subclasses(ComplianceError) - {TerminalError, TransientError}
    defined = {cls for cls in defined if cls.__module__.startswith("compliance.")}
    assert defined == set(CLASSIFICATION), "classify a new error class in CLASSIFICATION"
    for cls, transient in CLASSIFICATION.items():
        assert cls.transient is transient, cls.__name__
        assert issubclass(cls, TransientError if transient else TerminalError), cls.__name__
        assert not issubclass(cls, TerminalError if transient else TransientError), cls.__name__
    # Raised on purpose but not marked temporary: running again does not cure it.
    assert ComplianceError("no contract 'X'").transient is False
    names = {name for name, value in vars(errors_module).items() if isinstance(value, type) and issubclass(value, Exception)}
    assert names == {"ComplianceError", "TerminalError", "TransientError", *(c.__name__ for c in CLASSIFICATION)} - {
        "HearingError",
        "AcceptanceError",
    }


def test_the_message_names_file_place_expectation_contract_and_rule() -> None:
    error = ContractTermsError(
        "the offer 10 % is below the minimum 20 %",
        file="contracts/kk-2024-0117.yaml",
        location="green_vehicles.years[1].offer",
        expected="an offer of at least 20 %",
        rule="green-vehicle-share@1",
        contract="KK-2024-0117",
    )
    assert str(error) == (
        "contracts/kk-2024-0117.yaml: green_vehicles.years[1].offer: the offer 10 % is below the minimum 20 % "
        "(expected an offer of at least 20 %) [contract KK-2024-0117, rule green-vehicle-share@1]"
    )
    assert (error.rule, error.contract, error.args) == ("green-vehicle-share@1", "KK-2024-0117", (str(error),))
    assert str(SettingsError("x is 'y'", contract="KK-1")) == "x is 'y' [contract KK-1]"
    assert str(ComplianceError("plain", rule="r@1")) == "plain [rule r@1]"
    # Without rule or contract, the text is as before; the old constructors still work.
    assert str(SourceFileError("bad", file="a.xml", location="/Invoice")) == "a.xml: /Invoice: bad"
    duplicate = DuplicateDocumentError(
        "number reused", file="b.xml", supplier="12345678", number="F-1", first_file="a.xml", first_sha256="0" * 64
    )
    assert str(duplicate) == "b.xml: cbc:ID: number reused (expected a new document number, or the identical file)"
    assert duplicate.rule is None and duplicate.contract is None and not duplicate.transient


def test_an_error_raised_with_a_catalog_text_reads_in_english_and_in_the_persons_language() -> None:
    """A refusal (a hearing step, a setting) is a catalog text with values: ``str`` is the English the logs
    keep; render_error gives the Danish a contract manager reads, a status inside it translated too."""
    error = HearingError(
        N_("the hearing for contract {contract} year {year} is {status}; it cannot change"),
        expected=N_("a hearing that is proposed or commented"),
        contract="KK-2024-0117",
        values={"contract": "KK-2024-0117", "year": 2, "status": Phrase("confirmed")},
    )
    assert str(error) == (
        "the hearing for contract KK-2024-0117 year 2 is confirmed; it cannot change "
        "(expected a hearing that is proposed or commented) [contract KK-2024-0117]"
    )
    assert render_error(error, "en") == str(error)
    assert render_error(error, "da") == (
        "boden for kontrakt KK-2024-0117 år 2 er stadfæstet; den kan ikke ændres "
        "(forventet: en bod, der er foreslået eller kommenteret) [kontrakt KK-2024-0117]"
    )
    # An amount and a day are written as the reader's language writes them.
    reduced = HearingError(
        N_("a reduced penalty must be below the proposed {proposed}"),
        expected=N_("the supplier's comment (compliance hearing comment) or a date after the deadline"),
        values={"proposed": Money(Decimal("45100"))},
    )
    assert str(reduced).startswith("a reduced penalty must be below the proposed DKK 45,100.00 (expected")
    assert render_error(reduced, "da").startswith("en nedsat bod skal være under den foreslåede på 45.100,00 kr. (forventet")
    early = HearingError(
        N_("the supplier may comment until {deadline} and has not yet; a penalty cannot be imposed before"),
        values={"deadline": date(2026, 12, 6)},
    )
    assert "until 6 December 2026 and" in str(early) and "til og med 6. december 2026 og" in render_error(early, "da")
    # A known text raised without values is not a template: braces in it are not fields.
    assert render_error(ComplianceError(N_("{count} finding(s)")), "da") == "{count} forhold"
    # An error not written with a catalog text is shown as recorded, or as a known quarantine reason.
    assert render_error(SourceFileError("something new", file="a.xml"), "da") == "a.xml: something new"


@pytest.mark.parametrize("command", [["report"], ["portfolio"], ["hearing", "list"], ["portfolio", "--lang", "en"]])
def test_a_bad_setting_is_a_refusal_never_a_traceback(monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    """Commands that pick their language from the settings read the settings through the refusal too."""
    monkeypatch.setenv("COMPLIANCE_MAX_FILE_MB", "lots")
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and not isinstance(result.exception, ComplianceError), result.exception
    expected = "Error: COMPLIANCE_MAX_FILE_MB is 'lots'" if "en" in command else "Fejl: COMPLIANCE_MAX_FILE_MB er 'lots'"
    assert result.output.startswith(expected), result.output


def test_a_bad_amount_is_refused_in_danish(monkeypatch: pytest.MonkeyPatch) -> None:
    decide = ["hearing", "decide", "--contract", "X", "--year", "1", "--decision", "reduce", "--reason", "r", "--amount", "abc"]
    result = CliRunner().invoke(main, decide)
    assert result.exit_code == 1
    assert result.output.strip() == "Fejl: --amount 'abc' er ikke et beløb (forventet f.eks. 30.000,00 eller 30000.00)"


def test_a_bad_setting_is_refused_in_danish_unless_english_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_MAX_FILE_MB", "lots")
    monkeypatch.delenv("COMPLIANCE_REPORT_LANGUAGE", raising=False)
    danish = CliRunner().invoke(main, ["report"])
    assert danish.exit_code == 1
    assert danish.output.strip() == "Fejl: COMPLIANCE_MAX_FILE_MB er 'lots' (forventet: et antal megabyte)"
    monkeypatch.setenv("COMPLIANCE_REPORT_LANGUAGE", "en")
    english = CliRunner().invoke(main, ["report"])
    assert english.output.strip() == "Error: COMPLIANCE_MAX_FILE_MB is 'lots' (expected a number of megabytes)"
    # A language setting that is itself wrong is refused in Danish, the default.
    monkeypatch.setenv("COMPLIANCE_REPORT_LANGUAGE", "fr")
    assert CliRunner().invoke(main, ["report"]).output.startswith("Fejl: COMPLIANCE_MAX_FILE_MB er 'lots'")


def test_a_contract_year_that_does_not_exist_names_the_contract() -> None:
    contract = contract_from_data(
        {
            "id": "KK-TEST-1",
            "name": "Test contract",
            "buyer": {"name": "Buyer"},
            "supplier": {"name": "Supplier A/S", "cvr": "12345678"},
            "period": {"start": "2024-01-01", "end": "2025-12-31"},
        },
        "contracts/kk-test-1.yaml",
    )
    with pytest.raises(ContractTermsError) as raised:
        contract.year(3)
    assert raised.value.contract == "KK-TEST-1"
    assert str(raised.value) == "contracts/kk-test-1.yaml: no contract year 3 (expected a year from 1 to 2) [contract KK-TEST-1]"


# --- the Airflow task helper -------------------------------------------------------------------


def test_a_terminal_error_fails_the_task_at_once_with_its_text(tmp_path: Path) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")

    @fail_at_once_on_terminal_errors
    def load_terms(path: Path) -> str:
        """A task body that reads a contract file."""
        return load_contract(path).id

    with pytest.raises(AirflowFailException) as raised:
        load_terms(broken)
    assert isinstance(raised.value.__cause__, ContractTermsError)
    assert str(raised.value).startswith(f"ContractTermsError: {broken}: line ")
    assert "not valid YAML" in str(raised.value)
    # The task keeps its name, docstring and signature, which Airflow reads for task id, doc and context.
    assert load_terms.__name__ == "load_terms" and load_terms.__doc__ == "A task body that reads a contract file."


def test_a_transient_or_foreign_error_is_left_to_the_task_retries() -> None:
    from airflow.sdk.exceptions import AirflowFailException

    busy = DatabaseUnavailableError("the database cannot be used now: database is locked", file="sqlite:///x.db")
    unknown = RuntimeError("a bug")

    @fail_at_once_on_terminal_errors
    def body(error: BaseException | None, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        if error is not None:
            raise error
        return params

    with pytest.raises(DatabaseUnavailableError) as raised:
        body(busy)
    assert raised.value is busy and not isinstance(raised.value, AirflowFailException)
    with pytest.raises(RuntimeError) as other:
        body(unknown)
    assert other.value is unknown
    assert body(None, params={"contract": "KK-1"}) == {"contract": "KK-1"}


def test_the_helper_keeps_what_airflow_injects_into_a_task() -> None:
    from airflow.sdk import dag, task

    @task
    @fail_at_once_on_terminal_errors
    def assess(contract_id: str, params: dict[str, Any] | None = None) -> str:
        return contract_id

    @dag(dag_id="helper_signature", schedule=None)
    def helper_signature() -> None:
        assess.expand(contract_id=["KK-1", "KK-2"])

    assert helper_signature().get_task("assess").is_mapped
    # Airflow reads the body's parameters to pass the context (``params``) and check ``expand``.
    assert list(inspect.signature(assess.function).parameters) == ["contract_id", "params"]
    with pytest.raises(TypeError, match="contract"):
        assess.expand(contracts=["KK-1"])


# --- the database ------------------------------------------------------------------------------


@pytest.fixture
def impatient_engine(tmp_path: Path) -> Iterator[tuple[Engine, Path]]:
    """A SQLite engine that waits 0.1 s (not 30 s) for another writer's lock."""
    path = tmp_path / "compliance.db"
    engine = make_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=100"))
    with session_scope(engine) as session:
        session.execute(text("CREATE TABLE sample (value INTEGER)"))
    yield engine, path
    engine.dispose()


def test_a_locked_sqlite_database_is_a_transient_error_naming_the_database(impatient_engine: tuple[Engine, Path]) -> None:
    engine, path = impatient_engine
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another run's writing stage
    try:
        with pytest.raises(DatabaseUnavailableError) as raised, session_scope(engine) as session:
            session.execute(text("INSERT INTO sample VALUES (1)"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert raised.value.transient and isinstance(raised.value.__cause__, OperationalError)
    assert raised.value.file == f"sqlite:///{path}"
    assert "database is locked" in str(raised.value)
    with session_scope(engine) as session:  # the lock is gone: the same work succeeds
        session.execute(text("INSERT INTO sample VALUES (1)"))


def test_sql_and_schema_mistakes_are_not_taken_for_a_busy_database(impatient_engine: tuple[Engine, Path]) -> None:
    engine, _ = impatient_engine
    with pytest.raises(OperationalError, match="no such table"), session_scope(engine) as session:
        session.execute(text("SELECT * FROM missing"))
    with pytest.raises(OperationalError, match="syntax error"), session_scope(engine) as session:
        session.execute(text("SELEC 1"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_database_server_is_transient_and_its_password_stays_hidden() -> None:
    engine = make_engine(f"postgresql+psycopg://compliance:s3cret@127.0.0.1:{_free_port()}/compliance?connect_timeout=5")
    try:
        with pytest.raises(DatabaseUnavailableError) as raised, session_scope(engine) as session:
            session.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert "s3cret" not in str(raised.value) and "compliance:***@127.0.0.1" in str(raised.value)
    assert "refused" in str(raised.value).lower()


def test_a_database_url_that_cannot_work_is_a_terminal_settings_error() -> None:
    with pytest.raises(SettingsError, match="not a database URL"):
        make_engine("compliance.db")
    with pytest.raises(SettingsError, match="'mysqlx'") as raised:
        make_engine("mysqlx://user:pw@host/db")
    assert "pw" not in str(raised.value)


# --- SMTP ---------------------------------------------------------------------------------------


class _Refusing:
    """An aiosmtpd handler that answers the recipient or the message with a fixed reply."""

    def __init__(self, rcpt_reply: str | None, data_reply: str) -> None:
        self.rcpt_reply, self.data_reply = rcpt_reply, data_reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.data_reply


def _send_to(handler: _Refusing) -> BaseException:
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.sendmail("indkob@kk.example", ["supplier@example.com"], "Subject: notice\r\n\r\nbody")
    except (OSError, smtplib.SMTPException) as error:
        return error
    finally:
        controller.stop()
    raise AssertionError("the server accepted the message")


def test_smtp_4xx_replies_and_refused_connections_are_temporary_5xx_replies_are_not() -> None:
    assert temporary_send_failure(_send_to(_Refusing(None, "451 4.3.0 Try again later")))
    assert temporary_send_failure(_send_to(_Refusing("450 4.2.1 Mailbox busy", "250 OK")))
    assert not temporary_send_failure(_send_to(_Refusing("550 5.1.1 No such user", "250 OK")))
    assert not temporary_send_failure(_send_to(_Refusing(None, "554 5.7.1 Rejected")))
    with pytest.raises(ConnectionRefusedError) as refused:
        smtplib.SMTP("127.0.0.1", _free_port(), timeout=5)
    assert temporary_send_failure(refused.value)
    assert temporary_send_failure(TimeoutError("timed out"))
    assert temporary_send_failure(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert not temporary_send_failure(smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed"))
    assert not temporary_send_failure(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))


def _outcome(outcome: str, temporary: bool = False) -> DeliveryOutcome:
    notice = WrittenNotice(
        notice_id=1,
        contract_id="KK-1",
        contract_year=1,
        supplier_cvr="12345678",
        supplier_name="Leverandør A/S",
        recipient="a@example.com",
        reply_to=None,
        discrepancies=1,
        deadline=date(2026, 12, 1),
        content_sha256="0" * 64,
        letter_sha256="1" * 64,
        html=Path("notice.html"),
        pdf=Path("notice.pdf"),
        subject="Meddelelse",
        body="",
    )
    return DeliveryOutcome(notice, outcome, f"{outcome} detail", temporary)


def test_failed_deliveries_are_transient_only_when_every_failure_was_temporary() -> None:
    assert delivery_error([_outcome("sent"), _outcome("already_sent")]) is None
    waiting = delivery_error([_outcome("sent"), _outcome("failed", temporary=True)])
    assert isinstance(waiting, TemporaryNoticeDeliveryError) and waiting.transient
    assert str(waiting).startswith("1 of 2 notice(s) could not be sent: failed detail")
    lasting = delivery_error([_outcome("failed", temporary=True), _outcome("failed")])
    assert isinstance(lasting, NoticeDeliveryError) and not lasting.transient
    assert str(lasting).startswith("2 of 2 notice(s) could not be sent")


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "-inf", "1e308", "1e-9", "0"])
def test_a_file_size_limit_that_is_no_number_of_megabytes_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COMPLIANCE_MAX_FILE_MB", value)
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 1 and result.output.startswith(f"Fejl: COMPLIANCE_MAX_FILE_MB er '{value}'"), result.output


@pytest.mark.parametrize(
    "command",
    [
        ["hearing", "show", "--contract", "KK-2024-0117", "--year", "99999999999999999999"],
        ["hearing", "comment", "--contract", "KK-2024-0117", "--year", "0", "--text", "x"],
        ["quarantine", "dismiss", "99999999999999999999", "--reason", "x"],
        ["portfolio", "--year", "10000"],
    ],
)
def test_a_number_out_of_range_is_a_usage_error_not_an_overflow(command: list[str]) -> None:
    """A contract year beyond any contract, a row id beyond 64 bits, a calendar year past 9999: refused
    by the option before the database driver or the date library overflows."""
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2 and "is not in the range" in result.output, (result.output, result.exception)


def test_a_mail_server_setting_is_refused_in_danish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_SMTP_HOST", "mail.example")
    monkeypatch.setenv("COMPLIANCE_SMTP_FROM", "indkob@kk.example")
    monkeypatch.setenv("COMPLIANCE_SMTP_PORT", "99999")
    with pytest.raises(SettingsError) as caught:
        smtp_settings_from_env()
    assert str(caught.value) == "COMPLIANCE_SMTP_PORT is '99999' (expected a port number from 1 to 65535)"
    assert render_error(caught.value, "da") == "COMPLIANCE_SMTP_PORT er '99999' (forventet: et portnummer fra 1 til 65535)"


def test_a_notices_outcome_reads_in_the_readers_language_and_a_mail_servers_words_as_they_came() -> None:
    notice = cast(WrittenNotice, object())  # the outcome's words do not read the notice
    sent = DeliveryOutcome.of(notice, "sent", N_("sent to {recipient} via {host}"), recipient="a@b.example", host="mail.kk")
    assert sent.detail == "sent to a@b.example via mail.kk"  # the English the DAG's log keeps
    assert sent.detail_in("da") == "sendt til a@b.example via mail.kk"
    refused = DeliveryOutcome(notice, "failed", "550 5.1.1 mailbox unavailable {x}")
    assert refused.detail_in("da") == "550 5.1.1 mailbox unavailable {x}"
    assert hash(sent) == hash(
        DeliveryOutcome.of(notice, "sent", N_("sent to {recipient} via {host}"), recipient="a@b.example", host="mail.kk")
    )
