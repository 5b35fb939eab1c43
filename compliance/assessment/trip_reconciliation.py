"""§2.1 trip lines reconciled: credit notes against what they credit, negatives held out, re-invoiced
deliveries counted once. Runs after the trip lines are read (``trip_lines.refresh_trip_lines``) and
before they are counted, and only touches the lines that need it, so counting stays one aggregation.

For each of a contract's trip lines ``quantity_milli`` is what the document says (signed: credit
notes negative) and ``trips_milli`` what counts. The rules (README "How the figures are computed"):

- **Credit notes** (RULES.md §7, interpretation): a credit-note line is matched to the line it
  credits (``compliance.checks.credit_notes.pick_credited``) and counts on that line's day. It may
  credit at most what the credited invoice still holds of its kind (a named line: what that line
  still holds), after earlier credit notes (by issue date); without a reference, or with one to an
  invoice not on file for the contract, at most what the contract year of its own day holds of its
  kind after the referenced credits. The excess is not counted (``held = "excess_credit"``).
- **Negative quantities** — a negative quantity on an invoice, a negative credited quantity on a
  credit note — are not counted (``held = "negative_quantity"``) until a contract manager accepts
  the line (``line_acceptance``, ``compliance lines accept``); then they count as written
  (``held = "negative_accepted"``).
- **Re-invoicing**: lines of different invoices with the same delivery key (supplier, day, item,
  plates, quantity) are one delivery: it counts as often as one invoice lists it; later invoices'
  repeats are held (``held = "reinvoiced"``, ``duplicate_of_line_id`` = the first). An occurrence a
  credit note took back in full does not count as one, so invoice, credit note, new invoice = once;
  a partly credited occurrence stands with its credit (invoice 5, credit 2, repeat 5 = 3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, and_, bindparam, distinct, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from compliance.checks.credit_notes import credited_invoice_number, pick_credited
from compliance.contracts import ContractTerms, ContractYear
from compliance.store.models import Invoice, InvoiceLine, LineAcceptance, TripLine

COUNTED_KINDS = ("green", "conventional")


@dataclass
class _Line:
    """One trip line as the reconciliation reads it, and what it decides for it."""

    id: int
    invoice_id: int
    invoice_line_id: int
    kind: str  # how the line counts (a stated-green line whose plate is not green that day counts as conventional)
    stated: str  # what the document says it is: credits are matched on this
    quantity: int
    registrations: tuple[str, ...]
    delivery_key: str | None
    document_type: str
    number: str
    supplier_key: str
    issue_date: date
    billing_references: tuple[str, ...]
    ref: str  # the line id in its document
    position: int
    own_delivery: date | None
    own_day: date
    line_reference: str | None
    line_reference_line: str | None
    accepted: bool
    current: tuple[str, date, int, str | None, int | None, int | None]
    # decided:
    day: date = date.min
    trips: int = 0
    held: str | None = None
    credited_line_id: int | None = None
    duplicate_of_line_id: int | None = None
    remaining: int = 0  # for an invoice line: what credits have not yet taken back
    order: tuple[Any, ...] = field(default=())

    def decided(self) -> tuple[str, date, int, str | None, int | None, int | None]:
        return (self.kind, self.day, self.trips, self.held, self.credited_line_id, self.duplicate_of_line_id)


def _columns() -> Any:
    return (
        select(
            TripLine.id, TripLine.invoice_id, TripLine.invoice_line_id, TripLine.kind, TripLine.stated_kind, TripLine.day,
            TripLine.trips_milli,
            TripLine.quantity_milli, TripLine.held, TripLine.credited_line_id, TripLine.duplicate_of_line_id,
            TripLine.registrations, TripLine.delivery_key, Invoice.document_type, Invoice.number, Invoice.supplier_key,
            Invoice.issue_date, Invoice.billing_references, Invoice.delivery_date, Invoice.period_end,
            InvoiceLine.line_id, InvoiceLine.position, InvoiceLine.delivery_date.label("line_delivery"),
            InvoiceLine.billing_reference, InvoiceLine.billing_reference_line, LineAcceptance.id.label("accepted"),
        )
        .join(Invoice, Invoice.id == TripLine.invoice_id)
        .join(InvoiceLine, InvoiceLine.id == TripLine.invoice_line_id)
        .outerjoin(LineAcceptance, LineAcceptance.invoice_line_id == TripLine.invoice_line_id)
    )  # fmt: skip


def _line(row: Row[Any]) -> _Line:
    own_delivery = row.line_delivery or row.delivery_date
    quantity = row.quantity_milli if row.quantity_milli is not None else row.trips_milli
    line = _Line(
        id=row.id,
        invoice_id=row.invoice_id,
        invoice_line_id=row.invoice_line_id,
        kind=row.kind,
        stated=row.stated_kind or row.kind,
        quantity=quantity,
        registrations=tuple(row.registrations or ()),
        delivery_key=row.delivery_key,
        document_type=row.document_type,
        number=row.number,
        supplier_key=row.supplier_key,
        issue_date=row.issue_date,
        billing_references=tuple(row.billing_references or ()),
        ref=row.line_id,
        position=row.position,
        own_delivery=own_delivery,
        own_day=own_delivery or row.period_end or row.issue_date,
        line_reference=row.billing_reference,
        line_reference_line=row.billing_reference_line,
        accepted=row.accepted is not None,
        current=(row.kind, row.day, row.trips_milli, row.held, row.credited_line_id, row.duplicate_of_line_id),
    )
    line.day, line.trips, line.remaining = line.own_day, quantity, max(quantity, 0)
    line.order = (row.issue_date, row.invoice_id, row.position)
    return line


def _year_of(years: Sequence[ContractYear], day: date) -> ContractYear | None:
    return next((year for year in years if year.start <= day <= year.end), None)


def reconcile_trip_lines(session: Session, contract: ContractTerms) -> int:
    """Decide what each of the contract's credit-note, negative and repeated trip lines counts; return
    how many stored lines changed."""
    repeated = (
        select(TripLine.delivery_key)
        .where(TripLine.contract_id == contract.id, TripLine.delivery_key.is_not(None))
        .group_by(TripLine.delivery_key)
        .having(func.count(distinct(TripLine.invoice_id)) > 1)
    )
    attention = _columns().where(
        TripLine.contract_id == contract.id,
        TripLine.kind.in_(COUNTED_KINDS),
        or_(
            Invoice.document_type == "credit_note",
            TripLine.quantity_milli < 0,
            TripLine.held.is_not(None),
            TripLine.credited_line_id.is_not(None),
            TripLine.duplicate_of_line_id.is_not(None),
            TripLine.quantity_milli.is_(None),
            TripLine.trips_milli != TripLine.quantity_milli,
            TripLine.delivery_key.in_(repeated),
        ),
    )
    lines = {row.id: _line(row) for row in session.execute(attention)}
    credits = sorted(
        (line for line in lines.values() if line.document_type == "credit_note" and line.quantity < 0),
        key=lambda line: line.order,
    )
    # The invoices the credit notes name, and their trip lines of this contract (the pool credits draw on).
    wanted = {
        (line.supplier_key, number)
        for line in credits
        if (number := credited_invoice_number(line.document_type, line.billing_references, line.line_reference))
    }
    credited_lines: dict[tuple[str, str], list[_Line]] = defaultdict(list)
    on_file: set[tuple[str, str]] = set()
    if wanted:
        keys = list(wanted)
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            on_file.update(
                (key, number)
                for key, number in session.execute(
                    select(Invoice.supplier_key, Invoice.number).where(
                        Invoice.contract_id == contract.id,
                        Invoice.document_type == "invoice",
                        tuple_(Invoice.supplier_key, Invoice.number).in_(chunk),
                    )
                )
            )
            query = _columns().where(
                TripLine.contract_id == contract.id,
                TripLine.kind.in_(COUNTED_KINDS),
                Invoice.document_type == "invoice",
                tuple_(Invoice.supplier_key, Invoice.number).in_(chunk),
            )
            for row in session.execute(query):
                line = lines.setdefault(row.id, _line(row))
                credited_lines[(line.supplier_key, line.number)].append(line)
    for pool in credited_lines.values():
        pool.sort(key=lambda line: line.order)

    # Negative quantities: held until accepted.
    for line in lines.values():
        negative = line.quantity < 0 if line.document_type == "invoice" else line.quantity > 0
        if negative:
            line.trips, line.held = (line.quantity, "negative_accepted") if line.accepted else (0, "negative_quantity")

    # Credits with a reference to an invoice on file: against that invoice's lines of their kind.
    unreferenced: list[_Line] = []
    referenced_by_year: dict[tuple[int, str], int] = defaultdict(int)
    years = contract.years()
    for credit in credits:
        number = credited_invoice_number(credit.document_type, credit.billing_references, credit.line_reference)
        if number is None or (credit.supplier_key, number) not in on_file:
            unreferenced.append(credit)
            continue
        # Matched on what the documents say (a credit of green trips credits the invoice's green lines) …
        pool = [
            line for line in credited_lines[(credit.supplier_key, number)] if line.stated == credit.stated and line.quantity > 0
        ]
        named = credit.line_reference_line
        picked = pick_credited(pool, named, credit.own_delivery, credit.registrations)
        wanted_trips = -credit.quantity
        taken = 0
        if picked is not None:
            # … and it reduces the count the credited line counted in (conventional, for a stated-green line
            # whose plate was not green that day), never the other (issue 16 items 2 and 6).
            credit.day, credit.credited_line_id, credit.kind = picked.day, picked.invoice_line_id, picked.kind
            order = [picked] if named is not None and picked.ref == named else [picked] + [p for p in pool if p is not picked]
            for line in order:
                take = min(line.remaining, wanted_trips - taken)
                line.remaining -= take
                taken += take
                if taken == wanted_trips:
                    break
        credit.trips = -taken
        if picked is None:
            credit.held = "nothing_to_credit"  # the invoice holds no trips of this kind
        else:
            credit.held = "excess_credit" if taken < wanted_trips else None
        year = _year_of(years, credit.day)
        if year is not None:
            referenced_by_year[(year.number, credit.kind)] += taken

    # Credits without a (known) reference: against what their contract year holds of their kind.
    if unreferenced:
        year_pools: dict[tuple[int, str], int] = {}
        for credit in unreferenced:
            year = _year_of(years, credit.own_day)
            available = 0
            if year is not None:
                key = (year.number, credit.kind)
                if key not in year_pools:
                    invoiced = session.scalar(
                        select(func.coalesce(func.sum(TripLine.quantity_milli), 0))
                        .join(Invoice, Invoice.id == TripLine.invoice_id)
                        .where(
                            TripLine.contract_id == contract.id,
                            TripLine.kind == credit.kind,
                            Invoice.document_type == "invoice",
                            TripLine.quantity_milli > 0,
                            and_(TripLine.day >= year.start, TripLine.day <= year.end),
                        )
                    )
                    year_pools[key] = int(invoiced or 0) - referenced_by_year[key]
                available = max(year_pools[key], 0)
            taken = min(available, -credit.quantity)
            if year is not None:
                year_pools[(year.number, credit.kind)] -= taken
            credit.day, credit.trips = credit.own_day, -taken
            credit.held = "excess_credit" if taken < -credit.quantity else None

    # Re-invoicing: one delivery counts as often as one invoice lists it.
    groups: dict[str, list[_Line]] = defaultdict(list)
    for line in lines.values():
        if line.delivery_key is not None and line.held is None and line.document_type == "invoice" and line.quantity > 0:
            groups[line.delivery_key].append(line)
    for group in groups.values():
        if len({line.invoice_id for line in group}) < 2:
            continue
        group.sort(key=lambda line: line.order)
        per_invoice: dict[int, int] = defaultdict(int)
        for line in group:
            per_invoice[line.invoice_id] += 1
        allowed = max(per_invoice.values())  # occurrences: as often as one invoice lists the delivery
        first: _Line | None = None
        for line in group:
            if line.remaining == 0:
                continue  # credited in full: a later invoice may bill the delivery again
            if allowed > 0:
                allowed -= 1
                first = first or line
                continue
            line.trips = line.quantity - line.remaining  # what credits took back of it still nets out
            line.held = "reinvoiced"
            line.duplicate_of_line_id = (first or group[0]).invoice_line_id

    changed = [
        {"row_id": line.id, "new_kind": line.kind, "new_day": line.day, "new_trips": line.trips, "new_held": line.held,
         "new_credited": line.credited_line_id, "new_duplicate": line.duplicate_of_line_id, "new_quantity": line.quantity}
        for line in lines.values()
        if line.decided() != line.current
    ]  # fmt: skip
    if changed:
        session.connection().execute(
            update(TripLine)
            .where(TripLine.id == bindparam("row_id"))
            .values(
                kind=bindparam("new_kind"),
                day=bindparam("new_day"),
                trips_milli=bindparam("new_trips"),
                held=bindparam("new_held"),
                credited_line_id=bindparam("new_credited"),
                duplicate_of_line_id=bindparam("new_duplicate"),
                quantity_milli=bindparam("new_quantity"),
            ),
            changed,
        )
    return len(changed)
