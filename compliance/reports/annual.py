"""The annual compliance report per contract and year (HTML, PDF, XLSX), and the overview page.

Reports read stored assessments and findings; they never recompute a share. The monthly chart
splits the assessment's own trip lines by month, so its months add up to the year.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from compliance.assessment.inputs import contract_catalogues, contract_invoices, contract_log_trips
from compliance.assessment.outcomes import GreenVehicleOutcome, MonthFigure, PurchaseShareOutcome, assessed_years, year_outcomes
from compliance.assessment.portfolio import portfolios_by_year
from compliance.base.errors import ContractTermsError
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.inputs import InvoiceRecord
from compliance.checks.items import dated_lines
from compliance.contracts import ContractTerms, ContractYear
from compliance.reports.charts import monthly_share_chart, trend_sparkline
from compliance.reports.data_quality import PAGE_NAME as DATA_QUALITY_PAGE
from compliance.reports.data_quality import write_data_quality_page
from compliance.reports.language import DATA_QUALITY_RULES, Language, rule_base
from compliance.reports.pdf import pdf_available, write_pdf
from compliance.reports.statement import penalty_statement_html, statement_name
from compliance.reports.workbook import Sheet, write_csv, write_workbook
from compliance.store.db import session_scope
from compliance.store.models import CatalogueItem, Finding, Invoice, Notice, SourceFile

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def report_environment(lang: Language) -> Environment:
    """Jinja with autoescaping on (all supplier text is escaped) and strict undefined names."""
    environment = Environment(
        loader=PackageLoader("compliance.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        money=lang.money,
        number=lang.number,
        percent=lang.percent,
        ddate=lang.date,
        status=lang.status,
        severity=lang.severity,
        event=lang.event,
        rule_title=lang.rule_title,
        term=lang.term,
    )
    environment.globals.update(w=lang.words(), say=lang.say, lang=lang.code)
    return environment


def annual_report_name(contract_id: str, year: int, suffix: str = "html") -> str:
    return f"annual-report-{contract_id}-year-{year}.{suffix}"


def terms_in_words(contract: ContractTerms, year: int, lang: Language) -> list[str]:
    """The contract's green terms for one year, as a contract manager would say them."""
    da = lang.code == "da"
    words: list[str] = []
    green = contract.green_vehicles
    if green is not None:
        level = green.binding_level(year)
        form = {
            "minimum": ("kommunens minimumskrav", "the municipality's minimum"),
            "offer": ("leverandørens tilbud", "the supplier's offer"),
            "both": ("leverandørens tilbud (mindst minimumskravet)", "the supplier's offer (at least the minimum)"),
        }[green.form][0 if da else 1]
        comparison = lang.say("at_least" if green.level_inclusive else "more_than")
        basis = {"trips": ("turene", "trips"), "km": ("de kørte km", "km driven")}[green.basis][0 if da else 1]
        percent = lang.number(level.percent, 2)
        words.append(
            f"Grønne køretøjer (§2.1): {comparison} {percent} % af {basis} i år {year} med el-, brint-, biogas- eller "
            f"ikke-motoriserede køretøjer; bindende niveau: {form}."
            if da
            else f"Green vehicles (§2.1): {comparison} {percent} % of {basis} in year {year} with electric, hydrogen, "
            f"biogas or non-motorised vehicles; binding level: {form}."
        )
        if green.transition_months:
            words.append(
                f"År 1 måles uden de første {green.transition_months} måneder (overgang)."
                if da
                else f"Year 1 is measured without its first {green.transition_months} months (transition)."
            )
        penalty = green.penalty
        unit = lang.say("unit_km" if penalty.model == "per_km" else "unit_trip")
        rate = lang.money(penalty.rate_dkk)
        if da:
            fixed = f" plus en fast bod på {lang.money(penalty.fixed_dkk)} ved enhver manko" if penalty.fixed_dkk else ""
            words.append(f"Bod: {rate} pr. manglende {unit}{fixed}; leverandøren høres i {contract.hearing_days} dage først.")
        else:
            fixed = f" plus a fixed {lang.money(penalty.fixed_dkk)} for any shortfall" if penalty.fixed_dkk else ""
            words.append(
                f"Penalty: {rate} per {unit} short{fixed}; the supplier is heard for {contract.hearing_days} days first."
            )
    if contract.euro6_applies_to:
        kinds = ", ".join(sorted(contract.euro6_applies_to)).replace("_", " ")
        words.append(
            f"Euro 6 (§2.6) for: {kinds}; nulemissionskøretøjer er undtaget."
            if da
            else f"Euro 6 (§2.6) for: {kinds}; zero-emission vehicles exempt."
        )
    if contract.hvo100_required:
        words.append(
            "HVO100 eller andet 2. generations biobrændstof er krævet (§2.2)."
            if da
            else "HVO100 or another 2nd-generation biofuel is required (§2.2)."
        )
    for rule in contract.eco_labels:
        accepted = ", ".join(sorted(rule.accepted_labels))
        words.append(
            f"Miljømærke (§3.1): {rule.description} — accepteret: {accepted}."
            if da
            else f"Eco-label (§3.1): {rule.description} — accepted: {accepted}."
        )
    if contract.categorisation is not None:
        own = contract.categorisation.table == "own"
        mapped = len(contract.categorisation.mappings)
        if da:
            table = "kommunens egne indkøbsområder" if own else "SKI-områder"
            extra = f"; {mapped} områdetilknytning(er) i kontrakten" if mapped else ""
            words.append(
                f"Miljømærkekategorisering 2025 (§3.1), {table}: katalogvarer i en kategori, der kræver et "
                f"type 1-miljømærke, skal have et{extra}."
            )
        else:
            table = "the municipality's own purchasing areas" if own else "SKI areas"
            extra = f"; {mapped} area mapping(s) in the contract" if mapped else ""
            words.append(
                f"Eco-label categorisation 2025 (§3.1), {table}: catalogue items in a category that requires a type-1 "
                f"eco-label must carry one{extra}."
            )
    for share in contract.purchase_shares:
        minimum = lang.number(share.minimum_percent)
        basis = {"amount": ("beløb", "amount"), "quantity": ("mængde", "quantity")}[share.basis][0 if da else 1]
        words.append(
            f"Indkøbsandel (§16): {share.description} — mindst {minimum} % målt på {basis}."
            if da
            else f"Purchase share (§16): {share.description} — at least {minimum} % by {basis}."
        )
    for banned in contract.banned_items:
        words.append(f"Forbudt (§16.1): {banned.description}." if da else f"Banned (§16.1): {banned.description}.")
    return words


