"""Attribution by issuer: which party of a contract issued a document, if any.

A document counts for a contract only when its issuer is the contract's supplier or a party the
contract lists: another issuing entity of the supplier (``supplier.issuing_entities``, e.g. the minor
supplier of the Peppol DK master/minor supplier arrangement) or a subcontractor (``subcontractors``,
handbook §7.1). Anything else that cites the contract is a high finding, held out of every figure and
listed for the data team: a contract reference is text anyone can write, an issuer's CVR is not.

The issuer is identified by its normalised CVR, SE number and GLN. It is a listed party when at least
one identifier both carry is the same and none they both carry differs (an invoice with the
supplier's GLN but another company's CVR is not the supplier's).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from compliance.base.findings import FindingRecord, evidence_key
from compliance.contracts import ContractParty, ContractTerms

RULE_NOT_ATTRIBUTED = "attribution.issuer_not_party@1"
HELD_OUT = "held_out"  # the stored issuer role of a document held out of every figure


@dataclass(frozen=True)
class Issuer:
    """Who issued a document, by its normalised identifiers; a name only when it has none."""

    cvr: str | None = None
    se: str | None = None
    gln: str | None = None
    name: str | None = None

    def identifiers(self) -> dict[str, str]:
        return {kind: value for kind, value in (("cvr", self.cvr), ("se", self.se), ("gln", self.gln)) if value}

    @property
    def described(self) -> str:
        """``CVR 12345678``, else the SE number or GLN, else the name: how a finding names the issuer."""
        for kind, value in self.identifiers().items():
            return f"{kind.upper()} {value}"
        return f"an issuer without CVR, SE or GLN ({self.name or 'no name'})"


def is_party(party: ContractParty, issuer: Issuer) -> bool:
    """True when ``issuer`` is ``party``: an identifier in common, and none that differs."""
    listed = party.identifiers()
    carried = issuer.identifiers()
    shared = listed.keys() & carried.keys()
    return bool(shared) and all(listed[kind] == carried[kind] for kind in shared)


def issuing_party(contract: ContractTerms, issuer: Issuer) -> ContractParty | None:
    """The contract's party that issued the document (the supplier first), or None: not attributable."""
    return next((party for party in contract.parties if is_party(party, issuer)), None)


def log_supplier_cvrs(contract: ContractTerms) -> frozenset[str]:
    """The CVRs whose driving logs count for the contract: the supplier and its issuing entities, and the
    subcontractors whose trips enter the §2.1 share (their logs are the evidence for those trips)."""
    return frozenset(
        party.cvr for party in contract.parties if party.cvr and (party.role != "subcontractor" or party.green_vehicle_share)
    )


def not_attributed_finding(
    contract: ContractTerms,
    issuer: Issuer,
    document_type: str,
    document: str,
    source_file_id: int | None,
    location: str,
    evidence: dict[str, Any] | None = None,
) -> FindingRecord:
    """The high finding for a document that cites ``contract`` but whose issuer the contract does not list.

    It belongs to no contract year (the data team's list, never a supplier's letter); its supplier is
    the issuer, so not even the issuer's own contracts' letters show another contract's data.
    """
    return FindingRecord(
        rule_id=RULE_NOT_ATTRIBUTED,
        severity="high",
        message_key="attribution.issuer_not_party",
        params={
            "document_type": document_type,
            "document": document,
            "issuer": issuer.described,
            "contract": contract.id,
            "supplier_cvr": contract.supplier_cvr,
        },
        subject=evidence_key(document=document, cited_contract=contract.id),
        supplier_cvr=issuer.cvr,
        expected=(
            f"a document issued by the contract's supplier (CVR {contract.supplier_cvr}), one of its issuing entities "
            "or a subcontractor the contract lists"
        ),
        received=f"{document_type.replace('_', ' ')} {document} issued by {issuer.described}",
        source_file_id=source_file_id,
        location=location,
        evidence={"cited_contract": contract.id, "issuer": issuer.identifiers(), "issuer_name": issuer.name} | (evidence or {}),
    )


def file_name(path: str) -> str:
    """The file name a finding shows for a document known only by its file (a driving log)."""
    return PurePath(path).name or path
