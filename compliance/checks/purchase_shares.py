"""§16 purchase shares, e.g. coffee, tea and cocoa ≥ 50 % Fair Trade and/or organic (§16.3).

Interpretation (RULES.md §4): the share is of invoiced amount excl. VAT unless the contract says
quantity; credit-note lines count negative, so they net out what they credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from compliance.assessment.green_vehicles import meets_level
from compliance.catalogues import CatalogueHistory
from compliance.checks import FindingRecord
from compliance.checks.items import DatedLine, effective_labels, line_matches
from compliance.contracts import ContractTerms, ContractYear, PurchaseShareRule
from compliance.formatting import danish_money, danish_number, danish_percent

RULE_SHARE_PREFIX = "purchase_share"


@dataclass
class PurchaseShareResult:
    rule: PurchaseShareRule
    year: ContractYear
    total: Decimal
    qualifying: Decimal
    lines: list[dict[str, Any]] = field(default_factory=list)

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
    rule: PurchaseShareRule, year: ContractYear, lines: Sequence[DatedLine], catalogue: CatalogueHistory
) -> PurchaseShareResult:
    """Sum matching lines and the part of them that carries a qualifying label."""
    result = PurchaseShareResult(rule, year, Decimal(0), Decimal(0))
    for dated in lines:
        if not line_matches(rule.match, dated.line):
            continue
        value = dated.line.line_amount if rule.basis == "amount" else dated.line.quantity
        if value is None:
            continue
        labels, source = effective_labels(dated, catalogue)
        qualifying = any(label.get("code") in rule.qualifying_labels for label in labels)
        result.total += value
        if qualifying:
            result.qualifying += value
        result.lines.append(
            {
                **dated.evidence(),
                "value": str(value),
                "qualifying": qualifying,
                "labels": [lb.get("code") for lb in labels],
                "label_source": source,
            }
        )
    return result


def purchase_share_finding(contract: ContractTerms, result: PurchaseShareResult) -> FindingRecord | None:
    if result.compliant is not False:
        return None
    total = (
        danish_money(result.total) + " excl. VAT" if result.rule.basis == "amount" else f"{danish_number(result.total, 2)} units"
    )
    return FindingRecord(
        result.rule_id,
        "high",
        f"{result.rule.description}: {danish_percent(result.share)} of {total} qualifies in contract year "
        f"{result.year.number}, below {danish_number(result.rule.minimum_percent, 2)} %",
        contract_id=contract.id,
        contract_year=result.year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=f"{'≥' if result.rule.level_inclusive else '>'} {result.rule.minimum_percent} %",
        received=danish_percent(result.share),
        evidence={"total": str(result.total), "qualifying": str(result.qualifying)},
    )