@dataclass(frozen=True)
class FindingView:
    """A finding as reports and notices show it: what, where (document, line, plate or item) and the file."""

    rule_id: str
    severity: str
    message: str
    expected: str | None
    received: str | None
    file: str | None
    sha256: str | None
    location: str | None
    document: str | None
    line: str | None
    subject: str | None
    supplier_cvr: str | None

    @property
    def file_name(self) -> str | None:
        return Path(self.file).name if self.file else None


def finding_view(finding: Finding, source: SourceFile | None, lang: Language) -> FindingView:
    evidence = finding.evidence or {}
    document: str | None = None
    if evidence.get("invoice"):
        document = f"{lang.term(evidence.get('document_type') or 'invoice')} {evidence['invoice']}"
    elif evidence.get("catalogue"):
        document = f"{lang.term('catalogue')} {evidence['catalogue']}"
    elif evidence.get("month"):
        document = str(evidence["month"])
    subject = evidence.get("registration") or evidence.get("item") or evidence.get("licence")
    return FindingView(
        rule_id=finding.rule_id,
        severity=finding.severity,
        message=finding.message,
        expected=finding.expected,
        received=finding.received,
        file=source.path if source else evidence.get("file"),
        sha256=source.sha256 if source else None,
        location=finding.location,
        document=document,
        line=None if evidence.get("line") is None else str(evidence["line"]),
        subject=None if subject is None else str(subject),
        supplier_cvr=finding.supplier_cvr,
    )


def sorted_findings(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule_id, f.message))


