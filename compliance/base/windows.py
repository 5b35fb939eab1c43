"""Calendar arithmetic of contract years and the window a year is measured over."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every calendar month that overlaps [start, end], in order."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class MeasurementWindow:
    """The days a contract year's share is measured over; ``transition_cut`` when year 1 lost months."""

    start: date
    end: date
    transition_cut: bool


def measurement_window(year_number: int, year_start: date, year_end: date, transition_months: int) -> MeasurementWindow:
    """Handbook §2.1: the first contract year is measured without its transition months."""
    if year_number == 1 and transition_months:
        start = add_months(year_start, transition_months)
        return MeasurementWindow(min(start, year_end), year_end, True)
    return MeasurementWindow(year_start, year_end, False)
