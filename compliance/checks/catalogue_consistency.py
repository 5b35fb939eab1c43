"""Invoices against the catalogue (§3.1 "E-catalogue data"): what was invoiced must be what the catalogue said.

Two discrepancies a supplier can act on: an invoiced item the catalogue did not list on the
delivery date, and a label on an invoice line that the catalogue did not show for the item.
Only contracts with at least one catalogue are checked, and only lines that name the seller's
item id (a service line without one has no catalogue entry to compare with).
"""

from __future__ import annotations

from collections.abc import Sequence

from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.messages import message_part
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.items import DatedLine
from compliance.contracts import ContractTerms, ContractYear

RULE_NOT_IN_CATALOGUE = "catalogue.item_not_in_catalogue@1"
RULE_LABEL_NOT_IN_CATALOGUE = "catalogue.label_not_in_catalogue@1"
RULE_UPDATE_WITHOUT_ITEM = "catalogue.update_without_item@1"


def catalogue_consistency_findings(
    contract: ContractTerms, year: ContractYear, lines: Sequence[DatedLine], catalogue: CatalogueHistory
) -> list[FindingRecord]:
    findings: list[FindingRecord] = []
    for update in catalogue.unmatched_updates:
        source = update.source
        if not year.start <= source.issue_date <= year.end:
            continue
        applied = (
            "fragment.applied_as_new_item"
            if source.document_type == "catalogue_item_specification_update"
            else "fragment.not_applied"
        )
        findings.append(
            FindingRecord(
                RULE_UPDATE_WITHOUT_ITEM,
                "low",
                message_key="catalogue.update_without_item",
                params={
                    "document_type": source.document_type,
                    "catalogue": source.catalogue_id,
                    "line": update.line_id,
                    "item": update.seller_item_id or message_part("fragment.no_item_id"),
                    "applied": message_part(applied),
                },
                subject=evidence_key(line=update.line_id, item=update.seller_item_id),
                contract_id=contract.id,
                contract_year=year.number,
                supplier_cvr=contract.supplier_cvr,
                expected="updates for items a catalogue listed before (send the full catalogue first)",
                received=f"line {update.line_id}",
                source_file_id=source.source_file_id,
                location=source.location,
                evidence={**source.as_evidence(), "line": update.line_id, "item": update.seller_item_id},
            )
        )
    if not catalogue.has_items:
        return findings
    for dated in lines:
        item_id = dated.line.seller_item_id
        if not item_id:
            continue
        state = catalogue.state_on(item_id, dated.day)
        if state is None:
            why = "fragment.listed_at_other_times" if catalogue.ever_listed(item_id) else "fragment.never_listed"
            findings.append(
                FindingRecord(
                    RULE_NOT_IN_CATALOGUE,
                    "medium",
                    message_key="catalogue.item_not_in_catalogue",
                    params={
                        "place": dated.place,
                        "item": item_id,
                        "name": dated.line.name,
                        "day": dated.day.isoformat(),
                        "why": message_part(why),
                    },
                    subject=evidence_key(invoice=dated.invoice.number, line=dated.line.line_id, item=item_id),
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected="invoiced items listed in the supplier's e-catalogue on the delivery date",
                    received=f"item {item_id}",
                    source_file_id=dated.invoice.source_file_id,
                    location=dated.location,
                    evidence={
                        **dated.evidence(),
                        "catalogue_history": [
                            {"effective": effective.isoformat(), "listed": listed is not None, **source.as_evidence()}
                            for effective, listed, source in catalogue.timeline(item_id)
                        ],
                    },
                )  # fmt: skip
            )
            continue
        shown = {label.code for label in state.labels}
        extra = [label for label in dated.line.labels if label.code not in shown]
        if extra:
            claimed = ", ".join(label.raw or label.code for label in extra)
            findings.append(
                FindingRecord(
                    RULE_LABEL_NOT_IN_CATALOGUE,
                    "low",
                    message_key="catalogue.label_not_in_catalogue",
                    params={
                        "place": dated.place,
                        "claimed": claimed,
                        "item": item_id,
                        "catalogue": state.catalogue_id,
                        "day": dated.day.isoformat(),
                    },
                    subject=evidence_key(invoice=dated.invoice.number, line=dated.line.line_id, item=item_id),
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected="the same labels in the catalogue as on the invoice (buyers see the catalogue's label data)",
                    received=claimed,
                    source_file_id=dated.invoice.source_file_id,
                    location=dated.location,
                    evidence={
                        **dated.evidence(),
                        "catalogue_labels": sorted(str(code) for code in shown if code),
                        "catalogue": state.specified_by.as_evidence(),
                    },
                )
            )
    return findings
