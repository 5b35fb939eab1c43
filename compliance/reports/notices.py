"""Supplier discrepancy notices: one letter per contract, year and supplier (HTML and PDF), and e-mail delivery.

A notice holds only findings whose contract *and* supplier CVR are the contract's own, so no
supplier ever sees another supplier's documents. Each notice is a ``Notice`` row (kind
``discrepancies``) whose deadline is set when its content first appears and moves only when the
content changes; each e-mail attempt is a ``NoticeDelivery`` row.
"""

from __future__ import annotations

import errno
import hashlib
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from compliance.assessment.outcomes import green_outcome
from compliance.base.errors import NoticeDeliveryError, ReportError, SettingsError, TemporaryNoticeDeliveryError
from compliance.contracts import ContractTerms
from compliance.reports.annual import finding_view, report_environment, sorted_findings
from compliance.reports.language import Language
from compliance.reports.pdf import pdf_available, write_pdf
from compliance.store.db import session_scope
from compliance.store.models import Finding, Notice, NoticeDelivery, SourceFile

NOTICE_KIND = "discrepancies"


def notice_stem(contract_id: str, year: int, supplier_cvr: str) -> str:
    """``notice-<contract>-<year>-<supplier CVR>``: the file name says what the letter is."""
    return f"notice-{contract_id}-{year}-{supplier_cvr}"


@dataclass(frozen=True)
class WrittenNotice:
    """One notice on disk and in the database."""

    notice_id: int
    contract_id: str
    contract_year: int
    supplier_cvr: str
    supplier_name: str
    recipient: str | None
    reply_to: str | None
    discrepancies: int
    deadline: date
    content_sha256: str
    html: Path
    pdf: Path | None
    subject: str
    body: str


def _content_hash(findings: Sequence[Finding], penalty: Decimal | None) -> str:
    digest = hashlib.sha256()
    for fingerprint in sorted(f.fingerprint for f in findings):
        digest.update(fingerprint.encode())
    digest.update(str(penalty).encode())
    return digest.hexdigest()


def write_notices(
    engine: Engine,
    contracts: Sequence[ContractTerms],
    out_dir: Path,
    lang: Language,
    contract_id: str | None = None,
    year: int | None = None,
    today: date | None = None,
) -> list[WrittenNotice]:
    """Write a notice (HTML, and PDF when WeasyPrint can) for every contract year with discrepancies."""
    today = today or date.today()
    environment = report_environment(lang)
    generated = datetime.now(UTC)
    make_pdf = pdf_available() is None
    written: list[WrittenNotice] = []
    with session_scope(engine, exclusive=True) as session:
        for contract in contracts:
            if contract_id and contract.id != contract_id:
                continue
            # Only this contract's findings about this contract's supplier: never another supplier's data.
            findings = session.scalars(
                select(Finding).where(Finding.contract_id == contract.id, Finding.supplier_cvr == contract.supplier_cvr)
            ).all()
            for number in sorted({f.contract_year for f in findings if f.contract_year is not None}):
                if year and number != year:
                    continue
                year_findings = sorted_findings([f for f in findings if f.contract_year == number])
                sources = {
                    s.id: s
                    for s in session.scalars(
                        select(SourceFile).where(SourceFile.id.in_([f.source_file_id for f in year_findings if f.source_file_id]))
                    )
                }
                green = green_outcome(session, contract.id, number)
                penalty = green.penalty_total if green is not None and green.status == "short" else None
                content = _content_hash(year_findings, penalty)
                notice = session.scalars(
                    select(Notice).where(
                        Notice.contract_id == contract.id, Notice.contract_year == number, Notice.kind == NOTICE_KIND
                    )
                ).first()
                if notice is None or notice.content_sha256 != content:
                    if notice is None:
                        notice = Notice(contract_id=contract.id, contract_year=number, kind=NOTICE_KIND)
                        session.add(notice)
                    notice.supplier_cvr = contract.supplier_cvr
                    notice.status = "written"
                    notice.proposed_penalty = penalty
                    notice.deadline = today + timedelta(days=contract.hearing_days)
                    notice.created_at = generated
                    notice.content_sha256 = content
                assert notice.deadline is not None
                stem = notice_stem(contract.id, number, contract.supplier_cvr)
                contract_year = contract.year(number)
                reply_to = contract.buyer_contact_email
                html = environment.get_template("notice.html.j2").render(
                    contract=contract,
                    year=contract_year,
                    discrepancies=[finding_view(f, sources.get(f.source_file_id or -1), lang) for f in year_findings],
                    penalty=penalty,
                    deadline=notice.deadline,
                    issued=notice.created_at.date(),
                    contact=reply_to or contract.buyer_name,
                    generated=generated,
                )
                folder = out_dir / "notices"
                folder.mkdir(parents=True, exist_ok=True)
                html_path = folder / f"{stem}.html"
                html_path.write_text(html, encoding="utf-8")
                pdf_path = write_pdf(html, folder / f"{stem}.pdf") if make_pdf else None
                notice.path = str(pdf_path or html_path)
                session.flush()
                subject = (
                    f"{lang.say('notice')} — {lang.say('contract').lower()} {contract.id}, {lang.say('contract_year')} {number}"
                )
                body = "\n\n".join(
                    [
                        lang.say(
                            "notice_regarding",
                            contract=contract.id,
                            year=number,
                            start=lang.date(contract_year.start),
                            end=lang.date(contract_year.end),
                        ),
                        lang.say("notice_intro", count=len(year_findings)),
                        lang.say(
                            "notice_respond_text", contact=reply_to or contract.buyer_name, deadline=lang.date(notice.deadline)
                        ),
                        f"{lang.say('notice_sign')}\n{contract.buyer_contact_name or ''}\n{contract.buyer_name}".replace(
                            "\n\n", "\n"
                        ),
                    ]
                )
                written.append(
                    WrittenNotice(
                        notice_id=notice.id,
                        contract_id=contract.id,
                        contract_year=number,
                        supplier_cvr=contract.supplier_cvr,
                        supplier_name=contract.supplier_name,
                        recipient=contract.supplier_email,
                        reply_to=reply_to,
                        discrepancies=len(year_findings),
                        deadline=notice.deadline,
                        content_sha256=content,
                        html=html_path,
                        pdf=pdf_path,
                        subject=subject,
                        body=body,
                    )
                )
    return written


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server. From the environment (``COMPLIANCE_SMTP_*``) or an Airflow connection."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    ssl: bool = False
    timeout_seconds: float = 30.0


