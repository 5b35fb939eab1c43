"""Which contract an invoice belongs to: its contract reference, else supplier + buyer unit + date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from compliance.base.errors import ContractTermsError
from compliance.checks.attribution import RULE_NOT_ATTRIBUTED
from compliance.checks.contract_matching import (
    RULE_UNMATCHED,
    ContractMatch,
    invoice_contract,
    not_attributed_invoice_findings,
    unmatched_invoice_finding,
)
from tests.builders import SUPPLIER_CVR, contract, invoice

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
    by_reference = invoice_contract(invoice(supplier_cvr="27614590", contract_references=("KK-2025-0042",)), KNOWN)
    assert (by_reference.contract_id, by_reference.how, by_reference.role) == ("KK-2025-0042", "reference", "supplier")
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
    twin = contract(id="KK-2025-0099", invoice_references=["KK-2025-0042"], supplier={"name": "Nordisk", "cvr": "27614590"})
    referenced = invoice(number="NK-1", supplier_name="Nordisk", supplier_cvr="27614590", contract_references=("KK-2025-0042",))
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


# --- attribution by issuer (issue 16, item 1) ------------------------------------------------------

LISTED = contract(
    id="KK-2024-0117",
    supplier={
        "name": "Grøn Bud ApS",
        "cvr": "38451236",
        "issuing_entities": [
            {"name": "Grøn Bud, afd. Nord", "se": "40112233"},
            {"name": "Grøn Bud Fakturering", "gln": "5798009811578"},
        ],
    },
    subcontractors=[
        {"name": "Cykelbud ApS", "cvr": "32081330", "green_vehicle_share": False},
        {"name": "Elbud ApS", "cvr": "32081331", "gln": "5790000000005", "green_vehicle_share": True},
    ],
    period={"start": "2024-01-01", "end": "2027-12-31"},
)


def cites(**issuer: Any) -> ContractMatch:
    """Match an invoice citing KK-2024-0117 from an issuer with these identifiers (none by default)."""
    document = invoice(contract_references=("KK-2024-0117",), **({"supplier_cvr": None} | issuer))
    return invoice_contract(document, [LISTED, OFFICE])


def test_a_citing_document_counts_only_from_the_supplier_or_a_listed_party() -> None:
    assert (cites(supplier_cvr="38451236").role, cites(supplier_cvr="38451236").contract_id) == ("supplier", "KK-2024-0117")
    assert cites(supplier_se="40112233").role == "issuing_entity"
    assert cites(supplier_gln="5798009811578").role == "issuing_entity"
    outside = cites(supplier_cvr="32081330")
    assert (outside.role, outside.in_green_vehicle_share) == ("subcontractor", False)
    assert cites(supplier_cvr="32081331").in_green_vehicle_share is True
    # Another supplier's CVR, an unknown CVR, no identifier at all: held out, each a finding for the cited contract.
    for match in (cites(supplier_cvr="27614590"), cites(supplier_cvr="11223344"), cites()):
        assert (match.contract_id, match.how, [c.id for c in match.not_attributed]) == (None, "not_attributed", ["KK-2024-0117"])
    # A listed party's GLN with another company's CVR is not that party: identifiers both carry must all agree.
    assert cites(supplier_cvr="11223344", supplier_gln="5790000000005").how == "not_attributed"
    assert cites(supplier_cvr="32081331", supplier_gln="5790000000005").role == "subcontractor"


def test_the_held_out_finding_names_both_cvrs_and_belongs_to_no_contract_year() -> None:
    stranger = invoice(number="XX-1", supplier_cvr="27614590", contract_references=("KK-2024-0117",))
    [finding] = not_attributed_invoice_findings(stranger, invoice_contract(stranger, [LISTED, OFFICE]))
    assert (finding.rule_id, finding.severity, finding.contract_id, finding.supplier_cvr) == (
        RULE_NOT_ATTRIBUTED,
        "high",
        None,
        "27614590",
    )
    assert finding.message.startswith("invoice XX-1 from CVR 27614590 cites contract KK-2024-0117 of CVR 38451236")


def test_matching_by_supplier_and_period_also_takes_a_listed_party() -> None:
    match = invoice_contract(invoice(supplier_cvr=None, supplier_se="40112233", issue_date=date(2024, 6, 30)), [LISTED, OFFICE])
    assert (match.contract_id, match.how, match.role) == ("KK-2024-0117", "supplier_and_period", "issuing_entity")


def test_an_identifier_may_name_one_party_only() -> None:
    with pytest.raises(ContractTermsError) as caught:
        contract(subcontractors=[{"name": "Selv", "cvr": SUPPLIER_CVR, "green_vehicle_share": True}])
    assert caught.value.location == "subcontractors[0].cvr" and "supplier.cvr" in str(caught.value)
    with pytest.raises(ContractTermsError) as missing:
        contract(subcontractors=[{"name": "Uden flag", "cvr": "32081330"}])
    assert "green_vehicle_share" in str(missing.value)
