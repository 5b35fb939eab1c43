"""§2.6 Euro 6: which vehicles the term covers, and one finding per covered vehicle used that is not Euro 6."""

from __future__ import annotations

import dataclasses

from compliance.checks.euro_norm import RULE_EURO6_WEIGHT_UNKNOWN, RULE_NOT_EURO6, euro6_applies, euro6_findings
from compliance.checks.inputs import RegisteredVehicle
from tests.builders import contract, vehicle

HEAVY_AND_TRUCKS = contract(euro6={"applies_to": ["over_3500kg", "trucks"]})


def test_euro6_scope() -> None:
    assert euro6_applies(HEAVY_AND_TRUCKS, vehicle("T1", "truck", "diesel", total_weight_kg=7500))
    assert euro6_applies(HEAVY_AND_TRUCKS, vehicle("T2", "truck", "diesel", total_weight_kg=3000))  # trucks are listed
    assert euro6_applies(HEAVY_AND_TRUCKS, vehicle("B1", "bus", "diesel", total_weight_kg=18000))  # over 3,500 kg
    assert not euro6_applies(HEAVY_AND_TRUCKS, vehicle("V1", "van", "diesel", total_weight_kg=3500))
    assert not euro6_applies(HEAVY_AND_TRUCKS, vehicle("T3", "truck", "electric", total_weight_kg=12000))  # zero emission exempt
    assert not euro6_applies(HEAVY_AND_TRUCKS, vehicle("C1", "cargo_bike", "none"))
    vans = contract(euro6={"applies_to": ["vans"]})
    assert euro6_applies(vans, vehicle("V1", "van", "diesel", total_weight_kg=3500))


def test_one_finding_per_covered_vehicle_used_that_is_not_euro6() -> None:
    vehicles = {
        "AA11111": vehicle("AA11111", "truck", "diesel", total_weight_kg=7500, euro_norm=5, source_file_id=4, row=3),
        "BB22222": vehicle("BB22222", "truck", "diesel", total_weight_kg=7500, euro_norm=None, row=4),
        "CC33333": vehicle("CC33333", "truck", "diesel", total_weight_kg=7500, euro_norm=6),
        "DD44444": vehicle("DD44444", "van", "diesel", total_weight_kg=3500, euro_norm=4),  # not covered
        "EE55555": vehicle("EE55555", "truck", "diesel", total_weight_kg=7500, euro_norm=0, row=6),
    }
    used = ["CC33333", "AA11111", "DD44444", "BB22222", "AA11111", "ZZ99999", "EE55555"]  # ZZ99999: not in the register
    findings = euro6_findings(HEAVY_AND_TRUCKS, HEAVY_AND_TRUCKS.year(1), used, vehicles)
    assert [(f.rule_id, f.evidence["registration"], f.received, f.location) for f in findings] == [
        (RULE_NOT_EURO6, "AA11111", "Euro 5", "row 3"),
        (RULE_NOT_EURO6, "BB22222", "unknown", "row 4"),
        (RULE_NOT_EURO6, "EE55555", "no norm", "row 6"),
    ]
    assert findings[0].source_file_id == 4
    assert findings[0].message == "AA11111 (truck, 7500 kg, diesel) was used on the contract in year 1 but is Euro 5"
    assert euro6_findings(contract(), contract().year(1), used, vehicles) == []  # no Euro 6 term: nothing applies


def test_a_new_register_extract_keeps_the_findings_identity() -> None:
    """The vehicle is the subject: a later DMR extract (another file and row) must not re-key the finding,
    or the supplier's notice deadline would restart with every register import."""
    used = ["AA11111"]
    first = {"AA11111": vehicle("AA11111", "truck", "diesel", total_weight_kg=7500, euro_norm=5, source_file_id=4, row=3)}
    later = {"AA11111": vehicle("AA11111", "truck", "diesel", total_weight_kg=7500, euro_norm=5, source_file_id=9, row=812)}
    before = euro6_findings(HEAVY_AND_TRUCKS, HEAVY_AND_TRUCKS.year(1), used, first)
    after = euro6_findings(HEAVY_AND_TRUCKS, HEAVY_AND_TRUCKS.year(1), used, later)
    assert before[0].fingerprint() == after[0].fingerprint()
    assert (after[0].source_file_id, after[0].location) == (9, "row 812")  # still shown where the register says it
    other = euro6_findings(HEAVY_AND_TRUCKS, HEAVY_AND_TRUCKS.year(1), ["BB22222"], {"BB22222": replace_plate(first, "BB22222")})
    assert other[0].fingerprint() != before[0].fingerprint()


def replace_plate(vehicles: dict[str, RegisteredVehicle], plate: str) -> RegisteredVehicle:
    return dataclasses.replace(vehicles["AA11111"], registration=plate)


def test_a_euro6_term_without_groups_covers_all_four_groups_of_the_handbook() -> None:
    """§2.6 names trucks, buses, vans and every supplier vehicle over 3,500 kg; a contract narrows it only by saying so."""
    every_group = contract(euro6={})
    assert every_group.euro6_applies_to == {"over_3500kg", "trucks", "buses", "vans"}
    assert euro6_applies(every_group, vehicle("V1", "van", "diesel", total_weight_kg=3000))
    assert euro6_applies(every_group, vehicle("B1", "bus", "diesel", total_weight_kg=3000))
    assert euro6_applies(every_group, vehicle("P1", "car", "diesel", total_weight_kg=3600))
    assert not euro6_applies(every_group, vehicle("P2", "car", "diesel", total_weight_kg=2000))
    assert contract().euro6_applies_to == frozenset()  # no Euro 6 term at all: nothing applies


def test_an_unknown_weight_is_reported_not_taken_as_light() -> None:
    """A vehicle whose weight the register does not give may be over 3,500 kg: that cannot pass silently."""
    heavy_only = contract(euro6={"applies_to": ["over_3500kg"]})
    vehicles = {
        "UW12345": vehicle("UW12345", "car", "diesel", total_weight_kg=None, euro_norm=5, row=7),
        "UW12346": vehicle("UW12346", "car", "diesel", total_weight_kg=None, euro_norm=6),  # Euro 6 anyway
        "UW12347": vehicle("UW12347", "car", "electric", total_weight_kg=None),  # zero emission: exempt
    }
    findings = euro6_findings(heavy_only, heavy_only.year(1), list(vehicles), vehicles)
    assert [(f.rule_id, f.evidence["registration"], f.severity) for f in findings] == [
        (RULE_EURO6_WEIGHT_UNKNOWN, "UW12345", "medium")
    ]
    assert findings[0].message == (
        "UW12345 (car, diesel, Euro 5) was used on the contract in year 1, but the vehicle register gives no "
        "total weight, so whether §2.6 (Euro 6 over 3,500 kg) applies cannot be judged"
    )
    assert findings[0].location == "row 7"
