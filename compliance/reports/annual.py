"""The annual compliance report per contract and year: the HTML page and its PDF.

Presentation only. The figures are the assessment's stored outcomes (``AssessedYear``); the
monthly chart splits the assessment's own trip lines by month, so its months add up to the year.
The workbook (``workbook.py``) and the penalty statement (``statement.py``) are written beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compliance.assessment.hearing import HearingRecord
from compliance.assessment.outcomes import GreenVehicleOutcome, MonthFigure, PurchaseShareOutcome
from compliance.assessment.results import AssessedYear
from compliance.contracts import ContractTerms, ContractYear
from compliance.reports.charts import monthly_share_chart
from compliance.reports.language import DATA_QUALITY_RULES, Language, rule_base
from compliance.reports.statement import statement_name
from compliance.reports.views import FindingView, ReportRun, WrittenReports, annual_report_name, finding_views


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


@dataclass
class YearReport:
    """Everything one annual report (and its workbook) shows for one contract year."""

    contract: ContractTerms
    year: ContractYear
    terms: list[str]
    green: GreenVehicleOutcome | None
    shares: list[PurchaseShareOutcome]
    findings: list[FindingView]
    data_quality: list[FindingView]
    notice: HearingRecord | None
    months: list[MonthFigure] = field(default_factory=list)
    chart: str = ""

    @property
    def all_findings(self) -> list[FindingView]:
        return self.findings + self.data_quality


def year_report(contract: ContractTerms, assessed: AssessedYear, lang: Language) -> YearReport:
    """The report's view of an assessed year: terms in words, findings split from data-quality findings, chart."""
    views = finding_views(assessed.findings, lang)
    green = assessed.green
    report = YearReport(
        contract=contract,
        year=contract.year(assessed.number),
        terms=terms_in_words(contract, assessed.number, lang),
        green=green,
        shares=list(assessed.shares),
        findings=[v for v in views if rule_base(v.rule_id) not in DATA_QUALITY_RULES],
        data_quality=[v for v in views if rule_base(v.rule_id) in DATA_QUALITY_RULES],
        notice=assessed.hearing,
    )
    if green is not None:
        report.months = green.monthly_figures()
        report.chart = monthly_share_chart(report.months, green.level_percent, lang)
    return report


def write_annual_report(run: ReportRun, report: YearReport, written: WrittenReports) -> None:
    """The HTML page, and its PDF when WeasyPrint works (same template, print styles)."""
    folder = run.out_dir / report.contract.id
    folder.mkdir(parents=True, exist_ok=True)
    number = report.year.number
    names = {suffix: annual_report_name(report.contract.id, number, suffix) for suffix in ("html", "pdf", "xlsx")}
    statement = statement_name(report.contract.id, number) if report.notice is not None else None
    template = run.environment.get_template("annual_report.html.j2")
    context = {"r": report, "names": names, "statement": statement, "pdf": run.pdf, "generated": run.generated}
    path = folder / names["html"]
    path.write_text(template.render(context, for_pdf=False), encoding="utf-8")
    written.annual.append(path)
    if run.pdf:
        # The same template without the on-screen trip-line listing, which the workbook carries instead.
        written.pdf.append(run.pdfs.add(template.render(context, for_pdf=True), folder / names["pdf"]))
