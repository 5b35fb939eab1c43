"""Which contract an invoice belongs to: its contract reference, else supplier + buyer + date — and in
either case only when its issuer is a party of that contract (``compliance.checks.attribution``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.base.findings import FindingRecord, evidence_key
from compliance.checks.attribution import Issuer, issuing_party, not_attributed_finding
from compliance.checks.inputs import InvoiceRecord
from compliance.contracts import ContractTerms

RULE_UNMATCHED = "invoice.unmatched@1"


@dataclass(frozen=True)
class ContractMatch:
    contract_id: str | None
    how: str  # "reference" | "supplier_and_period" | "ambiguous" | "none" | "not_attributed"
    # The issuer's role for the matched contract: supplier | issuing_entity | subcontractor.
    role: str | None = None
    # Whether its §2.1 trip lines count (False for a subcontractor the contract keeps out of the share).
    in_green_vehicle_share: bool = True
    # Contracts it cites whose parties do not include its issuer: each is a high finding.
    not_attributed: tuple[ContractTerms, ...] = ()


def invoice_issuer(invoice: InvoiceRecord) -> Issuer:
    return Issuer(invoice.supplier_cvr, invoice.supplier_se, invoice.supplier_gln, invoice.supplier_name)


def invoice_contract(invoice: InvoiceRecord, contracts: Sequence[ContractTerms]) -> ContractMatch:
    """Match by ContractDocumentReference first; fall back to supplier + customer + issue date.

    Either way the issuer must be a party of the contract: the supplier, one of its issuing entities or
    a subcontractor. A contract cited by an issuer it does not list gets nothing from the document.
    """
    issuer = invoice_issuer(invoice)
    references = set(invoice.contract_references or [])
    by_reference = [c for c in contracts if references & (c.invoice_references | {c.id})]
    attributed = [(c, party) for c in by_reference if (party := issuing_party(c, issuer)) is not None]
    refused = tuple(c for c in by_reference if all(c is not other for other, _ in attributed))
    if len(attributed) == 1:
        contract, party = attributed[0]
        return ContractMatch(contract.id, "reference", party.role, party.green_vehicle_share, refused)
    if len(attributed) > 1:
        return ContractMatch(None, "ambiguous", not_attributed=refused)
    if refused:
        return ContractMatch(None, "not_attributed", not_attributed=refused)
    by_supplier = [
        (c, party)
        for c in contracts
        if (party := issuing_party(c, issuer)) is not None
        and c.start <= invoice.issue_date <= c.end
        and (not c.customer_ids or invoice.customer_endpoint_id in c.customer_ids or invoice.customer_gln in c.customer_ids)
    ]
    if len(by_supplier) == 1:
        contract, party = by_supplier[0]
        return ContractMatch(contract.id, "supplier_and_period", party.role, party.green_vehicle_share)
    return ContractMatch(None, "ambiguous" if by_supplier else "none")


def not_attributed_invoice_findings(invoice: InvoiceRecord, match: ContractMatch) -> list[FindingRecord]:
    """One high finding per contract the invoice cites whose parties do not include its issuer."""
    return [
        not_attributed_finding(
            contract,
            invoice_issuer(invoice),
            invoice.document_type,
            invoice.number,
            invoice.source_file_id,
            "cac:AccountingSupplierParty",
            {"file": invoice.source_path, "issue_date": invoice.issue_date.isoformat()},
        )
        for contract in match.not_attributed
    ]


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
