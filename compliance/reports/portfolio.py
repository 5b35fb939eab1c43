"""The portfolio pages: one per calendar year with invoices, spend shares and green-term coverage (RULES.md §6).

The figures are the assessment's (``compliance.assessment.portfolio``); a page only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from compliance.assessment.portfolio import Portfolio
from compliance.reports.views import ReportRun


def portfolio_page_name(year: int) -> str:
    return f"portfolio-{year}.html"


def latest_with_spend(figures: Mapping[int, Portfolio], years: Sequence[int]) -> Portfolio | None:
    """The newest year (``years`` newest first) that has any spend: the one the overview shows."""
    return next((figures[year] for year in years if figures[year].spend), None)


def write_portfolio_pages(run: ReportRun, figures: Mapping[int, Portfolio], years: Sequence[int]) -> list[Path]:
    """One page per year of ``figures``; each links to the others (``years``, newest first)."""
    template = run.environment.get_template("portfolio.html.j2")
    written: list[Path] = []
    for year, portfolio in figures.items():
        path = run.out_dir / portfolio_page_name(year)
        path.write_text(template.render(p=portfolio, years=years, generated=run.generated), encoding="utf-8")
        written.append(path)
    return written
