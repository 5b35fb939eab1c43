"""Supplier notices: only the supplier's own data, what a supplier needs to answer, and SMTP delivery."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import select

from compliance.base.errors import ReportError, SettingsError, TemporaryNoticeDeliveryError
from compliance.base.settings import Settings
from compliance.cli import main
from compliance.pipeline import PipelineResult, send_supplier_notices, write_supplier_notices
from compliance.reports.notices import SmtpSettings, delivery_error, smtp_settings_from_connection, smtp_settings_from_env
from compliance.store.db import make_engine, session_scope
from compliance.store.models import Finding, Invoice, NoticeDelivery
from tests.reports.conftest import AS_OF

Run = tuple[Settings, PipelineResult]


class _Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _supplier_documents(settings: Settings) -> dict[str, set[str]]:
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        documents: dict[str, set[str]] = {}
        for cvr, number in session.execute(select(Invoice.supplier_cvr, Invoice.number)):
            documents.setdefault(cvr, set()).add(number)
    engine.dispose()
    return documents


@pytest.mark.slow
@pytest.mark.integration
def test_a_notice_holds_only_its_own_suppliers_data(sample_run: Run) -> None:
    settings, result = sample_run
    # A finding filed under the transport contract but about the office supplier must never reach Grøn Bud.
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        session.add(
            Finding(
                fingerprint="f" * 64,
                rule_id="eco_labels.missing_label@1",
                severity="high",
                contract_id="KK-2024-0117",
                contract_year=2,
                supplier_cvr="27614590",
                subject="",
                message_key="legacy.recorded_text",
                message_params={"text": "OTHER-SUPPLIER-SECRET invoice NK-2025-0005"},
                message="OTHER-SUPPLIER-SECRET invoice NK-2025-0005",
                evidence={"invoice": "NK-2025-0005"},
                created_at=datetime.now(UTC),
            )
        )
    engine.dispose()
    notices = write_supplier_notices(settings, today=AS_OF)
    assert {(n.contract_id, n.contract_year, n.supplier_cvr) for n in notices} == {
        ("KK-2024-0117", 1, "38451236"),
        ("KK-2024-0117", 2, "38451236"),
        ("KK-2024-0117", 3, "38451236"),  # year 3's silent months
        ("KK-2025-0042", 1, "27614590"),
        ("KK-2025-0042", 2, "27614590"),
    }
    documents = _supplier_documents(settings)
    names = {"38451236": "Grøn Bud ApS", "27614590": "Nordisk Kontorforsyning A/S"}
    for notice in notices:
        html = notice.html.read_text(encoding="utf-8")
        assert notice.html.name == f"notice-{notice.contract_id}-{notice.contract_year}-{notice.supplier_cvr}.html"
        assert names[notice.supplier_cvr] in html
        for cvr, numbers in documents.items():
            if cvr != notice.supplier_cvr:
                assert cvr not in html and names[cvr] not in html
                assert not [n for n in numbers if n in html], f"{notice.html.name} shows another supplier's documents"
        assert "OTHER-SUPPLIER-SECRET" not in html
    # Removing the planted finding leaves the shared run as it was.
    with session_scope(make_engine(settings.db_url)) as session:
        session.delete(session.scalars(select(Finding).where(Finding.fingerprint == "f" * 64)).one())
    assert len(result.notices) == 5  # year 3 of the transport contract: its silent months


@pytest.mark.slow
@pytest.mark.integration
def test_a_notice_says_what_was_found_where_and_how_to_answer(sample_run: Run, need_pdf: None, need_poppler: None) -> None:
    settings, _ = sample_run
    notices = {(n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, today=AS_OF)}
    transport = notices[("KK-2024-0117", 2)]
    assert transport.pdf is not None and transport.pdf.name == "notice-KK-2024-0117-2-38451236.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(transport.pdf), "-"], capture_output=True, text=True, check=True).stdout
    squashed = " ".join(text.split())
    assert "Meddelelse om uoverensstemmelser" in squashed and "DX18336" in squashed
    assert "Frist for bemærkninger 6. december 2026" in squashed
    assert "45.100,00 kr." in squashed  # the proposed penalty, with the hearing
    html = transport.html.read_text(encoding="utf-8")
    # Document and line (identifiers never wrap), grouped under the plate (issue 19 item 3).
    assert 'faktura <span class="ident">GB-202506</span>, linje <span class="ident">1</span>' in html
    assert 'Køretøj <span class="ident">DX18336</span>' in html
    assert "<td>varebil, diesel den 2025-06-03, ingen dokumentation for grønt drivmiddel</td>" in html  # received, in Danish
    assert "groen-transport@kk.example senest 6. december 2026" in html  # where to answer, by when
    office = notices[("KK-2025-0042", 1)].html.read_text(encoding="utf-8")
    assert "KUGLE-BLAA" in office and 'katalog <span class="ident">NK-KAT-2025</span>' in office and "13. december 2026" in office


@pytest.mark.slow
@pytest.mark.integration
def test_notices_are_emailed_with_the_pdf_and_every_send_is_recorded(
    sample_run: Run, smtp_server: tuple[_Inbox, int], need_pdf: None
) -> None:
    settings, _ = sample_run
    inbox, port = smtp_server
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="indkob@kk.example", starttls=False)
    notices = write_supplier_notices(settings, today=AS_OF)
    dry = send_supplier_notices(settings, notices, dry_run=True, smtp=smtp)
    assert {o.outcome for o in dry} == {"dry_run"} and not inbox.messages
    sent = send_supplier_notices(settings, notices, smtp=smtp)
    assert [o.outcome for o in sent] == ["sent"] * 5  # four years with findings, and transport year 3's silent months
    assert len(inbox.messages) == 5
    by_recipient = {rcpt[0]: message for _, rcpt, message in inbox.messages if rcpt}
    assert set(by_recipient) == {"kontrakt@gronbud.example", "kundeservice@nordiskkontor.example"}
    assert by_recipient["kontrakt@gronbud.example"]["Reply-To"] == "groen-transport@kk.example"
    for mail_from, recipients, message in inbox.messages:
        assert mail_from == "indkob@kk.example"
        attachment, *statement = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
        notice = next(n for n in notices if n.pdf is not None and n.pdf.name == attachment.get_filename())
        assert recipients == [notice.recipient]
        assert attachment.get_payload(decode=True) == notice.pdf.read_bytes()
        # The letter that proposes a penalty carries the penalty statement; the others do not.
        if (notice.contract_id, notice.contract_year) == ("KK-2024-0117", 2):
            assert notice.statement_pdf is not None and [part.get_filename() for part in statement] == [notice.statement_pdf.name]
            assert statement[0].get_payload(decode=True) == notice.statement_pdf.read_bytes()
        else:
            assert statement == [] and notice.statement_pdf is None
    again = send_supplier_notices(settings, notices, smtp=smtp)
    assert {o.outcome for o in again} == {"already_sent"} and len(inbox.messages) == 5
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        deliveries = session.scalars(select(NoticeDelivery)).all()
        assert len(deliveries) == 5 and {d.status for d in deliveries} == {"sent"}
        assert all(len(d.attachment_sha256) == 64 and d.message_id.startswith("<") for d in deliveries)
    # A server that is not there: each attempt fails, is recorded, and the others are still tried.
    down = SmtpSettings(host="127.0.0.1", port=_free_port(), sender="indkob@kk.example", starttls=False, timeout_seconds=5)
    failed = send_supplier_notices(settings, notices, resend=True, smtp=down)
    assert [o.outcome for o in failed] == ["failed"] * 5 and "ConnectionRefusedError" in failed[0].detail
    assert all(o.temporary for o in failed) and isinstance(delivery_error(failed), TemporaryNoticeDeliveryError)
    with session_scope(engine) as session:
        assert session.query(NoticeDelivery).filter(NoticeDelivery.status == "failed").count() == 5
    engine.dispose()


@pytest.mark.slow
@pytest.mark.integration
def test_the_cli_dry_run_writes_the_files_and_sending_needs_a_server(sample_run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, _ = sample_run
    for name, value in {
        "COMPLIANCE_DB_URL": settings.db_url,
        "COMPLIANCE_CONTRACTS_DIR": str(settings.contracts_dir),
        "COMPLIANCE_REPORTS_DIR": str(settings.reports_dir),
        "COMPLIANCE_INBOX": str(settings.inbox),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COMPLIANCE_SMTP_HOST", raising=False)
    runner = CliRunner()
    dry = runner.invoke(main, ["notices", "--dry-run", "--contract", "KK-2025-0042", "--year", "1"])
    assert dry.exit_code == 0, dry.output
    assert "ikke sendt (prøvekørsel): KK-2025-0042 kontraktår 1 Nordisk Kontorforsyning A/S (" in dry.output
    assert " uoverensstemmelse(r), frist " in dry.output and "— ville sende " in dry.output
    assert " til kundeservice@nordiskkontor.example" in dry.output
    english = runner.invoke(main, ["notices", "--dry-run", "--contract", "KK-2025-0042", "--year", "1", "--lang", "en"])
    assert "not sent (dry run): KK-2025-0042 year 1 Nordisk Kontorforsyning A/S (" in english.output
    assert "— would send " in english.output
    refused = runner.invoke(main, ["notices"])
    assert refused.exit_code == 1 and "Fejl: der er ikke sat en mailserver op" in refused.output


def test_smtp_settings_from_the_environment_and_from_an_airflow_connection() -> None:
    assert smtp_settings_from_env({}) is None
    settings = smtp_settings_from_env(
        {"COMPLIANCE_SMTP_HOST": "mail.kk.example", "COMPLIANCE_SMTP_FROM": "indkob@kk.example", "COMPLIANCE_SMTP_USER": "u"}
    )
    assert settings == SmtpSettings("mail.kk.example", 587, "indkob@kk.example", "u", None, True, False)
    with pytest.raises(SettingsError, match="COMPLIANCE_SMTP_PORT"):
        smtp_settings_from_env({"COMPLIANCE_SMTP_HOST": "h", "COMPLIANCE_SMTP_FROM": "a@b", "COMPLIANCE_SMTP_PORT": "x"})
    with pytest.raises(SettingsError, match="COMPLIANCE_SMTP_FROM"):
        smtp_settings_from_env({"COMPLIANCE_SMTP_HOST": "h"})
    connection = smtp_settings_from_connection("smtp.kk.example", 465, "user", "secret", {"from": "a@kk.example", "ssl": True})
    assert connection.ssl and not connection.starttls and connection.port == 465
    with pytest.raises(SettingsError, match="from"):
        smtp_settings_from_connection("smtp.kk.example", None, None, None, {})


@pytest.mark.slow
@pytest.mark.integration
def test_sending_without_a_server_is_refused_before_anything_is_recorded(sample_run: Run) -> None:
    settings, _ = sample_run
    notices = write_supplier_notices(settings, "KK-2025-0042", 2, today=AS_OF)
    with pytest.raises(ReportError, match="no mail server"):
        send_supplier_notices(settings, notices, smtp=None)


@pytest.mark.slow
@pytest.mark.integration
def test_the_deadline_moves_only_when_the_findings_change(sample_run: Run) -> None:
    settings, _ = sample_run
    first = write_supplier_notices(settings, "KK-2025-0042", 2, today=AS_OF)
    later = write_supplier_notices(settings, "KK-2025-0042", 2, today=date(2026, 12, 1))
    assert [n.deadline for n in later] == [n.deadline for n in first] == [date(2026, 12, 13)]
    engine = make_engine(settings.db_url)
    with session_scope(engine) as session:
        session.add(
            Finding(
                fingerprint="e" * 64,
                rule_id="banned_items.delivered@1",
                severity="high",
                contract_id="KK-2025-0042",
                contract_year=2,
                supplier_cvr="27614590",
                subject="",
                message_key="legacy.recorded_text",
                message_params={"text": "a new finding"},
                message="a new finding",
                evidence={},
                created_at=datetime.now(UTC),
            )
        )
    changed = write_supplier_notices(settings, "KK-2025-0042", 2, today=date(2026, 12, 1))
    assert [n.deadline for n in changed] == [date(2026, 12, 22)] and changed[0].content_sha256 != first[0].content_sha256
    with session_scope(engine) as session:
        session.delete(session.scalars(select(Finding).where(Finding.fingerprint == "e" * 64)).one())
    engine.dispose()


def test_an_unknown_report_language_is_refused_with_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.base.settings import load_settings

    monkeypatch.setenv("COMPLIANCE_REPORT_LANGUAGE", "de")
    with pytest.raises(SettingsError, match="COMPLIANCE_REPORT_LANGUAGE is 'de'.*da or en"):
        load_settings()
