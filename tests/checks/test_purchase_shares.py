"""§16 purchase shares: the coffee share nets credit notes, reads catalogue labels, and is watched per quarter."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.purchase_shares import (
    purchase_share,
    purchase_share_finding,
    quarter_findings,
    year_quarters,
)
from tests.builders import (
    catalogue_item,
    catalogue_message,
    coffee_share_rule,
    contract,
    dated,
    invoice,
    label,
    line,
    unspsc,
)

OFFICE = contract(purchase_shares=[coffee_share_rule()])  # ≥ 50 % of the coffee amount, 2025–2026
RULE = OFFICE.purchase_shares[0]
YEAR = OFFICE.year(1)
COFFEE = unspsc("50201706")


def test_coffee_share_nets_credit_notes_and_reads_labels_from_the_catalogue() -> None:
    march = date(2025, 3, 15)
    invoices = [
        invoice(
            line(seller_item_id="KAF-FT", name="Kaffe FT", line_amount=Decimal("600.00"), classification_codes=COFFEE, delivery_date=march),
            line(line_id="2", position=2, seller_item_id="KAF-STD", name="Kaffe", line_amount=Decimal("500.00"),
                 classification_codes=COFFEE, delivery_date=march),
            line(line_id="3", position=3, seller_item_id="TONER", name="Toner", line_amount=Decimal("900.00")),  # not coffee
        ),
        invoice(
            line(seller_item_id="KAF-FT", name="Kaffe FT", line_amount=Decimal("-200.00"), classification_codes=COFFEE, delivery_date=march),
            number="K1",
            document_type="credit_note",
        ),
    ]  # fmt: skip
    # The invoice lines state no label; the catalogue says KAF-FT is Fairtrade.
    catalogue = CatalogueHistory([catalogue_message("K")], [catalogue_item("KAF-FT", labels=(label("Fairtrade"),))])
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), catalogue)
    assert (result.total, result.qualifying) == (Decimal("900.00"), Decimal("400.00"))  # 600 + 500 − 200; 600 − 200
    assert result.share == Decimal("400.00") / Decimal("900.00")
    assert result.status == "short"
    assert [(entry["item"], entry["qualifying"], entry["label_source"]) for entry in result.lines] == [
        ("KAF-FT", True, "catalogue K"),
        ("KAF-STD", False, "none"),
        ("KAF-FT", True, "catalogue K"),
    ]
    finding = purchase_share_finding(OFFICE, result)
    assert finding is not None and finding.rule_id == "purchase_share.coffee@1" and finding.severity == "high"
    assert finding.received == "44,44 %" and finding.expected == "≥ 50 %"


def test_purchase_shares_per_quarter_sum_to_the_year_and_short_quarters_are_flagged() -> None:
    fairtrade = (label("Fairtrade"),)
    invoices = [
        invoice(
            line(seller_item_id="A", name="Kaffe", line_amount=Decimal("100.00"), labels=fairtrade,
                 delivery_date=date(2025, 2, 1), classification_codes=COFFEE),
            line(line_id="2", position=2, seller_item_id="B", name="Kaffe", line_amount=Decimal("300.00"),
                 delivery_date=date(2025, 5, 1), classification_codes=COFFEE),
            line(line_id="3", position=3, seller_item_id="A", name="Kaffe", line_amount=Decimal("400.00"), labels=fairtrade,
                 delivery_date=date(2025, 12, 31), classification_codes=COFFEE),
        )
    ]  # fmt: skip
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), CatalogueHistory([catalogue_message("K")], []))
    assert [(q.number, q.start, q.end, q.total, q.qualifying) for q in result.quarters] == [
        (1, date(2025, 1, 1), date(2025, 3, 31), Decimal("100.00"), Decimal("100.00")),
        (2, date(2025, 4, 1), date(2025, 6, 30), Decimal("300.00"), Decimal("0")),
        (3, date(2025, 7, 1), date(2025, 9, 30), Decimal("0"), Decimal("0")),
        (4, date(2025, 10, 1), date(2025, 12, 31), Decimal("400.00"), Decimal("400.00")),
    ]
    assert sum(q.total for q in result.quarters) == result.total and result.status == "compliant"  # 500 of 800
    assert purchase_share_finding(OFFICE, result) is None
    flagged = quarter_findings(OFFICE, result)
    assert [(f.location, f.severity, f.evidence["status"]) for f in flagged] == [("quarter 2", "low", "short")]
    assert result.quarters[2].as_details(RULE)["status"] == "no_data"
    short_year = replace(YEAR, end=date(2025, 5, 10))  # a contract that ends mid-quarter
    assert [(q.start, q.end) for q in year_quarters(short_year)] == [
        (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 5, 10))
    ]  # fmt: skip


def test_a_year_without_matching_lines_has_no_share_and_no_finding() -> None:
    result = purchase_share(RULE, YEAR, dated([invoice(line(name="Toner"))], YEAR), CatalogueHistory([], []))
    assert (result.total, result.share, result.status) == (Decimal(0), None, "no_data")
    assert purchase_share_finding(OFFICE, result) is None and quarter_findings(OFFICE, result) == []


def test_the_quantity_basis_counts_units_not_kroner() -> None:
    by_quantity = contract(purchase_shares=[coffee_share_rule(basis="quantity")]).purchase_shares[0]
    invoices = [
        invoice(
            line(name="Kaffe", quantity=Decimal(3), line_amount=Decimal("900.00"), labels=(label("Fairtrade"),)),
            line(line_id="2", name="Kaffe", quantity=Decimal(1), line_amount=Decimal("100.00")),
        )
    ]
    result = purchase_share(by_quantity, YEAR, dated(invoices, YEAR), CatalogueHistory([], []))
    assert (result.total, result.qualifying, result.status) == (Decimal(4), Decimal(3), "compliant")


def test_an_undated_credit_note_issued_next_year_reduces_last_years_share() -> None:
    """Issue 16 item 10 (credit notes): a credit note counts on the day of the line it credits."""
    march = date(2025, 3, 15)
    invoices = [
        invoice(
            line(seller_item_id="KAF-FT", name="Kaffe FT", line_amount=Decimal("600.00"), classification_codes=COFFEE, delivery_date=march),
            line(line_id="2", position=2, seller_item_id="KAF-STD", name="Kaffe", line_amount=Decimal("500.00"),
                 classification_codes=COFFEE, delivery_date=march),
            number="F1",
        ),
        # Issued in contract year 2, no delivery date of its own; it credits F1's standard coffee.
        invoice(
            line(seller_item_id="KAF-STD", name="Kaffe", line_amount=Decimal("-300.00"), classification_codes=COFFEE),
            number="K1",
            document_type="credit_note",
            issue_date=date(2026, 2, 10),
            billing_references=("F1",),
        ),
    ]  # fmt: skip
    no_catalogue = CatalogueHistory([], [])
    year_1 = purchase_share(RULE, YEAR, dated(invoices, YEAR), no_catalogue)
    assert year_1.total == Decimal("800.00")  # 600 + 500 − 300, all in 2025
    assert [(entry["invoice"], entry["day"]) for entry in year_1.lines][-1] == ("K1", "2025-03-15")
    year_2 = purchase_share(RULE, OFFICE.year(2), dated(invoices, OFFICE.year(2)), no_catalogue)
    assert year_2.total == 0
    # A line reference wins over the item: the credit is dated as the named line.
    named = replace(invoices[1], lines=(replace(invoices[1].lines[0], billing_reference="F1", billing_reference_line="1"),))
    assert dated([invoices[0], named], YEAR)[-1].day == march
