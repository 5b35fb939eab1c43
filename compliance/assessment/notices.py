"""Supplier discrepancy notices as records: what each notice holds, its deadline, and every e-mail attempt.

A notice holds only findings whose contract *and* supplier CVR are the contract's own, so no
supplier ever sees another supplier's documents. Each notice is a ``Notice`` row (kind
``discrepancies``) whose deadline is set when its content first appears — its findings' identities
and the penalty — and moves only when that changes (a finding added or gone, a new penalty), never
when a text is reworded. Each e-mail attempt is a ``NoticeDelivery`` row that records the letter it
sent (``letter_hash``: identities, message keys and parameters, expected and received, penalty), so
a letter whose figures changed is sent again, with its deadline kept. The letters themselves are
written by ``compliance.reports.notices``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.assessment.hearing import DECIDED_STATES, hearing_notice
from compliance.assessment.outcomes import green_outcome
from compliance.assessment.results import StoredFinding, supplier_findings
from compliance.contracts import ContractTerms
from compliance.store.models import Notice, NoticeDelivery

NOTICE_KIND = "discrepancies"


@dataclass(frozen=True)
class PenaltyDecision:
    """The contract manager's decision on the year's penalty, which a letter states instead of the proposal."""

    status: str  # confirmed | reduced | waived
    amount: Decimal
    decided_on: date


@dataclass(frozen=True)
class DiscrepancyNotice:
    """One contract year's notice to its supplier: the findings it holds, the penalty it names, its deadline."""

    notice_id: int
    contract_id: str
    contract_year: int
    supplier_cvr: str
    findings: tuple[StoredFinding, ...]
    penalty: Decimal | None  # the proposed §2.1 penalty when the year fell short
    decision: PenaltyDecision | None  # once decided, the letter is a decision letter
    deadline: date
    issued: date
    content_sha256: str
    letter_sha256: str


def content_hash(findings: Sequence[StoredFinding], penalty: Decimal | None) -> str:
    """What the notice says, as a hash: its findings' identities and the penalty (a new hash moves the deadline)."""
    digest = hashlib.sha256()
    for fingerprint in sorted(f.fingerprint for f in findings):
        digest.update(fingerprint.encode())
    digest.update(str(penalty).encode())
    return digest.hexdigest()


# Parameters that say when a check ran, not what it found: a letter is not new because of them.
RUN_PARAMS = frozenset({"as_of"})


def letter_hash(findings: Sequence[StoredFinding], penalty: Decimal | None, decision: PenaltyDecision | None = None) -> str:
    """What the letter says, as a hash: each finding's identity, message key and parameters (without the
    run date), expected and received, the penalty and the decision on it. A letter with a new hash is
    sent again, so a decision reaches the supplier once, as a decision letter."""
    digest = hashlib.sha256()
    for finding in sorted(findings, key=lambda f: f.fingerprint):
        params = {name: value for name, value in finding.message_params.items() if name not in RUN_PARAMS}
        part = [finding.fingerprint, finding.message_key, params, finding.expected, finding.received]
        digest.update(json.dumps(part, sort_keys=True, default=str, ensure_ascii=False).encode())
    digest.update(str(penalty).encode())
    if decision is not None:
        digest.update(f"{decision.status} {decision.amount} {decision.decided_on.isoformat()}".encode())
    return digest.hexdigest()


def penalty_decision(session: Session, contract_id: str, year: int) -> PenaltyDecision | None:
    """The decision on the year's hearing, if the contract manager has made one (and not reopened it)."""
    hearing = hearing_notice(session, contract_id, year)
    if hearing is None or hearing.status not in DECIDED_STATES or hearing.decided_penalty is None:
        return None
    assert hearing.decided_at is not None
    return PenaltyDecision(hearing.status, hearing.decided_penalty, hearing.decided_at.date())


