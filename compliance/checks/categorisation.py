"""§3.1 Miljømærkekategoriseringen 2025: catalogue items in an area whose category requires a type-1 label."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from compliance.base.documents import Classification, Property
from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.categorisation import CategorisationArea, categorisation, unspsc_codes
from compliance.checks.catalogue_history import CatalogueHistory, ItemState
from compliance.checks.items import item_matches
from compliance.contracts import AreaMapping, ContractTerms, ContractYear

RULE_MISSING_TYPE1 = "ecolabel_categorisation.missing_type1@1"

TABLE_NAMES = {"own": "fragment.own_purchasing_areas", "ski": "fragment.ski_areas"}  # message keys


def categorisation_findings(contract: ContractTerms, year: ContractYear, catalogue: CatalogueHistory) -> list[FindingRecord]:
    """Catalogue items the categorisation places in a category that requires a type-1 label, without one.

    Severity follows the handbook's rule for the table and category (own 1 and SKI 1: always
    required → high; category 2: where the market can meet the need → medium; own 3–4 → low;
    SKI 3–4 set no requirement). Items a contract's own eco-label rule covers are judged by that
    rule instead, so one missing label is reported once. Each item is reported once per year,
    with the first statement that lacked a type-1 label.
    """
    terms = contract.categorisation
    if terms is None:
        return []
    findings: list[FindingRecord] = []
    reported: set[str] = set()
    for item in catalogue.states_in(year.start, year.end):
        if item.key in reported or any(label.type1 for label in item.labels):
            continue
        if any(item_matches(rule.match, item) for rule in contract.eco_labels):
            continue
        placed = area_of(
            item.seller_item_id, item.classification_codes, item.name, item.properties, terms.table, terms.mappings,
            terms.use_unspsc_prefixes,
        )  # fmt: skip
        if placed is None:
            continue
        area, how = placed
        requirement = categorisation().requirement(area)
        if requirement is None:
            continue
        reported.add(item.key)
        findings.append(_finding(contract, year, item, area.name, area.name_en, area.id, area.category, how, requirement.rule,
                                 requirement.severity))  # fmt: skip
    return findings


def _finding(
    contract: ContractTerms,
    year: ContractYear,
    item: ItemState,
    area_name: str,
    area_name_en: str,
    area_id: str,
    category: int,
    how: str,
    rule: str,
    severity: str,
) -> FindingRecord:
    source = item.specified_by
    table = TABLE_NAMES[contract.categorisation.table if contract.categorisation else "own"]
    received = ", ".join(label.raw for label in item.labels) or "no label"
    return FindingRecord(
        RULE_MISSING_TYPE1,
        severity,
        message_key="ecolabel_categorisation.missing_type1",
        params={
            "place": message_part("place.catalogue_item", catalogue=item.catalogue_id, item=item.seller_item_id or item.line_id),
            "name": item.name,
            "area": area_name,
            "area_en": area_name_en,
            "category": category,
            "table": message_part(table),
        },
        subject=evidence_key(item=item.seller_item_id, line=item.line_id),
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=f"a type-1 eco-label (Nordic Swan, EU Ecolabel, TCO Certified or equivalent): {rule}",
        received=received,
        source_file_id=source.source_file_id,
        location=source.location,
        evidence={
            **source.as_evidence(),
            "item": item.seller_item_id,
            "line": item.line_id,
            "area": area_id,
            "category": category,
            "placed_by": how,
            "valid_from": item.valid_from.isoformat(),
        },
    )


def area_of(
    seller_item_id: str | None,
    classification_codes: Sequence[Classification],
    name: str | None,
    properties: Sequence[Property],
    table: str,
    mappings: Iterable[AreaMapping],
    use_unspsc_prefixes: bool,
) -> tuple[CategorisationArea, str] | None:
    """The area an item falls in, and how it was decided ("contract mapping" or "UNSPSC <prefix>").

    The contract's own mapping decides first, else the UNSPSC prefixes of the categorisation data
    (only where a code fits the area without doubt).
    """
    for mapping in mappings:
        if mapping.match.matches(seller_item_id, classification_codes, name, None, properties):
            return categorisation().areas[mapping.area_id], "contract mapping"
    if not use_unspsc_prefixes:
        return None
    best: tuple[CategorisationArea, str] | None = None
    for code in unspsc_codes(classification_codes):
        for area in categorisation().areas.values():
            if area.table != table:
                continue
            for prefix in area.unspsc:
                # The longest prefix wins, so a commodity rule beats its class.
                if code.startswith(prefix) and (best is None or len(prefix) > len(best[1]) - len("UNSPSC ")):
                    best = (area, f"UNSPSC {prefix}")
    return best
