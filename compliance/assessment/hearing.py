"""§2.1 hearing: a shortfall proposes a penalty; the supplier may comment before anything is imposed.

States: ``proposed`` → ``commented`` (the supplier's comment is recorded) → ``confirmed``,
``reduced`` or ``waived`` (the contract manager's decision), or ``withdrawn`` (a contract
manager's withdrawal, with a reason). A decision changes only by a contract manager's recorded
step with a reason: a correction (another decision or amount) or a reopening (back to
``commented``/``proposed``). Every step is a ``HearingEvent`` row that is never changed
afterwards, so the penalty statement can show the whole history.

Nothing later silently undoes a hearing (issue 16 item 3): when later data changes a year's
figures, the check records a recalculation step (``assessment_changed``, or
``assessment_changed_after_decision``) with the figures before and after and the documents whose
trip lines changed (:func:`recalculation`). An open proposal follows a changed penalty; a decision
stands; a shortfall that disappears leaves the proposal open until a contract manager withdraws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from compliance.assessment.outcomes import GreenVehicleOutcome, green_outcome
from compliance.base.errors import TerminalError
from compliance.base.formatting import Money, danish_date, danish_money, danish_number
from compliance.base.i18n import N_, Phrase
from compliance.base.text import character_code, control_character
from compliance.store.models import HearingEvent, Notice

OPEN_STATES = {"proposed", "commented"}
DECISIONS = {"confirm": "confirmed", "reduce": "reduced", "waive": "waived"}
DECIDED_STATES = frozenset(DECISIONS.values())
SYSTEM = "compliance check"


class HearingError(TerminalError):
    """A hearing step that is not allowed now (e.g. a decision before the supplier was heard)."""


def _now() -> datetime:
    return datetime.now(UTC)


ACTOR_MAX = 200  # the size of hearing_event.actor


def _event(
    notice: Notice, kind: str, actor: str, text: str | None, amount: Decimal | None, details: dict[str, Any] | None = None
) -> None:
    # What a person typed is checked as supplier files are: SQLite would keep a NUL or an overlong name,
    # PostgreSQL refuse it (issue 16, item 7).
    for name, value in ((N_("the name (--by)"), actor), (N_("the text"), text or "")):
        if (character := control_character(value)) is not None:
            raise HearingError(
                N_("{field} contains the control character {character}"),
                expected=N_("text without control characters (tab and line breaks are text)"),
                values={"field": Phrase(name), "character": character_code(character)},
            )
    if len(actor) > ACTOR_MAX:
        raise HearingError(
            N_("the name (--by) is {length} characters long"),
            expected=N_("at most {limit} characters"),
            values={"length": len(actor), "limit": ACTOR_MAX},
        )
    notice.events.append(
        HearingEvent(
            occurred_at=_now(), kind=kind, actor=actor, text=text, amount=amount, status_after=notice.status, details=details
        )
    )


FIGURES = ("green_trips", "total_trips", "green_km", "total_km", "shortfall_trips", "shortfall_km", "penalty_total")


@dataclass(frozen=True)
class Recalculation:
    """A year's §2.1 figures before and after a check, and the documents whose counted trip lines changed."""

    before: dict[str, str | None]
    after: dict[str, str | None]
    documents: tuple[dict[str, str], ...]

    def details(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "documents": list(self.documents)}

    def text(self) -> str:
        """The step in words (English, as the other recorded steps): what changed and which documents."""

        def figure(name: str, money: bool = False) -> str:
            old, new = self.before.get(name), self.after.get(name)
            show = (lambda v: danish_money(Decimal(v))) if money else (lambda v: danish_number(Decimal(v)))
            return f"{'–' if old is None else show(old)} → {'–' if new is None else show(new)}"

        parts = [
            f"green trips {figure('green_trips')}",
            f"all trips {figure('total_trips')}",
            f"trips short {figure('shortfall_trips')}",
            f"penalty {figure('penalty_total', money=True)}",
        ]
        if self.before.get("total_km") is not None or self.after.get("total_km") is not None:
            parts.insert(2, f"km {figure('green_km')} of {figure('total_km')}")
        documents = ", ".join(f"{d['document_type'].replace('_', ' ')} {d['invoice']} ({d['file']})" for d in self.documents)
        return "recalculated: " + "; ".join(parts) + f"; documents: {documents or 'none (the terms or the register changed)'}"


