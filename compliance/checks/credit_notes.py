"""Credit notes matched to what they credit, and the day a credit counts on.

Interpretation (RULES.md §7 "Credit notes"; the handbook is silent): a credit note reduces the
trips and amounts of the invoice it credits, dated as the credited lines are, and never credits
more than was invoiced. What a credit-note line credits is read from the document:

1. the line's own ``BillingReference`` (invoice number, and the invoice's line id where given),
   else the credit note's ``BillingReference/InvoiceDocumentReference`` (the first one);
2. the credited invoice is the supplier's own invoice with that number (same supplier key);
3. the credited line is the line the reference names; without a line id, the credited invoice's
   line of the same kind (trip kind, or item) delivered on the credit line's own delivery date,
   else one naming the same plates, else its first line of that kind.

A credit-note line whose credited line is found counts on that line's day; one whose invoice is
found but no line of its kind on that invoice's day; anything else on its own day (its delivery
date, else the credit note's delivery date, period end or issue date).

Everything here is pure: :func:`pick_credited` serves the §2.1 trip reconciliation
(``compliance.assessment.trip_reconciliation``), :class:`CreditIndex` and :func:`reconciled_day`
the §16 purchase shares, the portfolio and every rule that reads dated invoice lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.checks.inputs import CountedTripLine, InvoiceLineRecord, InvoiceRecord
from compliance.contracts import ContractTerms, ContractYear


class CreditCandidate(Protocol):
    """A line a credit may credit: its id in its document, its day and its plates."""

    @property
    def ref(self) -> str: ...
    @property
    def day(self) -> date: ...
    @property
    def registrations(self) -> Sequence[str]: ...


C = TypeVar("C", bound=CreditCandidate)


def credited_invoice_number(document_type: str, billing_references: Sequence[str], line_reference: str | None) -> str | None:
    """The number of the invoice a credit-note line credits: the line's reference, else the document's."""
    if document_type != "credit_note":
        return None
    return line_reference or (billing_references[0] if billing_references else None)


def pick_credited(
    candidates: Sequence[C], line_ref: str | None, own_delivery: date | None, registrations: Sequence[str]
) -> C | None:
    """The credited line among ``candidates`` (the credited invoice's lines of the credit's kind).

    The line the reference names; else the one delivered on the credit line's own delivery date
    (with the most plates in common), else the one with the most plates in common, else the first.
    """
    if not candidates:
        return None
    if line_ref is not None:
        named = [c for c in candidates if c.ref == line_ref]
        if named:
            return named[0]
    plates = set(registrations)

    def shared(candidate: C) -> int:
        return len(plates & set(candidate.registrations))

    if own_delivery is not None:
        same_day = [c for c in candidates if c.day == own_delivery]
        if same_day:
            return max(same_day, key=shared)  # max keeps the first of equals
    if plates:
        best = max(candidates, key=shared)
        if shared(best):
            return best
    return candidates[0]


def credit_sign(document_type: str) -> int:
    """−1 for a credit note, +1 for an invoice: the factor a document's own (unsigned) quantities and
    amounts take when they are added up. The store applies it once (``store.documents``), so stored
    quantities and amounts are already signed; a reader of the document's own values applies it here."""
    return -1 if document_type == "credit_note" else 1


def line_day(line: InvoiceLineRecord, invoice: InvoiceRecord) -> date:
    """A line's own day: its delivery date, else the invoice's delivery date, period end or issue date."""
    return line.delivery_date or invoice.delivery_date or invoice.period_end or invoice.issue_date


def _item(line: InvoiceLineRecord) -> str:
    return line.seller_item_id or line.standard_item_id or (line.name or "").strip().casefold()


class _DatedCandidate:
    __slots__ = ("day", "line", "ref", "registrations")

    def __init__(self, line: InvoiceLineRecord, day: date) -> None:
        self.line = line
        self.ref = line.line_id
        self.day = day
        self.registrations: tuple[str, ...] = ()


class CreditIndex:
    """The invoices credit notes may credit, by supplier and number (built once per set of invoices)."""

    def __init__(self, invoices: Iterable[InvoiceRecord]) -> None:
        self._invoices: dict[tuple[str, str], InvoiceRecord] = {}
        for invoice in invoices:
            if invoice.document_type == "invoice":
                self._invoices.setdefault((invoice.supplier_key, invoice.number), invoice)

    def credited_invoice(self, invoice: InvoiceRecord, line: InvoiceLineRecord) -> InvoiceRecord | None:
        """The invoice a credit-note line credits, when it is among the indexed invoices."""
        number = credited_invoice_number(invoice.document_type, invoice.billing_references, line.billing_reference)
        return None if number is None else self._invoices.get((invoice.supplier_key, number))

    def credited_line(self, invoice: InvoiceRecord, line: InvoiceLineRecord) -> tuple[InvoiceRecord, InvoiceLineRecord] | None:
        """The invoice line a credit-note line credits (same item, see the module's rules), if found."""
        credited = self.credited_invoice(invoice, line)
        if credited is None:
            return None
        item = _item(line)
        candidates = [_DatedCandidate(c, line_day(c, credited)) for c in credited.lines if _item(c) == item]
        if line.billing_reference_line is not None:
            named = [
                _DatedCandidate(c, line_day(c, credited)) for c in credited.lines if c.line_id == line.billing_reference_line
            ]
            candidates = named or candidates
        picked = pick_credited(candidates, line.billing_reference_line, line.delivery_date, ())
        return None if picked is None else (credited, picked.line)


