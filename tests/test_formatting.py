"""Danish formats in reports and finding texts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance.base.formatting import danish_date, danish_money, danish_number, danish_percent, parse_amount


def test_danish_money_numbers_percent_and_dates() -> None:
    assert danish_money(Decimal("1234.56")) == "1.234,56 kr."
    assert danish_money(Decimal("41500")) == "41.500,00 kr."
    assert danish_money(Decimal("-770.005")) == "-770,01 kr."  # half up, away from zero
    assert danish_number(Decimal("1029")) == "1.029"
    assert danish_number("23035.25", 1) == "23.035,3"
    assert danish_percent(Decimal("0.4820213799805636540330417881")) == "48,20 %"
    assert danish_percent(None) == "–"
    assert danish_date(date(2026, 11, 22)) == "22. november 2026"
    assert danish_date("2025-01-01") == "1. januar 2025"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("30.000,00", Decimal("30000.00")),  # as every output writes it
        ("30.000,00 kr.", Decimal("30000.00")),
        ("30000,00", Decimal("30000.00")),
        ("30000.00", Decimal("30000.00")),
        ("30,000.00", Decimal("30000.00")),
        ("30.000", Decimal("30000")),  # Danish thousands, not thirty
        ("30.00", Decimal("30.00")),  # a point with two decimals is a decimal point
        ("1.234.567,5", Decimal("1234567.5")),
        ("0", Decimal("0")),
    ],
)
def test_amounts_are_read_as_people_type_them(typed: str, amount: Decimal) -> None:
    assert parse_amount(typed) == amount


@pytest.mark.parametrize("typed", ["30,000", "3.00.0", "-5", "１２", "30.0000", "30 000,5,0", "abc", ""])
def test_an_ambiguous_or_malformed_amount_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValueError, match=r"is not an amount in kroner \(e\.g\. 30\.000,00 or 30000\.00\)"):
        parse_amount(typed)
