"""The penalty statement: the calculation as the contract words it, then the hearing history.

Written so that it can be handed to a supplier's lawyer: every figure is stated with where it
comes from, and every step of the hearing with who took it and when.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from compliance.assessment.hearing import hearing_notice
from compliance.checks.green_vehicles import RULE_SHARE
from compliance.errors import ComplianceError
from compliance.formatting import danish_date, danish_money, danish_number, danish_percent
from compliance.store.db import session_scope
from compliance.store.models import Assessment

EVENT_WORDS = {
    "proposed": "Penalty proposed",
    "assessment_changed": "Assessment changed",
    "assessment_changed_after_decision": "Assessment changed after the decision",
    "withdrawn": "Proposal withdrawn",
    "supplier_comment": "Supplier's comment recorded",
    "decision_confirm": "Decision: penalty confirmed",
    "decision_reduce": "Decision: penalty reduced",
    "decision_waive": "Decision: penalty waived",
}


def penalty_statement_text(engine: Engine, contract_id: str, year: int) -> str:
    """Plain-text statement for one contract year (also shown in the annual report)."""
    with session_scope(engine) as session:
        assessment = session.scalars(
            select(Assessment).where(
                Assessment.contract_id == contract_id, Assessment.contract_year == year, Assessment.rule_id == RULE_SHARE
            )
        ).first()
        notice = hearing_notice(session, contract_id, year)
        if assessment is None or notice is None:
            raise ComplianceError(
                f"contract {contract_id} year {year} has no penalty to state", expected="a contract year that fell short"
            )
        d = assessment.details
        unit = "km" if d["penalty_model"] == "per_km" else "trip"
        shortfall = f"{danish_number(d['shortfall_km'], 1)} km" if unit == "km" else f"{d['shortfall_trips']} trips"
        lines = [
            f"Penalty statement — contract {contract_id}, contract year {year}",
            "",
            f"1. Measurement window: {danish_date(assessment.window_start)} – {danish_date(assessment.window_end)}"
            + (" (year 1 without its transition months)" if d["transition_cut"] else ""),
            f"2. Trips: {danish_number(d['green_trips'])} with green vehicles of {danish_number(d['total_trips'])} in all",
            f"3. Green share: {danish_percent(assessment.share)} (basis: {d['basis']})",
            f"4. Binding level: {'at least' if d['level_inclusive'] else 'more than'} {danish_number(d['level_percent'], 2)} % ({d['level_source']})",
            f"5. Shortfall: {shortfall}",
            f"6. Rate: {danish_money(d['penalty_rate'])} per {unit} short = {danish_money(d['penalty_variable'])}",
            f"7. Fixed penalty for any shortfall: {danish_money(d['penalty_fixed'])}",
            f"8. Proposed penalty (rounded once to whole øre): {danish_money(assessment.penalty_total)}",
            "",
            f"Hearing: {notice.status}; the supplier may comment until {danish_date(notice.deadline)}.",
        ]
        for event in notice.events:
            amount = f" — {danish_money(event.amount)}" if event.amount is not None else ""
            text = f": {event.text}" if event.text else ""
            lines.append(
                f"  {event.occurred_at:%Y-%m-%d %H:%M} {EVENT_WORDS.get(event.kind, event.kind)} by {event.actor}{amount}{text}"
            )
        if notice.decided_penalty is not None:
            lines += ["", f"Penalty imposed: {danish_money(notice.decided_penalty)} ({notice.status})."]
        else:
            lines += ["", "No penalty is imposed until the contract manager has decided."]
        return "\n".join(lines)
