"""Issue 16 items 5 and 6 as rules: one canonical plate everywhere, unreadable plate texts kept apart,
and a green line counted green only when the register knows each of its vehicles as green that day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance.base.documents import Property
from compliance.base.vocabulary import normalise_registration, plate_as_written, plate_readable
from compliance.checks.green_vehicles import (
    RULE_NOT_GREEN,
    RULE_PLATE_NOT_READABLE,
    RULE_UNKNOWN_VEHICLE,
    LinePlates,
    counted_kind,
    line_plates,
    plate_verdict,
    vehicle_findings,
    vehicle_on_day,
)
from compliance.checks.inputs import VehiclePeriod
from compliance.contracts import TripLineRules
from tests.builders import contract, green_vehicle_terms, line, transport_contract, trip_line


@pytest.mark.parametrize(
    ("written", "canonical", "readable"),
    [
        ("ec 41 208", "EC41208", True),
        ("EC-41-208", "EC41208", True),
        ("EC\u200b41\u00a0208", "EC41208", True),  # zero-width space, no-break space
        ("\ufeffEC\u2060412\u00ad08", "EC41208", True),  # BOM, word joiner, soft hyphen
        ("ＥＣ４１２０８", "EC41208", True),  # full-width letters and digits (NFKC)
        ("æø 12 345", "ÆØ12345", True),
        ("D\u0425 18 336", "D\u042518336", False),  # Cyrillic Х
        ("\u0395C 41 208", "\u0395C41208", False),  # Greek Ε
        ("EC 41 2٠8", "EC412٠8", False),  # an Arabic-Indic zero
        ("EC/41/208", "EC/41/208", False),
    ],
)
def test_one_canonical_plate(written: str, canonical: str, readable: bool) -> None:
    assert normalise_registration(written) == canonical
    assert plate_readable(canonical) is readable


def test_an_unreadable_plate_is_shown_so_a_person_sees_why() -> None:
    assert plate_as_written("D\u0425 18\u200b336") == "D\\u0425 18\\u200b336"
    assert plate_as_written("ÆØ 12 345") == "ÆØ 12 345"


def _rules(source: str = "property") -> TripLineRules:
    registrations = {"source": source} | ({"property_name": "Registreringsnummer"} if source == "property" else {})
    terms = contract(
        green_vehicles=green_vehicle_terms(
            trip_lines={
                "green": {"seller_item_ids": ["KOERSEL-GROEN"]},
                "conventional": {"seller_item_ids": ["KOERSEL-KONV"]},
                "registrations": registrations,
            }
        )
    ).green_vehicles
    assert terms is not None
    return terms.trip_lines


def test_plates_in_a_registration_property() -> None:
    plates = line_plates(
        _rules(),
        line(
            seller_item_id="KOERSEL-GROEN",
            properties=(
                Property("Registreringsnummer", "EC 41\u200b208"),
                Property("Registreringsnummer", "EC41209; ＥＣ 52 117"),
                Property("Registreringsnummer", "D\u0425 18 336"),
                Property("Registreringsnummer", "EC 41 2O9"),  # a letter O for a zero
            ),
        ),
    )
    assert plates == LinePlates(("EC41208", "EC41209", "EC52117"), ("D\\u0425 18 336", "EC 41 2O9"))


def test_plates_in_a_note() -> None:
    rules = _rules("note")
    plain = line(seller_item_id="KOERSEL-GROEN", notes=("Kørt med ec 41 208 og EC\u200b41 209 (café-levering)",))
    assert line_plates(rules, plain) == LinePlates(("EC41208", "EC41209"), ())
    hidden = line(seller_item_id="KOERSEL-GROEN", notes=("Kørt med EC 41 208 og D\u0425 18 336",))
    assert line_plates(rules, hidden) == LinePlates(("EC41208",), ("Kørt med EC 41 208 og D\\u0425 18 336",))


DIESEL = VehiclePeriod("XY12345", "van", "diesel", valid_to=date(2025, 5, 31), origin="dmr", source_file_id=1, row=1)
ELECTRIC = VehiclePeriod("XY12345", "van", "electric", valid_from=date(2025, 6, 1), origin="dmr", source_file_id=1, row=2)


def test_the_period_that_covers_the_day_decides() -> None:
    assert vehicle_on_day([DIESEL, ELECTRIC], date(2025, 5, 31)) == DIESEL
    assert vehicle_on_day([DIESEL, ELECTRIC], date(2025, 6, 1)) == ELECTRIC
    gap = VehiclePeriod("XY12345", "van", "electric", valid_from=date(2025, 7, 1))
    assert vehicle_on_day([DIESEL, gap], date(2025, 6, 15)) is None  # nobody held the plate that day


def test_a_later_import_wins_but_never_over_a_declared_biogas_vehicle() -> None:
    dmr = VehiclePeriod("BG1", "truck", "natural_gas", origin="dmr", source_file_id=5)
    declared = VehiclePeriod("BG1", "truck", "biogas", green_evidence="certificate", origin="declared", source_file_id=2)
    assert vehicle_on_day([dmr, declared], date(2025, 1, 1)) == declared
    later = VehiclePeriod("BG1", "truck", "diesel", origin="declared", source_file_id=9)
    assert vehicle_on_day([dmr, later], date(2025, 1, 1)) == later


def _verdicts(*periods: VehiclePeriod | None) -> list[dict[str, object]]:
    return [plate_verdict(f"P{n}", period) for n, period in enumerate(periods)]


def test_how_a_green_line_counts() -> None:
    two = LinePlates(("P0", "P1"), ())
    assert counted_kind("green", two, _verdicts(ELECTRIC, ELECTRIC), "exclude") == "green"
    assert counted_kind("green", two, _verdicts(ELECTRIC, DIESEL), "count") == "conventional"  # not green: never counts
    assert counted_kind("green", two, _verdicts(ELECTRIC, None), "exclude") == "conventional"
    assert counted_kind("green", two, _verdicts(ELECTRIC, None), "count") == "green"
    assert counted_kind("green", LinePlates((), ()), [], "exclude") == "conventional"  # no plate: unverified
    assert counted_kind("green", LinePlates((), ()), [], "count") == "green"
    unreadable = LinePlates(("P0",), ("D\\u0425 18 336",))
    assert counted_kind("green", unreadable, _verdicts(ELECTRIC), "count") == "conventional"
    # A credit of green trips reduces the green trips whatever its plates say: a plate must not make it pay.
    assert counted_kind("green", two, _verdicts(ELECTRIC, DIESEL), "exclude", credit=True) == "green"
    assert counted_kind("green", LinePlates((), ()), [], "exclude", credit=True) == "green"
    assert counted_kind("conventional", two, [], "exclude") == "conventional"
    assert counted_kind("ambiguous", two, [], "exclude") == "ambiguous"


def test_the_findings_show_what_the_line_says_and_what_the_register_says() -> None:
    transport = transport_contract()
    day = date(2025, 5, 30)
    diesel = trip_line("conventional", 4, day, "XY12345", stated_kind="green", plate_verdicts=(plate_verdict("XY12345", DIESEL),))
    unknown = trip_line("conventional", 3, day, "EV99001", stated_kind="green", plate_verdicts=(plate_verdict("EV99001", None),))
    hidden = trip_line("conventional", 2, day, stated_kind="green", unreadable=("D\\u0425 18 336",))
    findings = vehicle_findings(transport, transport.year(2), [diesel, unknown, hidden], {})
    assert [f.rule_id for f in findings] == [RULE_NOT_GREEN, RULE_UNKNOWN_VEHICLE, RULE_PLATE_NOT_READABLE]
    assert findings[0].message == (
        "XY12345 on invoice 1, line 1 is invoiced as a green trip, but on 2025-05-30 the register says van on diesel: "
        "its 4 trips count as conventional"
    )
    assert findings[1].message == (
        "EV99001 on invoice 1, line 1 (green trips) is not in the vehicle register on 2025-05-30: its 3 trips count as "
        "conventional (unverified_green: exclude)"
    )
    assert findings[2].severity == "high" and findings[2].message == (
        "invoice 1, line 1 (green trips): the registration number D\\u0425 18 336 cannot be read — a plate holds only "
        "the letters A–Z, Æ, Ø, Å and digits: its 2 trips count as conventional"
    )
    assert findings[2].received == "D\\u0425 18 336" and findings[0].evidence["stated_kind"] == "green"
    two = trip_line("conventional", 2, day, stated_kind="green", unreadable=("D\\u0425 18 336", "EC 41 2O8"))
    twice = vehicle_findings(transport, transport.year(2), [two], {})
    assert len({f.fingerprint() for f in twice}) == 2  # two texts on one line are two findings
    assert Decimal(str(findings[0].evidence["trips"])) == 4


def test_a_logged_trip_is_green_by_the_register_on_its_day() -> None:
    from dataclasses import replace

    from compliance.checks.driving_logs import trip_is_green
    from compliance.checks.inputs import LoggedTrip, RegisteredVehicle

    current = {"XY12345": RegisteredVehicle("XY12345", "van", "electric")}
    may, june = LoggedTrip(date(2025, 5, 30), "XY12345"), LoggedTrip(date(2025, 6, 2), "XY12345")
    assert trip_is_green(may, current)  # without periods: the current record
    assert not trip_is_green(replace(may, on_day=DIESEL), current)
    assert trip_is_green(replace(june, on_day=ELECTRIC), current)
