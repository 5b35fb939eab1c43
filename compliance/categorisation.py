"""The eco-label categorisation 2025 (Miljømærkekategoriseringen, handbook §3.1) as data and lookups.

Both tables — the municipality's own purchasing areas and the SKI areas — live in
``compliance/data/ecolabel-categorisation-2025.json`` (package data) with the handbook's requirement
per table and category. Which area an item belongs to is decided by
``compliance.checks.categorisation.area_of``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from compliance.base.documents import Classification
from compliance.base.package_data import load_package_json

CATEGORISATION_FILE = "ecolabel-categorisation-2025.json"  # in compliance/data/


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
    data = load_package_json(CATEGORISATION_FILE)
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


def unspsc_codes(classification_codes: Iterable[Classification]) -> list[str]:
    """The UNSPSC codes among an item's classifications (OIOUBL ``UNSPSC``; Peppol ``TST`` is UNSPSC too)."""
    return [code.code for code in classification_codes if (code.list_id or "").upper() in {"UNSPSC", "TST"} and code.code]