@dataclass
class YearReport:
    """Everything one annual report shows for one contract year."""

    contract: ContractTerms
    year: ContractYear
    terms: list[str]
    green: GreenVehicleOutcome | None
    shares: list[PurchaseShareOutcome]
    findings: list[FindingView]
    data_quality: list[FindingView]
    notice: Notice | None
    months: list[MonthFigure] = field(default_factory=list)
    chart: str = ""

    @property
    def all_findings(self) -> list[FindingView]:
        return self.findings + self.data_quality


def build_year_report(
    session: Session, contract: ContractTerms, number: int, sources: dict[int, SourceFile], lang: Language
) -> YearReport:
    outcomes = year_outcomes(session, contract.id, number)
    green = outcomes.green
    shares = list(outcomes.shares)
    findings = sorted_findings(
        session.scalars(select(Finding).where(Finding.contract_id == contract.id, Finding.contract_year == number)).all()
    )
    views = [finding_view(f, sources.get(f.source_file_id or -1), lang) for f in findings]
    notice = session.scalars(
        select(Notice).where(Notice.contract_id == contract.id, Notice.contract_year == number, Notice.kind == "hearing")
    ).first()
    report = YearReport(
        contract=contract,
        year=contract.year(number),
        terms=terms_in_words(contract, number, lang),
        green=green,
        shares=shares,
        findings=[v for v in views if rule_base(v.rule_id) not in DATA_QUALITY_RULES],
        data_quality=[v for v in views if rule_base(v.rule_id) in DATA_QUALITY_RULES],
        notice=notice,
    )
    if green is not None:
        report.months = green.monthly_figures()
        report.chart = monthly_share_chart(report.months, green.level_percent, lang)
    return report


def invoices_in_date_order(session: Session, contract_id: str) -> list[InvoiceRecord]:
    """The contract's invoices and credit notes with their lines and files, in date order."""
    return sorted(contract_invoices(session, contract_id), key=lambda invoice: (invoice.issue_date, invoice.number))


