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
from compliance.base.i18n import N_
from compliance.base.texts import code_name
from compliance.contracts import ContractTerms, ContractYear
from compliance.reports.charts import monthly_share_chart
from compliance.reports.language import DATA_QUALITY_RULES, Language, rule_base
from compliance.reports.statement import statement_name
from compliance.reports.views import FindingView, ReportRun, WrittenReports, annual_report_name, finding_views


def terms_in_words(contract: ContractTerms, year: int, lang: Language) -> list[str]:
    """The contract's green terms for one year, as a contract manager would say them (the sentences are
    English source texts; ``lang`` gives them from its catalog)."""

    def say(text: str, **values: object) -> str:
        return lang._(text).format(**values)

    words: list[str] = []
    green = contract.green_vehicles
    if green is not None:
        level = green.binding_level(year)
        form = {
            "minimum": N_("the municipality's minimum"),
            "offer": N_("the supplier's offer"),
            "both": N_("the supplier's offer (at least the minimum)"),
        }[green.form]
        comparison = lang.say("at_least" if green.level_inclusive else "more_than")
        basis = {"trips": N_("of trips"), "km": N_("of km driven")}[green.basis]
        words.append(
            say(
                N_(
                    "Green vehicles (§2.1): {comparison} {percent} % {basis} in year {year} with electric, hydrogen, "
                    "biogas or non-motorised vehicles; binding level: {form}."
                ),
                comparison=comparison,
                percent=lang.number(level.percent, 2),
                basis=say(basis),
                year=year,
                form=say(form),
            )
        )
        if green.transition_months:
            words.append(
                say(N_("Year 1 is measured without its first {months} months (transition)."), months=green.transition_months)
            )
        penalty = green.penalty
        unit = lang.say("unit_km" if penalty.model == "per_km" else "unit_trip")
        rate = lang.money(penalty.rate_dkk)
        fixed = (
            say(N_(" plus a fixed {amount} for any shortfall"), amount=lang.money(penalty.fixed_dkk)) if penalty.fixed_dkk else ""
        )
        words.append(
            say(
                N_("Penalty: {rate} per {unit} short{fixed}; the supplier is heard for {days} days first."),
                rate=rate,
                unit=unit,
                fixed=fixed,
                days=contract.hearing_days,
            )
        )
    if contract.euro6_applies_to:
        kinds = ", ".join(code_name(kind, lang.code) for kind in sorted(contract.euro6_applies_to))
        words.append(say(N_("Euro 6 (§2.6) for: {kinds}; zero-emission vehicles exempt."), kinds=kinds))
    if contract.hvo100_required:
        words.append(say(N_("HVO100 or another 2nd-generation biofuel is required (§2.2).")))
    for rule in contract.eco_labels:
        accepted = ", ".join(code_name(code, lang.code) for code in sorted(rule.accepted_labels))
        words.append(
            say(N_("Eco-label (§3.1): {description} — accepted: {accepted}."), description=rule.description, accepted=accepted)
        )
    if contract.categorisation is not None:
        own = contract.categorisation.table == "own"
        mapped = len(contract.categorisation.mappings)
        table = N_("the municipality's own purchasing areas") if own else N_("SKI areas")
        extra = say(N_("; {count} area mapping(s) in the contract"), count=mapped) if mapped else ""
        words.append(
            say(
                N_(
                    "Eco-label categorisation 2025 (§3.1), {table}: catalogue items in a category that requires a type-1 "
                    "eco-label must carry one{extra}."
                ),
                table=say(table),
                extra=extra,
            )
        )
    for share in contract.purchase_shares:
        basis = {"amount": N_("amount"), "quantity": N_("quantity")}[share.basis]
        words.append(
            say(
                N_("Purchase share (§16): {description} — at least {minimum} % by {basis}."),
                description=share.description,
                minimum=lang.number(share.minimum_percent),
                basis=say(basis),
            )
        )
    for banned in contract.banned_items:
        words.append(say(N_("Banned (§16.1): {description}."), description=banned.description))
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
