"""The eco-label categorisation 2025: the data file against the handbook, item placement, and the check."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from compliance.base.documents import Classification
from compliance.base.errors import ContractTermsError
from compliance.base.settings import PROJECT_ROOT
from compliance.categorisation import categorisation
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.categorisation import RULE_MISSING_TYPE1, area_of, categorisation_findings
from compliance.contracts import AreaMapping, ItemMatch, contract_from_data
from tests.builders import catalogue_item, catalogue_message, contract, contract_data, copy_paper_rule, label, unspsc

HANDBOOK = PROJECT_ROOT.parent / "shared" / "domain" / "seeds" / "003_b9594d42a4f322f7.txt"
OWN_TABLE = {"table": "own", "areas": [{"area": "own-personal-care", "match": {"name_pattern": "(?i)(håndsæbe|håndcreme)"}}]}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_area_is_named_as_in_the_handbook_and_the_counts_match() -> None:
    if not HANDBOOK.is_file():
        pytest.skip(f"handbook seed not available: {HANDBOOK} is absent (a plain clone has no ../shared)")
    text = _squash(HANDBOOK.read_text(encoding="utf-8"))
    areas = categorisation().areas.values()
    missing = [area.name for area in areas if _squash(area.name) not in text]
    assert missing == []


def test_the_area_counts_per_table_and_category() -> None:
    counts = Counter((area.table, area.category) for area in categorisation().areas.values())
    assert counts == {("own", 1): 14, ("own", 2): 12, ("own", 3): 17, ("own", 4): 7, ("ski", 1): 23, ("ski", 2): 3, ("ski", 3): 8}
    assert categorisation().requirement(categorisation().areas["ski-servers"]) is None  # SKI 3–4: no rule in the handbook


def _code(code: str, list_id: str = "UNSPSC") -> list[Classification]:
    return [Classification(code, list_id)]


def test_items_are_placed_by_contract_mapping_first_then_by_the_longest_unspsc_prefix() -> None:
    placed = area_of("T1", _code("44103103"), "Toner", [], "own", [], True)
    assert placed is not None and placed[0].id == "own-toner" and placed[1] == "UNSPSC 44103103"
    # Peppol's TST list is UNSPSC too; an SKI item is not placed in the own table.
    placed = area_of("M1", _code("43211902", "TST"), "Monitor", [], "ski", [], True)
    assert placed is not None and placed[0].id == "ski-monitors"
    assert area_of("M1", _code("43211902"), "Monitor", [], "own", [], True) is None
    assert area_of("T1", _code("44103103"), "Toner", [], "own", [], False) is None
    soap = AreaMapping("own-personal-care", ItemMatch(name_pattern=re.compile("(?i)håndsæbe")))
    placed = area_of("S1", _code("53131608"), "Håndsæbe 500 ml", [], "own", [soap], True)
    assert placed is not None and placed[0].id == "own-personal-care" and placed[1] == "contract mapping"


def test_a_contract_naming_an_unknown_or_wrong_table_area_is_refused() -> None:
    data = contract_data(
        ecolabel_categorisation={"table": "own", "areas": [{"area": "own-tonner", "match": {"name_pattern": "x"}}]}
    )
    with pytest.raises(ContractTermsError) as error:
        contract_from_data(data, "contracts/x.yaml")
    assert error.value.location == "ecolabel_categorisation.areas[0].area" and "own-tonner" in str(error.value)
    data["ecolabel_categorisation"]["areas"][0]["area"] = "ski-monitors"
    with pytest.raises(ContractTermsError, match="is in the 'ski' table"):
        contract_from_data(data, "contracts/x.yaml")


def _history(*items: tuple[str, str, tuple[Any, ...]]) -> CatalogueHistory:
    """One catalogue (file 7) listing ``(item id, UNSPSC code, labels)`` on lines 10, 20, 30, …"""
    message = catalogue_message("C", source_file_id=7)
    lines = [
        catalogue_item(item_id, source_file_id=7, position=n, line_id=str(n), classification_codes=unspsc(code), labels=labels,
                       source_line=10 * n)
        for n, (item_id, code, labels) in enumerate(items, start=1)
    ]  # fmt: skip
    return CatalogueHistory([message], lines)


def test_the_check_reports_unlabelled_items_with_the_handbook_severity() -> None:
    office = contract(eco_labels=[copy_paper_rule()], ecolabel_categorisation=OWN_TABLE)
    catalogue = _history(
        ("TONER", "44103103", ()),  # own category 1 → high
        ("TONER-SV", "44103103", (label("Svanemærket"),)),
        ("PAINT", "31211501", (label("Ø-mærket"),)),  # own 1, no type-1 label
        ("PAPER", "14111507", ()),  # the contract's own copy-paper rule covers it: not reported twice
        ("PEN", "44121701", ()),  # not in the own table
    )
    findings = categorisation_findings(office, office.year(1), catalogue)
    assert [(f.rule_id, f.severity, f.evidence["item"], f.location) for f in findings] == [
        (RULE_MISSING_TYPE1, "high", "TONER", "line 10"),
        (RULE_MISSING_TYPE1, "high", "PAINT", "line 30"),
    ]
    assert findings[1].received == "Ø-mærket" and findings[0].evidence["area"] == "own-toner"
    assert "category 1 of the own purchasing areas" in findings[0].message
    assert categorisation_findings(contract(eco_labels=[copy_paper_rule()]), office.year(1), catalogue) == []  # no table


def test_severity_follows_table_and_category() -> None:
    ski = contract(ecolabel_categorisation={"table": "ski"})
    catalogue = _history(("NOTEBOOK", "43211503", ()), ("TABLET", "43211509", ()), ("SERVER", "43211501", ()))
    findings = categorisation_findings(ski, ski.year(1), catalogue)
    assert [(f.evidence["item"], f.severity) for f in findings] == [("NOTEBOOK", "high"), ("TABLET", "medium")]


def test_no_unspsc_prefix_places_an_item_in_two_areas_of_one_table() -> None:
    prefixes = [(area.table, prefix) for area in categorisation().areas.values() for prefix in area.unspsc]
    overlapping = [(a, b) for a in prefixes for b in prefixes if a != b and a[0] == b[0] and b[1].startswith(a[1])]
    assert overlapping == []
    assert all(re.fullmatch(r"\d{2}(\d{2}){0,3}", prefix) for _, prefix in prefixes)