def reconciled_day(index: CreditIndex, invoice: InvoiceRecord, line: InvoiceLineRecord) -> date:
    """The day a line counts on (§2.1 trips, §16 amounts, the portfolio): a credit-note line's is the
    day of the line it credits (else of the credited invoice), any other line's its own day."""
    if invoice.document_type != "credit_note":
        return line_day(line, invoice)
    found = index.credited_line(invoice, line)
    if found is not None:
        return line_day(found[1], found[0])
    credited = index.credited_invoice(invoice, line)
    if credited is not None:
        return (
            credited.delivery_date
            or credited.period_end
            or min((line_day(c, credited) for c in credited.lines), default=credited.issue_date)
        )
    return line_day(line, invoice)


RULE_EXCESS_CREDIT = "credit_notes.excess_credit@1"
RULE_UNKNOWN_REFERENCE = "credit_notes.unknown_reference@1"
RULE_NEGATIVE_QUANTITY = "credit_notes.negative_quantity@1"
RULE_REINVOICED = "invoices.reinvoiced@1"


def reconciliation_findings(contract: ContractTerms, year: ContractYear, lines: Sequence[CountedTripLine]) -> list[FindingRecord]:
    """What the trip reconciliation held out or could not match, one finding per line (issue 16 items 2 and 4).

    ``lines`` are the contract year's credit-note and held trip lines
    (``trip_lines.counted_trip_lines(..., reconciled_only=True)``).
    """
    findings: list[FindingRecord] = []
    for line in lines:
        place = message_part(
            "place.invoice_line", document_type=line.document_type, invoice=line.invoice_number, line=line.line_id
        )
        invoiced = line.invoiced if line.invoiced is not None else line.trips

        def add(
            rule_id: str,
            severity: str,
            key: str,
            params: dict[str, Any],
            expected: str,
            received: str,
            line: CountedTripLine = line,
            invoiced: Decimal = invoiced,
        ) -> None:
            findings.append(
                FindingRecord(
                    rule_id,
                    severity,
                    key,
                    params,
                    evidence_key(invoice=line.invoice_number, line=line.line_id),
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected=expected,
                    received=received,
                    source_file_id=line.source_file_id,
                    location=f"line {line.source_line}" if line.source_line else None,
                    evidence=line.as_evidence()
                    | {
                        "invoiced": str(invoiced),
                        "held": line.held,
                        "credited": line.credited,
                        "duplicate_of": line.duplicate_of,
                    },
                )
            )

        what = message_part("fragment.credited_quantity" if line.document_type == "credit_note" else "fragment.invoiced_quantity")
        if line.held == "negative_quantity":
            add(
                RULE_NEGATIVE_QUANTITY,
                "high",
                "credit_notes.negative_quantity",
                {"place": place, "what": what, "quantity": str(abs(invoiced) * (-1)), "kind": line.kind},
                "a positive quantity (a credit note credits, an invoice invoices)",
                f"{-abs(invoiced)} trips",
            )
        elif line.held == "negative_accepted":
            add(
                RULE_NEGATIVE_QUANTITY,
                "low",
                "credit_notes.negative_accepted",
                {"place": place, "what": what, "quantity": str(-abs(invoiced)), "acceptance": line.acceptance or ""},
                "a positive quantity",
                f"{-abs(invoiced)} trips, accepted",
            )
        elif line.held == "reinvoiced":
            add(
                RULE_REINVOICED,
                "medium",
                "invoices.reinvoiced",
                {
                    "place": place,
                    "first": line.duplicate_of or "",
                    "first_file": line.duplicate_file or "",
                    "quantity": str(invoiced),
                },
                "each delivery invoiced once",
                f"invoiced again, already on {line.duplicate_of}",
            )
        if line.document_type != "credit_note" or line.held in ("negative_quantity", "negative_accepted"):
            continue
        credited, counted = -invoiced, -line.trips
        if line.credits_invoice is not None and line.credited is None and line.held != "nothing_to_credit":
            add(
                RULE_UNKNOWN_REFERENCE,
                "medium",
                "credit_notes.unknown_reference",
                {"place": place, "target": line.credits_invoice, "day": line.day.isoformat()},
                "a credit note for an invoice on file for the contract",
                f"invoice {line.credits_invoice}: not on file",
            )
        if line.held in ("excess_credit", "nothing_to_credit"):
            params: dict[str, Any] = {
                "place": place,
                "credited": str(credited),
                "kind": line.kind,
                "allowed": str(counted),
                "excess": str(credited - counted),
            }
            if line.credited is not None or line.held == "nothing_to_credit":
                key = "credit_notes.excess_credit"
                params["target"] = line.credited.split(" line ")[0] if line.credited else line.credits_invoice
            else:
                key = "credit_notes.excess_credit_year"
                params["year"] = year.number
            add(
                RULE_EXCESS_CREDIT,
                "high",
                key,
                params,
                f"at most {counted} {line.kind} trips (what was invoiced and not yet credited)",
                f"{credited} trips credited",
            )
    return findings
