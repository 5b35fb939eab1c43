"""A contract manager accepts a trip line the reconciliation holds out (issue 16 item 2).

A negative quantity on an invoice, or a negative credited quantity on a credit note, is not counted
(``compliance.assessment.trip_reconciliation``) until a contract manager accepts the line with a
reason. The acceptance is a ``line_acceptance`` row — who, when, why — never changed afterwards;
the next check counts the line as written and reports the acceptance as a low-severity finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from compliance.base.errors import TerminalError
from compliance.base.i18n import N_
from compliance.store.models import Invoice, InvoiceLine, LineAcceptance, TripLine

ACCEPTABLE = "negative_quantity"


class AcceptanceError(TerminalError):
    """A line that cannot be accepted (not found, not held, already accepted, no reason)."""


@dataclass(frozen=True)
class AcceptedLine:
    """What was accepted, for the command's answer."""

    document_type: str
    invoice: str
    line: str
    contract_ids: tuple[str, ...]
    accepted_by: str
    accepted_at: datetime
    reason: str


def accept_held_line(
    session: Session, invoice_number: str, line_id: str, reason: str, actor: str, supplier_cvr: str | None = None
) -> AcceptedLine:
    """Record a contract manager's acceptance of a held-out line of ``invoice_number`` (an invoice or a
    credit note; ``supplier_cvr`` picks one when two suppliers used the number)."""
    if not reason.strip():
        raise AcceptanceError(
            N_("the acceptance has no reason"), expected=N_("why the negative quantity is right, for the record")
        )
    query = (
        select(InvoiceLine, Invoice)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.number == invoice_number, InvoiceLine.line_id == line_id)
    )
    if supplier_cvr is not None:
        query = query.where(Invoice.supplier_cvr == supplier_cvr)
    found = session.execute(query).all()
    if not found:
        raise AcceptanceError(
            N_("no line {line} on a document numbered {number} from CVR {cvr}")
            if supplier_cvr
            else N_("no line {line} on a document numbered {number}"),
            expected=N_("the invoice or credit-note number and line id a finding names"),
            values={"line": repr(line_id), "number": repr(invoice_number), "cvr": supplier_cvr},
        )
    if len(found) > 1:
        raise AcceptanceError(
            N_("{count} documents numbered {number} have a line {line}"),
            expected=N_("--supplier CVR to say whose document is meant"),
            values={"count": len(found), "number": repr(invoice_number), "line": repr(line_id)},
        )
    line, invoice = found[0]
    held = session.scalars(select(TripLine).where(TripLine.invoice_line_id == line.id)).all()
    if session.scalars(select(LineAcceptance).where(LineAcceptance.invoice_line_id == line.id)).first() is not None:
        raise AcceptanceError(
            N_("line {line} of {number} is already accepted"),
            expected=N_("a line that is still held out"),
            values={"line": line_id, "number": invoice_number},
        )
    if not any(trip.held == ACCEPTABLE for trip in held):
        raise AcceptanceError(
            N_("line {line} of {number} is not held out for a negative quantity"),
            expected=N_("a line a 'negative quantity' finding names (run `compliance check` first)"),
            values={"line": line_id, "number": invoice_number},
        )
    acceptance = LineAcceptance(
        invoice_line_id=line.id, held=ACCEPTABLE, accepted_by=actor, accepted_at=datetime.now(UTC), reason=reason.strip()
    )
    session.add(acceptance)
    session.flush()
    return AcceptedLine(
        document_type=invoice.document_type,
        invoice=invoice.number,
        line=line.line_id,
        contract_ids=tuple(sorted({trip.contract_id for trip in held})),
        accepted_by=acceptance.accepted_by,
        accepted_at=acceptance.accepted_at,
        reason=acceptance.reason,
    )
