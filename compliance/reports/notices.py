"""Supplier discrepancy notices: one letter per contract, year and supplier (HTML and PDF), and the e-mail.

The notice's content, deadline and delivery records are the assessment's
(``compliance.assessment.notices``): this module writes the letter a ``DiscrepancyNotice``
describes, and builds and sends the e-mail that carries it.
"""

from __future__ import annotations

import errno
import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from compliance.assessment.letters import FindingGroup, GroupKey
from compliance.assessment.notices import DiscrepancyNotice, PenaltyDecision
from compliance.assessment.results import StoredFinding
from compliance.base.errors import NoticeDeliveryError, SettingsError, TemporaryNoticeDeliveryError
from compliance.base.i18n import N_, translate
from compliance.contracts import ContractTerms
from compliance.reports.language import Language
from compliance.reports.pdf import PdfRenderer, pdf_available
from compliance.reports.statement import statement_name
from compliance.reports.views import FindingView, finding_view, finding_views, report_environment


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
    letter_sha256: str
    html: Path
    pdf: Path | None
    subject: str
    body: str
    statement_pdf: Path | None = None  # the penalty statement, attached when the letter names a penalty


@dataclass(frozen=True)
class GroupView:
    """A group of a letter as the template shows it: what it is about, what to do, its findings in words."""

    key: GroupKey
    name: str | None
    actions: tuple[str, ...]
    needs_correction: bool
    views: tuple[FindingView, ...]
    findings: tuple[StoredFinding, ...]


def group_views(groups: Sequence[FindingGroup], lang: Language, decision: PenaltyDecision | None = None) -> list[GroupView]:
    return [
        GroupView(
            g.key,
            g.name,
            g.actions,
            g.needs_correction,
            tuple(letter_finding_view(f, lang, decision) for f in g.findings),
            g.findings,
        )
        for g in groups
    ]


def letter_finding_view(finding: StoredFinding, lang: Language, decision: PenaltyDecision | None) -> FindingView:
    """A finding as a letter tells it. Once the year's penalty is decided, the year's shortfall says what
    was decided, not the proposal it was stored with ("proposed …, subject to the supplier's hearing")."""
    view = finding_view(finding, lang)
    if decision is None or finding.message_key != "green_vehicles.share":
        return view
    params = {
        **finding.message_params,
        "decision": lang.status(decision.status),
        "date": lang.date(decision.decided_on),
        "amount": str(decision.amount),
    }
    return replace(view, message=lang.message("green_vehicles.share_decided", params, view.message))


def evidence_kinds(contract: ContractTerms, lang: Language) -> str:
    """The kinds of documents the contract asks of its supplier, in words: invoices always; catalogues
    when it has label, categorisation or purchase-share terms; driving logs when it has green-vehicle
    terms. A letter names only these (the office supplier is never told about driving logs)."""
    kinds = [lang.say("evidence_invoices")]
    if contract.eco_labels or contract.categorisation is not None or contract.purchase_shares or contract.banned_items:
        kinds.append(lang.say("evidence_catalogues"))
    if contract.green_vehicles is not None:
        kinds.append(lang.say("evidence_driving_logs"))
    if len(kinds) == 1:
        return kinds[0]
    return f"{', '.join(kinds[:-1])} {lang.say('and')} {kinds[-1]}"


def _penalty_paragraph(notice: DiscrepancyNotice, lang: Language) -> list[str]:
    """The letter's word on the penalty: the decision once made, else the proposal, else nothing."""
    if notice.decision is not None:
        decision = notice.decision
        return [
            lang.say(
                "notice_decision",
                decision=lang.status(decision.status),
                amount=lang.money(decision.amount),
                date=lang.date(decision.decided_on),
            )
        ]
    return [] if notice.penalty is None else [lang.say("notice_penalty", amount=lang.money(notice.penalty))]