def year_report_sheets(
    session: Session, report: YearReport, invoices: Sequence[InvoiceRecord], catalogue: CatalogueHistory, lang: Language
) -> list[Sheet]:
    """The workbook: summary, months, and every row the figures are made of, each with file and line."""
    da = lang.code == "da"
    contract, year = report.contract, report.year
    summary = Sheet("Oversigt" if da else "Summary", ["Felt" if da else "Field", "Værdi" if da else "Value"])
    summary.rows += [
        [lang.say("contract"), f"{contract.id} {contract.name}"],
        [lang.say("supplier"), f"{contract.supplier_name} (CVR {contract.supplier_cvr})"],
        [lang.say("contract_year").capitalize(), year.number],
        ["Start", year.start],
        ["Slut" if da else "End", year.end],
    ]
    summary.rows += [[lang.say("contract_terms"), line] for line in report.terms]
    if report.green is not None:
        g = report.green
        summary.rows += [
            [lang.say("status"), lang.status(g.status)],
            [lang.say("window"), f"{g.window_start} – {g.window_end}"],
            [lang.say("green_trips"), g.green_trips],
            [lang.say("conventional_trips"), g.conventional_trips],
            [lang.say("all_trips"), g.total_trips],
            [lang.say("green_share", basis=lang.term(g.basis)), g.share],
            [lang.say("binding_level", source=lang.term(g.level_source)), g.level_percent / 100],
        ]
        if g.status == "short":
            summary.rows += [
                [lang.say("shortfall_trips"), g.shortfall_trips],
                [lang.say("fixed_penalty"), g.penalty_fixed],
                [lang.say("proposed_penalty"), g.penalty_total],
            ]
    for share in report.shares:
        summary.rows.append([f"{share.description} ({lang.term(share.basis)})", share.share])
    sheets = [summary]
    if report.months:
        level = report.green.level_percent / 100 if report.green else None
        sheets.append(
            Sheet(
                "Måneder" if da else "Months",
                [lang.say("month"), lang.say("green_trips"), lang.say("all_trips"), lang.say("share"), lang.say("level")],
                [[m.month.strftime("%Y-%m"), m.green, m.total, m.share, level] for m in report.months],
            )
        )
    if report.green is not None:
        sheets.append(
            Sheet(
                "Turlinjer" if da else "Trip lines",
                [
                    lang.say("day"),
                    lang.say("document"),
                    lang.say("line"),
                    lang.say("kind"),
                    lang.say("trips"),
                    lang.say("registrations"),
                    lang.say("file"),
                    "Fillinje" if da else "File line",
                ],
                [
                    [
                        t.day.isoformat(),
                        f"{lang.term(t.document_type)} {t.invoice}",
                        t.line,
                        lang.term(t.kind),
                        t.trips,
                        list(t.registrations),
                        t.file,
                        t.source_line,
                    ]
                    for t in report.green.trip_lines
                ],
            )
        )
    sheets.append(
        Sheet(
            "Fakturalinjer" if da else "Invoice lines",
            [
                "Dokument" if da else "Document",
                "Type",
                "Udstedt" if da else "Issued",
                lang.say("day"),
                lang.say("line"),
                "Varenr." if da else "Item id",
                "Navn" if da else "Name",
                "Mængde" if da else "Quantity",
                "Enhed" if da else "Unit",
                lang.say("amount"),
                "Valuta" if da else "Currency",
                "Mærker" if da else "Labels",
                lang.say("file"),
                "Fillinje" if da else "File line",
            ],
            [
                [
                    d.invoice.number,
                    d.invoice.document_type,
                    d.invoice.issue_date,
                    d.day,
                    d.line.line_id,
                    d.line.seller_item_id,
                    d.line.name,
                    d.line.quantity,
                    d.line.unit_code,
                    d.line.line_amount,
                    d.invoice.currency,
                    [label.code or label.raw for label in d.line.labels],
                    d.invoice.source_path,
                    d.line.source_line or d.line.path,
                ]
                for d in dated_lines(invoices, year.start, year.end)
            ],
            money_columns=frozenset({9}),
        )
    )
    trips = sorted(
        (t for t in contract_log_trips(session, contract) if year.start <= t.trip_date <= year.end), key=lambda t: t.trip_date
    )
    sheets.append(
        Sheet(
            "Kørebøger" if da else "Driving logs",
            [
                lang.say("day"),
                "Nummerplade" if da else "Plate",
                "Køretøj" if da else "Vehicle",
                "km",
                "Brændstof" if da else "Fuel",
                lang.say("file"),
                "Række" if da else "Row",
            ],
            [[t.trip_date, t.registration, t.vehicle_type, t.distance_km, t.fuel, t.source_path, t.row] for t in trips],
        )
    )
    files = {m.source_file_id for m in catalogue.messages if m.issue_date <= year.end}
    items = (
        session.scalars(
            select(CatalogueItem)
            .where(CatalogueItem.source_file_id.in_(files))
            .options(selectinload(CatalogueItem.source_file))
            .order_by(CatalogueItem.issue_date, CatalogueItem.source_file_id, CatalogueItem.position)
        ).all()
        if files
        else []
    )
    sheets.append(
        Sheet(
            "Katalogvarer" if da else "Catalogue items",
            [
                "Katalog" if da else "Catalogue",
                "Type",
                "Udstedt" if da else "Issued",
                lang.say("line"),
                "Handling" if da else "Action",
                "Varenr." if da else "Item id",
                "Navn" if da else "Name",
                "Mærker" if da else "Labels",
                "Pris" if da else "Price",
                lang.say("file"),
                "Fillinje" if da else "File line",
            ],
            [
                [
                    i.catalogue_id,
                    i.document_type,
                    i.issue_date,
                    i.line_id,
                    i.action_code,
                    i.seller_item_id,
                    i.name,
                    [label.get("code") or label.get("raw") for label in i.labels],
                    i.price,
                    i.source_file.path,
                    i.source_line or i.path,
                ]
                for i in items
            ],
            money_columns=frozenset({8}),
        )
    )
    sheets.append(
        Sheet(
            lang.say("findings"),
            [
                lang.say("rule"),
                "Regel-id" if da else "Rule id",
                lang.say("severity"),
                lang.say("document"),
                lang.say("line"),
                lang.say("notice_plate_item"),
                lang.say("details_as_recorded"),
                lang.say("expected"),
                lang.say("received"),
                lang.say("file"),
                "Sted" if da else "Place",
            ],
            [
                [
                    lang.rule_title(f.rule_id),
                    f.rule_id,
                    lang.severity(f.severity),
                    f.document,
                    f.line,
                    f.subject,
                    f.message,
                    f.expected,
                    f.received,
                    f.file,
                    f.location,
                ]
                for f in report.all_findings
            ],
        )
    )
    return sheets


