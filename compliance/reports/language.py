"""Report languages: Danish (the default) and English — words, rule titles and number/date formats.

Every fixed text a report, statement or notice shows comes from here: the tables below hold the
English source texts (marked with ``N_()``), and ``Language`` translates them through the gettext
catalogs (``compliance.base.i18n``; the Danish texts live in ``compliance/locale/da``). A test renders
every output of the demo and fails on a text the Danish catalog lacks. What suppliers wrote (item
names, comments) is shown as recorded; finding messages are rendered from their key and parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.base.errors import ComplianceError
from compliance.base.formatting import (
    MONTHS_DA,
    MONTHS_EN,
    danish_number,
    danish_percent,
    date_in,
    english_number,
    money_in,
)
from compliance.base.i18n import N_, translate
from compliance.base.messages import render_message, render_text
from compliance.base.texts import code_name, known, render_reason

LANGUAGES = ("da", "en")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "annual_report": N_("Annual compliance report"),
        "contract": N_("Contract"),
        "contract_year": N_("contract year"),
        "supplier": N_("Supplier"),
        "buyer": N_("Buyer"),
        "contract_terms": N_("The contract's green terms"),
        "terms_file": N_("Terms file"),
        "green_vehicles": N_("Green vehicles (§2.1)"),
        "status": N_("Status"),
        "window": N_("Measurement window"),
        "window_transition": N_("year 1 without its transition months"),
        "green_trips": N_("Trips with green vehicles (invoice lines, credit notes deducted)"),
        "conventional_trips": N_("Trips with conventional vehicles"),
        "all_trips": N_("All trips"),
        "logged_km": N_("km in driving logs ({trips} logged trips), of which green"),
        "green_share": N_("Green share (basis: {basis})"),
        "binding_level": N_("Binding level ({source})"),
        "at_least": N_("at least"),
        "more_than": N_("more than"),
        "year_running": N_(
            "The year is still running: no penalty is computed before it ends. See the early warning among the findings."
        ),
        "shortfall_trips": N_("Shortfall: green trips missing (ceil(level × all trips − green trips))"),
        "shortfall_km": N_("Shortfall in km (level × all km − green km)"),
        "penalty_model_km": N_("Penalty model 1: per km short at {rate}"),
        "penalty_model_trip": N_("Penalty model 2: per trip short at {rate}"),
        "fixed_penalty": N_("Fixed penalty for any shortfall"),
        "proposed_penalty": N_("Proposed penalty (rounded once to whole øre)"),
        "proposed_penalty_short": N_("Penalty (proposed or decided)"),
        "monthly_chart": N_("Green share per month"),
        "chart_y": N_("Green share (%)"),
        "chart_x": N_("Month"),
        "chart_level": N_("Level {level}"),
        "chart_share": N_("Green share"),
        "month": N_("Month"),
        "share": N_("Share"),
        "level": N_("Level"),
        "hearing": N_("Hearing (§2.1)"),
        "hearing_decided": N_("Decision: penalty {status} — {amount} imposed."),
        "hearing_withdrawn": N_("The proposal was withdrawn by the contract manager; the reason is in the steps below."),
        "hearing_open": N_(
            "The penalty is {status}, not imposed. The supplier may comment until {deadline} ({days} days); nothing is imposed before the contract manager has decided."
        ),
        "when_utc": N_("When (UTC)"),
        "step": N_("Step"),
        "by": N_("By"),
        "amount": N_("Amount"),
        "text": N_("Text"),
        "trip_lines": N_("The {count} trip lines the figures are made of"),
        "day": N_("Day"),
        "document": N_("Document"),
        "line": N_("Line"),
        "file_line": N_("file line {line}"),
        "stated_as": N_("the line says {kind}"),
        "kind": N_("Kind"),
        "trips": N_("Trips"),
        "registrations": N_("Registrations"),
        "file": N_("File"),
        "purchase_shares": N_("Purchase shares (§16)"),
        "rule": N_("Rule"),
        "basis": N_("Basis"),
        "total": N_("Total"),
        "qualifying": N_("Qualifying"),
        "quarter": N_("Quarter {number}"),
        "share_held_out": N_(
            "{amount} {currency} in {lines} line(s) are held out of the share: the contract names no rate for {currency}, and amounts in another currency are never added to kroner."
        ),
        "share_rate": N_("{currency} is converted to kroner at the contract's rate of {rate} kr. per {currency}{source}."),
        "quarters_note": N_(
            "Quarters are three-month periods from the start of the contract year; the contract year is what the level binds."
        ),
        "findings": N_("Findings"),
        "data_quality": N_("Data quality in the supplier's files"),
        "no_findings": N_("No findings."),
        "no_data_quality": N_("No data-quality issues."),
        "severity": N_("Severity"),
        "finding": N_("Finding"),
        "expected": N_("Expected"),
        "received": N_("Received"),
        "source": N_("Source"),
        "all_contracts": N_("All contracts"),
        "generated": N_(
            "Generated {when} UTC by green-procurement-compliance. Section numbers (§) refer to Københavns Kommune's green procurement handbook (Det Grønne Opslagsværk)."
        ),
        "details_as_recorded": N_("Details (as recorded)"),
        "evidence_workbook": N_("Every figure with the rows it is made of: {name}"),
        "pdf_version": N_("PDF: {name}"),
        "penalty_statement": N_("Penalty statement"),
        "statement_intro": N_(
            "The calculation follows the contract's wording step by step. Every figure comes from the files the supplier sent; file and line are in the annual report and its workbook."
        ),
        "calculation": N_("Calculation"),
        "hearing_history": N_("Hearing history"),
        "decision": N_("Decision"),
        "decision_pending": N_(
            "No penalty is imposed: the contract manager has not decided yet. The supplier may comment until {deadline}."
        ),
        "decision_made": N_("Penalty imposed: {amount} ({status}), decided {when}."),
        "decision_withdrawn": N_("The proposal was withdrawn; no penalty is imposed."),
        "step_window": N_("Measurement window"),
        "step_trips": N_("Trips"),
        "step_trips_value": N_("{green} with green vehicles of {total} in all"),
        "step_km": N_("km driven (driving logs)"),
        "step_km_value": N_("{green} km with green vehicles of {total} km in all ({trips} trips in the driving logs)"),
        "step_shortfall_trips_value": N_(
            "{level} × {total} = {required}; {required} − {green} = {gap}, rounded up to whole trips: {short} trips"
        ),
        "step_shortfall_trips_strict_value": N_(
            "{level} × {total} = {required}; the smallest whole number of trips that takes the share above the level: {short} trips"
        ),
        "step_shortfall_km_value": N_("{level} × {total} km = {required} km; {required} km − {green} km = {short} km"),
        "step_shortfall_km_in_trips_value": N_(
            "{level} × {total} km = {required} km; {required} km − {green} km = {short_km} km; in trips of the year's average length: {short_km} km × {trips} trips ÷ {total} km = {in_trips}, rounded up to whole trips: {short} trips"
        ),
        "rounded_once": N_("{amount} (rounded once to whole øre, half up)"),
        "terms_version": N_("Terms file: {file} for contract {contract}, version (sha256) {sha}."),
        "clause_quoted": N_("The contract's penalty clause, {section}: “{text}”"),
        "clause_missing": N_(
            "The terms file does not quote the contract's penalty clause; the calculation follows the terms file."
        ),
        "adjustments": N_("Deductions and lines not counted"),
        "no_adjustments": N_("None: every green and conventional trip line in the window is counted, with no deduction."),
        "document_line": N_("{document} {number}, line {line}"),
        "deducted": N_("{trips} trips deducted ({kind}, delivered {day})"),
        "held_out": N_("{trips} trips not counted: {reason} ({day})"),
        "system_actor": N_("automatic check"),
        "content_hash": N_("The statement's content has sha256 {sha}."),
        "step_share": N_("Green share"),
        "step_level": N_("Binding level"),
        "step_shortfall": N_("Shortfall"),
        "step_rate": N_("Rate"),
        "step_rate_value": N_("{rate} per {unit} × {shortfall} = {variable}"),
        "step_fixed": N_("Fixed add-on for any shortfall"),
        "step_total": N_("Total penalty (rounded once to whole øre)"),
        "unit_km": N_("km"),
        "unit_trip": N_("trip"),
        "trips_count": N_("{count} trips"),
        "notice": N_("Notice of discrepancies"),
        "notice_to": N_("To"),
        "notice_from": N_("From"),
        "notice_date": N_("Date"),
        "notice_regarding": N_("Concerning contract {contract}, contract year {year} ({start} – {end})"),
        "notice_intro": N_(
            "Checking the invoices, catalogues and driving logs you sent us under the contract, we found {count} discrepancy(ies) with the contract's green terms. Each is listed below with the document, the line, and what we expected and received."
        ),
        "notice_none": N_("We found no discrepancies in the contract year."),
        "notice_respond": N_("How to respond"),
        "notice_respond_text": N_(
            "Send your comments and any evidence (for example a registration certificate, a licence number or a corrected invoice) to {contact} by {deadline}. Quote the contract number and the document id."
        ),
        "notice_penalty": N_(
            "The contract year shows a shortfall of green trips. The proposed penalty is {amount}; it is not imposed before you have been heard and the contract manager has decided."
        ),
        "km_estimate": N_(
            "Estimated km for months without a driving log ({months}): invoiced trips × {km} km (the contract's fallback), all / green"
        ),
        "not_computable_share": N_(
            "The km share cannot be computed: no driving log for {months}. It will be when the logs arrive; missing evidence never lowers a penalty."
        ),
        "not_computable_penalty": N_(
            "The penalty (per km short) cannot be computed: no driving log for {months}. It will be when the logs arrive; missing evidence never lowers a penalty."
        ),
        "notice_statement_attached": N_(
            "The penalty statement is attached: it shows the calculation step by step, with the contract's penalty clause, the deductions and the hearing so far."
        ),
        "notice_decision": N_(
            "On {date} the contract manager decided on the penalty for the contract year: the penalty is {decision}. Penalty imposed: {amount}."
        ),
        "notice_sign": N_("Kind regards"),
        "notice_plate_item": N_("Plate / item"),
        "notice_document": N_("Document and line"),
        "notice_discrepancy": N_("Discrepancy"),
        "notice_deadline": N_("Deadline for comments"),
        "overview": N_("Contract overview"),
        "overview_sub": N_("Every contract with its status, green-share trend and findings; last ingest {last_ingest}."),
        "trend": N_("Green share per year"),
        "findings_by_kind": N_("Findings by kind"),
        "last_ingest": N_("Last ingest"),
        "files_ingested": N_("Files ingested"),
        "files_quarantined": N_("Files quarantined"),
        "data_quality_state": N_("Data quality"),
        "dq_ok": N_("no file quarantined"),
        "dq_problems": N_("{count} file(s) quarantined"),
        "dq_page": N_("Data quality at ingest"),
        "dq_sub": N_(
            "What the Great Expectations suites checked before data was stored, and what they refused. A file with a failing row is quarantined whole; a failing DMR record alone is left out."
        ),
        "dq_page_link": N_("see data quality"),
        "dq_latest_runs": N_("Latest run per suite"),
        "dq_suite": N_("Suite"),
        "dq_checked_at": N_("Checked"),
        "dq_files": N_("Files"),
        "dq_rows": N_("Rows"),
        "dq_expectations": N_("Expectations"),
        "dq_failed": N_("Failed"),
        "dq_never": N_("No suite has run yet."),
        "dq_failures": N_("Rows failing now"),
        "dq_failures_none": N_("No row fails."),
        "dq_place": N_("Place"),
        "dq_rule": N_("Expectation"),
        "dq_value": N_("Value"),
        "dq_outcome": N_("Outcome"),
        "dq_quarantined": N_("file quarantined"),
        "dq_left_out": N_("record left out"),
        "dq_more_rows": N_("and {count} more rows"),
        "dq_suites": N_("The suites"),
        "dq_suites_note": N_("Defined in code (compliance/quality.py)."),
        "dq_columns": N_("Columns"),
        "dq_why": N_("Why"),
        "dq_other_quarantine": N_("Other quarantined files"),
        "dq_recent": N_("Recent runs (at most {count})"),
        "reports": N_("Reports"),
        "statement": N_("penalty statement"),
        "notice_short": N_("notice"),
        "eco_spend_by_unit": N_("Eco-labelled share of spend per buyer unit ({year})"),
        "buyer_unit": N_("Buyer unit"),
        "spend": N_("Spend"),
        "eco_spend": N_("Eco-labelled"),
        "unmatched_invoices": N_("Documents matching no contract or held out"),
        "quarantined_files": N_("Quarantined files"),
        "reason": N_("Reason"),
        "contract_file_errors": N_("Contract files that were rejected"),
        "portfolio_pages": N_("Portfolio pages"),
        "portfolio": N_("Portfolio {year}"),
        "portfolio_spend": N_("Eco-labelled and organic share of spend, per buyer unit and category"),
        "portfolio_spend_note": N_(
            "Invoiced amount excl. VAT in DKK of lines delivered in {year}, credit notes netted. Eco-labelled: a type-1 eco-label (Nordic Swan, EU Ecolabel, TCO Certified …) on the line or, failing that, in the contract's catalogue on the delivery day. Organic: Ø-mærket, the EU organic logo or an equivalent organic label. Category: the UNSPSC segment of the line's code."
        ),
        "buyer_unit_gln": N_("Buyer unit (EAN/GLN)"),
        "category": N_("Category"),
        "organic": N_("Organic"),
        "lines": N_("Lines"),
        "portfolio_no_lines": N_("No invoice lines delivered in {year}."),
        "other_currency": N_(
            "{count} line(s) in another currency than DKK whose contract names no rate are not included ({amounts}); amounts in another currency are never added to kroner."
        ),
        "portfolio_rate": N_("{currency} is converted at the contract's rate of {rate} kr. per {currency}{source}."),
        "green_terms_per_contract": N_("Green terms per contract"),
        "new_contracts_line": N_(
            "New contracts from {year}: {count}; with at least one green term: {share} (target 80 %). All contracts: {all_share}."
        ),
        "start": N_("Start"),
        "green_terms": N_("Green terms"),
        "green_term_note": N_(
            "A green term is one monitored requirement: the green-vehicle share, Euro 6, HVO100, each eco-label rule, the eco-label categorisation, each purchase share and each banned item."
        ),
        "none": N_("none"),
        "yes": N_("yes"),
        "no": N_("no"),
        "notice_correction_deadline": N_("Deadline for corrections"),
        "reason_forecast_green": N_(
            "contract year {year} is running and the share of green trips ({share}) is below the level ({level}) so far"
        ),
        "reason_forecast_share": N_(
            "contract year {year} is running and the share for {rule} ({share}) is below the level ({level}) so far"
        ),
        "reason_high_findings": N_("{count} high-severity finding(s) in contract year {year}"),
        "reason_below_so_far": N_("below the level so far"),
        "not_relevant": N_("not relevant"),
        "not_relevant_why": N_("the contract has no eco-label, purchase-share or categorisation terms"),
        "notice_intro_grouped": N_(
            "Checking the {kinds} you sent us under the contract, we found {count} discrepancy(ies) with the contract's green terms. Below they are gathered by item, vehicle or document, each with what you need to do."
        ),
        "notice_nothing_new": N_("We found no new discrepancies in the contract year."),
        "evidence_invoices": N_("invoices"),
        "evidence_catalogues": N_("catalogues"),
        "evidence_driving_logs": N_("driving logs"),
        "and": N_("and"),
        "group_item": N_("Item {value}"),
        "group_vehicle": N_("Vehicle {value}"),
        "group_document": N_("Document {value}"),
        "group_month": N_("Month {value}"),
        "group_year": N_("The contract year"),
        "notice_action": N_("What to do"),
        "notice_correct_by": N_("Send the correction by {deadline}. Comments by {comments}."),
        "notice_comment_by": N_("Send any comments by {comments}."),
        "notice_findings_in_group": N_("{count} finding(s)"),
        "notice_earlier": N_("Told before"),
        "notice_earlier_text": N_(
            "These are still open in the contract year. They are described in our notice for contract year {year} of {date}, and that notice's deadlines apply; we do not repeat them here."
        ),
        "received_on": N_("received {date}"),
        "action_catalogue_licence": N_(
            "Send a catalogue update for the item with the eco-label and its licence number (or replace the item with a labelled one). Deliveries without the label are credited as agreed."
        ),
        "action_catalogue_type1": N_(
            "Send a catalogue update that places a type 1 eco-labelled item (with its licence number) in the category, or evidence that the item is labelled."
        ),
        "action_catalogue_listing": N_("Send a catalogue update that lists the item, or a credit note for the invoiced lines."),
        "action_credit_note_banned": N_("Send a credit note for the item and do not deliver it again: the contract excludes it."),
        "action_credit_note": N_("Send a credit note for what was invoiced twice."),
        "action_register_or_credit_note": N_(
            "Send a declaration from the vehicle register (registration certificate) showing the vehicle green on the day, or a credit note that invoices the trips as conventional."
        ),
        "action_register_declaration": N_(
            "Send a declaration from the vehicle register (registration certificate) for the vehicle."
        ),
        "action_register_euro6": N_(
            "Send a registration certificate showing Euro 6, or take the vehicle off the contract's work."
        ),
        "action_log_or_invoice": N_(
            "Send a corrected driving log or a corrected invoice (credit note and new invoice) for the month."
        ),
        "action_missing_invoices": N_("Send the missing invoices for the months."),
        "action_missing_logs": N_("Send the missing driving logs for the months."),
        "action_corrected_invoice": N_("Send a credit note and a corrected invoice."),
        "action_comment_only": N_("Nothing to correct: you may comment on the figures."),
        "action_comment_or_correct": N_("Send a correction or your comments."),
    },
}

STATUS: dict[str, dict[str, str]] = {
    "en": {
        "compliant": N_("Compliant"),
        "short": N_("Short of the level"),
        "no_data": N_("No data"),
        "on_track": N_("Year running: on track"),
        "at_risk": N_("Year running: at risk"),
        "in_progress": N_("Year running: no data yet"),
        "in_hearing": N_("In hearing"),
        "decided": N_("Decided"),
        "contract_compliant": N_("Compliant"),
        "contract_at_risk": N_("At risk"),
        "contract_short": N_("Short"),
        "contract_in_hearing": N_("In hearing"),
        "contract_decided": N_("Decided"),
        "contract_no_data": N_("No data"),
        "not_computable": N_("Cannot be computed"),
        "contract_not_computable": N_("Cannot be computed"),
        "proposed": N_("proposed"),
        "commented": N_("commented"),
        "confirmed": N_("confirmed"),
        "reduced": N_("reduced"),
        "waived": N_("waived"),
        "withdrawn": N_("withdrawn"),
    },
}

# Values from contract terms and assessments that reports print (basis, level source, trip kind).
TERMS: dict[str, dict[str, str]] = {
    "en": {
        "trips": N_("trips"),
        "km": N_("km"),
        "amount": N_("amount"),
        "quantity": N_("quantity"),
        "minimum": N_("minimum"),
        "offer": N_("offer"),
        "green": N_("green"),
        "conventional": N_("conventional"),
        "invoice": N_("invoice"),
        "credit_note": N_("credit note"),
        "catalogue": N_("catalogue"),
        "ambiguous": N_("the line matches both green and conventional trips"),
        "uncountable": N_("the quantity is no number of trips (more than three decimals)"),
    },
}

SEVERITY: dict[str, dict[str, str]] = {
    "en": {"high": N_("high"), "medium": N_("medium"), "low": N_("low")},
}

EVENTS: dict[str, dict[str, str]] = {
    "en": {
        "proposed": N_("Penalty proposed"),
        "assessment_changed": N_("Assessment changed"),
        "assessment_changed_after_decision": N_("Assessment changed after the decision"),
        "withdrawn": N_("Proposal withdrawn"),
        "supplier_comment": N_("Supplier's comment recorded"),
        "decision_confirm": N_("Decision: penalty confirmed"),
        "decision_reduce": N_("Decision: penalty reduced"),
        "decision_waive": N_("Decision: penalty waived"),
        "decision_corrected": N_("Decision corrected"),
        "reopened": N_("Hearing reopened"),
    },
}

# Rule titles by rule id without its version; purchase-share rules share one title.
RULE_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "banned_items.delivered": N_("Banned item delivered (§16.1)"),
        "catalogue.item_not_in_catalogue": N_("Item not in the e-catalogue on the delivery date"),
        "catalogue.label_not_in_catalogue": N_("Eco-label on the invoice that the catalogue does not show"),
        "catalogue.update_without_item": N_("Catalogue update for an item no catalogue listed"),
        "ecolabel_categorisation.missing_type1": N_("Type-1 eco-label missing (categorisation 2025, §3.1)"),
        "eco_labels.missing_label": N_("Required eco-label missing on the invoice line (§3.1)"),
        "eco_labels.catalogue_missing_label": N_("Required eco-label missing in the catalogue (§3.1)"),
        "eco_labels.missing_licence": N_("Licence number missing for the eco-label"),
        "eco_labels.unknown_label": N_("Unknown eco-label text"),
        "euro6.not_euro6": N_("Vehicle not Euro 6 (§2.6)"),
        "euro6.weight_unknown": N_("Vehicle weight unknown: Euro 6 (§2.6) cannot be judged"),
        "completeness.silent_months": N_("Months without an invoice (§2.1)"),
        "completeness.silent_log_months": N_("Months without a driving log (§2.1)"),
        "completeness.unrecognised_trip_line": N_("Invoice line neither a green nor a conventional trip (§2.1)"),
        "green_vehicles.share": N_("Green share below the level (§2.1)"),
        "green_vehicles.not_green_vehicle": N_("Invoiced as a green trip, but the vehicle is not green (§2.1)"),
        "green_vehicles.unknown_vehicle": N_("Vehicle not in the register (§2.1)"),
        "green_vehicles.plate_not_readable": N_("Registration number cannot be read (§2.1)"),
        "green_vehicles.missing_registration": N_("Green trip without a registration number (§2.1)"),
        "green_vehicles.ambiguous_trip_line": N_("Invoice line both green and conventional (§2.1)"),
        "green_vehicles.no_trips": N_("No trips invoiced (§2.1)"),
        "green_vehicles.not_computable": N_("Cannot be computed: driving logs missing (§2.1)"),
        "green_vehicles.early_warning": N_("Early warning: green share at risk (§2.1)"),
        "green_vehicles.log_mismatch": N_("Invoiced trips and driving log disagree (§2.1)"),
        "green_vehicles.green_not_in_log": N_("Green trip with no trip in the driving log (§2.1)"),
        "hvo100.not_hvo100": N_("Fuel not HVO100 (§2.2)"),
        "invoice.unmatched": N_("Invoice matching no contract"),
        "attribution.issuer_not_party": N_("Document from a party the contract does not list"),
        "licences.invalid_format": N_("Licence number in the wrong format"),
        "licences.not_in_registry": N_("Licence not in the registry"),
        "licences.expired": N_("Licence expired"),
        "licences.wrong_product_group": N_("Licence for another product group"),
        "vehicles.deregistered": N_("Vehicle deregistered (§2.1)"),
        "vehicles.deregistered_in_log": N_("Deregistered vehicle in the driving log"),
        "vehicles.unknown_in_log": N_("Unknown vehicle in the driving log"),
        "purchase_share": N_("Purchase share below the level (§16)"),
        "amounts.other_currency": N_("Amounts in another currency held out of the share (§16)"),
        "amounts.allowances_not_spread": N_("Allowances and charges cannot be spread over the lines"),
        "credit_notes.excess_credit": N_("Credit note credits more than was invoiced (§2.1)"),
        "credit_notes.negative_quantity": N_("Negative number of trips held out of the figures (§2.1)"),
        "credit_notes.unknown_reference": N_("Credit note for an invoice not received"),
        "invoices.reinvoiced": N_("Same delivery invoiced again (§2.1)"),
    },
}

# Findings about the quality of what the supplier sent, rather than about a green term.
DATA_QUALITY_RULES = frozenset(
    {
        "eco_labels.unknown_label",
        "green_vehicles.missing_registration",
        "green_vehicles.ambiguous_trip_line",
        "green_vehicles.log_mismatch",
        "catalogue.update_without_item",
        "licences.invalid_format",
        "vehicles.unknown_in_log",
        "amounts.allowances_not_spread",
    }
)


def rule_base(rule_id: str) -> str:
    """``eco_labels.missing_label@1`` → ``eco_labels.missing_label``; purchase-share rules → ``purchase_share``."""
    base = rule_id.split("@", 1)[0]
    return "purchase_share" if base.startswith("purchase_share.") else base


@dataclass(frozen=True)
class Language:
    """One report language: its words and how it writes numbers, money and dates."""

    code: str

    def _(self, text: str) -> str:
        """An English source text in this language (the gettext catalog)."""
        return translate(text, self.code)

    def words(self) -> dict[str, str]:
        return {key: self._(text) for key, text in WORDS["en"].items()}

    def say(self, key: str, **values: object) -> str:
        return self._(WORDS["en"][key]).format(**values)

    def status(self, status: str) -> str:
        return self._(STATUS["en"].get(status, status.replace("_", " ")))

    def term(self, value: str) -> str:
        return self._(TERMS["en"].get(value, value.replace("_", " ")))

    def severity(self, severity: str) -> str:
        return self._(SEVERITY["en"].get(severity, severity))

    def event(self, kind: str) -> str:
        return self._(EVENTS["en"].get(kind, kind))

    def rule_title(self, rule_id: str) -> str:
        title = RULE_TITLES["en"].get(rule_base(rule_id))
        return rule_id if title is None else self._(title)

    def message(self, key: str, params: Mapping[str, Any], recorded: str | None = None) -> str:
        """A finding's message (key + parameters) in this language; see ``render_message``."""
        return render_message(key, params, recorded, lang=self.code)

    def code_name(self, code: str) -> str:
        """The name of a code (document type, vehicle kind, fuel, label) in this language."""
        return code_name(code, self.code)

    def category(self, category: str) -> str:
        """A portfolio category, ``"50 Food beverage and tobacco products"``, with the segment's name in
        this language (the names are in the catalog, extracted from unspsc-segments.json)."""
        number, _, name = category.partition(" ")
        return f"{number} {self._(name)}" if name and known(name, self.code) else category

    def reason(self, value: str | None) -> str | None:
        """A stored error text (a quarantine reason) in this language, when the catalog knows its message."""
        return None if value is None else render_reason(value, self.code)

    def text(self, value: str | None) -> str | None:
        """A finding's expected/received text, stored in English, in this language (``render_text``)."""
        return None if value is None else render_text(value, self.code)

    def number(self, value: Decimal | int | str | None, decimals: int = 0) -> str:
        return danish_number(value, decimals) if self.code == "da" else english_number(value, decimals)

    def exact(self, value: Decimal | int) -> str:
        """A figure with every decimal it has (nothing rounded): 1.566,215; 565,95; 70."""
        number = Decimal(value)
        exponent = number.normalize().as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return self.number(number, decimals)

    def exact_money(self, value: Decimal) -> str:
        """An amount with at least øre and every further decimal it has: 3.915,5375 kr."""
        exponent = value.normalize().as_tuple().exponent
        decimals = max(2, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
        text = self.number(value, decimals)
        return f"{text} kr." if self.code == "da" else f"DKK {text}"

    def money(self, value: Decimal | str | None) -> str:
        return money_in(value, self.code)

    def percent(self, fraction: Decimal | str | None, decimals: int = 2) -> str:
        if self.code == "da":
            return danish_percent(fraction, decimals)
        return "–" if fraction is None else f"{english_number(Decimal(str(fraction)) * 100, decimals)} %"

    def month(self, value: date) -> str:
        """A calendar month: ``marts 2026`` / ``March 2026``."""
        names = MONTHS_DA if self.code == "da" else MONTHS_EN
        return f"{names[value.month - 1]} {value.year}"

    def date(self, value: date | str | None) -> str:
        return date_in(value, self.code)


def language(code: str | None) -> Language:
    """The report language for ``code`` (default Danish); an unknown code is an error that names the choices."""
    chosen = (code or "da").lower()
    if chosen not in LANGUAGES:
        raise ComplianceError(f"report language {code!r} is not supported", expected=" or ".join(LANGUAGES))
    return Language(chosen)
