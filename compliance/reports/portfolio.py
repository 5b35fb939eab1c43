"""The portfolio pages: one per calendar year with invoices, spend shares and green-term coverage (RULES.md §6).

The figures are the assessment's (``compliance.assessment.portfolio``); a page only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from compliance.assessment.portfolio import Portfolio, SpendShare
from compliance.reports.language import Language
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


def _share(lang: Language, row: SpendShare, fraction: Decimal | None) -> str:
    """A row's share as the page prints it: "ikke relevant" where the spend cannot carry labels."""
    return lang.percent(fraction, 1) if row.labels_apply else lang.say("not_relevant")


def portfolio_text(figures: Portfolio, lang: Language) -> list[str]:
    """The portfolio of one year as lines for a terminal (``compliance portfolio``): the page's figures,
    headings and notes in ``lang``, the table's columns as wide as their longest value."""
    words = lang.words()
    lines = [lang.say("portfolio", year=figures.year), words["portfolio_spend"]]
    if figures.spend:
        header = [words["buyer_unit_gln"], words["category"], words["spend"], words["eco_spend"], words["share"]]
        header += [words["organic"], words["share"], words["lines"]]
        rows = [
            [
                row.buyer_unit,
                lang.category(row.category),
                lang.money(row.spend),
                lang.money(row.eco_labelled),
                _share(lang, row, row.eco_share),
                lang.money(row.organic),
                _share(lang, row, row.organic_share),
                lang.number(row.lines),
            ]
            for row in figures.spend
        ]
        widths = [max(len(cells[column]) for cells in [header, *rows]) for column in range(len(header))]
        for cells in [header, *rows]:  # names left, figures right
            lines.append(
                "  ".join(
                    cell.ljust(width) if column < 2 else cell.rjust(width)
                    for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
                )
            )
    else:
        lines.append(lang.say("portfolio_no_lines", year=figures.year))
    if figures.other_currency_lines:
        amounts = ", ".join(f"{amount} {currency}" for currency, amount in sorted(figures.other_currency_amounts.items()))
        lines.append(lang.say("other_currency", count=figures.other_currency_lines, amounts=amounts))
    for rate in figures.as_json()["rates"]:
        source = f" ({rate['source']})" if rate["source"] else ""
        lines.append(lang.say("portfolio_rate", currency=rate["currency"], rate=lang.number(rate["dkk"], 4), source=source))
    lines += ["", words["green_terms_per_contract"]]
    new = figures.new_contracts
    lines.append(
        lang.say(
            "new_contracts_line",
            year=figures.year,
            count=len(new),
            share=lang.percent(figures.share_with_green_terms(new), 0),
            all_share=lang.percent(figures.share_with_green_terms(figures.contracts), 0),
        )
    )
    for contract in figures.contracts:
        lines.append(
            f"  {contract.id}  {words['start']} {lang.date(contract.start)}  {words['green_terms']}: {contract.green_terms}"
        )
    return lines
