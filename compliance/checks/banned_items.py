"""§16.1 banned items: single-use plastic tableware, EPS containers, bottled water — flagged per line."""

from __future__ import annotations

from collections.abc import Sequence

from compliance.base.findings import FindingRecord, evidence_key
from compliance.checks.items import DatedLine, line_matches
from compliance.contracts import ContractTerms, ContractYear

RULE_BANNED_ITEM = "banned_items.delivered@1"


def banned_item_findings(contract: ContractTerms, year: ContractYear, lines: Sequence[DatedLine]) -> list[FindingRecord]:
    findings = []
    for rule in contract.banned_items:
        for dated in lines:
            if line_matches(rule.match, dated.line) and (dated.line.quantity or 0) > 0:
                findings.append(
                    FindingRecord(
                        RULE_BANNED_ITEM,
                        "high",
                        message_key="banned_items.delivered",
                        params={"place": dated.place, "name": dated.line.name, "description": rule.description},
                        subject=evidence_key(invoice=dated.invoice.number, line=dated.line.line_id, rule=rule.id),
                        contract_id=contract.id,
                        contract_year=year.number,
                        supplier_cvr=contract.supplier_cvr,
                        expected="no such items (§16.1)",
                        received=f"{dated.line.quantity} {dated.line.unit_code or ''} {dated.line.name}".strip(),
                        source_file_id=dated.invoice.source_file_id,
                        location=dated.location,
                        evidence={**dated.evidence(), "rule": rule.id},
                    )
                )
    return findings