def _flag(value: str | None, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} is {value!r}", expected="true or false")


def _port(value: str | int | None, name: str, default: int) -> int:
    try:
        port = int(value) if value not in (None, "") else default
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} is {value!r}", expected="a port number") from exc
    if not 0 < port < 65536:
        raise SettingsError(f"{name} is {value!r}", expected="a port number from 1 to 65535")
    return port


def smtp_settings_from_env(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """``None`` when ``COMPLIANCE_SMTP_HOST`` is not set; errors name the variable that is wrong."""
    env = os.environ if environ is None else environ
    host = env.get("COMPLIANCE_SMTP_HOST", "").strip()
    if not host:
        return None
    sender = env.get("COMPLIANCE_SMTP_FROM", "").strip()
    if "@" not in sender:
        raise SettingsError(f"COMPLIANCE_SMTP_FROM is {sender!r}", expected="the sender's e-mail address")
    use_ssl = _flag(env.get("COMPLIANCE_SMTP_SSL"), "COMPLIANCE_SMTP_SSL", False)
    return SmtpSettings(
        host=host,
        port=_port(env.get("COMPLIANCE_SMTP_PORT"), "COMPLIANCE_SMTP_PORT", 465 if use_ssl else 587),
        sender=sender,
        username=env.get("COMPLIANCE_SMTP_USER") or None,
        password=env.get("COMPLIANCE_SMTP_PASSWORD") or None,
        starttls=_flag(env.get("COMPLIANCE_SMTP_STARTTLS"), "COMPLIANCE_SMTP_STARTTLS", not use_ssl),
        ssl=use_ssl,
    )


def smtp_settings_from_connection(
    host: str | None, port: int | None, login: str | None, password: str | None, extra: Mapping[str, Any]
) -> SmtpSettings:
    """Settings from an Airflow SMTP connection's fields (``extra``: ``from``, ``starttls``, ``ssl``)."""
    if not host:
        raise SettingsError("the SMTP connection has no host", expected="the mail server's host name")
    sender = str(extra.get("from") or extra.get("from_email") or "")
    if "@" not in sender:
        raise SettingsError("the SMTP connection's extra has no 'from' address", expected='{"from": "name@domain"}')
    use_ssl = _flag(str(extra["ssl"]) if "ssl" in extra else None, "extra.ssl", False)
    return SmtpSettings(
        host=host,
        port=_port(port, "port", 465 if use_ssl else 587),
        sender=sender,
        username=login or None,
        password=password or None,
        starttls=_flag(str(extra["starttls"]) if "starttls" in extra else None, "extra.starttls", not use_ssl),
        ssl=use_ssl,
    )


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one notice: ``sent``, ``failed``, ``already_sent``, ``no_recipient`` or ``dry_run``.

    ``temporary``: a failure that may pass by itself (see :func:`temporary_send_failure`).
    """

    notice: WrittenNotice
    outcome: str
    detail: str
    temporary: bool = False


# Socket errors that say the server or the network is not there now, not that a setting is wrong.
_TEMPORARY_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ENETUNREACH, errno.EHOSTUNREACH})


def temporary_send_failure(error: BaseException) -> bool:
    """Whether sending again later may succeed: a 4xx reply (RFC 5321 §4.2.1: "transient negative
    completion"), a refused, reset or dropped connection, or a timeout. A 5xx reply (address or login
    refused), a TLS or host-name failure and anything else is lasting: a person must look first."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected | TimeoutError | ConnectionError):
        return True
    return isinstance(error, OSError) and not isinstance(error, ssl.SSLError) and error.errno in _TEMPORARY_ERRNOS


def delivery_error(outcomes: Sequence[DeliveryOutcome]) -> NoticeDeliveryError | TemporaryNoticeDeliveryError | None:
    """The error to raise when some notices could not be sent, ``None`` when none failed.

    Transient (:class:`TemporaryNoticeDeliveryError`) only when every failure was temporary; one
    lasting failure makes it terminal (:class:`NoticeDeliveryError`). Every attempt is already recorded.
    """
    failed = [outcome for outcome in outcomes if outcome.outcome == "failed"]
    if not failed:
        return None
    message = f"{len(failed)} of {len(outcomes)} notice(s) could not be sent: " + "; ".join(o.detail for o in failed)
    if all(outcome.temporary for outcome in failed):
        return TemporaryNoticeDeliveryError(
            message, expected="the mail server to accept mail again; notices already sent are not sent twice"
        )
    return NoticeDeliveryError(message, expected="a mail server, login and supplier addresses that accept the notices")


def _message(notice: WrittenNotice, smtp: SmtpSettings, attachment: bytes) -> EmailMessage:
    assert notice.recipient is not None and notice.pdf is not None
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = smtp.sender
    message["To"] = notice.recipient
    if notice.reply_to:
        message["Reply-To"] = notice.reply_to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rsplit("@", 1)[1])
    message.set_content(notice.body)
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename=notice.pdf.name)
    return message


