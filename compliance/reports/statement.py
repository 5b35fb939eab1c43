"""The penalty statement: the calculation as the contract words it, then the hearing history and the decision.

Written so that it can be handed to a supplier's lawyer: every figure is stated with where it
comes from, and every step of the hearing with who took it and when. The text (``hearing show``),
the HTML page and the PDF are made from the same steps.
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment

from compliance.assessment.hearing import HearingRecord
from compliance.assessment.outcomes import GreenVehicleOutcome
from compliance.contracts import ContractTerms
from compliance.reports.language import Language
from compliance.reports.pdf import write_pdf
from compliance.reports.views import ReportRun, WrittenReports


def statement_name(contract_id: str, year: int) -> str:
    """File name (without suffix) of the penalty statement for one contract year."""
    return f"penalty-statement-{contract_id}-year-{year}"


def penalty_steps(assessment: GreenVehicleOutcome, lang: Language) -> list[tuple[str, str]]:
    """The calculation in the contract's order (§2.1): window, trips, share, level, shortfall, rate, add-on, total."""
    d = assessment
    per_km = d.penalty_model == "per_km"
    unit = lang.say("unit_km" if per_km else "unit_trip")
    shortfall = (
        f"{lang.number(d.shortfall_km, 1)} km" if per_km else lang.say("trips_count", count=lang.number(d.shortfall_trips))
    )
    window = f"{lang.date(assessment.window_start)} – {lang.date(assessment.window_end)}"
    if d.transition_cut:
        window += f" ({lang.say('window_transition')})"
    comparison = lang.say("at_least" if d.level_inclusive else "more_than")
    estimate = []
    if d.km_estimate is not None:
        e = d.km_estimate
        months = ", ".join(lang.month(month) for month in e.months)
        estimate = [
            (
                lang.say("km_estimate", months=months, km=lang.number(e.km_per_trip, 2)),
                f"{lang.number(e.total_km, 1)} km / {lang.number(e.green_km, 1)} km",
            )
        ]
    return [
        (lang.say("step_window"), window),
        (
            lang.say("step_trips"),
            lang.say("step_trips_value", green=lang.number(d.green_trips), total=lang.number(d.total_trips)),
        ),
        *estimate,
        (lang.say("step_share"), f"{lang.percent(assessment.share)} ({lang.say('basis').lower()}: {lang.term(d.basis)})"),
        (lang.say("step_level"), f"{comparison} {lang.number(d.level_percent, 2)} % ({lang.term(d.level_source)})"),
        (lang.say("step_shortfall"), shortfall),
        (
            lang.say("step_rate"),
            lang.say(
                "step_rate_value",
                rate=lang.money(d.penalty_rate),
                unit=unit,
                shortfall=shortfall,
                variable=lang.money(d.penalty_variable),
            ),
        ),
        (lang.say("step_fixed"), lang.money(d.penalty_fixed)),
        (lang.say("step_total"), lang.money(assessment.penalty_total)),
    ]


def decision_words(notice: HearingRecord, lang: Language) -> str:
    """What has been decided, or that nothing is imposed yet."""
    if notice.status == "withdrawn":
        return lang.say("decision_withdrawn")
    if notice.decided_penalty is not None and notice.decided_at is not None:
        return lang.say(
            "decision_made",
            amount=lang.money(notice.decided_penalty),
            status=lang.status(notice.status),
            when=lang.date(notice.decided_at.date()),
        )
    return lang.say("decision_pending", deadline=lang.date(notice.deadline))


def penalty_statement_text(assessment: GreenVehicleOutcome, notice: HearingRecord, lang: Language | None = None) -> str:
    """Plain-text statement for one contract year (``compliance hearing show``)."""
    lang = lang or Language("da")
    contract_id, year = assessment.contract_id, assessment.contract_year
    lines = [
        f"{lang.say('penalty_statement')} — {lang.say('contract').lower()} {contract_id}, {lang.say('contract_year')} {year}",
        "",
    ]
    lines += [f"{number}. {label}: {value}" for number, (label, value) in enumerate(penalty_steps(assessment, lang), start=1)]
    lines += ["", f"{lang.say('hearing_history')}:"]
    for event in notice.events:
        amount = f" — {lang.money(event.amount)}" if event.amount is not None else ""
        text = f": {event.text}" if event.text else ""
        lines.append(f"  {event.occurred_at:%Y-%m-%d %H:%M} {lang.event(event.kind)} ({event.actor}){amount}{text}")
    lines += ["", decision_words(notice, lang)]
    return "\n".join(lines)


def penalty_statement_html(
    environment: Environment,
    contract: ContractTerms,
    assessment: GreenVehicleOutcome,
    notice: HearingRecord,
    lang: Language,
    generated: datetime,
) -> str:
    """The statement as an HTML page (and, through WeasyPrint, the PDF)."""
    return environment.get_template("penalty_statement.html.j2").render(
        contract=contract,
        year=contract.year(assessment.contract_year),
        assessment=assessment,
        steps=penalty_steps(assessment, lang),
        notice=notice,
        decision=decision_words(notice, lang),
        generated=generated,
    )


def write_penalty_statement(
    run: ReportRun, contract: ContractTerms, assessment: GreenVehicleOutcome, notice: HearingRecord, written: WrittenReports
) -> None:
    """The statement beside the contract year's annual report: HTML, and PDF when WeasyPrint works."""
    name = statement_name(contract.id, assessment.contract_year)
    html = penalty_statement_html(run.environment, contract, assessment, notice, run.lang, run.generated)
    folder = run.out_dir / contract.id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    written.statements.append(path)
    if run.pdf:
        written.statements.append(write_pdf(html, folder / f"{name}.pdf"))
