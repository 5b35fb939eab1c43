"""The penalty statement: the calculation as the contract words it, then the hearing history and the decision.

Written so that it can be handed to a supplier's lawyer: every figure is stated with where it
comes from, and every step of the hearing with who took it and when. The text (``hearing show``),
the HTML page and the PDF are made from the same steps.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from jinja2 import Environment

from compliance.assessment.hearing import HearingRecord
from compliance.assessment.outcomes import GreenVehicleOutcome
from compliance.contracts import ContractTerms
from compliance.reports.language import Language
from compliance.reports.views import ReportRun, WrittenReports, actor_name


def statement_name(contract_id: str, year: int) -> str:
    """File name (without suffix) of the penalty statement for one contract year."""
    return f"penalty-statement-{contract_id}-year-{year}"


def _fraction(percent: Decimal) -> Decimal:
    """A level in percent as the exact fraction the arithmetic uses: 55 → 0.55."""
    return (percent / 100).normalize()


def _shortfall_step(d: GreenVehicleOutcome, lang: Language) -> str:
    """The shortfall with its arithmetic, so that a reader can redo it (RULES.md §1)."""
    level = _fraction(d.level_percent)
    if d.penalty_model == "per_km":
        if d.total_km is None or d.green_km is None:
            return "–"
        required = level * d.total_km
        return lang.say(
            "step_shortfall_km_value",
            level=lang.exact(level),
            total=lang.exact(d.total_km),
            required=lang.exact(required),
            green=lang.exact(d.green_km),
            short=lang.exact(d.shortfall_km),
        )
    if d.basis == "km":
        return _km_in_trips_step(d, lang, level)
    required = level * d.total_trips
    return lang.say(
        "step_shortfall_trips_value" if d.level_inclusive else "step_shortfall_trips_strict_value",
        level=lang.exact(level),
        total=lang.exact(d.total_trips),
        required=lang.exact(required),
        green=lang.exact(d.green_trips),
        gap=lang.exact(required - d.green_trips),
        short=lang.number(d.shortfall_trips),
    )


def _km_in_trips_step(d: GreenVehicleOutcome, lang: Language, level: Decimal) -> str:
    """A per-trip penalty on a km basis: the km short, in trips of the year's average logged length."""
    if d.total_km is None or d.green_km is None or not d.total_km:
        return "–"
    trips = Decimal(d.driving_log_trips) + (d.km_estimate.total_trips if d.km_estimate is not None else 0)
    in_trips = d.shortfall_km * trips / d.total_km
    shown = lang.number(in_trips, 3)
    exact = in_trips == in_trips.quantize(Decimal("0.001"))
    return lang.say(
        "step_shortfall_km_in_trips_value",
        level=lang.exact(level),
        total=lang.exact(d.total_km),
        required=lang.exact(level * d.total_km),
        green=lang.exact(d.green_km),
        short_km=lang.exact(d.shortfall_km),
        trips=lang.exact(trips),
        in_trips=shown if exact else f"{shown}…",
        short=lang.number(d.shortfall_trips),
    )


def penalty_steps(assessment: GreenVehicleOutcome, lang: Language) -> list[tuple[str, str]]:
    """The calculation in the contract's order (§2.1): window, figures, share, level, shortfall, rate,
    add-on, total — each with its arithmetic, in the precision used (nothing rounded before the total)."""
    d = assessment
    per_km = d.penalty_model == "per_km"
    window = f"{lang.date(d.window_start)} – {lang.date(d.window_end)}"
    if d.transition_cut:
        window += f" ({lang.say('window_transition')})"
    comparison = lang.say("at_least" if d.level_inclusive else "more_than")
    if d.basis == "km":
        figures = (
            lang.say("step_km"),
            lang.say(
                "step_km_value",
                green=lang.exact(d.green_km or 0),
                total=lang.exact(d.total_km or 0),
                trips=lang.number(d.driving_log_trips),
            ),
        )
        share_of = (d.green_km, d.total_km)
    else:
        figures = (
            lang.say("step_trips"),
            lang.say("step_trips_value", green=lang.exact(d.green_trips), total=lang.exact(d.total_trips)),
        )
        share_of = (d.green_trips, d.total_trips)
    estimate = []
    if d.km_estimate is not None:
        e = d.km_estimate
        months = ", ".join(lang.month(month) for month in e.months)
        estimate = [
            (
                lang.say("km_estimate", months=months, km=lang.exact(e.km_per_trip)),
                f"{lang.exact(e.total_km)} km / {lang.exact(e.green_km)} km",
            )
        ]
    green, total = share_of
    share = lang.percent(d.share)
    if green is not None and total:
        share = f"{lang.exact(green)} ÷ {lang.exact(total)} = {share}"
    shortfall_unit = "km" if per_km else lang.say("trips_count", count=lang.number(d.shortfall_trips))
    short = lang.exact(d.shortfall_km) + " km" if per_km else shortfall_unit
    variable_sum = d.penalty_variable + d.penalty_fixed
    total_text = (
        f"{lang.exact_money(d.penalty_variable)} + {lang.exact_money(d.penalty_fixed)} = {lang.exact_money(variable_sum)}"
    )
    if variable_sum != d.penalty_total:
        total_text += " → " + lang.say("rounded_once", amount=lang.money(d.penalty_total))
    return [
        (lang.say("step_window"), window),
        figures,
        *estimate,
        (lang.say("step_share"), f"{share} ({lang.say('basis').lower()}: {lang.term(d.basis)})"),
        (lang.say("step_level"), f"{comparison} {lang.number(d.level_percent, 2)} % ({lang.term(d.level_source)})"),
        (lang.say("step_shortfall"), _shortfall_step(d, lang)),
        (
            lang.say("step_rate"),
            lang.say(
                "step_rate_value",
                rate=lang.money(d.penalty_rate),
                unit=lang.say("unit_km" if per_km else "unit_trip"),
                shortfall=short,
                variable=lang.exact_money(d.penalty_variable),
            ),
        ),
        (lang.say("step_fixed"), lang.money(d.penalty_fixed)),
        (lang.say("step_total"), total_text),
    ]