def _send(message: EmailMessage, smtp: SmtpSettings) -> None:
    if smtp.ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with client:
        if smtp.starttls and not smtp.ssl:
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


def deliver_notices(
    engine: Engine,
    notices: Sequence[WrittenNotice],
    smtp: SmtpSettings | None,
    dry_run: bool = False,
    resend: bool = False,
) -> list[DeliveryOutcome]:
    """E-mail each notice's PDF to the supplier and record every attempt; a dry run only reports.

    A notice whose content was already sent to the same address is not sent again unless ``resend``.
    One failed send is recorded and the others go on.
    """
    if not dry_run and smtp is None:
        raise ReportError(
            "no mail server is configured",
            expected="COMPLIANCE_SMTP_HOST and COMPLIANCE_SMTP_FROM (or an Airflow SMTP connection), or --dry-run",
        )
    outcomes: list[DeliveryOutcome] = []
    for notice in notices:
        if not notice.recipient:
            outcomes.append(DeliveryOutcome(notice, "no_recipient", "the contract terms have no supplier.email"))
            continue
        if dry_run:
            outcomes.append(DeliveryOutcome(notice, "dry_run", f"would send {notice.pdf or notice.html} to {notice.recipient}"))
            continue
        assert smtp is not None
        if notice.pdf is None:
            raise ReportError(f"cannot e-mail {notice.html.name}: {pdf_available()}", file=str(notice.html))
        # One writer at a time from the check to the record, so two runs never send the same notice twice.
        with session_scope(engine, exclusive=True) as session:
            previous = session.scalars(
                select(NoticeDelivery).where(
                    NoticeDelivery.notice_id == notice.notice_id,
                    NoticeDelivery.recipient == notice.recipient,
                    NoticeDelivery.content_sha256 == notice.content_sha256,
                    NoticeDelivery.status == "sent",
                )
            ).first()
            if previous is not None and not resend:
                outcomes.append(
                    DeliveryOutcome(
                        notice, "already_sent", f"sent to {notice.recipient} on {previous.attempted_at:%Y-%m-%d %H:%M} UTC"
                    )
                )
                continue
            attachment = notice.pdf.read_bytes()
            message = _message(notice, smtp, attachment)
            error: str | None = None
            temporary = False
            try:
                _send(message, smtp)
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                temporary = temporary_send_failure(exc)
            session.add(
                NoticeDelivery(
                    notice_id=notice.notice_id,
                    attempted_at=datetime.now(UTC),
                    recipient=notice.recipient,
                    sender=smtp.sender,
                    smtp_host=f"{smtp.host}:{smtp.port}",
                    message_id=str(message["Message-ID"]),
                    attachment_name=notice.pdf.name,
                    attachment_sha256=hashlib.sha256(attachment).hexdigest(),
                    content_sha256=notice.content_sha256,
                    status="failed" if error else "sent",
                    error=error,
                )
            )
            if error is None:
                stored = session.get(Notice, notice.notice_id)
                if stored is not None:
                    stored.status = "sent"
        outcomes.append(
            DeliveryOutcome(
                notice, "failed" if error else "sent", error or f"sent to {notice.recipient} via {smtp.host}", temporary
            )
        )
    return outcomes
