"""Which contract an invoice belongs to: its contract reference, else supplier + buyer + date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.base.findings import FindingRecord, evidence_key
from compliance.checks.inputs import InvoiceRecord
from compliance.contracts import ContractTerms

RULE_UNMATCHED = "invoice.unmatched@1"


@dataclass(frozen=True)
class ContractMatch:
    contract_id: str | None
    how: str  # "reference" | "supplier_and_period" | "ambiguous" | "none"


def invoice_contract(invoice: InvoiceRecord, contracts: Sequence[ContractTerms]) -> ContractMatch:
    """Match by ContractDocumentReference first; fall back to supplier CVR + customer + issue date."""
    references = set(invoice.contract_references or [])
    by_reference = [c for c in contracts if references & (c.invoice_references | {c.id})]
    if len(by_reference) == 1:
        return ContractMatch(by_reference[0].id, "reference")
    if len(by_reference) > 1:
        return ContractMatch(None, "ambiguous")
    by_supplier = [
        c
        for c in contracts
        if invoice.supplier_cvr == c.supplier_cvr
        and c.start <= invoice.issue_date <= c.end
        and (not c.customer_ids or invoice.customer_endpoint_id in c.customer_ids or invoice.customer_gln in c.customer_ids)
    ]
    if len(by_supplier) == 1:
        return ContractMatch(by_supplier[0].id, "supplier_and_period")
    return ContractMatch(None, "ambiguous" if by_supplier else "none")


def unmatched_invoice_finding(invoice: InvoiceRecord, match: ContractMatch) -> FindingRecord:
    return FindingRecord(
        rule_id=RULE_UNMATCHED,
        severity="medium",
        message_key="invoice.unmatched.ambiguous" if match.how == "ambiguous" else "invoice.unmatched.no_contract",
        params={
            "document_type": invoice.document_type,
            "number": invoice.number,
            "supplier": invoice.supplier_name or invoice.supplier_key,
        },
        subject=evidence_key(invoice=invoice.number),
        supplier_cvr=invoice.supplier_cvr,
        expected="a contract reference (cac:ContractDocumentReference) naming a known contract",
        received=", ".join(invoice.contract_references or []) or "no contract reference",
        source_file_id=invoice.source_file_id,
        location="cac:ContractDocumentReference/cbc:ID",
        evidence={"invoice": invoice.number, "issue_date": invoice.issue_date.isoformat()},
    )