@dataclass
class WrittenReports:
    """What a report run wrote: HTML pages, their PDFs and workbooks; why PDFs were skipped, if they were."""

    index: Path
    annual: list[Path] = field(default_factory=list)
    pdf: list[Path] = field(default_factory=list)
    xlsx: list[Path] = field(default_factory=list)
    statements: list[Path] = field(default_factory=list)
    findings_csv: Path | None = None
    data_quality: Path | None = None
    pdf_skipped: str | None = None


@dataclass
class OverviewRow:
    """One contract on the overview page."""

    contract: ContractTerms
    status: str
    years: list[dict[str, Any]]
    trend: str
    findings_by_kind: list[tuple[str, int]]


def contract_status(years: Sequence[dict[str, Any]], latest_high_findings: int) -> str:
    """The contract's state for the overview: a hearing or decision wins, then the latest year with a verdict;
    a compliant or on-track contract whose latest year has high-severity findings is at risk."""
    for entry in reversed(years):
        notice = entry["notice"]
        if notice is not None and notice.status in ("proposed", "commented"):
            return "in_hearing"
        if notice is not None and notice.status in ("confirmed", "reduced", "waived"):
            return "decided"
    for entry in reversed(years):
        statuses = [a.status for a in [entry["green"], *entry["shares"]] if a is not None]
        for status in ("short", "at_risk", "on_track", "compliant"):
            if status in statuses:
                return "at_risk" if status in ("on_track", "compliant") and latest_high_findings else status
    return "at_risk" if latest_high_findings else "no_data"