def _figures(outcome: GreenVehicleOutcome) -> dict[str, str | None]:
    values = {name: getattr(outcome, name) for name in FIGURES}
    return {name: None if value is None else str(value) for name, value in values.items()}


def recalculation(previous: GreenVehicleOutcome | None, current: GreenVehicleOutcome) -> Recalculation | None:
    """What changed between the stored outcome and the new one (None when no figure did)."""
    if previous is None or not previous.final:
        return None
    before, after = _figures(previous), _figures(current)
    if all(Decimal(before[n] or 0) == Decimal(after[n] or 0) and (before[n] is None) == (after[n] is None) for n in FIGURES):
        return None

    def lines(outcome: GreenVehicleOutcome) -> dict[tuple[str, str, str], list[tuple[str, str, str, str]]]:
        by_document: dict[tuple[str, str, str], list[tuple[str, str, str, str]]] = {}
        for line in outcome.trip_lines:
            key = (line.invoice, line.document_type, line.file)
            by_document.setdefault(key, []).append((line.line, line.kind, line.day.isoformat(), str(line.trips)))
        return {key: sorted(value) for key, value in by_document.items()}

    old, new = lines(previous), lines(current)
    changed = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    documents = tuple({"invoice": k[0], "document_type": k[1], "file": k[2]} for k in changed)
    return Recalculation(before, after, documents)


@dataclass(frozen=True)
class HearingStep:
    """One recorded step of a hearing: when, what, who, the amount it names and its text."""

    occurred_at: datetime
    kind: str
    actor: str
    text: str | None
    amount: Decimal | None


@dataclass(frozen=True)
class HearingRecord:
    """A hearing as reports, statements and the CLI read it: state, amounts, deadline and every step."""

    contract_id: str
    contract_year: int
    status: str
    proposed_penalty: Decimal | None
    decided_penalty: Decimal | None
    decided_at: datetime | None
    deadline: date | None
    events: tuple[HearingStep, ...]


def hearing_record(notice: Notice) -> HearingRecord:
    return HearingRecord(
        contract_id=notice.contract_id,
        contract_year=notice.contract_year,
        status=notice.status,
        proposed_penalty=notice.proposed_penalty,
        decided_penalty=notice.decided_penalty,
        decided_at=notice.decided_at,
        deadline=notice.deadline,
        events=tuple(HearingStep(e.occurred_at, e.kind, e.actor, e.text, e.amount) for e in notice.events),
    )


def hearing_notice(session: Session, contract_id: str, year: int) -> Notice | None:
    return session.scalars(
        select(Notice).where(Notice.contract_id == contract_id, Notice.contract_year == year, Notice.kind == "hearing")
    ).first()


def hearing(session: Session, contract_id: str, year: int) -> HearingRecord | None:
    """The hearing of one contract year, if a penalty was ever proposed for it."""
    notice = hearing_notice(session, contract_id, year)
    return None if notice is None else hearing_record(notice)


def hearings(session: Session) -> list[HearingRecord]:
    """Every hearing, by contract and year (``compliance hearing list``)."""
    query = (
        select(Notice)
        .where(Notice.kind == "hearing")
        .options(selectinload(Notice.events))
        .order_by(Notice.contract_id, Notice.contract_year)
    )
    return [hearing_record(notice) for notice in session.scalars(query)]


def penalty_case(session: Session, contract_id: str, year: int) -> tuple[GreenVehicleOutcome, HearingRecord]:
    """The §2.1 outcome and the hearing a penalty statement states; an error for a year without a penalty."""
    outcome = green_outcome(session, contract_id, year)
    record = hearing(session, contract_id, year)
    if outcome is None or record is None:
        raise TerminalError(
            N_("contract {contract} year {year} has no penalty to state"),
            contract=contract_id,
            expected=N_("a contract year that fell short"),
            values={"contract": contract_id, "year": year},
        )
    return outcome, record


