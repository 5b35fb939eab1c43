"""The data team's view of quarantined files and what they did about them (``quarantine_action``).

A quarantined file is *open* until someone dismisses it; *releasing* it marks the file ``released``,
so the next ingest reads it again (the watchers skip files seen unchanged at their path, except
released ones) and it is then stored, or quarantined again with its new reason and open again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.base.errors import TerminalError
from compliance.base.i18n import N_, Phrase
from compliance.store.models import QuarantineAction, SourceFile

ACTIONS = ("release", "dismiss")


@dataclass(frozen=True)
class QuarantinedFile:
    """A quarantined (or released) file as the data team lists it; ``last_action`` is the latest of theirs."""

    id: int
    path: str
    status: str
    reason: str
    first_seen_at: datetime
    last_action: str | None = None
    last_actor: str | None = None
    last_acted_at: datetime | None = None
    last_action_reason: str | None = None

    @property
    def open(self) -> bool:
        """Quarantined and not dismissed: someone still has to look at it."""
        return self.status == "quarantined" and self.last_action != "dismiss"


def _latest_actions(session: Session, source_ids: list[int]) -> dict[int, QuarantineAction]:
    latest: dict[int, QuarantineAction] = {}
    query = select(QuarantineAction).where(QuarantineAction.source_file_id.in_(source_ids)).order_by(QuarantineAction.id)
    for action in session.scalars(query):
        latest[action.source_file_id] = action
    return latest


def quarantined_files(session: Session, everything: bool = False) -> list[QuarantinedFile]:
    """The open quarantined files, oldest first; ``everything``: also dismissed and released ones."""
    rows = list(
        session.scalars(
            select(SourceFile)
            .where(SourceFile.status.in_(["quarantined", "released"]))
            .order_by(SourceFile.first_seen_at, SourceFile.id)
        )
    )
    latest = _latest_actions(session, [row.id for row in rows]) if rows else {}
    files = []
    for row in rows:
        action = latest.get(row.id)
        file = QuarantinedFile(
            id=row.id,
            path=row.path,
            status=row.status,
            reason=row.quarantine_reason or "",
            first_seen_at=row.first_seen_at,
            last_action=action.action if action else None,
            last_actor=action.actor if action else None,
            last_acted_at=action.acted_at if action else None,
            last_action_reason=action.reason if action else None,
        )
        if everything or file.open:
            files.append(file)
    return files


# A source file's status in words, for a refusal that names it.
QUARANTINE_STATES = {
    "ingested": N_("ingested"),
    "partial": N_("partly ingested"),
    "released": N_("released"),
    "dismissed": N_("dismissed"),
}


def act_on_quarantined_file(session: Session, source_id: int, action: str, reason: str, actor: str) -> QuarantinedFile:
    """Record ``action`` ("release" or "dismiss") on one quarantined file, with who and why; a release
    also marks the file for reading again. A file that is not quarantined, or no reason, is an error."""
    if action not in ACTIONS:
        raise TerminalError(f"no quarantine action {action!r}", expected=" or ".join(ACTIONS))
    if not reason.strip():
        raise TerminalError(N_("a reason is required"), expected=N_("why the file is released or dismissed (it is recorded)"))
    row = session.get(SourceFile, source_id, with_for_update=True)
    if row is None:
        raise TerminalError(
            N_("file {id} does not exist"), expected=N_("an id from `compliance quarantine list`"), values={"id": source_id}
        )
    if row.status != "quarantined":
        raise TerminalError(
            N_("file {id} is {status}, not quarantined"),
            expected=N_("an id from `compliance quarantine list`"),
            values={"id": source_id, "status": Phrase(QUARANTINE_STATES.get(row.status, row.status))},
        )
    session.add(
        QuarantineAction(
            source_file_id=row.id,
            action=action,
            reason=reason.strip(),
            actor=actor,
            acted_at=datetime.now(UTC),
            quarantine_reason=row.quarantine_reason,
        )
    )
    if action == "release":
        row.status = "released"
    session.flush()
    return next(file for file in quarantined_files(session, everything=True) if file.id == row.id)
