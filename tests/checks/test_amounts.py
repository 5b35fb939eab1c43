"""Issue 16 item 10, shares to the krone: document-level allowances and charges spread pro rata,
other currencies converted at the contract's rate or counted apart, and a licence number the
catalogue states satisfies an invoice line naming the same label without one. Figures by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.base.documents import AllowanceCharge
from compliance.checks.amounts import RULE_NOT_SPREAD, RULE_OTHER_CURRENCY, paid_amount
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.eco_labels import RULE_MISSING_LICENCE, eco_label_findings
from compliance.checks.purchase_shares import amount_findings, purchase_share, purchase_share_finding
from compliance.contracts import ExchangeRate
from tests.builders import (
    catalogue_item,
    catalogue_message,
    coffee_share_rule,
    contract,
    copy_paper_rule,
    dated,
    invoice,
    label,
    line,
    unspsc,
)

OFFICE = contract(purchase_shares=[coffee_share_rule()])  # ≥ 50 % of the coffee amount, 2025–2026
RULE = OFFICE.purchase_shares[0]
YEAR = OFFICE.year(1)
COFFEE, PAPER = unspsc("50201706"), unspsc("14111507")
MARCH = date(2025, 3, 15)
NO_CATALOGUE = CatalogueHistory([], [])


def coffee(amount: str, fairtrade: bool, line_id: str = "1") -> object:
    labels = (label("Fairtrade"),) if fairtrade else ()
    return line(
        line_id=line_id, position=int(line_id), seller_item_id="KAF", name="Kaffe", line_amount=Decimal(amount),
        classification_codes=COFFEE, labels=labels, delivery_date=MARCH,
    )  # fmt: skip


def discount(amount: str) -> AllowanceCharge:
    return AllowanceCharge(charge=False, amount=Decimal(amount), reason="Rabat")


def test_document_allowances_and_charges_are_spread_over_the_lines_pro_rata() -> None:
    # Invoice A: Fairtrade coffee 600 + toner 400, a document discount of 300 → 30 % off every line:
    # the coffee was bought for 420. Invoice B: plain coffee 400, a freight charge of 100 on a single
    # line → 500. The share is 420 / 920 = 45,65 %: short — read as stated, 600 / 1.000 = 60 % would pass.
    toner = line(line_id="2", position=2, seller_item_id="TONER", name="Toner", line_amount=Decimal("400.00"))
    invoices = [
        invoice(coffee("600.00", True), toner, number="A", allowance_charges=(discount("300.00"),)),
        invoice(
            coffee("400.00", False),
            number="B",
            allowance_charges=(AllowanceCharge(charge=True, amount=Decimal("100.00"), reason="Fragt"),),
        ),
    ]
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), NO_CATALOGUE)
    assert (result.total, result.qualifying) == (Decimal("920"), Decimal("420"))
    assert result.status == "short"
    assert [(e["invoice"], e["stated_amount"], e["allowances_charges"], e["value"]) for e in result.lines] == [
        ("A", "600.00", "-180.00", "420.00"),
        ("B", "400.00", "100.00", "500.00"),
    ]
    finding = purchase_share_finding(OFFICE, result)
    assert finding is not None and finding.evidence == {"total": "920.00", "qualifying": "420.00"}


def test_a_credit_notes_discount_reduces_what_it_credits() -> None:
    # A credit note for Fairtrade coffee of 200 (stored −200) with a document discount of 20: it
    # credits 180. Invoice 1.000 Fairtrade − 180 = 820 of 820 + 500 = 1.320.
    invoices = [
        invoice(coffee("1000.00", True), coffee("500.00", False, "2"), number="A"),
        invoice(coffee("-200.00", True), number="K", document_type="credit_note", allowance_charges=(discount("20.00"),)),
    ]
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), NO_CATALOGUE)
    assert (result.total, result.qualifying) == (Decimal("1320.00"), Decimal("820.00"))


def test_allowances_that_cannot_be_spread_are_a_finding_and_the_lines_count_as_stated() -> None:
    # Lines of +100 and −100 add up to zero: a discount of 10 has nothing to be spread over.
    invoices = [invoice(coffee("100.00", True), coffee("-100.00", False, "2"), number="Z", allowance_charges=(discount("10"),))]
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), NO_CATALOGUE)
    assert [e["value"] for e in result.lines] == ["100.00", "-100.00"]
    findings = amount_findings(OFFICE, result)
    assert [(f.rule_id, f.evidence["adjustment"], f.evidence["lines_total"]) for f in findings] == [
        (RULE_NOT_SPREAD, "-10", "0.00")
    ]


def test_amounts_in_another_currency_are_never_added_to_kroner() -> None:
    # 600 kr. Fairtrade and 100 EUR plain coffee. As stated today: 600 / 700 = 85,71 %, as if euros
    # were kroner. Without a rate the euros are counted apart (a finding names the invoice): 600 / 600.
    invoices = [invoice(coffee("600.00", True), number="A"), invoice(coffee("100.00", False), number="E", currency="EUR")]
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), NO_CATALOGUE)
    assert (result.total, result.qualifying) == (Decimal("600.00"), Decimal("600.00"))
    assert result.held_out_by_currency() == [{"currency": "EUR", "amount": "100.00", "lines": 1}]
    (finding,) = amount_findings(OFFICE, result)
    assert (finding.rule_id, finding.severity, finding.received) == (RULE_OTHER_CURRENCY, "medium", "100.00 EUR")
    assert finding.message.startswith("invoice E is in EUR: 1 line(s) for 100,00 EUR are counted apart from")


def test_a_rate_the_contract_names_converts_and_is_kept_with_the_result() -> None:
    # At the contract's 7,4604 kr. per EUR: 100 EUR = 746,04 kr.; 600 / 1.346,04 = 44,58 %: short.
    rate = ExchangeRate("EUR", Decimal("7.4604"), "kontraktens § 4.2")
    priced = contract(
        purchase_shares=[coffee_share_rule()],
        exchange_rates=[{"currency": "EUR", "dkk": "7.4604", "source": "kontraktens § 4.2"}],
    )
    assert priced.exchange_rates == (rate,) and priced.exchange_rate("eur") == rate
    invoices = [invoice(coffee("600.00", True), number="A"), invoice(coffee("100.00", False), number="E", currency="EUR")]
    result = purchase_share(RULE, YEAR, dated(invoices, YEAR), NO_CATALOGUE, priced.exchange_rates)
    assert (result.total, result.qualifying) == (Decimal("1346.0400"), Decimal("600.00"))
    assert result.status == "short" and result.rates_used == {"EUR": rate} and not result.held_out
    assert result.lines[1]["rate_dkk"] == "7.4604" and result.lines[1]["value"] == "746.040000"
    assert amount_findings(priced, result) == []


def test_paid_amount_of_a_line_without_an_amount_is_none() -> None:
    (entry,) = dated([invoice(line(line_amount=None, delivery_date=MARCH))], YEAR)
    assert paid_amount(entry, ()) is None


def test_the_catalogues_licence_number_satisfies_a_line_naming_the_same_label_without_one() -> None:
    # §3.1: label data belongs in the e-catalogue, licence numbers come on request. The catalogue
    # states Svanemærket 3041 0012 for KOP-SV from 1 February 2025; the invoice lines say only
    # "Svanemærket". KOP-EU's catalogue licence is for the EU Ecolabel, so a line naming Svanemærket
    # for it still lacks a number; and so does a line delivered (20 January) before the catalogue said anything.
    office = contract(eco_labels=[copy_paper_rule()])
    history = CatalogueHistory(
        [catalogue_message("NK-KAT", issue_date=date(2025, 2, 1))],
        [
            catalogue_item("KOP-SV", classification_codes=PAPER, labels=(label("Svanemærket", licence="3041 0012"),)),
            catalogue_item("KOP-EU", classification_codes=PAPER, labels=(label("EU Ecolabel", licence="DK/011/001"),)),
        ],
    )
    swan = (label("Svanemærket"),)
    invoices = [
        invoice(
            line(line_id="1", seller_item_id="KOP-SV", classification_codes=PAPER, labels=swan, source_line=10),
            line(line_id="2", seller_item_id="KOP-EU", classification_codes=PAPER, labels=swan, source_line=20),
            number="NK-1",
        ),
        invoice(
            line(line_id="1", seller_item_id="KOP-SV", classification_codes=PAPER, labels=swan, source_line=10),
            number="NK-0",
            issue_date=date(2025, 1, 31),
            delivery_date=date(2025, 1, 20),
        ),
    ]
    year = office.year(1)
    findings = eco_label_findings(office, year, dated(invoices, year), history)
    assert [(f.rule_id, f.evidence["invoice"], f.location) for f in findings] == [
        (RULE_MISSING_LICENCE, "NK-1", "line 20"),
        (RULE_MISSING_LICENCE, "NK-0", "line 10"),
    ]
