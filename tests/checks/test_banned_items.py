"""§16.1 banned items: every delivered line of a banned item is a finding; credited lines are not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.checks.banned_items import RULE_BANNED_ITEM, banned_item_findings
from tests.builders import contract, dated, invoice, line

OFFICE = contract(
    banned_items=[
        {
            "id": "plastic",
            "description": "Engangsservice af plast",
            "match": {"name_pattern": "(?i)(engangs\\w*.*plast|plastkrus)"},
        },
        {"id": "water", "description": "Flaskevand", "match": {"name_pattern": "(?i)(kildevand|flaskevand)"}},
    ]
)
YEAR = OFFICE.year(1)


def test_banned_items_are_flagged_per_delivered_line() -> None:
    invoices = [
        invoice(
            line(line_id="1", name="Engangskrus plast 20 cl", quantity=Decimal(10), unit_code="PK", source_line=12),
            line(line_id="2", name="Kaffe, formalet", quantity=Decimal(5)),
            line(line_id="3", name="Kildevand 50 cl", quantity=Decimal(24), unit_code="EA", source_line=30),
            number="NK-3",
        ),
        invoice(line(name="Engangskrus plast 20 cl", quantity=Decimal(-10)), number="K-1", document_type="credit_note"),
        invoice(
            line(name="Kildevand 50 cl", quantity=Decimal(24)), number="NK-99", issue_date=date(2027, 1, 5)
        ),  # after the year
    ]
    findings = banned_item_findings(OFFICE, YEAR, dated(invoices, YEAR))
    assert [(f.rule_id, f.evidence["rule"], f.location, f.received) for f in findings] == [
        (RULE_BANNED_ITEM, "plastic", "line 12", "10 PK Engangskrus plast 20 cl"),
        (RULE_BANNED_ITEM, "water", "line 30", "24 EA Kildevand 50 cl"),
    ]
    assert findings[0].message == (
        "invoice NK-3, line 1 delivers 'Engangskrus plast 20 cl', which the contract bans: Engangsservice af plast"
    )
    assert banned_item_findings(contract(), YEAR, dated(invoices, YEAR)) == []  # no banned items in the contract
