"""Danish number, money and date formats for reports: ``1.234,56 kr.``, ``22. november 2026``."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _rounded(value: Decimal | int | str, decimals: int) -> Decimal:
    """Rounded half up to ``decimals`` places, as amounts are rounded in reports."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def danish_number(value: Decimal | int | str | None, decimals: int = 0) -> str:
    """Thousands with '.', decimals with ','; ``None`` → '–'."""
    if value is None:
        return "–"
    number = _rounded(value, decimals)
    text = f"{abs(number):,.{decimals}f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"-{text}" if number < 0 else text


def english_number(value: Decimal | int | str | None, decimals: int = 0) -> str:
    """Thousands with ',', decimals with '.' (the English report option); ``None`` → '–'."""
    return "–" if value is None else f"{_rounded(value, decimals):,.{decimals}f}"


def danish_money(value: Decimal | str | None) -> str:
    return "–" if value is None else f"{danish_number(value, 2)} kr."


def english_money(value: Decimal | str | None) -> str:
    return "–" if value is None else f"DKK {english_number(value, 2)}"


class Money(Decimal):
    """An amount of kroner put into a message (an error's values): written as the reader's language writes
    money, ``45.100,00 kr.`` or ``DKK 45,100.00``; as a number it is the amount."""


def danish_percent(fraction: Decimal | str | None, decimals: int = 2) -> str:
    """A fraction 0..1 as a percentage: ``Decimal('0.4912')`` → ``49,12 %``."""
    return "–" if fraction is None else f"{danish_number(Decimal(str(fraction)) * 100, decimals)} %"


def danish_date(value: date | str | None) -> str:
    if value is None:
        return "–"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day}. {MONTHS_DA[day.month - 1]} {day.year}"


def english_date(value: date | str | None) -> str:
    if value is None:
        return "–"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def money_in(value: Decimal | str | None, lang: str) -> str:
    """An amount as ``lang`` writes money: ``45.100,00 kr.`` (da) or ``DKK 45,100.00``."""
    return danish_money(value) if lang == "da" else english_money(value)


def date_in(value: date | str | None, lang: str) -> str:
    """A day as ``lang`` writes it: ``6. december 2026`` (da) or ``6 December 2026``."""
    return danish_date(value) if lang == "da" else english_date(value)


def value_in(value: object, lang: str) -> object:
    """A value put into a message as ``lang`` writes it: a :class:`Money` amount and a day formatted, any
    other value as it is."""
    if isinstance(value, Money):
        return money_in(value, lang)
    if isinstance(value, date):
        return date_in(value, lang)
    return value


# An amount as people type it: Danish "30.000,00" / "30000,00" (thousands '.', decimals ','), the
# plain "30000.00", or the English "30,000.00"; at most two decimals, optionally "kr." or "DKK".
_DANISH_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:,\d{1,2})?")
_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?|\d{1,3}(?:,\d{3})+\.\d{1,2}")
AMOUNT_EXAMPLES = "30.000,00 or 30000.00"


def parse_amount(text: str) -> Decimal:
    """An amount in kroner typed by a person, in the forms every output writes (``30.000,00 kr.``)
    or plain (``30000.00``); ``ValueError`` for anything ambiguous or not an amount.

    "30.000" is thirty thousand (Danish thousands); "30.00" is thirty (two decimals only after a point).
    """
    cleaned = text.strip().replace("\u00a0", " ")
    for suffix in ("kr.", "kr", "DKK"):
        if cleaned.endswith(suffix):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    cleaned = cleaned.replace(" ", "")
    if cleaned.isascii() and _DANISH_AMOUNT.fullmatch(cleaned):
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    if cleaned.isascii() and _PLAIN_AMOUNT.fullmatch(cleaned):
        return Decimal(cleaned.replace(",", ""))
    raise ValueError(f"{text!r} is not an amount in kroner (e.g. {AMOUNT_EXAMPLES})")