def write_reports(
    engine: Engine,
    contracts: Sequence[ContractTerms],
    out_dir: Path,
    contract_id: str | None = None,
    year: int | None = None,
    contract_errors: Sequence[ContractTermsError] = (),
    lang: Language | None = None,
    contract_years: bool = True,
    overview: bool = True,
) -> WrittenReports:
    """Write per assessed contract year: the HTML report, its PDF and XLSX, the penalty statement when there
    is a hearing; then ``index.html`` (the overview), ``portfolio-<year>.html``, ``findings.csv`` and
    ``data-quality.html``. ``contract_years=False`` writes only the overview pages, ``overview=False``
    only the contract years (the DAG writes contracts in parallel tasks, then the overview once)."""
    lang = lang or Language("da")
    environment = report_environment(lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC)
    written = WrittenReports(index=out_dir / "index.html")
    written.pdf_skipped = pdf_available()
    rows: list[OverviewRow] = []
    with session_scope(engine) as session:
        sources = {s.id: s for s in session.scalars(select(SourceFile))}
        catalogues = contract_catalogues(session, contracts)
        for contract in contracts:
            if not overview and contract_id and contract.id != contract_id:
                continue
            numbers = assessed_years(session, contract.id)
            years: list[dict[str, Any]] = []
            kinds: Counter[str] = Counter()
            latest_high = 0
            invoices: list[InvoiceRecord] | None = None
            for number in numbers:
                report = build_year_report(session, contract, number, sources, lang)
                years.append(
                    {
                        "number": number,
                        "year": report.year,
                        "green": report.green,
                        "shares": report.shares,
                        "notice": report.notice,
                        "href": f"{contract.id}/{annual_report_name(contract.id, number)}",
                    }
                )
                kinds.update(lang.rule_title(f.rule_id) for f in report.all_findings)
                latest_high = sum(1 for f in report.all_findings if f.severity == "high")
                if not contract_years or (contract_id and contract.id != contract_id) or (year and number != year):
                    continue
                if invoices is None:  # read once per contract, for every year written
                    invoices = invoices_in_date_order(session, contract.id)
                _write_year(environment, session, report, invoices, catalogues[contract.id], lang, out_dir, generated, written)
            trend_points = [
                (f"{lang.say('contract_year')} {y['number']}", y["green"].share if y["green"] is not None else None)
                for y in years
            ]
            last_green = next((y["green"] for y in reversed(years) if y["green"] is not None), None)
            rows.append(
                OverviewRow(
                    contract=contract,
                    status=contract_status(years, latest_high),
                    years=years,
                    trend=trend_sparkline(
                        trend_points, last_green.level_percent if last_green and last_green.level_percent else None
                    ),
                    findings_by_kind=sorted(kinds.items(), key=lambda item: (-item[1], item[0])),
                )
            )
        if not overview:
            return written
        unmatched = sorted_findings(session.scalars(select(Finding).where(Finding.contract_id.is_(None))).all())
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
        all_findings = sorted_findings(session.scalars(select(Finding)).all())
        written.findings_csv = write_csv(
            out_dir / "findings.csv",
            [
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
            ],
            [
                [
                    f.contract_id,
                    f.contract_year,
                    f.supplier_cvr,
                    f.rule_id,
                    lang.rule_title(f.rule_id),
                    f.severity,
                    f.message,
                    f.expected,
                    f.received,
                    sources[f.source_file_id].path if f.source_file_id in sources else None,
                    f.location,
                ]
                for f in all_findings
            ],
        )
        unmatched_views = [finding_view(f, sources.get(f.source_file_id or -1), lang) for f in unmatched]
        written.data_quality = write_data_quality_page(environment, session, out_dir, generated)
    figures = portfolios_by_year(engine, contracts, portfolio_years) if portfolio_years else {}
    latest = next((figures[y] for y in portfolio_years if figures[y].spend), None)
    index_html = environment.get_template("index.html.j2").render(
        rows=rows,
        unmatched=unmatched_views,
        quarantined=quarantined,
        counts=counts,
        last_ingest=last_ingest,
        contract_errors=[str(error) for error in contract_errors],
        portfolio_years=portfolio_years,
        latest_portfolio=latest,
        data_quality_page=DATA_QUALITY_PAGE,
        generated=generated,
    )
    written.index.write_text(index_html, encoding="utf-8")
    for portfolio_year, portfolio in figures.items():
        page = environment.get_template("portfolio.html.j2").render(p=portfolio, years=portfolio_years, generated=generated)
        (out_dir / f"portfolio-{portfolio_year}.html").write_text(page, encoding="utf-8")
    return written


def _write_year(
    environment: Environment,
    session: Session,
    report: YearReport,
    invoices: Sequence[InvoiceRecord],
    catalogue: CatalogueHistory,
    lang: Language,
    out_dir: Path,
    generated: datetime,
    written: WrittenReports,
) -> None:
    """One contract year's files: HTML, PDF (same template, print styles), XLSX, and the penalty statement."""
    folder = out_dir / report.contract.id
    folder.mkdir(parents=True, exist_ok=True)
    number = report.year.number
    names = {suffix: annual_report_name(report.contract.id, number, suffix) for suffix in ("html", "pdf", "xlsx")}
    statement = statement_name(report.contract.id, number) if report.notice is not None else None
    template = environment.get_template("annual_report.html.j2")
    context = {"r": report, "names": names, "statement": statement, "pdf": written.pdf_skipped is None, "generated": generated}
    path = folder / names["html"]
    path.write_text(template.render(context, for_pdf=False), encoding="utf-8")
    written.annual.append(path)
    written.xlsx.append(write_workbook(folder / names["xlsx"], year_report_sheets(session, report, invoices, catalogue, lang)))
    if written.pdf_skipped is None:
        # The same template without the on-screen trip-line listing, which the workbook carries instead.
        written.pdf.append(write_pdf(template.render(context, for_pdf=True), folder / names["pdf"]))
    if report.notice is not None and report.green is not None and statement is not None:
        statement_html = penalty_statement_html(environment, report.contract, report.green, report.notice, lang, generated)
        statement_path = folder / f"{statement}.html"
        statement_path.write_text(statement_html, encoding="utf-8")
        written.statements.append(statement_path)
        if written.pdf_skipped is None:
            written.statements.append(write_pdf(statement_html, folder / f"{statement}.pdf"))
