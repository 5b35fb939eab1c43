"""Licence numbers of claimed labels: format, registry existence, expiry on the day relied on, product group.

The scenario mirrors the sample office contract: a catalogue states the copy paper's and the
cleaning product's Nordic Swan licences, a July update drops the cleaning product's label, the
monthly invoices rely on the catalogue, and December's Excel invoice states the numbers itself.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from compliance.base.documents import Label
from compliance.base.findings import FindingRecord
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.inputs import InvoiceRecord, RegistryLicence
from compliance.checks.licences import (
    RULE_EXPIRED,
    RULE_INVALID_FORMAT,
    RULE_NOT_IN_REGISTRY,
    RULE_WRONG_GROUP,
    LicenceRegistry,
    licence_findings,
)
from compliance.contracts import ContractTerms
from tests.builders import (
    catalogue_item,
    catalogue_message,
    cleaning_agents_rule,
    contract,
    copy_paper_rule,
    dated,
    invoice,
    label,
    line,
    unspsc,
)

PAPER, CLEANING = unspsc("14111507"), unspsc("47131805")
PAPER_LICENCE = label("Svanemærket", licence="3041 0012")
CLEANING_LICENCE = label("Svanemærket", licence="2045 0077")


def office(**copy_paper_changes: object) -> ContractTerms:
    """Copy paper needs a type-1 label with its licence; cleaning agents the Nordic Swan or EU Ecolabel (2025–2026)."""
    return contract(eco_labels=[copy_paper_rule(**copy_paper_changes), cleaning_agents_rule()])


def office_catalogue(paper_label: Label = PAPER_LICENCE) -> CatalogueHistory:
    catalogue = catalogue_message("NK-KAT-2025", issue_date=date(2024, 12, 15), valid_from=date(2025, 1, 1),
                                  valid_to=date(2026, 12, 31), source_file_id=14, source_path="office/katalog-2025.xml")  # fmt: skip
    july = catalogue_message(
        "NK-KAT-2025-U1", document_type="catalogue_item_specification_update", target_catalogue_id="NK-KAT-2025",
        issue_date=date(2025, 6, 20), issue_time="10:00:00", valid_from=date(2025, 7, 1), source_file_id=13,
        source_path="office/katalog-2025-opdatering-juli.xml",
    )  # fmt: skip
    return CatalogueHistory(
        [catalogue, july],
        [
            catalogue_item("KOP-A4-SV", source_file_id=14, position=1, name="Kopipapir A4, Svanemærket",
                           classification_codes=PAPER, labels=(paper_label,), source_line=31),
            catalogue_item("RENG-SV", source_file_id=14, position=2, name="Universalrengøring, Svanemærket",
                           classification_codes=CLEANING, labels=(CLEANING_LICENCE,), source_line=151),
            catalogue_item("RENG-SV", source_file_id=13, position=1, name="Universalrengøring",  # July: no label any more
                           classification_codes=CLEANING, source_line=34),
        ],
    )  # fmt: skip


def monthly_invoice(number: str, day: date, *, with_cleaning: bool = True) -> InvoiceRecord:
    """A monthly invoice whose lines state no label: the catalogue's labels count for them."""
    lines = [line(line_id="1", seller_item_id="KOP-A4-SV", name="Kopipapir", classification_codes=PAPER, delivery_date=day,
                  source_line=107)]  # fmt: skip
    if with_cleaning:
        lines.append(line(line_id="5", seller_item_id="RENG-SV", name="Universalrengøring", classification_codes=CLEANING,
                          delivery_date=day, source_line=255))  # fmt: skip
    return invoice(*lines, number=number, issue_date=day, source_path=f"office/{number}.xml")


INVOICES = [
    monthly_invoice("NK-2025-0001", date(2025, 1, 15)),
    monthly_invoice("NK-2025-0006", date(2025, 6, 15)),
    monthly_invoice("NK-2025-0007", date(2025, 7, 15), with_cleaning=False),
    monthly_invoice("NK-2025-0008", date(2025, 8, 15), with_cleaning=False),
    invoice(  # December's Excel invoice states the labels and licence numbers on its lines
        line(line_id="1", seller_item_id="KOP-A4-SV", name="Kopipapir", classification_codes=PAPER, labels=(PAPER_LICENCE,),
             source_line=2),
        line(line_id="5", seller_item_id="RENG-SV", name="Universalrengøring", classification_codes=CLEANING,
             labels=(CLEANING_LICENCE,), source_line=6),
        number="NK-2025-0012", issue_date=date(2025, 12, 15), source_path="office/NK-2025-0012.xlsx",
    ),
]  # fmt: skip


def swan(number: str, valid_to: date, group: str, row: int) -> RegistryLicence:
    return RegistryLicence("SVANEN", number, valid_to, product_group=group, source_file_id=20, row=row)


