"""The annual compliance report per contract and year, and the overview page that links them.

Reports read stored assessments and findings; they never recompute a share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine, func, select

from compliance.checks.green_vehicles import RULE_SHARE
from compliance.contracts import ContractTerms
from compliance.errors import ContractTermsError
from compliance.formatting import danish_date, danish_money, danish_number, danish_percent
from compliance.portfolio import portfolios_by_year
from compliance.reports.statement import EVENT_WORDS
from compliance.store.db import session_scope
from compliance.store.models import Assessment, Finding, Invoice, Notice, SourceFile

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
STATUS_WORDS = {
    "compliant": "Compliant",
    "short": "Short of the level",
    "no_data": "No data",
    "on_track": "Year running: on track",
    "at_risk": "Year running: at risk",
    "in_progress": "Year running: no data yet",
}


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("compliance.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(money=danish_money, number=danish_number, percent=danish_percent, ddate=danish_date)
    return environment


def annual_report_name(contract_id: str, year: int) -> str:
    return f"annual-report-{contract_id}-year-{year}.html"


def terms_in_words(contract: ContractTerms, year: int) -> list[str]:
    """The contract's green terms for one year, as a contract manager would say them."""
    words: list[str] = []
    green = contract.green_vehicles
    if green is not None:
        level = green.binding_level(year)
        form = {
            "minimum": "the municipality's minimum",
            "offer": "the supplier's offer",
            "both": "the supplier's offer (at least the minimum)",
        }[green.form]
        comparison = "at least" if green.level_inclusive else "more than"
        words.append(
            f"Green vehicles (§2.1): {comparison} {danish_number(level.percent, 2)} % of {green.basis} in year {year} "
            f"with electric, hydrogen, biogas or non-motorised vehicles; binding level: {form}."
        )
        if green.transition_months:
            words.append(f"Year 1 is measured without its first {green.transition_months} months (transition).")
        penalty = green.penalty
        unit = "km" if penalty.model == "per_km" else "trip"
        fixed = f" plus a fixed {danish_money(penalty.fixed_dkk)} for any shortfall" if penalty.fixed_dkk else ""
        words.append(
            f"Penalty: {danish_money(penalty.rate_dkk)} per {unit} short{fixed}; the supplier is heard for {contract.hearing_days} days first."
        )
    if contract.euro6_applies_to:
        words.append(
            "Euro 6 (§2.6) for: "
            + ", ".join(sorted(contract.euro6_applies_to)).replace("_", " ")
            + "; zero-emission vehicles exempt."
        )
    if contract.hvo100_required:
        words.append("HVO100 or another 2nd-generation biofuel is required (§2.2).")
    for rule in contract.eco_labels:
        words.append(f"Eco-label (§3.1): {rule.description} — accepted: {', '.join(sorted(rule.accepted_labels))}.")
    if contract.categorisation is not None:
        table = "the municipality's own purchasing areas" if contract.categorisation.table == "own" else "SKI areas"
        mapped = (
            f"; {len(contract.categorisation.mappings)} area mapping(s) in the contract"
            if contract.categorisation.mappings
            else ""
        )
        words.append(
            f"Eco-label categorisation 2025 (§3.1), {table}: catalogue items in a category that requires a type-1 "
            f"eco-label must carry one{mapped}."
        )
    for share in contract.purchase_shares:
        words.append(
            f"Purchase share (§16): {share.description} — at least {danish_number(share.minimum_percent)} % by {share.basis}."
        )
    for banned in contract.banned_items:
        words.append(f"Banned (§16.1): {banned.description}.")
    return words


@dataclass(frozen=True)
class WrittenReports:
    index: Path
    annual: list[Path]


def _finding_view(finding: Finding, source: SourceFile | None) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "message": finding.message,
        "expected": finding.expected,
        "received": finding.received,
        "file": source.path if source else None,
        "sha256": source.sha256 if source else None,
        "location": finding.location,
    }


