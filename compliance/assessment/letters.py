"""What a supplier letter asks for: findings grouped by what they are about, each group with the
corrective action, and which findings an earlier letter already told (issue 19 item 3).

A supplier acts on an item, a vehicle or a document, not on a finding: nine invoice lines with the
same unlabelled item are one problem with one fix (a catalogue update with the licence number). So a
letter lists one group per item, plate or document, with what to do and by when.

A catalogue fact (an item listed without its label, a toner without a type-1 label) stays true from
one contract year to the next: the check finds it again in each year it is in force, under a new
fingerprint (the year is part of a finding's identity). Such a finding *across years* is its rule,
its catalogue file and what it is about (:func:`carried_key`); the earliest contract year's letter
tells it, and a later year's letter refers to that letter by its date instead of repeating it with
a new deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from compliance.assessment.results import StoredFinding

# What the supplier is asked to do, by rule (the rule id without its version). The words are the
# report language's (``action_<name>``); a rule not listed asks for comments or a correction.
ACTIONS: dict[str, str] = {
    "eco_labels.missing_label": "catalogue_licence",
    "eco_labels.catalogue_missing_label": "catalogue_licence",
    "catalogue.label_not_in_catalogue": "catalogue_licence",
    "ecolabel_categorisation.missing_type1": "catalogue_type1",
    "catalogue.item_not_in_catalogue": "catalogue_listing",
    "banned_items.delivered": "credit_note_banned",
    "green_vehicles.not_green_vehicle": "register_or_credit_note",
    "green_vehicles.unknown_vehicle": "register_declaration",
    "euro6.not_euro6": "register_euro6",
    "green_vehicles.log_mismatch": "log_or_invoice",
    "completeness.silent_months": "missing_invoices",
    "green_vehicles.share": "comment_only",
    "green_vehicles.early_warning": "comment_only",
    "eco_labels.missing_licence": "catalogue_licence",
    "eco_labels.unknown_label": "catalogue_licence",
    "licences.expired": "catalogue_licence",
    "licences.invalid_format": "catalogue_licence",
    "licences.not_in_registry": "catalogue_licence",
    "licences.wrong_product_group": "catalogue_licence",
    "catalogue.update_without_item": "catalogue_listing",
    "hvo100.not_hvo100": "register_declaration",
    "euro6.weight_unknown": "register_declaration",
    "green_vehicles.missing_registration": "corrected_invoice",
    "green_vehicles.plate_not_readable": "corrected_invoice",
    "green_vehicles.ambiguous_trip_line": "corrected_invoice",
    "green_vehicles.green_not_in_log": "log_or_invoice",
    "vehicles.deregistered": "register_declaration",
    "vehicles.deregistered_in_log": "register_declaration",
    "vehicles.unknown_in_log": "register_declaration",
    "completeness.silent_log_months": "missing_logs",
    "credit_notes.excess_credit": "corrected_invoice",
    "credit_notes.negative_quantity": "corrected_invoice",
    "credit_notes.unknown_reference": "corrected_invoice",
    "invoices.reinvoiced": "credit_note",
    "amounts.allowances_not_spread": "corrected_invoice",
    "attribution.issuer_not_party": "comment_or_correct",
}
DEFAULT_ACTION = "comment_or_correct"
# Actions with nothing to correct: the supplier may only comment (by the deadline for comments).
COMMENT_ONLY = frozenset({"comment_only"})


def rule_name(rule_id: str) -> str:
    return rule_id.split("@", 1)[0]


def action_of(finding: StoredFinding) -> str:
    return ACTIONS.get(rule_name(finding.rule_id), DEFAULT_ACTION)


def carried_key(finding: StoredFinding) -> tuple[str, str, str] | None:
    """A finding's identity across contract years, for catalogue facts only (``None`` for the rest).

    A finding about a catalogue line (no invoice) is the same fact in every year the catalogue is in
    force: its rule, its catalogue file (by hash) and what it is about. Invoice, plate and month
    findings belong to their year's documents and trips, so each year's are new.
    """
    evidence = finding.evidence
    if not evidence.get("catalogue") or evidence.get("invoice"):
        return None
    return (finding.rule_id, finding.source_sha256 or finding.source_path or "", finding.subject)


@dataclass(frozen=True)
class GroupKey:
    """What a group of findings is about: ``item``, ``vehicle``, ``document``, ``month`` or ``year``."""

    kind: str
    value: str


def group_key(finding: StoredFinding) -> GroupKey:
    """An item first (the fix is to the item), then a plate, then a document, a month, else the year."""
    evidence = finding.evidence
    if evidence.get("item"):
        return GroupKey("item", str(evidence["item"]))
    if evidence.get("registration"):
        return GroupKey("vehicle", str(evidence["registration"]))
    if evidence.get("invoice"):
        return GroupKey("document", str(evidence["invoice"]))
    if evidence.get("catalogue"):
        return GroupKey("document", str(evidence["catalogue"]))
    if evidence.get("month"):
        return GroupKey("month", str(evidence["month"]))
    return GroupKey("year", "")


@dataclass(frozen=True)
class FindingGroup:
    """The findings about one item, vehicle or document, and what the supplier is asked to do."""

    key: GroupKey
    name: str | None  # the item's name as invoiced, when the findings say it
    actions: tuple[str, ...]  # distinct actions, in the order the findings ask them
    findings: tuple[StoredFinding, ...]

    @property
    def needs_correction(self) -> bool:
        """False when the group only asks for comments (the year's shortfall): no correction deadline."""
        return any(action not in COMMENT_ONLY for action in self.actions)


_KIND_ORDER = {"item": 0, "vehicle": 1, "document": 2, "month": 3, "year": 4}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def finding_groups(findings: Iterable[StoredFinding]) -> tuple[FindingGroup, ...]:
    """One group per item, vehicle, document or month; the most severe groups first, then by kind and name."""
    grouped: dict[GroupKey, list[StoredFinding]] = {}
    for finding in findings:
        grouped.setdefault(group_key(finding), []).append(finding)
    groups = []
    for key, members in grouped.items():
        members.sort(
            key=lambda f: (_SEVERITY_ORDER.get(f.severity, 9), f.rule_id, str(f.evidence.get("day") or ""), f.fingerprint)
        )
        actions = tuple(dict.fromkeys(action_of(f) for f in members))
        name = next((str(f.evidence["name"]) for f in members if f.evidence.get("name")), None)
        groups.append(FindingGroup(key, name, actions, tuple(members)))
    groups.sort(key=lambda g: (min(_SEVERITY_ORDER.get(f.severity, 9) for f in g.findings), _KIND_ORDER[g.key.kind], g.key.value))
    return tuple(groups)


@dataclass(frozen=True)
class EarlierLetter:
    """Findings of this year that an earlier contract year's letter tells: referred to, not repeated."""

    contract_year: int
    letter_date: date  # when that letter was sent (first sent e-mail), else when it was written
    sent: bool
    groups: tuple[FindingGroup, ...]


def split_carried(
    year: int, year_findings: Sequence[StoredFinding], owner_year: dict[tuple[str, str, str], int]
) -> tuple[list[StoredFinding], dict[int, list[StoredFinding]]]:
    """This year's findings to tell, and those an earlier year's letter tells (by that year).

    ``owner_year`` maps each carried key to the earliest year whose letter tells it.
    """
    told: list[StoredFinding] = []
    carried: dict[int, list[StoredFinding]] = {}
    for finding in year_findings:
        key = carried_key(finding)
        owner = owner_year.get(key) if key is not None else None
        if owner is not None and owner < year:
            carried.setdefault(owner, []).append(finding)
        else:
            told.append(finding)
    return told, carried


def owner_years(findings: Iterable[StoredFinding]) -> dict[tuple[str, str, str], int]:
    """For each catalogue fact (:func:`carried_key`), the earliest contract year it was found in."""
    owners: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        key = carried_key(finding)
        if key is not None and finding.contract_year is not None:
            owners[key] = min(owners.get(key, finding.contract_year), finding.contract_year)
    return owners
