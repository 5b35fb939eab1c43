"""What an invoice line was paid, in kroner (issue 16 item 10; RULES.md §4, handbook §16.3).

§16.3 speaks of the purchase — what was paid — so a line's amount for a §16 share or the portfolio
is its net amount plus its part of the invoice's document-level allowances and charges, spread over
all the invoice's lines in proportion to their net amounts (line-level allowances and charges are
already in a line's net amount under EN 16931). Worked example: lines 600 + 400 = 1.000 kr., a
document discount of 100 kr. → the lines count 540 and 360 kr.

Amounts in another currency are never added to kroner as they stand: they are converted at a rate
the contract names (``exchange_rates``), else counted apart — the shares and the portfolio say how
much, and a finding names the invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compliance.base.findings import FindingRecord, evidence_key
from compliance.checks.inputs import InvoiceRecord
from compliance.checks.items import DatedLine
from compliance.contracts import ContractTerms, ContractYear, ExchangeRate

HOME_CURRENCY = "DKK"
RULE_OTHER_CURRENCY = "amounts.other_currency@1"
RULE_NOT_SPREAD = "amounts.allowances_not_spread@1"
ZERO = Decimal(0)


def invoice_currency(invoice: InvoiceRecord) -> str:
    """The document's currency code, upper-cased; a document that names none is in kroner."""
    return (invoice.currency or HOME_CURRENCY).strip().upper() or HOME_CURRENCY


def document_adjustment(invoice: InvoiceRecord) -> Decimal:
    """Charges minus allowances at document level, with the document's sign (credit notes negative),
    like the stored line amounts."""
    net = sum((item.amount if item.charge else -item.amount for item in invoice.allowance_charges), ZERO)
    return -net if invoice.document_type == "credit_note" else net


def lines_total(invoice: InvoiceRecord) -> Decimal:
    """The sum of the invoice's stored (signed) line amounts: the base the adjustments are spread over."""
    return sum((line.line_amount for line in invoice.lines if line.line_amount is not None), ZERO)


def can_spread(invoice: InvoiceRecord) -> bool:
    """Whether the document-level adjustments can be spread: there are none, or the lines add up to something."""
    return document_adjustment(invoice) == ZERO or lines_total(invoice) != ZERO


@dataclass(frozen=True)
class PaidAmount:
    """One line's amount as §16 counts it: stated, its part of the document's allowances and charges,
    and the value in kroner (None: another currency without a contract rate)."""

    stated: Decimal
    adjustment: Decimal
    currency: str
    rate: ExchangeRate | None
    dkk: Decimal | None

    @property
    def paid(self) -> Decimal:
        """What was paid for the line, in the document's currency."""
        return self.stated + self.adjustment

    def evidence(self) -> dict[str, Any]:
        details: dict[str, Any] = {"stated_amount": str(self.stated), "currency": self.currency}
        if self.adjustment != ZERO:
            details["allowances_charges"] = str(self.adjustment)
        if self.rate is not None:
            details["rate_dkk"] = str(self.rate.dkk)
            details["rate_source"] = self.rate.source
        return details


def paid_amount(dated: DatedLine, rates: Sequence[ExchangeRate]) -> PaidAmount | None:
    """The line's paid amount (None for a line without an amount)."""
    stated = dated.line.line_amount
    if stated is None:
        return None
    invoice = dated.invoice
    adjustment = document_adjustment(invoice)
    total = lines_total(invoice)
    part = ZERO if adjustment == ZERO or total == ZERO else stated * adjustment / total
    currency = invoice_currency(invoice)
    if currency == HOME_CURRENCY:
        return PaidAmount(stated, part, currency, None, stated + part)
    rate = next((r for r in rates if r.currency == currency), None)
    return PaidAmount(stated, part, currency, rate, None if rate is None else (stated + part) * rate.dkk)


@dataclass
class HeldOut:
    """Lines of one invoice in a currency the contract names no rate for, counted apart."""

    invoice: InvoiceRecord
    currency: str
    amount: Decimal = ZERO
    lines: int = 0


def other_currency_findings(
    contract: ContractTerms, year: ContractYear, share_id: str, description: str, held_out: Sequence[HeldOut]
) -> list[FindingRecord]:
    """One finding per invoice whose lines a share counted apart because of their currency."""
    return [
        FindingRecord(
            RULE_OTHER_CURRENCY,
            "medium",
            message_key="amounts.other_currency",
            params={
                "document_type": held.invoice.document_type,
                "invoice": held.invoice.number,
                "currency": held.currency,
                "amount": str(held.amount),
                "lines": held.lines,
                "description": description,
            },
            subject=evidence_key(invoice=held.invoice.number, currency=held.currency, share=share_id),
            contract_id=contract.id,
            contract_year=year.number,
            supplier_cvr=contract.supplier_cvr,
            expected=f"amounts in {HOME_CURRENCY}, or a rate for {held.currency} in the contract's exchange_rates",
            received=f"{held.amount} {held.currency}",
            source_file_id=held.invoice.source_file_id,
            evidence={
                "invoice": held.invoice.number,
                "file": held.invoice.source_path,
                "currency": held.currency,
                "amount": str(held.amount),
                "lines": held.lines,
                "share": share_id,
            },
        )
        for held in held_out
    ]


def not_spread_findings(contract: ContractTerms, year: ContractYear, invoices: Sequence[InvoiceRecord]) -> list[FindingRecord]:
    """Invoices whose document-level allowances or charges cannot be spread: their lines add up to zero."""
    return [
        FindingRecord(
            RULE_NOT_SPREAD,
            "low",
            message_key="amounts.allowances_not_spread",
            params={
                "document_type": invoice.document_type,
                "invoice": invoice.number,
                "adjustment": str(document_adjustment(invoice)),
            },
            subject=evidence_key(invoice=invoice.number),
            contract_id=contract.id,
            contract_year=year.number,
            supplier_cvr=contract.supplier_cvr,
            expected="lines whose amounts add up to more than zero",
            received=f"lines totalling {lines_total(invoice)}",
            source_file_id=invoice.source_file_id,
            evidence={
                "invoice": invoice.number,
                "file": invoice.source_path,
                "adjustment": str(document_adjustment(invoice)),
                "lines_total": str(lines_total(invoice)),
            },
        )
        for invoice in invoices
    ]