def write_reports(
    engine: Engine,
    contracts: Sequence[ContractTerms],
    out_dir: Path,
    contract_id: str | None = None,
    year: int | None = None,
    contract_errors: Sequence[ContractTermsError] = (),
) -> WrittenReports:
    """Write one HTML report per assessed contract year, and ``index.html`` over all of them."""
    environment = _environment()
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC)
    written: list[Path] = []
    overview: list[dict[str, Any]] = []
    with session_scope(engine) as session:
        sources = {s.id: s for s in session.scalars(select(SourceFile))}
        for contract in contracts:
            assessments = session.scalars(
                select(Assessment)
                .where(Assessment.contract_id == contract.id)
                .order_by(Assessment.contract_year, Assessment.rule_id)
            ).all()
            for number in sorted({a.contract_year for a in assessments}):
                year_assessments = [a for a in assessments if a.contract_year == number]
                green = next((a for a in year_assessments if a.rule_id == RULE_SHARE), None)
                shares = [a for a in year_assessments if a.rule_id != RULE_SHARE]
                findings = sorted(
                    session.scalars(select(Finding).where(Finding.contract_id == contract.id, Finding.contract_year == number)),
                    key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule_id, f.message),
                )
                notice = session.scalars(
                    select(Notice).where(
                        Notice.contract_id == contract.id, Notice.contract_year == number, Notice.kind == "hearing"
                    )
                ).first()
                contract_year = contract.year(number)
                name = annual_report_name(contract.id, number)
                entry = {
                    "contract": contract,
                    "year": contract_year,
                    "green": green,
                    "shares": shares,
                    "findings_by_severity": Counter(f.severity for f in findings),
                    "notice": notice,
                    "href": f"{contract.id}/{name}",
                }
                overview.append(entry)
                if (contract_id and contract.id != contract_id) or (year and number != year):
                    continue
                html = environment.get_template("annual_report.html.j2").render(
                    contract=contract,
                    year=contract_year,
                    terms=terms_in_words(contract, number),
                    green=green,
                    shares=shares,
                    findings=[_finding_view(f, sources.get(f.source_file_id or -1)) for f in findings],
                    notice=notice,
                    event_words=EVENT_WORDS,
                    status_words=STATUS_WORDS,
                    generated=generated,
                    today=date.today(),
                )
                path = out_dir / contract.id / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(html, encoding="utf-8")
                written.append(path)
        unmatched = session.scalars(select(Finding).where(Finding.contract_id.is_(None)).order_by(Finding.id)).all()
        quarantined = session.scalars(
            select(SourceFile).where(SourceFile.status == "quarantined").order_by(SourceFile.path)
        ).all()
        counts = dict(
            session.execute(
                select(SourceFile.kind, func.count()).where(SourceFile.status == "ingested").group_by(SourceFile.kind)
            ).all()
        )
        last_ingest = session.scalar(select(func.max(SourceFile.ingested_at)))
        portfolio_years = sorted({day.year for day in session.scalars(select(Invoice.issue_date).distinct())}, reverse=True)
        index_html = environment.get_template("index.html.j2").render(
            entries=overview,
            unmatched=[_finding_view(f, sources.get(f.source_file_id or -1)) for f in unmatched],
            quarantined=quarantined,
            counts=counts,
            last_ingest=last_ingest,
            contract_errors=[str(error) for error in contract_errors],
            portfolio_years=portfolio_years,
            generated=generated,
        )
    index = out_dir / "index.html"
    index.write_text(index_html, encoding="utf-8")
    figures = portfolios_by_year(engine, contracts, portfolio_years) if portfolio_years else {}
    for portfolio_year, portfolio in figures.items():
        page = environment.get_template("portfolio.html.j2").render(p=portfolio, years=portfolio_years, generated=generated)
        (out_dir / f"portfolio-{portfolio_year}.html").write_text(page, encoding="utf-8")
    return WrittenReports(index, written)
