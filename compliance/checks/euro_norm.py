"""§2.6 Euro 6: supplier vehicles over 3,500 kg (and vans, trucks, buses where the contract says so)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.base.vocabulary import GREEN_FUELS, NON_MOTORISED
from compliance.checks.inputs import RegisteredVehicle
from compliance.contracts import ContractTerms, ContractYear

RULE_NOT_EURO6 = "euro6.not_euro6@1"
RULE_EURO6_WEIGHT_UNKNOWN = "euro6.weight_unknown@1"
KIND_FOR_TERM = {"trucks": "truck", "buses": "bus", "vans": "van"}


def euro6_scope(contract: ContractTerms, vehicle: RegisteredVehicle) -> str:
    """Whether the contract's Euro-6 term covers this vehicle: "covered", "exempt" or "weight_unknown".

    Zero-emission vehicles are exempt (§2.6). A vehicle the listed kinds do not cover, whose weight
    the register does not give, may still be over 3,500 kg: that is "weight_unknown", never "exempt".
    """
    if vehicle.fuel in GREEN_FUELS or vehicle.kind in NON_MOTORISED:
        return "exempt"
    if any(KIND_FOR_TERM[term] == vehicle.kind for term in contract.euro6_applies_to if term in KIND_FOR_TERM):
        return "covered"
    if "over_3500kg" not in contract.euro6_applies_to:
        return "exempt"
    if vehicle.total_weight_kg is None:
        return "weight_unknown"
    return "covered" if vehicle.total_weight_kg > 3500 else "exempt"


def euro6_applies(contract: ContractTerms, vehicle: RegisteredVehicle) -> bool:
    """Whether the contract's Euro-6 term certainly covers this vehicle."""
    return euro6_scope(contract, vehicle) == "covered"


def euro6_findings(
    contract: ContractTerms, year: ContractYear, plates_used: Iterable[str], vehicles: Mapping[str, RegisteredVehicle]
) -> list[FindingRecord]:
    """One finding per vehicle used in the year that the term covers (or may cover) and that is not Euro 6.

    ``plates_used`` are the plates of the whole contract year: §2.6 has no transition months.
    """
    findings = []
    for plate in sorted(set(plates_used)):
        vehicle = vehicles.get(plate)
        if vehicle is None or (vehicle.euro_norm is not None and vehicle.euro_norm >= 6):
            continue
        scope = euro6_scope(contract, vehicle)
        if scope == "exempt":
            continue
        if scope == "weight_unknown":
            findings.append(_weight_unknown_finding(contract, year, vehicle))
            continue
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
                    "norm": _norm_part(vehicle),
                },
                subject=evidence_key(registration=plate),
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected="Euro 6 (§2.6)",
                received=_norm_text(vehicle),
                source_file_id=vehicle.source_file_id,
                location=f"row {vehicle.row}",
                evidence={"registration": plate, "euro_norm": vehicle.euro_norm, "total_weight_kg": vehicle.total_weight_kg},
                identified_by_subject=True,
            )
        )
    return findings


def _norm_part(vehicle: RegisteredVehicle) -> dict[str, Any]:
    """The vehicle's Euro norm as a message fragment (rendered in the report's language)."""
    if vehicle.euro_norm is None:
        return message_part("fragment.unknown_norm")
    if vehicle.euro_norm == 0:
        return message_part("fragment.no_norm")
    return message_part("fragment.euro_norm", norm=vehicle.euro_norm)


def _norm_text(vehicle: RegisteredVehicle) -> str:
    if vehicle.euro_norm is None:
        return "unknown"
    return "no norm" if vehicle.euro_norm == 0 else f"Euro {vehicle.euro_norm}"


def _weight_unknown_finding(contract: ContractTerms, year: ContractYear, vehicle: RegisteredVehicle) -> FindingRecord:
    """A vehicle that is not Euro 6 and may be over 3,500 kg: the register must give its weight (§2.6)."""
    return FindingRecord(
        RULE_EURO6_WEIGHT_UNKNOWN,
        "medium",
        message_key="euro6.weight_unknown",
        params={
            "plate": vehicle.registration,
            "kind": vehicle.kind,
            "fuel": vehicle.fuel,
            "year": year.number,
            "norm": _norm_part(vehicle),
        },
        subject=evidence_key(registration=vehicle.registration),
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected="the vehicle's total weight, or Euro 6 (§2.6)",
        received=f"no total weight, {_norm_text(vehicle)}",
        source_file_id=vehicle.source_file_id,
        location=f"row {vehicle.row}",
        evidence={"registration": vehicle.registration, "euro_norm": vehicle.euro_norm, "total_weight_kg": None},
        identified_by_subject=True,
    )
