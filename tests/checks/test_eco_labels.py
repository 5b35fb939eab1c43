"""§3.1/§3.2 eco-labels on invoice lines and in the catalogue, and label texts the vocabulary does not know."""

from __future__ import annotations

from datetime import date

from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.eco_labels import (
    RULE_CATALOGUE_MISSING_LABEL,
    RULE_MISSING_LABEL,
    RULE_MISSING_LICENCE,
    RULE_UNKNOWN_LABEL,
    eco_label_findings,
    unknown_label_findings,
)
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

OFFICE = contract(eco_labels=[copy_paper_rule(), cleaning_agents_rule(severity="medium")])
YEAR = OFFICE.year(1)
PAPER, CLEANING = unspsc("14111507"), unspsc("47131805")


def test_invoice_lines_need_an_accepted_label_and_where_required_its_licence() -> None:
    history = CatalogueHistory(
        [catalogue_message("NK-KAT")],
        [catalogue_item("KOP-SV", classification_codes=PAPER, labels=(label("Svanemærket", licence="3041 0012"),))],
    )
    invoices = [
        invoice(
            line(line_id="1", seller_item_id="KOP-SV", classification_codes=PAPER, source_line=10),  # the catalogue's label: fine
            line(line_id="2", seller_item_id="KOP-STD", classification_codes=PAPER, source_line=20),  # no label anywhere
            line(line_id="3", seller_item_id="KOP-X", classification_codes=PAPER, labels=(label("EU Ecolabel"),), source_line=30),
            line(line_id="4", seller_item_id="RENG", classification_codes=CLEANING, labels=(label("Ø-mærket"),), source_line=40),
            line(line_id="5", seller_item_id="RENG-SV", classification_codes=CLEANING, labels=(label("Svanemærket"),)),
            line(line_id="6", seller_item_id="TONER", classification_codes=unspsc("44103103")),  # no rule covers toner
            number="NK-1",
        )
    ]
    findings = eco_label_findings(OFFICE, YEAR, dated(invoices, YEAR), history)
    assert [(f.rule_id, f.severity, f.location, f.received) for f in findings] == [
        (RULE_MISSING_LABEL, "high", "line 20", "no label (from none)"),
        (RULE_MISSING_LICENCE, "medium", "line 30", "no licence number"),  # copy paper needs the licence number
        (RULE_MISSING_LABEL, "medium", "line 40", "Ø-mærket (from invoice line)"),  # the rule's own severity
    ]
    assert findings[0].expected == "any type-1 eco-label" and findings[2].expected == "EU_ECO_LABEL or SVANEN"


def test_catalogue_items_are_judged_by_every_state_and_reported_once() -> None:
    catalogue = catalogue_message("NK-KAT", issue_date=date(2024, 12, 15), valid_from=date(2025, 1, 1), source_file_id=1)
    july = catalogue_message("NK-KAT-U1", document_type="catalogue_item_specification_update", target_catalogue_id="NK-KAT",
                             issue_date=date(2025, 6, 20), valid_from=date(2025, 7, 1), source_file_id=2)  # fmt: skip
    history = CatalogueHistory(
        [catalogue, july],
        [
            catalogue_item("RENG", source_file_id=1, classification_codes=CLEANING, labels=(label("Svanemærket"),), source_line=151),
            catalogue_item("KOP-STD", source_file_id=1, classification_codes=PAPER, source_line=56),
            catalogue_item("KOP-SV", source_file_id=1, classification_codes=PAPER, labels=(label("Svanemærket"),), source_line=31),
            catalogue_item("RENG", source_file_id=2, classification_codes=CLEANING, source_line=34),  # July: the label is gone
            catalogue_item("KOP-STD", source_file_id=2, classification_codes=PAPER, source_line=40),  # still none
        ],
    )  # fmt: skip
    findings = eco_label_findings(OFFICE, YEAR, [], history)
    assert sorted((f.rule_id, f.evidence["item"], f.location) for f in findings) == [
        (RULE_CATALOGUE_MISSING_LABEL, "KOP-STD", "line 56"),  # the first statement without the label, once
        (RULE_CATALOGUE_MISSING_LABEL, "RENG", "line 34"),
        (RULE_MISSING_LICENCE, "KOP-SV", "line 31"),
    ]
    july_finding = next(f for f in findings if f.evidence["item"] == "RENG")
    assert july_finding.evidence["valid_from"] == "2025-07-01" and july_finding.severity == "medium"


def test_unknown_labels_are_reported_once_per_text_with_their_first_place() -> None:
    message = catalogue_message("C", source_file_id=7)
    items = [
        catalogue_item("A", source_file_id=7, position=1, labels=(label("Grønt valg"),), source_line=10),
        catalogue_item("B", source_file_id=7, position=2, labels=(label("Grønt valg"),), source_line=20),
        catalogue_item("C", source_file_id=7, position=3, labels=(label("Eco"),), source_line=30),
    ]
    findings = unknown_label_findings(OFFICE, YEAR, [], CatalogueHistory([message], items))
    assert [(f.rule_id, f.received, f.location, f.evidence["occurrences"]) for f in findings] == [
        (RULE_UNKNOWN_LABEL, "Eco", "line 30", 1),
        (RULE_UNKNOWN_LABEL, "Grønt valg", "line 10", 2),
    ]


def test_an_unknown_label_on_an_invoice_line_comes_first_and_counts_with_the_catalogue() -> None:
    invoices = [
        invoice(line(seller_item_id="A", labels=(label("Grønt valg"), label("Svanemærket")), source_line=5), number="NK-9")
    ]
    history = CatalogueHistory([catalogue_message("C")], [catalogue_item("A", labels=(label("Grønt valg"),), source_line=10)])
    (finding,) = unknown_label_findings(OFFICE, YEAR, dated(invoices, YEAR), history)
    assert (finding.location, finding.evidence["occurrences"], finding.evidence["invoice"]) == ("line 5", 2, "NK-9")
