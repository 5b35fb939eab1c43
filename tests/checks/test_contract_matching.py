"""Which contract an invoice belongs to: its contract reference, else supplier + buyer unit + date."""

from __future__ import annotations

from datetime import date

from compliance.checks.contract_matching import RULE_UNMATCHED, invoice_contract, unmatched_invoice_finding
from tests.builders import contract, invoice

OFFICE = contract(
    id="KK-2025-0042",
    supplier={"name": "Nordisk Kontorforsyning A/S", "cvr": "27614590"},
    buyer={"name": "Koncernindkøb", "customer_ids": ["5798000000038", "5798000000045"]},
    period={"start": "2025-01-01", "end": "2026-12-31"},
)
TRANSPORT = contract(
    id="KK-2024-0117",
    supplier={"name": "Grøn Bud ApS", "cvr": "38451236"},
    period={"start": "2024-01-01", "end": "2027-12-31"},
)
KNOWN = [TRANSPORT, OFFICE]


def test_invoice_matching_by_reference_then_supplier_buyer_and_date() -> None:
    office_invoice = invoice(supplier_cvr="27614590", issue_date=date(2025, 3, 31))
    assert invoice_contract(office_invoice, KNOWN).how == "none"  # no reference and no buyer unit
    by_reference = invoice_contract(invoice(contract_references=("KK-2025-0042",)), KNOWN)
    assert (by_reference.contract_id, by_reference.how) == ("KK-2025-0042", "reference")
    by_supplier = invoice_contract(invoice(supplier_cvr="27614590", customer_gln="5798000000038"), KNOWN)
    assert (by_supplier.contract_id, by_supplier.how) == ("KK-2025-0042", "supplier_and_period")
    # A buyer unit the contract does not list is not matched on supplier alone …
    assert invoice_contract(invoice(supplier_cvr="27614590", customer_gln="5790000000001"), KNOWN).contract_id is None
    # … nor an invoice issued after the contract ended.
    late = invoice(supplier_cvr="27614590", customer_gln="5798000000038", issue_date=date(2030, 1, 1))
    assert invoice_contract(late, KNOWN).contract_id is None


def test_a_contract_without_buyer_units_matches_on_supplier_and_date_alone() -> None:
    match = invoice_contract(invoice(supplier_cvr="38451236", issue_date=date(2024, 6, 30)), KNOWN)
    assert (match.contract_id, match.how) == ("KK-2024-0117", "supplier_and_period")


def test_an_invoice_two_contracts_claim_is_ambiguous_and_reported() -> None:
    twin = contract(id="KK-2025-0099", invoice_references=["KK-2025-0042"])
    referenced = invoice(number="NK-1", supplier_name="Nordisk", contract_references=("KK-2025-0042",))
    match = invoice_contract(referenced, [OFFICE, twin])
    assert (match.contract_id, match.how) == (None, "ambiguous")
    finding = unmatched_invoice_finding(referenced, match)
    assert (finding.rule_id, finding.received, finding.location) == (
        RULE_UNMATCHED,
        "KK-2025-0042",
        "cac:ContractDocumentReference/cbc:ID",
    )
    assert finding.message == "invoice NK-1 from Nordisk matches no contract: it fits more than one contract"
    unknown = invoice(number="NK-2", document_type="credit_note", supplier_key="99999999")
    assert unmatched_invoice_finding(unknown, invoice_contract(unknown, KNOWN)).message == (
        "credit note NK-2 from 99999999 matches no contract: "
        "no contract has its contract reference, or its supplier, buyer and date"
    )
