"""§16 purchase shares, e.g. coffee, tea and cocoa ≥ 50 % Fair Trade and/or organic (§16.3).

Interpretation (RULES.md §4): the share is of invoiced amount excl. VAT unless the contract says
quantity; credit-note lines count negative, so they net out what they credit. The amount is what
was paid for the line (§16.3 "indkøbet"): its net amount plus its pro-rata part of the invoice's
document-level allowances and charges, in kroner — another currency is converted at the rate the
contract names, else counted apart with a finding (``compliance.checks.amounts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.formatting import danish_percent
from compliance.base.shares import meets_level
from compliance.base.windows import add_months
from compliance.checks.amounts import HeldOut, can_spread, not_spread_findings, other_currency_findings, paid_amount
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.inputs import InvoiceRecord
from compliance.checks.items import DatedLine, effective_labels, line_matches
from compliance.contracts import ContractTerms, ContractYear, ExchangeRate, PurchaseShareRule

RULE_SHARE_PREFIX = "purchase_share"


@dataclass
class QuarterShare:
    """One quarter of a contract year (three months from the year's start; the last may be shorter)."""

    number: int
    start: date
    end: date
    total: Decimal = Decimal(0)
    qualifying: Decimal = Decimal(0)

    @property
    def share(self) -> Decimal | None:
        return None if self.total <= 0 else self.qualifying / self.total

    def as_details(self, rule: PurchaseShareRule) -> dict[str, Any]:
        compliant = (
            None if self.total <= 0 else meets_level(rule.minimum_percent, self.total, self.qualifying, rule.level_inclusive)
        )
        return {
            "quarter": self.number,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "total": str(self.total),
            "qualifying": str(self.qualifying),
            "share": None if self.share is None else str(self.share),
            "status": {None: "no_data", True: "compliant", False: "short"}[compliant],
        }


def year_quarters(year: ContractYear) -> list[QuarterShare]:
    """The contract year's quarters: months 1–3, 4–6, 7–9 and 10–12 counted from its start."""
    quarters = []
    for number in range(1, 5):
        start = add_months(year.start, 3 * (number - 1))
        if start > year.end:
            break
        end = min(add_months(year.start, 3 * number) - timedelta(days=1), year.end)
        quarters.append(QuarterShare(number, start, end))
    return quarters


@dataclass
class PurchaseShareResult:
    rule: PurchaseShareRule
    year: ContractYear
    total: Decimal
    qualifying: Decimal
    lines: list[dict[str, Any]] = field(default_factory=list)
    quarters: list[QuarterShare] = field(default_factory=list)
    held_out: dict[tuple[int, str], HeldOut] = field(default_factory=dict)  # (invoice id, currency): counted apart
    rates_used: dict[str, ExchangeRate] = field(default_factory=dict)  # currency: the contract's rate, as applied
    not_spread: dict[int, InvoiceRecord] = field(default_factory=dict)  # invoices whose adjustments could not be spread

    def held_out_by_currency(self) -> list[dict[str, Any]]:
        """What was counted apart, per currency: amount and lines (for the report)."""
        currencies: dict[str, dict[str, Any]] = {}
        for held in self.held_out.values():
            entry = currencies.setdefault(held.currency, {"currency": held.currency, "amount": Decimal(0), "lines": 0})
            entry["amount"] += held.amount
            entry["lines"] += held.lines
        return [{**entry, "amount": str(entry["amount"])} for _, entry in sorted(currencies.items())]

    @property
    def rule_id(self) -> str:
        return f"{RULE_SHARE_PREFIX}.{self.rule.id}@1"

    @property
    def share(self) -> Decimal | None:
        return None if self.total <= 0 else self.qualifying / self.total

    @property
    def compliant(self) -> bool | None:
        if self.total <= 0:
            return None
        return meets_level(self.rule.minimum_percent, self.total, self.qualifying, self.rule.level_inclusive)

    @property
    def status(self) -> str:
        return {None: "no_data", True: "compliant", False: "short"}[self.compliant]


def purchase_share(
    rule: PurchaseShareRule,
    year: ContractYear,
    lines: Sequence[DatedLine],
    catalogue: CatalogueHistory,
    rates: Sequence[ExchangeRate] = (),
) -> PurchaseShareResult:
    """Sum matching lines and the part of them that carries a qualifying label.

    By amount, a line counts what was paid for it in kroner (``compliance.checks.amounts``): lines
    in a currency ``rates`` has no rate for are counted apart in ``held_out``, never added.
    """
    result = PurchaseShareResult(rule, year, Decimal(0), Decimal(0), quarters=year_quarters(year))
    for dated in lines:
        if not line_matches(rule.match, dated.line):
            continue
        paid_details: dict[str, Any] = {}
        if rule.basis == "amount":
            paid = paid_amount(dated, rates)
            if paid is None:
                continue
            if not can_spread(dated.invoice):
                result.not_spread[dated.invoice.id] = dated.invoice
            if paid.dkk is None:
                held = result.held_out.setdefault((dated.invoice.id, paid.currency), HeldOut(dated.invoice, paid.currency))
                held.amount += paid.paid
                held.lines += 1
                continue
            if paid.rate is not None:
                result.rates_used[paid.currency] = paid.rate
            value: Decimal | None = paid.dkk
            paid_details = paid.evidence()
        else:
            value = dated.line.quantity
        if value is None:
            continue
        labels, source = effective_labels(dated, catalogue)
        qualifying = any(label.code in rule.qualifying_labels for label in labels)
        result.total += value
        quarter = next(q for q in result.quarters if q.start <= dated.day <= q.end)
        quarter.total += value
        if qualifying:
            result.qualifying += value
            quarter.qualifying += value
        result.lines.append(
            {
                **dated.evidence(),
                **paid_details,
                "value": str(value),
                "qualifying": qualifying,
                "labels": [lb.code for lb in labels],
                "label_source": source,
            }
        )
    return result


def quarter_findings(contract: ContractTerms, result: PurchaseShareResult) -> list[FindingRecord]:
    """Quarters below the level: an early signal (the contract year is what binds), as the organic
    label schemes count at least every three months (RULES.md §3.2)."""
    findings = []
    for quarter in result.quarters:
        details = quarter.as_details(result.rule)
        if details["status"] != "short":
            continue
        findings.append(
            FindingRecord(
                f"{RULE_SHARE_PREFIX}.{result.rule.id}.quarter@1",
                "low",
                message_key="purchase_share.quarter_short",
                params={
                    "description": result.rule.description,
                    "share": None if quarter.share is None else str(quarter.share),
                    "quarter": quarter.number,
                    "year": result.year.number,
                    "start": quarter.start.isoformat(),
                    "end": quarter.end.isoformat(),
                    "minimum": str(result.rule.minimum_percent),
                },
                subject=evidence_key(quarter=quarter.number),
                contract_id=contract.id,
                contract_year=result.year.number,
                supplier_cvr=contract.supplier_cvr,
                expected=f"{'≥' if result.rule.level_inclusive else '>'} {result.rule.minimum_percent} %",
                received=danish_percent(quarter.share),
                location=f"quarter {quarter.number}",
                evidence=details,
            )
        )
    return findings


def purchase_share_finding(contract: ContractTerms, result: PurchaseShareResult) -> FindingRecord | None:
    if result.compliant is not False:
        return None
    return FindingRecord(
        result.rule_id,
        "high",
        message_key="purchase_share.short_amount" if result.rule.basis == "amount" else "purchase_share.short_quantity",
        params={
            "description": result.rule.description,
            "share": None if result.share is None else str(result.share),
            "total": str(result.total),
            "year": result.year.number,
            "minimum": str(result.rule.minimum_percent),
        },
        subject=evidence_key(),  # the contract year's share (the rule id names the share)
        contract_id=contract.id,
        contract_year=result.year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=f"{'≥' if result.rule.level_inclusive else '>'} {result.rule.minimum_percent} %",
        received=danish_percent(result.share),
        evidence={"total": str(result.total), "qualifying": str(result.qualifying)},
    )


def amount_findings(contract: ContractTerms, result: PurchaseShareResult) -> list[FindingRecord]:
    """Invoices whose lines the share counted apart (another currency without a rate), and invoices
    whose document-level allowances and charges could not be spread over their lines."""
    return other_currency_findings(
        contract, result.year, result.rule.id, result.rule.description, list(result.held_out.values())
    ) + not_spread_findings(contract, result.year, list(result.not_spread.values()))