def propose_penalty(
    session: Session,
    contract_id: str,
    year: int,
    supplier_cvr: str,
    penalty: Decimal,
    hearing_days: int,
    today: date,
    change: Recalculation | None = None,
) -> Notice:
    """Open a hearing for a shortfall, or record a recalculation of an existing one (``change``)."""
    details = None if change is None else change.details()
    notice = hearing_notice(session, contract_id, year)
    if notice is None:
        notice = Notice(
            contract_id=contract_id,
            contract_year=year,
            supplier_cvr=supplier_cvr,
            kind="hearing",
            status="proposed",
            proposed_penalty=penalty,
            deadline=today + timedelta(days=hearing_days),
            created_at=_now(),
        )
        session.add(notice)
        _event(notice, "proposed", SYSTEM, f"comments by {danish_date(notice.deadline)}", penalty)
        return notice
    said = f"{change.text()}; " if change is not None else ""
    if notice.status == "withdrawn":
        notice.status = "proposed"
        notice.proposed_penalty = penalty
        notice.deadline = today + timedelta(days=hearing_days)
        _event(
            notice,
            "proposed",
            SYSTEM,
            f"{said}shortfall found again; comments by {danish_date(notice.deadline)}",
            penalty,
            details,
        )
    elif notice.status in OPEN_STATES:
        if notice.proposed_penalty != penalty or change is not None:
            notice.proposed_penalty = penalty
            _event(
                notice,
                "assessment_changed",
                SYSTEM,
                f"{said or 'the data changed; '}the proposed penalty follows it",
                penalty,
                details,
            )
    elif change is not None or (notice.proposed_penalty != penalty and not _noted_after_decision(notice, penalty)):
        _event(
            notice,
            "assessment_changed_after_decision",
            SYSTEM,
            f"{said or 'the data changed after the decision; '}the decision stands",
            penalty,
            details,
        )
    return notice


@dataclass(frozen=True)
class ShortfallHearing:
    """A year that fell short, with its hearing: the proposal and, once made, the decision."""

    contract_id: str
    year: int
    proposed: Decimal | None
    status: str
    decided: Decimal | None
    decided_on: date | None

    @classmethod
    def of(cls, notice: Notice) -> ShortfallHearing:
        decided = notice.status in DECIDED_STATES and notice.decided_at is not None
        return cls(
            notice.contract_id,
            notice.contract_year,
            notice.proposed_penalty,
            notice.status,
            notice.decided_penalty if decided else None,
            notice.decided_at.date() if decided and notice.decided_at is not None else None,
        )

    def summary(self) -> str:
        """The hearing in one line for the DAGs' logs (English): the proposal, and the decision once made.
        The command line renders the same figures in the report language."""
        proposed = danish_money(self.proposed)
        if self.decided_on is not None:
            return f"penalty {proposed} proposed; {self.status} on {self.decided_on.isoformat()}: {danish_money(self.decided)} imposed"
        return f"penalty {proposed}, hearing {self.status}"


def _noted_after_decision(notice: Notice, penalty: Decimal) -> bool:
    """Whether the last step already noted this penalty after the decision (a re-run notes nothing new)."""
    last = notice.events[-1] if notice.events else None
    return last is not None and last.kind == "assessment_changed_after_decision" and last.amount == penalty


def note_no_shortfall(session: Session, contract_id: str, year: int, change: Recalculation | None) -> Notice | None:
    """A later check found no shortfall: the hearing records the recalculation and stays as it is. An
    open proposal is withdrawn only by a contract manager, with a reason (:func:`record_withdrawal`)."""
    notice = hearing_notice(session, contract_id, year)
    if notice is None or notice.status == "withdrawn" or change is None:
        return notice
    if notice.status in OPEN_STATES:
        text = f"{change.text()}; no shortfall now: the proposal stands until a contract manager withdraws it or decides"
        _event(notice, "assessment_changed", SYSTEM, text, Decimal("0.00"), change.details())
    else:
        _event(
            notice,
            "assessment_changed_after_decision",
            SYSTEM,
            f"{change.text()}; no shortfall now; the decision stands",
            Decimal("0.00"),
            change.details(),
        )
    return notice