def write_notices(
    notices: Sequence[tuple[ContractTerms, DiscrepancyNotice]],
    out_dir: Path,
    lang: Language,
    generated: datetime,
    workers: int = 1,
) -> list[WrittenNotice]:
    """Write each notice into ``<out_dir>/notices`` (HTML, and PDF when WeasyPrint can), with its e-mail text;
    the PDFs are rendered by ``workers`` processes, and one whose content has not changed is not rendered again."""
    environment = report_environment(lang)
    make_pdf = pdf_available() is None
    pdfs = PdfRenderer(workers)
    written: list[WrittenNotice] = []
    for contract, notice in notices:
        number = notice.contract_year
        stem = notice_stem(contract.id, number, contract.supplier_cvr)
        contract_year = contract.year(number)
        reply_to = contract.buyer_contact_email
        # The penalty statement written beside the year's annual report goes with a letter that names a penalty.
        statement = out_dir / contract.id / f"{statement_name(contract.id, number)}.pdf"
        statement_pdf = statement if notice.penalty is not None and make_pdf and statement.is_file() else None
        html = environment.get_template("notice.html.j2").render(
            contract=contract,
            year=contract_year,
            discrepancies=finding_views(notice.findings, lang),
            groups=group_views(notice.groups, lang, notice.decision),
            earlier=notice.earlier,
            kinds=evidence_kinds(contract, lang),
            count=len(notice.findings),
            correction_deadline=notice.correction_deadline,
            corrections=any(group.needs_correction for group in notice.groups),
            penalty=notice.penalty,
            decision=notice.decision,
            statement_attached=statement_pdf is not None,
            deadline=notice.deadline,
            issued=notice.issued,
            contact=reply_to or contract.buyer_name,
            generated=generated,
        )
        folder = out_dir / "notices"
        folder.mkdir(parents=True, exist_ok=True)
        html_path = folder / f"{stem}.html"
        html_path.write_text(html, encoding="utf-8")
        pdf_path = pdfs.add(html, folder / f"{stem}.pdf") if make_pdf else None
        subject = f"{lang.say('notice')} — {lang.say('contract').lower()} {contract.id}, {lang.say('contract_year')} {number}"
        body = "\n\n".join(
            [
                lang.say(
                    "notice_regarding",
                    contract=contract.id,
                    year=number,
                    start=lang.date(contract_year.start),
                    end=lang.date(contract_year.end),
                ),
                lang.say("notice_intro_grouped", kinds=evidence_kinds(contract, lang), count=len(notice.findings))
                if notice.findings
                else lang.say("notice_nothing_new" if notice.earlier else "notice_none"),
                *[
                    lang.say("notice_earlier_text", year=letter.contract_year, date=lang.date(letter.letter_date))
                    for letter in notice.earlier
                ],
                *_penalty_paragraph(notice, lang),
                *([lang.say("notice_statement_attached")] if statement_pdf is not None else []),
                lang.say("notice_respond_text", contact=reply_to or contract.buyer_name, deadline=lang.date(notice.deadline)),
                *(
                    [f"{lang.say('notice_correction_deadline')}: {lang.date(notice.correction_deadline)}"]
                    if notice.correction_deadline is not None and any(group.needs_correction for group in notice.groups)
                    else []
                ),
                f"{lang.say('notice_sign')}\n{contract.buyer_contact_name or ''}\n{contract.buyer_name}".replace("\n\n", "\n"),
            ]
        )
        written.append(
            WrittenNotice(
                notice_id=notice.notice_id,
                contract_id=contract.id,
                contract_year=number,
                supplier_cvr=contract.supplier_cvr,
                supplier_name=contract.supplier_name,
                recipient=contract.supplier_email,
                reply_to=reply_to,
                discrepancies=len(notice.findings),
                deadline=notice.deadline,
                content_sha256=notice.content_sha256,
                letter_sha256=notice.letter_sha256,
                html=html_path,
                pdf=pdf_path,
                subject=subject,
                body=body,
                statement_pdf=statement_pdf,
            )
        )
    pdfs.finish()
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
    raise SettingsError(N_("{name} is {value}"), expected=N_("true or false"), values={"name": name, "value": repr(value)})


def _port(value: str | int | None, name: str, default: int) -> int:
    try:
        port = int(value) if value not in (None, "") else default
    except (TypeError, ValueError) as exc:
        raise SettingsError(
            N_("{name} is {value}"), expected=N_("a port number"), values={"name": name, "value": repr(value)}
        ) from exc
    if not 0 < port < 65536:
        raise SettingsError(
            N_("{name} is {value}"), expected=N_("a port number from 1 to 65535"), values={"name": name, "value": repr(value)}
        )
    return port


def smtp_settings_from_env(environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """``None`` when ``COMPLIANCE_SMTP_HOST`` is not set; errors name the variable that is wrong."""
    env = os.environ if environ is None else environ
    host = env.get("COMPLIANCE_SMTP_HOST", "").strip()
    if not host:
        return None
    sender = env.get("COMPLIANCE_SMTP_FROM", "").strip()
    if "@" not in sender:
        raise SettingsError(
            N_("{name} is {value}"),
            expected=N_("the sender's e-mail address"),
            values={"name": "COMPLIANCE_SMTP_FROM", "value": repr(sender)},
        )
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
    # ``detail`` as a catalog text and its values, for a person's language (``detail`` is the English the
    # logs keep); a mail server's own error has none and is shown as it came.
    template: str | None = None
    values: dict[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def of(cls, notice: WrittenNotice, outcome: str, template: str, **values: str) -> DeliveryOutcome:
        """An outcome whose detail is ``template`` (marked ``N_``) with ``values``."""
        return cls(notice, outcome, template.format(**values), template=template, values=values)

    def detail_in(self, lang: str) -> str:
        return self.detail if self.template is None else translate(self.template, lang).format(**self.values)


@dataclass(frozen=True)
class SendFailure:
    """Why the mail server did not take a notice, and whether trying again later may succeed."""

    error: str
    temporary: bool


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


def email_message(notice: WrittenNotice, smtp: SmtpSettings, attachment: bytes) -> EmailMessage:
    """The e-mail to the supplier: subject and text from the notice, its PDF attached, replies to the buyer."""
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
    if notice.statement_pdf is not None:
        message.add_attachment(
            notice.statement_pdf.read_bytes(), maintype="application", subtype="pdf", filename=notice.statement_pdf.name
        )
    return message


def send_email(message: EmailMessage, smtp: SmtpSettings) -> SendFailure | None:
    """Send through the mail server; why it failed, or ``None`` when it went out."""
    try:
        _send(message, smtp)
    except (OSError, smtplib.SMTPException) as exc:
        return SendFailure(f"{type(exc).__name__}: {exc}", temporary_send_failure(exc))
    return None


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
