"""§2.6 Euro 6: supplier vehicles over 3,500 kg (and vans, trucks, buses where the contract says so)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.base.vocabulary import GREEN_FUELS, NON_MOTORISED
from compliance.checks.inputs import RegisteredVehicle
from compliance.contracts import ContractTerms, ContractYear

RULE_NOT_EURO6 = "euro6.not_euro6@1"
KIND_FOR_TERM = {"trucks": "truck", "buses": "bus", "vans": "van"}


def euro6_applies(contract: ContractTerms, vehicle: RegisteredVehicle) -> bool:
    """Whether the contract's Euro-6 term covers this vehicle; zero-emission vehicles are exempt."""
    if vehicle.fuel in GREEN_FUELS or vehicle.kind in NON_MOTORISED:
        return False
    if "over_3500kg" in contract.euro6_applies_to and (vehicle.total_weight_kg or 0) > 3500:
        return True
    return any(KIND_FOR_TERM[term] == vehicle.kind for term in contract.euro6_applies_to if term in KIND_FOR_TERM)


def euro6_findings(
    contract: ContractTerms, year: ContractYear, plates_used: Iterable[str], vehicles: Mapping[str, RegisteredVehicle]
) -> list[FindingRecord]:
    """One finding per vehicle used in the year that the term covers and that is not Euro 6."""
    findings = []
    for plate in sorted(set(plates_used)):
        vehicle = vehicles.get(plate)
        if vehicle is None or not euro6_applies(contract, vehicle):
            continue
        if vehicle.euro_norm is not None and vehicle.euro_norm >= 6:
            continue
        norm = "unknown" if vehicle.euro_norm is None else ("no norm" if vehicle.euro_norm == 0 else f"Euro {vehicle.euro_norm}")
        if vehicle.euro_norm is None:
            norm_part = message_part("fragment.unknown_norm")
        elif vehicle.euro_norm == 0:
            norm_part = message_part("fragment.no_norm")
        else:
            norm_part = message_part("fragment.euro_norm", norm=vehicle.euro_norm)
        findings.append(
            FindingRecord(
                RULE_NOT_EURO6,
                "high",
                message_key="euro6.not_euro6",
                params={
                    "plate": plate,
                    "kind": vehicle.kind,
                    "weight": vehicle.total_weight_kg or "?",
                    "fuel": vehicle.fuel,
                    "year": year.number,
                    "norm": norm_part,
                },
                subject=evidence_key(registration=plate),
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected="Euro 6 (§2.6)",
                received=norm,
                source_file_id=vehicle.source_file_id,
                location=f"row {vehicle.row}",
                evidence={"registration": plate, "euro_norm": vehicle.euro_norm, "total_weight_kg": vehicle.total_weight_kg},
                identified_by_subject=True,
            )
        )
    return findings
