"""§3.1/§3.2 eco-labels: items a contract says must be labelled, on invoices and in the catalogue.

Where a rule requires the licence number, an invoice line naming an accepted label without one is
documented by the number the catalogue states for the same item and label on the delivery date
(§3.1: label data in the e-catalogue, licence numbers on request).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.checks.catalogue_history import CatalogueHistory, ItemState
from compliance.checks.items import DatedLine, catalogue_licence, effective_labels, item_matches, line_matches
from compliance.contracts import ContractTerms, ContractYear, EcoLabelRule

RULE_MISSING_LABEL = "eco_labels.missing_label@1"
RULE_MISSING_LICENCE = "eco_labels.missing_licence@1"
RULE_CATALOGUE_MISSING_LABEL = "eco_labels.catalogue_missing_label@1"


def _accepted_text(rule: EcoLabelRule) -> str:
    codes = sorted(code if code != "ANY_TYPE1" else "any type-1 eco-label" for code in rule.accepted_labels)
    return " or ".join(codes)


def eco_label_findings(
    contract: ContractTerms,
    year: ContractYear,
    lines: Sequence[DatedLine],
    catalogue: CatalogueHistory,
) -> list[FindingRecord]:
    """Invoiced lines and catalogue items that a rule covers but that carry no accepted label.

    A catalogue item is judged by every state it had during the year; each item is reported
    once, with the first statement that lacked the label.
    """
    findings: list[FindingRecord] = []
    item_states = catalogue.states_in(year.start, year.end)
    for rule in contract.eco_labels:
        for dated in lines:
            if not line_matches(rule.match, dated.line):
                continue
            labels, source = effective_labels(dated, catalogue)
            accepted = [label for label in labels if rule.accepts(label)]
            if not accepted:
                received = ", ".join(label.raw for label in labels) or "no label"
                findings.append(
                    FindingRecord(
                        RULE_MISSING_LABEL,
                        rule.severity,
                        message_key="eco_labels.missing_label",
                        params={"place": dated.place, "name": dated.line.name, "description": rule.description},
                        subject=evidence_key(invoice=dated.invoice.number, line=dated.line.line_id, rule=rule.id),
                        contract_id=contract.id,
                        contract_year=year.number,
                        supplier_cvr=contract.supplier_cvr,
                        expected=_accepted_text(rule),
                        received=f"{received} (from {source})",
                        source_file_id=dated.invoice.source_file_id,
                        location=dated.location,
                        evidence={**dated.evidence(), "rule": rule.id},
                    )
                )
            elif rule.licence_required and not any(
                label.licence or catalogue_licence(dated, catalogue, label.code) for label in accepted
            ):
                findings.append(
                    FindingRecord(
                        RULE_MISSING_LICENCE,
                        "medium",
                        message_key="eco_labels.missing_licence",
                        params={"place": dated.place, "name": dated.line.name, "label": accepted[0].code},
                        subject=evidence_key(
                            invoice=dated.invoice.number, line=dated.line.line_id, item=dated.line.seller_item_id, rule=rule.id
                        ),
                        contract_id=contract.id,
                        contract_year=year.number,
                        supplier_cvr=contract.supplier_cvr,
                        expected="the licence number of the label (§3.1)",
                        received="no licence number",
                        source_file_id=dated.invoice.source_file_id,
                        location=dated.location,
                        evidence={**dated.evidence(), "rule": rule.id},
                    )
                )
        reported: set[str] = set()
        for item in item_states:
            if item.key in reported or not item_matches(rule.match, item):
                continue
            accepted = [label for label in item.labels if rule.accepts(label)]
            if not accepted:
                reported.add(item.key)
                findings.append(_catalogue_missing_label(contract, year, rule, item))
            elif rule.licence_required and not any(label.licence for label in accepted):
                reported.add(item.key)
                findings.append(_catalogue_missing_licence(contract, year, rule, item, accepted[0].raw))
    return findings


def _catalogue_missing_licence(
    contract: ContractTerms, year: ContractYear, rule: EcoLabelRule, item: ItemState, label: str
) -> FindingRecord:
    source = item.specified_by
    return FindingRecord(
        RULE_MISSING_LICENCE,
        "medium",
        message_key="eco_labels.missing_licence",
        params={
            "place": message_part("place.catalogue_item", catalogue=item.catalogue_id, item=item.seller_item_id),
            "name": item.name,
            "label": label,
        },
        subject=evidence_key(item=item.seller_item_id, rule=rule.id),
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected="the licence number of the label (§3.1)",
        received="no licence number",
        source_file_id=source.source_file_id,
        location=source.location,
        evidence={**source.as_evidence(), "item": item.seller_item_id, "rule": rule.id},
    )


def _catalogue_missing_label(contract: ContractTerms, year: ContractYear, rule: EcoLabelRule, item: ItemState) -> FindingRecord:
    source = item.specified_by
    return FindingRecord(
        RULE_CATALOGUE_MISSING_LABEL,
        rule.severity,
        message_key="eco_labels.catalogue_missing_label",
        params={
            "place": message_part("place.catalogue_item", catalogue=item.catalogue_id, item=item.seller_item_id),
            "name": item.name,
            "description": rule.description,
        },
        subject=evidence_key(item=item.seller_item_id, rule=rule.id),
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=_accepted_text(rule),
        received=", ".join(label.raw for label in item.labels) or "no label",
        source_file_id=source.source_file_id,
        location=source.location,
        evidence={
            **source.as_evidence(),
            "item": item.seller_item_id,
            "valid_from": item.valid_from.isoformat(),
            "rule": rule.id,
        },
    )


RULE_UNKNOWN_LABEL = "eco_labels.unknown_label@1"


def unknown_label_findings(
    contract: ContractTerms, year: ContractYear, lines: Sequence[DatedLine], catalogue: CatalogueHistory
) -> list[FindingRecord]:
    """Label texts the vocabulary (compliance/data/labels.json) does not know: kept on the line, and reported
    once per text and year at its first occurrence, so the label data can be corrected or the
    vocabulary extended (a label nobody recognises counts for nothing in any share)."""
    first: dict[str, tuple[dict[str, Any], int, str | None, dict[str, Any]]] = {}
    occurrences: dict[str, int] = {}
    for dated in lines:
        for label in dated.line.labels:
            if not label.known:
                raw = label.raw
                occurrences[raw] = occurrences.get(raw, 0) + 1
                first.setdefault(raw, (dated.place, dated.invoice.source_file_id, dated.location, dated.evidence()))
    for item in catalogue.states_in(year.start, year.end):
        for label in item.labels:
            if not label.known:
                raw = label.raw
                occurrences[raw] = occurrences.get(raw, 0) + 1
                source = item.specified_by
                where = message_part(
                    "place.catalogue_item", catalogue=item.catalogue_id, item=item.seller_item_id or item.line_id
                )
                first.setdefault(raw, (where, source.source_file_id, source.location, source.as_evidence()))
    return [
        FindingRecord(
            RULE_UNKNOWN_LABEL,
            "low",
            message_key="eco_labels.unknown_label",
            params={"place": where, "label": raw, "occurrences": occurrences[raw]},
            subject=evidence_key(label=raw),
            contract_id=contract.id,
            contract_year=year.number,
            supplier_cvr=contract.supplier_cvr,
            expected="a label name or code the pipeline knows (e.g. Svanemærket, EU Ecolabel, NEO, EEL, Fairtrade)",
            received=raw,
            source_file_id=source_file_id,
            location=location,
            evidence={**evidence, "label": raw, "occurrences": occurrences[raw]},
            identified_by_subject=True,
        )
        for raw, (where, source_file_id, location, evidence) in sorted(first.items())
    ]