def record_withdrawal(session: Session, contract_id: str, year: int, reason: str, actor: str) -> Notice:
    """A contract manager withdraws an open proposal; the reason goes into the penalty statement."""
    if not reason.strip():
        raise HearingError(
            N_("the withdrawal has no reason"), expected=N_("why the proposal is withdrawn, for the penalty statement")
        )
    notice = _open_notice(session, contract_id, year)
    notice.status = "withdrawn"
    _event(notice, "withdrawn", actor, reason.strip(), None)
    return notice


def _open_notice(session: Session, contract_id: str, year: int) -> Notice:
    notice = hearing_notice(session, contract_id, year)
    if notice is None:
        raise HearingError(
            N_("contract {contract} year {year} has no proposed penalty"),
            expected=N_("a contract year that fell short"),
            values={"contract": contract_id, "year": year},
        )
    if notice.status not in OPEN_STATES:
        raise HearingError(
            N_("the hearing for contract {contract} year {year} is {status}; it cannot change"),
            expected=N_("a hearing that is proposed or commented"),
            values={"contract": contract_id, "year": year, "status": Phrase(notice.status)},
        )
    return notice


def record_comment(session: Session, contract_id: str, year: int, text: str, actor: str) -> Notice:
    """Record the supplier's comment (received by the contract manager, who records it)."""
    if not text.strip():
        raise HearingError(N_("the comment is empty"), expected=N_("the supplier's comment as text"))
    notice = _open_notice(session, contract_id, year)
    notice.status = "commented"
    _event(notice, "supplier_comment", actor, text.strip(), None)
    return notice


@dataclass(frozen=True)
class DecisionPreview:
    """What a decision, a correction or a reopening would store, shown before anything is stored."""

    contract_id: str
    contract_year: int
    step: str  # "decision" | "correction" | "reopening"
    status_before: str
    status_after: str
    proposed_penalty: Decimal
    decided_before: Decimal | None
    decided_after: Decimal | None
    reason: str
    actor: str


def _heard(notice: Notice, today: date) -> bool:
    """The supplier has been heard: a comment is recorded, or the deadline for comments has passed (§2.1)."""
    assert notice.deadline is not None
    return any(event.kind == "supplier_comment" for event in notice.events) or today > notice.deadline


def _decided_amount(notice: Notice, decision: str, reason: str, today: date, amount: Decimal | None) -> Decimal:
    """The penalty a decision imposes, or a ``HearingError`` saying what is missing or not allowed."""
    if decision not in DECISIONS:
        raise HearingError(
            N_("unknown decision {decision}"), expected=N_("confirm, reduce or waive"), values={"decision": repr(decision)}
        )
    if not reason.strip():
        raise HearingError(N_("the decision has no reason"), expected=N_("the reason (--reason), for the penalty statement"))
    assert notice.proposed_penalty is not None and notice.deadline is not None
    if decision != "waive" and not _heard(notice, today):
        raise HearingError(
            N_("the supplier may comment until {deadline} and has not yet; a penalty cannot be imposed before"),
            expected=N_("the supplier's comment (compliance hearing comment) or a date after the deadline"),
            values={"deadline": notice.deadline},
        )
    if decision == "reduce":
        if amount is None:
            raise HearingError(
                N_("the reduced penalty is missing"),
                expected=N_("--amount with the reduced penalty, from 0 up to {proposed} (excl.)"),
                values={"proposed": Money(notice.proposed_penalty)},
            )
        if not amount.is_finite() or amount < 0 or amount >= notice.proposed_penalty:
            raise HearingError(
                N_("a reduced penalty must be below the proposed {proposed}"),
                expected=N_("an amount from 0 up to {proposed} (excl.)"),
                values={"proposed": Money(notice.proposed_penalty)},
            )
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount is not None:
        raise HearingError(
            N_("an amount is given with --decision {decision}"),
            expected=N_("--amount only with --decision reduce"),
            values={"decision": decision},
        )
    return notice.proposed_penalty if decision == "confirm" else Decimal("0.00")