def all_years(contract: ContractTerms, catalogue: CatalogueHistory, registry: LicenceRegistry) -> list[FindingRecord]:
    return [
        finding
        for year in contract.years()
        for finding in licence_findings(contract, year, dated(INVOICES, year), catalogue, registry)
    ]


def test_an_expired_nordic_swan_licence_is_reported_once_at_the_first_delivery_after_expiry() -> None:
    registry = LicenceRegistry([
        swan("3041 0012", date(2025, 6, 30), "011", 2),  # the copy paper's licence expired on 30 June 2025
        swan("2045 0077", date(2027, 12, 31), "026", 3),
        RegistryLicence("EU_ECO_LABEL", "DK/019/001", date(2026, 12, 31), product_group="EU44", row=4),
    ])  # fmt: skip
    findings = all_years(office(), office_catalogue(), registry)
    # Reported: the first delivery relying on the catalogue after the expiry (July, not August again),
    # December's Excel invoice that states the number itself, and the catalogue, which kept stating
    # it to the end of each year.
    assert [(f.rule_id, f.contract_year, f.evidence.get("invoice"), f.evidence.get("day")) for f in findings] == [
        (RULE_EXPIRED, 1, "NK-2025-0007", "2025-07-15"),
        (RULE_EXPIRED, 1, "NK-2025-0012", "2025-12-15"),
        (RULE_EXPIRED, 1, None, None),
        (RULE_EXPIRED, 2, None, None),
    ]
    assert findings[0].evidence["expired"] == "2025-06-30" and findings[0].evidence["label_source"] == "catalogue NK-KAT-2025"
    assert findings[0].evidence["registry_row"] == 2 and findings[0].received == "3041 0012"
    assert findings[1].evidence["label_source"] == "invoice line"
    assert "before 2025-12-31" in findings[2].message and findings[2].evidence["file"].endswith("katalog-2025.xml")


def test_licences_missing_from_the_registry_and_in_the_wrong_product_group() -> None:
    # The registry no longer lists the cleaning product's licence; the paper licence is for group 011 …
    registry = LicenceRegistry([
        swan("30410012", date(2030, 6, 30), "011", 2),  # looked up without spaces and case
        swan("2045 9999", date(2027, 12, 31), "026", 3),
    ])  # fmt: skip
    # … and the contract accepts only group 026 for copy paper.
    findings = all_years(office(licence_product_groups=["^026$"]), office_catalogue(), registry)
    found = {(f.rule_id, f.contract_year, Path(f.evidence["file"]).name, f.location) for f in findings}
    assert found == {
        # The first delivery relying on each catalogue statement, December's Excel invoice, and the catalogue.
        (RULE_WRONG_GROUP, 1, "NK-2025-0001.xml", "line 107"),
        (RULE_NOT_IN_REGISTRY, 1, "NK-2025-0001.xml", "line 255"),
        (RULE_WRONG_GROUP, 1, "NK-2025-0012.xlsx", "line 2"),
        (RULE_NOT_IN_REGISTRY, 1, "NK-2025-0012.xlsx", "line 6"),
        (RULE_WRONG_GROUP, 1, "katalog-2025.xml", "line 31"),
        (RULE_NOT_IN_REGISTRY, 1, "katalog-2025.xml", "line 151"),
        # 2026: the cleaning product's July update states no label any more; the paper's stays wrong.
        (RULE_WRONG_GROUP, 2, "katalog-2025.xml", "line 31"),
    }
    assert len(findings) == len(found)
    wrong = next(f for f in findings if f.rule_id == RULE_WRONG_GROUP)
    assert wrong.evidence["registry_group"] == "011" and wrong.received == "3041 0012"


def test_a_malformed_eu_ecolabel_number_is_reported_without_a_registry() -> None:
    # The supplier switches the paper's label to the EU Ecolabel, with a number in the wrong shape.
    catalogue = office_catalogue(paper_label=label("EEL", licence="DK-011-004"))
    findings = [
        finding for year in office().years() for finding in licence_findings(office(), year, [], catalogue, LicenceRegistry([]))
    ]
    assert {(f.rule_id, f.received) for f in findings} == {(RULE_INVALID_FORMAT, "DK-011-004")}
    assert "CC/NNN/NNN" in (findings[0].expected or "")
    well_formed = office_catalogue(paper_label=label("EEL", licence="DK/011/004"))
    assert licence_findings(office(), office().year(1), [], well_formed, LicenceRegistry([])) == []


def test_a_label_without_a_registry_export_is_only_format_checked() -> None:
    registry = LicenceRegistry([RegistryLicence("EU_ECO_LABEL", "DK/019/001", date(2026, 12, 31))])  # no Nordic Swan export
    assert not registry.covers("SVANEN")
    assert all_years(office(), office_catalogue(), registry) == []
