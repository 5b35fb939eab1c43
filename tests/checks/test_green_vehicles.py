"""§2.1 green vehicles: which lines are trip lines, the plates on them, the early warning, and plate checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.base.documents import Classification, Property
from compliance.base.vocabulary import vehicle_is_green
from compliance.checks.green_vehicles import (
    RULE_AMBIGUOUS_LINE,
    RULE_DEREGISTERED,
    RULE_EARLY_WARNING,
    RULE_MISSING_REGISTRATION,
    RULE_NOT_GREEN,
    RULE_UNKNOWN_VEHICLE,
    early_warning,
    line_registrations,
    trip_line_kind,
    vehicle_findings,
)
from compliance.checks.inputs import InvoiceLineRecord
from compliance.contracts import TripLineRules
from tests.builders import contract, green_vehicle_terms, line, transport_contract, trip_line, vehicle


def trip_rules(cvd: bool = False) -> TripLineRules:
    """Green trips are item KOERSEL-GROEN, conventional ones KOERSEL-KONV; plates in "Registreringsnummer"."""
    trip_lines = green_vehicle_terms()["trip_lines"] | {"cvd": cvd}
    terms = contract(green_vehicles=green_vehicle_terms(trip_lines=trip_lines)).green_vehicles
    assert terms is not None
    return terms.trip_lines


def test_trip_lines_and_their_plates() -> None:
    rules = trip_rules()
    green = line(
        seller_item_id="KOERSEL-GROEN",
        properties=(Property("Registreringsnummer", "ec 41 208"), Property("registreringsnummer", "EC41209, EC 41 208")),
    )
    assert trip_line_kind(rules, green) == "green"
    assert line_registrations(rules, green) == ["EC41208", "EC41209"]  # normalised, each plate once
    assert trip_line_kind(rules, line(seller_item_id="KOERSEL-KONV")) == "conventional"
    assert trip_line_kind(rules, line(seller_item_id="TONER")) is None


def test_a_line_both_matchers_recognise_is_ambiguous() -> None:
    rules = contract(
        green_vehicles=green_vehicle_terms(
            trip_lines={"green": {"name_pattern": "(?i)kørsel"}, "conventional": {"seller_item_ids": ["KOERSEL-KONV"]}}
        )
    ).green_vehicles
    assert rules is not None
    assert trip_line_kind(rules.trip_lines, line(seller_item_id="KOERSEL-KONV", name="Kørsel, diesel")) == "ambiguous"


def test_plates_can_come_from_the_line_notes() -> None:
    rules = contract(
        green_vehicles=green_vehicle_terms(
            trip_lines={
                "green": {"seller_item_ids": ["G"]},
                "conventional": {"seller_item_ids": ["C"]},
                "registrations": {"source": "note"},
            }
        )
    ).green_vehicles
    assert rules is not None
    noted = line(
        seller_item_id="G", notes=("Kørt med ab 12 345 og CD12346",), properties=(Property("Registreringsnummer", "EF12347"),)
    )
    assert line_registrations(rules.trip_lines, noted) == ["AB12345", "CD12346"]


def test_vehicle_green_per_rules_section_1() -> None:
    assert vehicle_is_green("van", "electric", None)
    assert vehicle_is_green("truck", "hydrogen", None)
    assert vehicle_is_green("cargo_bike", "none", None)
    assert vehicle_is_green("truck", "biogas", "certificate 2024-117")
    assert not vehicle_is_green("truck", "biogas", None)  # biogas only with evidence
    assert not vehicle_is_green("van", "diesel", None)  # HVO runs as diesel: not green
    assert not vehicle_is_green("car", "natural_gas", None)  # fossil gas


def test_cvd_tagged_lines_when_the_contract_enables_them() -> None:
    rules = trip_rules()
    cvd_rules = trip_rules(cvd=True)

    def tagged(*cva: str) -> InvoiceLineRecord:
        return line(
            seller_item_id="LEASE-1",
            classification_codes=(Classification("N2", "CVD"),),
            properties=tuple(Property("cva", value) for value in cva),
        )

    assert trip_line_kind(rules, tagged("zero-emission")) is None  # not enabled
    assert trip_line_kind(cvd_rules, tagged("zero-emission")) == "green"
    assert trip_line_kind(cvd_rules, tagged("clean")) == "conventional"  # CVD "clean" includes fossil gas, PHEV
    assert trip_line_kind(cvd_rules, tagged("other")) == "conventional"
    assert trip_line_kind(cvd_rules, tagged()) == "ambiguous"
    assert trip_line_kind(cvd_rules, tagged("clean", "zero-emission")) == "ambiguous"
    # The contract's own matchers decide before the CVD tag.
    own = line(seller_item_id="KOERSEL-GROEN", classification_codes=(Classification("N2", "CVD"),))
    assert trip_line_kind(cvd_rules, own) == "green"


def test_early_warning_projects_the_year_end() -> None:
    transport = transport_contract()  # 2024–2027, form "both": the offer binds
    year = transport.year(3)  # 2026, offer 65 %
    # 1 January – 1 July 2026 (182 of 365 days): 300 of 600 trips green.
    warning = early_warning(transport, year, year.start, year.end, date(2026, 7, 1), Decimal(300), Decimal(600))
    assert warning is not None and warning.rule_id == RULE_EARLY_WARNING
    # projected trips = 600 × 365 / 182 = 1203.3; needed = ⌈0.65 × 1203.3 − 300⌉ = 483
    assert warning.evidence["green_needed"] == 483
    assert "about 483 more green trips are needed by 2026-12-31" in warning.message
    assert early_warning(transport, year, year.start, year.end, date(2026, 7, 1), Decimal(400), Decimal(600)) is None
    assert early_warning(transport, year, year.start, year.end, date(2025, 12, 31), Decimal(0), Decimal(600)) is None  # not begun


def test_plates_behind_the_counted_trip_lines() -> None:
    transport = transport_contract()
    day = date(2025, 3, 4)
    vehicles = {
        "EC41208": vehicle("EC41208", "van", "electric"),
        "DX18334": vehicle("DX18334", "van", "diesel"),
        "OLD1234": vehicle("OLD1234", "van", "electric", registered=False),
    }
    lines = [
        trip_line("green", 10, day, "EC41208", line_id="1"),  # a registered electric van: fine
        trip_line("green", 4, day, "DX18334", line_id="2"),  # green trips by a diesel van
        trip_line("green", 3, day, "ZZ99999", line_id="3"),  # a plate the register does not know
        trip_line("conventional", 6, day, "ZZ99999", line_id="4"),  # unknown, but not claimed green: no finding
        trip_line("green", 2, day, "OLD1234", line_id="5"),  # deregistered
        trip_line("conventional", 5, day, line_id="6"),  # no plate
        trip_line("ambiguous", 7, day, line_id="7"),
        trip_line("uncountable", "12.0005", day, line_id="8"),
        trip_line("conventional", -5, day, line_id="9"),  # a credit line without plates is no missing plate
    ]
    findings = vehicle_findings(transport, transport.year(2), lines, vehicles)
    assert [(f.rule_id, f.evidence["line"], f.evidence.get("registration")) for f in findings] == [
        (RULE_NOT_GREEN, "2", "DX18334"),
        (RULE_UNKNOWN_VEHICLE, "3", "ZZ99999"),
        (RULE_DEREGISTERED, "5", "OLD1234"),
        (RULE_MISSING_REGISTRATION, "6", None),
        (RULE_AMBIGUOUS_LINE, "7", None),
        (RULE_AMBIGUOUS_LINE, "8", None),
    ]
    assert findings[1].location == "line 10" and findings[1].contract_year == 2
    assert "12.0005 is not a number of trips" in findings[5].message
