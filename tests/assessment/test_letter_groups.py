"""Letters a supplier can act on (issue 19 item 3): findings grouped by item, vehicle or document, each
group with what to do; catalogue facts told once across contract years; a regrouped letter is not new."""

from __future__ import annotations

import dataclasses
from typing import Any

from compliance.assessment.letters import (
    GroupKey,
    carried_key,
    finding_groups,
    owner_years,
    split_carried,
)
from compliance.assessment.notices import content_hash, letter_hash
from compliance.assessment.results import StoredFinding

BASE = StoredFinding(
    fingerprint="",
    rule_id="eco_labels.missing_label@1",
    severity="high",
    contract_id="KK-2",
    contract_year=1,
    supplier_cvr="27614590",
    subject="",
    message_key="legacy.recorded_text",
    message_params={"text": "x"},
    expected=None,
    received=None,
    location=None,
    evidence={},
    source_path=None,
    source_sha256=None,
)


def finding(fingerprint: str, rule: str = "eco_labels.missing_label@1", year: int = 1, **evidence: Any) -> StoredFinding:
    return dataclasses.replace(
        BASE,
        fingerprint=fingerprint,
        rule_id=rule,
        contract_year=year,
        subject=str(sorted(evidence.items())),
        evidence=evidence,
        source_sha256="sha-" + str(evidence.get("catalogue") or evidence.get("invoice") or ""),
    )


# The office supplier's year 1 in the demo, by hand: 4 invoice lines and 1 catalogue line of copy
# paper, 5 + 1 of the cleaning product (and one invoice claiming a label the catalogue dropped), the
# toner's catalogue line, pens no catalogue lists, plastic cups.
PAPER = [finding(f"p{n}", invoice=f"NK-{n}", line="2", item="KOP-A4-STD", name="Kopipapir") for n in (5, 6, 8, 10)]
PAPER_CATALOGUE = finding("pc", "eco_labels.catalogue_missing_label@1", catalogue="NK-KAT-2025", item="KOP-A4-STD")
CLEANING = [finding(f"c{n}", invoice=f"NK-{n}", line="5", item="RENG-SV") for n in (7, 8, 9, 10, 11)]
CLEANING_CATALOGUE = finding("cc", "eco_labels.catalogue_missing_label@1", catalogue="NK-KAT-2025-U1", item="RENG-SV")
CLEANING_CLAIM = finding("cx", "catalogue.label_not_in_catalogue@1", invoice="NK-12", line="5", item="RENG-SV")
TONER = finding("t", "ecolabel_categorisation.missing_type1@1", catalogue="NK-KAT-2025", item="TONER-26A", line="7")
PENS = finding("k", "catalogue.item_not_in_catalogue@1", invoice="NK-10", item="KUGLE-BLAA", line="8")
CUPS = finding("u", "banned_items.delivered@1", invoice="NK-8", item="PLASTKRUS", line="8")
OFFICE_YEAR_1 = [*PAPER, PAPER_CATALOGUE, *CLEANING, CLEANING_CATALOGUE, CLEANING_CLAIM, TONER, PENS, CUPS]


def test_fifteen_findings_become_five_groups_one_per_item() -> None:
    groups = finding_groups(OFFICE_YEAR_1)
    assert len(OFFICE_YEAR_1) == 15
    assert {g.key: len(g.findings) for g in groups} == {
        GroupKey("item", "KOP-A4-STD"): 5,
        GroupKey("item", "RENG-SV"): 7,
        GroupKey("item", "TONER-26A"): 1,
        GroupKey("item", "KUGLE-BLAA"): 1,
        GroupKey("item", "PLASTKRUS"): 1,
    }
    actions = {g.key.value: g.actions for g in groups}
    assert actions["KOP-A4-STD"] == ("catalogue_licence",)  # one fix for five findings: a catalogue update with the licence
    assert actions["RENG-SV"] == ("catalogue_licence",)
    assert actions["TONER-26A"] == ("catalogue_type1",)
    assert actions["KUGLE-BLAA"] == ("catalogue_listing",)
    assert actions["PLASTKRUS"] == ("credit_note_banned",)
    assert all(g.needs_correction for g in groups)
    paper = next(g for g in groups if g.key.value == "KOP-A4-STD")
    assert paper.name == "Kopipapir"


def test_vehicles_months_and_the_year_are_groups_too_and_a_shortfall_asks_only_for_comments() -> None:
    plate = [
        finding(f"d{n}", "green_vehicles.not_green_vehicle@1", 2, invoice="GB-202506", line=n, registration="DX18336")
        for n in "13"
    ]
    euro = finding("e", "euro6.not_euro6@1", 2, registration="TR75021")
    month = finding("m", "green_vehicles.log_mismatch@1", 2, month="2025-09")
    share = finding("s", "green_vehicles.share@1", 2, green_trips="488")
    groups = finding_groups([share, *plate, month, euro])
    assert [(g.key.kind, g.key.value, len(g.findings)) for g in groups] == [
        ("vehicle", "DX18336", 2),
        ("vehicle", "TR75021", 1),
        ("month", "2025-09", 1),
        ("year", "", 1),
    ]
    assert [g.actions for g in groups] == [
        ("register_or_credit_note",),
        ("register_euro6",),
        ("log_or_invoice",),
        ("comment_only",),
    ]
    assert [g.needs_correction for g in groups] == [True, True, True, False]


def test_a_catalogue_fact_found_again_next_year_is_told_once_by_the_first_years_letter() -> None:
    year_2 = [
        dataclasses.replace(f, fingerprint=f.fingerprint + "-2", contract_year=2)
        for f in (PAPER_CATALOGUE, CLEANING_CATALOGUE, TONER)
    ]
    new_invoice = finding("n2", year=2, invoice="NK-2026-1", line="1", item="KOP-A4-STD")
    owners = owner_years([*OFFICE_YEAR_1, *year_2, new_invoice])
    # Only catalogue facts have an identity across years; an invoice line is its year's.
    assert carried_key(PAPER[0]) is None and carried_key(PAPER_CATALOGUE) == carried_key(year_2[0])
    told_1, carried_1 = split_carried(1, OFFICE_YEAR_1, owners)
    assert told_1 == OFFICE_YEAR_1 and carried_1 == {}
    told_2, carried_2 = split_carried(2, [*year_2, new_invoice], owners)
    assert told_2 == [new_invoice]  # the new invoice line is told
    assert carried_2 == {1: year_2}  # the three catalogue facts: "see our notice for year 1 of <date>"
    # A catalogue fact first found in year 2 (a new catalogue) is year 2's to tell.
    fresh = finding("f2", "eco_labels.catalogue_missing_label@1", 2, catalogue="NK-KAT-2026", item="KOP-A4-STD")
    assert split_carried(2, [fresh], owner_years([*OFFICE_YEAR_1, fresh])) == ([fresh], {})


def test_grouping_and_order_change_neither_the_deadline_nor_the_letter() -> None:
    shuffled = list(reversed(OFFICE_YEAR_1))
    assert content_hash(shuffled, None) == content_hash(OFFICE_YEAR_1, None)
    assert letter_hash(shuffled, None) == letter_hash(OFFICE_YEAR_1, None)
    # Grouping is presentation: the groups' findings hash as the findings do.
    grouped = [f for g in finding_groups(OFFICE_YEAR_1) for f in g.findings]
    assert letter_hash(grouped, None) == letter_hash(OFFICE_YEAR_1, None)