def discrepancy_notices(
    session: Session, contract: ContractTerms, today: date, now: datetime, year: int | None = None
) -> list[DiscrepancyNotice]:
    """The notice of every contract year (or of ``year``) with discrepancies, stored with its deadline.

    A notice whose content is new or changed gets ``today + hearing days`` as its deadline and
    ``now`` as its date; an unchanged one keeps both.
    """
    # Only this contract's findings about this contract's supplier: never another supplier's data.
    findings = supplier_findings(session, contract.id, contract.supplier_cvr)
    notices: list[DiscrepancyNotice] = []
    for number in sorted({f.contract_year for f in findings if f.contract_year is not None}):
        if year and number != year:
            continue
        year_findings = tuple(f for f in findings if f.contract_year == number)
        green = green_outcome(session, contract.id, number)
        penalty = green.penalty_total if green is not None and green.status == "short" else None
        decision = penalty_decision(session, contract.id, number)
        content = content_hash(year_findings, penalty)
        notice = session.scalars(
            select(Notice).where(Notice.contract_id == contract.id, Notice.contract_year == number, Notice.kind == NOTICE_KIND)
        ).first()
        if notice is None or notice.content_sha256 != content:
            if notice is None:
                notice = Notice(contract_id=contract.id, contract_year=number, kind=NOTICE_KIND)
                session.add(notice)
            notice.supplier_cvr = contract.supplier_cvr
            notice.status = "written"
            notice.proposed_penalty = penalty
            notice.deadline = today + timedelta(days=contract.hearing_days)
            notice.created_at = now
            notice.content_sha256 = content
        session.flush()
        assert notice.deadline is not None
        notices.append(
            DiscrepancyNotice(
                notice_id=notice.id,
                contract_id=contract.id,
                contract_year=number,
                supplier_cvr=contract.supplier_cvr,
                findings=year_findings,
                penalty=penalty,
                decision=decision,
                deadline=notice.deadline,
                issued=notice.created_at.date(),
                content_sha256=content,
                letter_sha256=letter_hash(year_findings, penalty, decision),
            )
        )
    return notices


def record_notice_file(session: Session, notice_id: int, path: str) -> None:
    """Where the notice's letter was written (its PDF, else its HTML)."""
    notice = session.get(Notice, notice_id)
    if notice is not None:
        notice.path = path
        session.flush()


def sent_before(session: Session, notice_id: int, recipient: str, content_sha256: str, letter_sha256: str) -> datetime | None:
    """When this letter was sent to this address, if it was (a delivery from before revision 0011, which
    recorded no letter hash, counts for the content it recorded)."""
    same_letter = NoticeDelivery.letter_sha256 == letter_sha256
    same_content_before_letters = NoticeDelivery.letter_sha256.is_(None) & (NoticeDelivery.content_sha256 == content_sha256)
    previous = session.scalars(
        select(NoticeDelivery).where(
            NoticeDelivery.notice_id == notice_id,
            NoticeDelivery.recipient == recipient,
            same_letter | same_content_before_letters,
            NoticeDelivery.status == "sent",
        )
    ).first()
    return None if previous is None else previous.attempted_at


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt to e-mail a notice: to whom, through which server, which PDF, and the error if it failed."""

    notice_id: int
    attempted_at: datetime
    recipient: str
    sender: str
    smtp_host: str
    message_id: str
    attachment_name: str
    attachment_sha256: str
    content_sha256: str
    letter_sha256: str
    error: str | None


def record_delivery(session: Session, attempt: DeliveryAttempt) -> None:
    """Store the attempt; a notice that went out is ``sent``."""
    session.add(
        NoticeDelivery(
            notice_id=attempt.notice_id,
            attempted_at=attempt.attempted_at,
            recipient=attempt.recipient,
            sender=attempt.sender,
            smtp_host=attempt.smtp_host,
            message_id=attempt.message_id,
            attachment_name=attempt.attachment_name,
            attachment_sha256=attempt.attachment_sha256,
            content_sha256=attempt.content_sha256,
            letter_sha256=attempt.letter_sha256,
            status="failed" if attempt.error else "sent",
            error=attempt.error,
        )
    )
    if attempt.error is None:
        stored = session.get(Notice, attempt.notice_id)
        if stored is not None:
            stored.status = "sent"