def adjustment_lines(assessment: GreenVehicleOutcome, lang: Language) -> list[tuple[str, str]]:
    """Every deduction and every line held out of the count, with its document, line and reason."""
    rows = []
    for line in assessment.trip_lines:
        place = lang.say("document_line", document=lang.term(line.document_type), number=line.invoice, line=line.line)
        if line.kind in ("green", "conventional"):
            if line.trips < 0 or line.document_type == "credit_note":
                rows.append(
                    (
                        place,
                        lang.say(
                            "deducted", trips=lang.exact(abs(line.trips)), kind=lang.term(line.kind), day=lang.date(line.day)
                        ),
                    )
                )
            continue
        rows.append(
            (place, lang.say("held_out", trips=lang.exact(line.trips), reason=lang.term(line.kind), day=lang.date(line.day)))
        )
    return rows


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


def _terms_version(contract: ContractTerms, lang: Language) -> str:
    """The contract by id and the version of its terms file (its hash), never a server path."""
    return lang.say("terms_version", contract=contract.id, file=contract.file_name, sha=contract.sha256[:16])


def _clause(contract: ContractTerms, lang: Language) -> str:
    clause = contract.green_vehicles.penalty.clause if contract.green_vehicles is not None else None
    if clause is None:
        return lang.say("clause_missing")
    return lang.say("clause_quoted", section=clause.section, text=clause.text.strip())


def _statement_lines(
    contract: ContractTerms, assessment: GreenVehicleOutcome, notice: HearingRecord, lang: Language
) -> list[str]:
    """The statement's content as text: what ``hearing show`` prints and what the content hash covers."""
    year = assessment.contract_year
    lines = [
        f"{lang.say('penalty_statement')} — {lang.say('contract').lower()} {contract.id}, {lang.say('contract_year')} {year}",
        _terms_version(contract, lang),
        _clause(contract, lang),
        "",
    ]
    lines += [f"{number}. {label}: {value}" for number, (label, value) in enumerate(penalty_steps(assessment, lang), start=1)]
    adjustments = adjustment_lines(assessment, lang)
    lines += ["", f"{lang.say('adjustments')}:"]
    lines += [f"  {place}: {text}" for place, text in adjustments] or [f"  {lang.say('no_adjustments')}"]
    lines += ["", f"{lang.say('hearing_history')}:"]
    for event in notice.events:
        amount = f" — {lang.money(event.amount)}" if event.amount is not None else ""
        text = f": {lang.text(event.text)}" if event.text else ""
        lines.append(
            f"  {event.occurred_at:%Y-%m-%d %H:%M} {lang.event(event.kind)} ({actor_name(event.actor, lang)}){amount}{text}"
        )
    lines += ["", decision_words(notice, lang)]
    return lines


def statement_sha256(contract: ContractTerms, assessment: GreenVehicleOutcome, notice: HearingRecord, lang: Language) -> str:
    """The hash of the statement's content; printed on it, so a copy can be checked against the original."""
    return hashlib.sha256("\n".join(_statement_lines(contract, assessment, notice, lang)).encode()).hexdigest()


def penalty_statement_text(
    contract: ContractTerms, assessment: GreenVehicleOutcome, notice: HearingRecord, lang: Language | None = None
) -> str:
    """Plain-text statement for one contract year (``compliance hearing show``), ending with its content hash."""
    lang = lang or Language("da")
    lines = _statement_lines(contract, assessment, notice, lang)
    return "\n".join([*lines, "", lang.say("content_hash", sha=statement_sha256(contract, assessment, notice, lang))])


def penalty_statement_html(
    environment: Environment,
    contract: ContractTerms,
    assessment: GreenVehicleOutcome,
    notice: HearingRecord,
    lang: Language,
    generated: datetime,
) -> str:
    """The statement as an HTML page (and, through WeasyPrint, the PDF), with the same content hash as the text."""
    return environment.get_template("penalty_statement.html.j2").render(
        contract=contract,
        year=contract.year(assessment.contract_year),
        assessment=assessment,
        terms_version=_terms_version(contract, lang),
        clause=_clause(contract, lang),
        steps=penalty_steps(assessment, lang),
        adjustments=adjustment_lines(assessment, lang),
        notice=notice,
        decision=decision_words(notice, lang),
        content_sha256=statement_sha256(contract, assessment, notice, lang),
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
        written.statements.append(run.pdfs.add(html, folder / f"{name}.pdf"))
