"""The overview: ``index.html`` (every contract, every assessed year, intake and data quality at a glance)
and ``findings.csv`` (every finding, for a spreadsheet).

The contracts' states, the finding counts and the intake figures are the assessment's
(``compliance.assessment.overview``); this module lays them out, titles rules and draws the trends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compliance.assessment.hearing import HearingRecord
from compliance.assessment.outcomes import GreenVehicleOutcome, PurchaseShareOutcome
from compliance.assessment.overview import ContractOverview, IntakeState, StatusReason
from compliance.assessment.portfolio import Portfolio
from compliance.assessment.results import StoredFinding
from compliance.base.errors import ContractTermsError
from compliance.base.paths import shown_source
from compliance.contracts import ContractTerms, ContractYear
from compliance.reports.charts import trend_sparkline
from compliance.reports.data_quality import PAGE_NAME as DATA_QUALITY_PAGE
from compliance.reports.language import Language
from compliance.reports.views import ReportRun, annual_report_name, finding_views, sorted_findings
from compliance.reports.workbook import write_csv

FINDINGS_CSV_COLUMNS = [
    "contract",
    "contract_year",
    "supplier_cvr",
    "rule_id",
    "rule",
    "severity",
    "message",
    "expected",
    "received",
    "file",
    "location",
]


@dataclass(frozen=True)
class OverviewYear:
    """One assessed contract year as an overview row shows it, with the link to its annual report."""

    number: int
    year: ContractYear
    green: GreenVehicleOutcome | None
    shares: tuple[PurchaseShareOutcome, ...]
    notice: HearingRecord | None
    href: str


@dataclass(frozen=True)
class OverviewRow:
    """One contract on the overview page."""

    contract: ContractTerms
    status: str
    years: list[OverviewYear]
    trend: str
    findings_by_kind: list[tuple[str, int]]
    reason: str | None = None  # why the contract is at risk, in words


def reason_text(reason: StatusReason | None, lang: Language) -> str | None:
    """An "at risk" reason in the report language: shares and levels as percentages."""
    if reason is None:
        return None
    values: dict[str, object] = dict(reason.params)
    share, level = reason.params.get("share"), reason.params.get("level")
    if "share" in values:
        values["share"] = lang.percent(share) if share is not None else "–"
    if "level" in values:
        values["level"] = f"{lang.number(level, 2)} %" if level is not None else "–"
    return lang.say(reason.key, **values)


def overview_row(overview: ContractOverview, lang: Language) -> OverviewRow:
    """The contract's row: its years linked, the green-share trend against the latest level, findings by rule title."""
    contract = overview.contract
    years = [
        OverviewYear(
            number=year.number,
            year=contract.year(year.number),
            green=year.green,
            shares=year.shares,
            notice=year.hearing,
            href=f"{contract.id}/{annual_report_name(contract.id, year.number)}",
        )
        for year in overview.years
    ]
    trend_points = [(f"{lang.say('contract_year')} {y.number}", y.green.share if y.green is not None else None) for y in years]
    last_green = next((y.green for y in reversed(years) if y.green is not None), None)
    kinds: Counter[str] = Counter()
    for rule_id, count in overview.findings_by_rule.items():
        kinds[lang.rule_title(rule_id)] += count
    return OverviewRow(
        contract=contract,
        status=overview.status,
        years=years,
        trend=trend_sparkline(trend_points, last_green.level_percent if last_green and last_green.level_percent else None),
        findings_by_kind=sorted(kinds.items(), key=lambda item: (-item[1], item[0])),
        reason=reason_text(overview.reason, lang),
    )


def write_overview(
    run: ReportRun,
    contracts: Sequence[ContractOverview],
    unmatched: Sequence[StoredFinding],
    intake: IntakeState,
    contract_errors: Sequence[ContractTermsError],
    latest_portfolio: Portfolio | None,
) -> Path:
    """Write ``index.html``."""
    page = run.environment.get_template("index.html.j2").render(
        rows=[overview_row(contract, run.lang) for contract in contracts],
        unmatched=finding_views(unmatched, run.lang),
        quarantined=intake.quarantined,
        counts=intake.files_by_kind,
        last_ingest=intake.last_ingest,
        contract_errors=[str(error) for error in contract_errors],
        portfolio_years=intake.invoice_years,
        latest_portfolio=latest_portfolio,
        data_quality_page=DATA_QUALITY_PAGE,
        generated=run.generated,
    )
    path = run.out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_findings_csv(run: ReportRun, findings: Sequence[StoredFinding]) -> Path:
    """Write ``findings.csv``: every finding, most severe first, with its rule's title and its file."""
    return write_csv(
        run.out_dir / "findings.csv",
        FINDINGS_CSV_COLUMNS,
        [
            [
                f.contract_id,
                f.contract_year,
                f.supplier_cvr,
                f.rule_id,
                run.lang.rule_title(f.rule_id),
                f.severity,
                run.lang.message(f.message_key, f.message_params, f.recorded_message),
                run.lang.text(f.expected),
                run.lang.text(f.received),
                shown_source(f.source_path),
                f.location,
            ]
            for f in sorted_findings(findings)
        ],
    )
