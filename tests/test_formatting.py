"""Danish formats in reports and finding texts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compliance.base.formatting import danish_date, danish_money, danish_number, danish_percent


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
