"""The eco-label categorisation 2025 (Miljømærkekategoriseringen, handbook §3.1) as data and lookups.

Both tables — the municipality's own purchasing areas and the SKI areas — live in
``schemas/ecolabel-categorisation-2025.json`` with the handbook's requirement per table and
category. An item belongs to an area by the contract's own mapping first, else by the UNSPSC
prefixes in the data file (only where a code fits the area without doubt).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from compliance.base.settings import PROJECT_ROOT

if TYPE_CHECKING:  # contracts validate area ids against this module, so it cannot import them at run time
    from compliance.contracts import AreaMapping

CATEGORISATION_FILE = PROJECT_ROOT / "schemas" / "ecolabel-categorisation-2025.json"


@dataclass(frozen=True)
class CategorisationArea:
    id: str
    table: str  # "own" | "ski"
    category: int
    name: str
    name_en: str
    unspsc: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    """What the handbook requires of a table's category, and how serious a missing label is."""

    table: str
    category: int
    severity: str
    rule: str
    rule_da: str


@dataclass(frozen=True)
class Categorisation:
    areas: dict[str, CategorisationArea]
    requirements: dict[tuple[str, int], Requirement]

    def requirement(self, area: CategorisationArea) -> Requirement | None:
        """The handbook's rule for the area's table and category; None where it sets none (SKI 3–4)."""
        return self.requirements.get((area.table, area.category))


@lru_cache(maxsize=1)
def categorisation() -> Categorisation:
    data = json.loads(CATEGORISATION_FILE.read_text(encoding="utf-8"))
    areas = {
        entry["id"]: CategorisationArea(
            entry["id"], entry["table"], entry["category"], entry["name"], entry["name_en"], tuple(entry["unspsc"])
        )
        for entry in data["areas"]
    }
    requirements = {
        (entry["table"], entry["category"]): Requirement(
            entry["table"], entry["category"], entry["severity"], entry["rule"], entry["rule_da"]
        )
        for entry in data["requirements"]
    }
    return Categorisation(areas, requirements)


def unspsc_codes(classification_codes: Iterable[dict[str, Any]]) -> list[str]:
    """The UNSPSC codes among an item's classifications (OIOUBL ``UNSPSC``; Peppol ``TST`` is UNSPSC too)."""
    return [
        str(code.get("code", ""))
        for code in classification_codes
        if (code.get("list_id") or "").upper() in {"UNSPSC", "TST"} and code.get("code")
    ]


def area_of(
    seller_item_id: str | None,
    classification_codes: list[dict[str, Any]],
    name: str | None,
    properties: list[dict[str, Any]],
    table: str,
    mappings: Iterable[AreaMapping],
    use_unspsc_prefixes: bool,
) -> tuple[CategorisationArea, str] | None:
    """The area an item falls in, and how it was decided ("contract mapping" or "UNSPSC <prefix>")."""
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
