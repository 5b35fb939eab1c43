"""Invoices against the catalogue (§3.1 "E-catalogue data"): invoiced items and labels the catalogue did not show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.checks.catalogue_consistency import (
    RULE_LABEL_NOT_IN_CATALOGUE,
    RULE_NOT_IN_CATALOGUE,
    RULE_UPDATE_WITHOUT_ITEM,
    catalogue_consistency_findings,
)
from compliance.checks.catalogue_history import CatalogueHistory
from tests.builders import catalogue_item, catalogue_message, contract, dated, invoice, label, line

OFFICE = contract()  # 2025–2026


def test_an_update_for_an_item_no_catalogue_listed_is_a_finding_in_its_year() -> None:
    pricing = catalogue_message("NK-PRIS-1", document_type="catalogue_pricing_update", issue_date=date(2025, 3, 1),
                                target_catalogue_id="NK-KAT-2025", source_file_id=3)  # fmt: skip
    history = CatalogueHistory(
        [pricing], [catalogue_item("NY-VARE", source_file_id=3, line_id="9", price=Decimal("10.00"), source_line=40)]
    )
    year1 = catalogue_consistency_findings(OFFICE, OFFICE.year(1), [], history)
    assert [(f.rule_id, f.location, f.evidence["item"]) for f in year1] == [(RULE_UPDATE_WITHOUT_ITEM, "line 40", "NY-VARE")]
    assert "not applied" in year1[0].message
    assert catalogue_consistency_findings(OFFICE, OFFICE.year(2), [], history) == []


def test_invoiced_items_the_catalogue_did_not_list_on_the_delivery_day() -> None:
    catalogue = catalogue_message("NK-KAT", issue_date=date(2025, 1, 1), valid_to=date(2025, 6, 30))
    history = CatalogueHistory([catalogue], [catalogue_item("KOP-A4", name="Kopipapir A4")])
    invoices = [
        invoice(
            line(line_id="1", seller_item_id="KOP-A4", name="Kopipapir A4", delivery_date=date(2025, 3, 1), source_line=10),
            line(line_id="2", seller_item_id="KOP-A4", name="Kopipapir A4", delivery_date=date(2025, 7, 1), source_line=20),
            line(line_id="3", seller_item_id="NY-VARE", name="Ny vare", delivery_date=date(2025, 3, 1), source_line=30),
            line(line_id="4", seller_item_id=None, name="Fragt", delivery_date=date(2025, 3, 1)),  # a service line: no item id
            number="NK-1",
        )
    ]
    findings = catalogue_consistency_findings(OFFICE, OFFICE.year(1), dated(invoices, OFFICE.year(1)), history)
    assert [(f.rule_id, f.location, f.received) for f in findings] == [
        (RULE_NOT_IN_CATALOGUE, "line 20", "item KOP-A4"),
        (RULE_NOT_IN_CATALOGUE, "line 30", "item NY-VARE"),
    ]
    assert findings[0].message.endswith("was not in the catalogue on 2025-07-01 (listed at other times)")
    assert findings[1].message.endswith("(never listed)")
    assert [entry["listed"] for entry in findings[0].evidence["catalogue_history"]] == [True]


def test_a_label_on_the_invoice_that_the_catalogue_did_not_show() -> None:
    history = CatalogueHistory(
        [catalogue_message("NK-KAT")], [catalogue_item("RENG", labels=(label("Svanemærket"),)), catalogue_item("KAFFE")]
    )
    invoices = [
        invoice(
            line(line_id="1", seller_item_id="RENG", labels=(label("Svanemærket"),), source_line=10),  # the same label: fine
            line(line_id="2", seller_item_id="KAFFE", name="Kaffe", labels=(label("Fairtrade"),), source_line=20),
        )
    ]
    findings = catalogue_consistency_findings(OFFICE, OFFICE.year(1), dated(invoices, OFFICE.year(1)), history)
    assert [(f.rule_id, f.location, f.received, f.evidence["catalogue_labels"]) for f in findings] == [
        (RULE_LABEL_NOT_IN_CATALOGUE, "line 20", "Fairtrade", [])
    ]


def test_a_contract_without_a_catalogue_is_not_compared() -> None:
    invoices = [invoice(line(seller_item_id="KOP-A4", name="Kopipapir A4"))]
    assert catalogue_consistency_findings(OFFICE, OFFICE.year(1), dated(invoices, OFFICE.year(1)), CatalogueHistory([], [])) == []
