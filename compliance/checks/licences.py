"""§3.1 documentation: a claimed eco-label needs a valid licence number.

Two levels of proof. Format: where a scheme's number format is known (EU Ecolabel
``CC/NNN/NNN``, TCO Certified generation 10 ``X##########``) a malformed number is reported.
Registry: where a registry export for the label has been ingested (EU Ecolabel, Nordic Swan), the
number must exist there, must not have expired on the day it is relied on (the delivery date of an
invoice line; the last day in the year a catalogue statement was in force), and must be for a
product group the contract's eco-label rule accepts (``licence_product_groups``), when it lists any.
Nordic Swan numbers have no published format, so they are only looked up, never pattern-checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.base.documents import Label
from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.inputs import RegistryLicence
from compliance.checks.items import DatedLine, effective_labels, item_matches, line_matches
from compliance.contracts import ContractTerms, ContractYear, EcoLabelRule

RULE_INVALID_FORMAT = "licences.invalid_format@1"
RULE_NOT_IN_REGISTRY = "licences.not_in_registry@1"
RULE_EXPIRED = "licences.expired@1"
RULE_WRONG_GROUP = "licences.wrong_product_group@1"

# Formats from ../shared/reference/ecolabels/NOTES.md (EU Ecolabel: high confidence for the shape).
LICENCE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "EU_ECO_LABEL": (re.compile(r"[A-Z]{2}/\d{3}/\d{3,5}"), "CC/NNN/NNN (country / product group / serial), e.g. DK/019/001"),
    "TCO_DEVELOPMENT": (re.compile(r"[A-Z]\d{10}"), "a letter and ten digits, e.g. D1234567890"),
}


def licence_key(number: str) -> str:
    """Registry lookups ignore case and white space (``3041 0012`` = ``30410012``)."""
    return re.sub(r"\s+", "", number).upper()


class LicenceRegistry:
    """The ingested registry exports, by label and licence number."""

    def __init__(self, licences: Iterable[RegistryLicence]) -> None:
        self._by_number: dict[tuple[str, str], list[RegistryLicence]] = {}
        for licence in licences:
            self._by_number.setdefault((licence.label_code, licence_key(licence.licence_number)), []).append(licence)
        self.labels = {label for label, _ in self._by_number}

    def covers(self, label_code: str) -> bool:
        return label_code in self.labels

    def find(self, label_code: str, number: str) -> list[RegistryLicence]:
        return self._by_number.get((label_code, licence_key(number)), [])


@dataclass(frozen=True)
class _Claim:
    """A label with a licence number that someone relies on, and where that was said."""

    label: Label
    day: date
    place: dict[str, Any]  # a message part: the invoice line or catalogue item
    name: str | None
    subject: dict[str, Any]  # the evidence that identifies the claim (evidence_key parts)
    source_file_id: int
    location: str | None
    evidence: dict[str, Any]
    dedupe: tuple[Any, ...]


def _claims(
    contract: ContractTerms, year: ContractYear, lines: Sequence[DatedLine], catalogue: CatalogueHistory
) -> list[tuple[_Claim, EcoLabelRule | None]]:
    claims: list[tuple[_Claim, EcoLabelRule | None]] = []
    for dated in lines:
        labels, source = effective_labels(dated, catalogue)
        rule = next((r for r in contract.eco_labels if line_matches(r.match, dated.line)), None)
        for label in labels:
            if not label.licence:
                continue
            # A licence the catalogue states is one claim per item, however many invoices rely on it.
            item = dated.line.seller_item_id if source != "invoice line" else f"{dated.invoice.id}:{dated.line.line_id}"
            claim = _Claim(
                label, dated.day, dated.place, dated.line.name,
                {"invoice": dated.invoice.number, "line": dated.line.line_id, "item": dated.line.seller_item_id},
                dated.invoice.source_file_id, dated.location,
                {**dated.evidence(), "label_source": source}, (item, label.code, label.licence),
            )  # fmt: skip
            claims.append((claim, rule))
    reported_items: set[str] = set()
    for state, _, last_day in catalogue.spans_in(year.start, year.end):
        if state.key in reported_items:
            continue
        reported_items.add(state.key)
        rule = next((r for r in contract.eco_labels if item_matches(r.match, state)), None)
        for label in state.labels:
            if not label.licence:
                continue
            claim = _Claim(
                label, last_day,
                message_part("place.catalogue_item", catalogue=state.catalogue_id, item=state.seller_item_id or state.line_id),
                state.name, {"item": state.seller_item_id},
                state.specified_by.source_file_id, state.specified_by.location,
                {**state.specified_by.as_evidence(), "item": state.seller_item_id},
                ("catalogue", state.key, label.code, label.licence),
            )  # fmt: skip
            claims.append((claim, rule))
    return claims


def licence_findings(
    contract: ContractTerms,
    year: ContractYear,
    lines: Sequence[DatedLine],
    catalogue: CatalogueHistory,
    registry: LicenceRegistry,
) -> list[FindingRecord]:
    findings: list[FindingRecord] = []
    seen: set[tuple[Any, ...]] = set()

    def add(
        rule_id: str, severity: str, claim: _Claim, message_key: str, params: dict[str, Any], expected: str, extra: dict[str, Any]
    ) -> None:
        key = (rule_id, *claim.dedupe)
        if key in seen:
            return
        seen.add(key)
        findings.append(
            FindingRecord(
                rule_id, severity, message_key,
                {"place": claim.place, "name": claim.name, "label": claim.label.raw or claim.label.code,
                 "number": str(claim.label.licence), **params},
                evidence_key(**claim.subject, label=claim.label.code, licence=claim.label.licence),
                contract_id=contract.id, contract_year=year.number,
                supplier_cvr=contract.supplier_cvr, expected=expected, received=str(claim.label.licence),
                source_file_id=claim.source_file_id, location=claim.location, evidence={**claim.evidence, **extra},
            )
        )  # fmt: skip

    for claim, rule in _claims(contract, year, lines, catalogue):
        code = claim.label.code
        number = str(claim.label.licence)
        label_name = claim.label.raw or code
        known_format = LICENCE_FORMATS.get(code)
        if known_format is not None and not known_format[0].fullmatch(licence_key(number)):
            add(RULE_INVALID_FORMAT, "medium", claim, "licences.invalid_format", {},
                f"a {label_name} licence number: {known_format[1]}", {"label": code})  # fmt: skip
            continue
        if not registry.covers(code):
            continue
        found = registry.find(code, number)
        if not found:
            add(RULE_NOT_IN_REGISTRY, "high", claim, "licences.not_in_registry", {},
                f"a licence number listed in the {label_name} registry", {"label": code})  # fmt: skip
            continue
        valid = [licence for licence in found if licence.valid_to is None or licence.valid_to >= claim.day]
        if not valid:
            latest = max(licence.valid_to for licence in found if licence.valid_to is not None)
            add(RULE_EXPIRED, "high", claim,
                "licences.expired", {"expired": latest.isoformat(), "day": claim.day.isoformat()},
                f"a licence valid on {claim.day.isoformat()}",
                {"label": code, "expired": latest.isoformat(), "registry_row": found[0].row})  # fmt: skip
            continue
        groups = rule.licence_product_groups if rule is not None else ()
        if groups and not any(_group_matches(groups, licence.product_group) for licence in valid):
            add(RULE_WRONG_GROUP, "medium", claim,
                "licences.wrong_product_group",
                {"group": valid[0].product_group, "description": rule.description if rule else ""},
                "a licence for " + " or ".join(p.pattern for p in groups),
                {"label": code, "registry_group": valid[0].product_group, "registry_row": valid[0].row})  # fmt: skip
    return findings


def _group_matches(patterns: Sequence[re.Pattern[str]], group: str | None) -> bool:
    return bool(group) and any(pattern.search(group or "") for pattern in patterns)