def _decided_notice(session: Session, contract_id: str, year: int) -> Notice:
    notice = hearing_notice(session, contract_id, year)
    if notice is None or notice.status not in DECIDED_STATES:
        raise HearingError(
            N_("contract {contract} year {year} has no decided hearing to correct or reopen (status: {status})"),
            expected=N_("a hearing that is confirmed, reduced or waived"),
            values={
                "contract": contract_id,
                "year": year,
                "status": Phrase(N_("no hearing") if notice is None else notice.status),
            },
        )
    return notice


def preview_decision(
    session: Session,
    contract_id: str,
    year: int,
    decision: str,
    reason: str,
    actor: str,
    today: date,
    amount: Decimal | None = None,
    correction: bool = False,
) -> DecisionPreview:
    """What ``record_decision`` (or, with ``correction``, ``correct_decision``) would store; stores nothing."""
    notice = _decided_notice(session, contract_id, year) if correction else _open_notice(session, contract_id, year)
    decided = _decided_amount(notice, decision, reason, today, amount)
    assert notice.proposed_penalty is not None
    return DecisionPreview(
        contract_id,
        year,
        "correction" if correction else "decision",
        notice.status,
        DECISIONS[decision],
        notice.proposed_penalty,
        notice.decided_penalty,
        decided,
        reason.strip(),
        actor,
    )


def record_decision(
    session: Session,
    contract_id: str,
    year: int,
    decision: str,
    reason: str,
    actor: str,
    today: date,
    amount: Decimal | None = None,
) -> Notice:
    """The contract manager's decision: confirm, reduce (with the new amount) or waive.

    Confirm and reduce need the supplier to have been heard: a recorded comment, or the deadline
    passed. Waiving is always possible. Every decision needs a reason. A decision changes later only
    through a recorded correction or reopening (``correct_decision``, ``reopen_hearing``).
    """
    notice = _open_notice(session, contract_id, year)
    return _decide(notice, decision, reason, actor, today, amount, f"decision_{decision}")


def correct_decision(
    session: Session,
    contract_id: str,
    year: int,
    decision: str,
    reason: str,
    actor: str,
    today: date,
    amount: Decimal | None = None,
) -> Notice:
    """A contract manager corrects a decision (a wrong amount, the wrong decision): a new step with the
    reason; the earlier decision stays in the history, never edited in place."""
    notice = _decided_notice(session, contract_id, year)
    return _decide(notice, decision, reason, actor, today, amount, "decision_corrected")


def _decide(notice: Notice, decision: str, reason: str, actor: str, today: date, amount: Decimal | None, step: str) -> Notice:
    """Store a decision (or a corrected one) on ``notice`` as the recorded step ``step``."""
    decided = _decided_amount(notice, decision, reason, today, amount)
    notice.status = DECISIONS[decision]
    notice.decided_penalty = decided
    notice.decided_at = _now()
    _event(notice, step, actor, reason.strip(), decided)
    return notice


def preview_reopening(session: Session, contract_id: str, year: int, reason: str, actor: str) -> DecisionPreview:
    """What ``reopen_hearing`` would store; stores nothing."""
    notice = _decided_notice(session, contract_id, year)
    _reopening_reason(reason)
    assert notice.proposed_penalty is not None
    return DecisionPreview(
        contract_id,
        year,
        "reopening",
        notice.status,
        _reopened_status(notice),
        notice.proposed_penalty,
        notice.decided_penalty,
        None,
        reason.strip(),
        actor,
    )


def _reopening_reason(reason: str) -> str:
    if not reason.strip():
        raise HearingError(N_("the reopening has no reason"), expected=N_("the reason (--reason), for the penalty statement"))
    return reason.strip()


def _reopened_status(notice: Notice) -> str:
    return "commented" if any(event.kind == "supplier_comment" for event in notice.events) else "proposed"


def reopen_hearing(session: Session, contract_id: str, year: int, reason: str, actor: str) -> Notice:
    """A contract manager reopens a decided hearing (new information, a complaint): the decision no
    longer applies and the hearing is open again, as a recorded step with the reason."""
    notice = _decided_notice(session, contract_id, year)
    text = _reopening_reason(reason)
    notice.status = _reopened_status(notice)
    notice.decided_penalty = None
    notice.decided_at = None
    _event(notice, "reopened", actor, text, None)
    return notice
