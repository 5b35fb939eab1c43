"""Finding messages as a key plus parameters, and the one function that renders them to text.

A finding stores ``message_key`` and JSON-able ``params``, never its sentence: the text is rendered
when an output is written, so a reworded template changes no finding's identity and a later
language (gettext catalogs, issue 19) can render the same stored finding in Danish.

Templates use ``str.format`` fields (Babel's ``python-brace-format``). A field may carry a spec
that formats a raw value the way reports do: ``code`` (``credit_note`` → ``credit note``),
``count`` (a whole number, ``7.500`` in Danish), ``percent`` (a fraction as ``49,12 %``), ``number1`` (``1.566,2``), ``number2`` (``55,00``), ``money`` (``41.500,00 kr.``).
A parameter may itself be a message part (``message_part``), rendered first: a place such as
"invoice GB-202506, line 1", or a fragment such as "at least".
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from compliance.base.formatting import danish_money, danish_number, danish_percent
from compliance.base.i18n import N_, translate
from compliance.base.texts import code_name, render_text

# A parameter value: plain JSON, or a nested part {"key": ..., "params": {...}} (see message_part).
ParamValue = str | int | bool | None | dict[str, Any]
MessageParams = dict[str, ParamValue]


__all__ = ["ENGLISH", "N_", "MessageParams", "ParamValue", "message_part", "render_message", "render_text"]


# The English template of every message key. Fragments (``place.*`` and the small parts) are only
# used inside other messages.
ENGLISH: dict[str, str] = {
    # Places and fragments.
    "place.invoice_line": N_("{document_type:code} {invoice}, line {line}"),
    "place.catalogue_item": N_("catalogue {catalogue} item {item}"),
    "fragment.at_least": N_("at least"),
    "fragment.nothing": N_(""),
    "fragment.counted_as_conventional": N_(": its {trips} trips count as conventional"),
    "fragment.counted_as_green": N_(": its {trips} trips count as green"),
    "fragment.more_than": N_("more than"),
    "fragment.no_item_id": N_("(no item id)"),
    "fragment.applied_as_new_item": N_("applied as a new item"),
    "fragment.not_applied": N_("not applied"),
    "fragment.listed_at_other_times": N_("listed at other times"),
    "fragment.never_listed": N_("never listed"),
    "fragment.own_purchasing_areas": N_("own purchasing areas"),
    "fragment.ski_areas": N_("SKI areas"),
    "fragment.euro_norm": N_("Euro {norm}"),
    "fragment.no_norm": N_("no norm"),
    "fragment.unknown_norm": N_("unknown"),
    # Invoices and contracts.
    "invoice.unmatched.ambiguous": N_(
        "{document_type:code} {number} from {supplier} matches no contract: it fits more than one contract"
    ),
    "invoice.unmatched.no_contract": N_(
        "{document_type:code} {number} from {supplier} matches no contract: no contract has its contract reference, "
        "or its supplier, buyer and date"
    ),
    "attribution.issuer_not_party": N_(
        "{document_type:code} {document} from {issuer} cites contract {contract} of CVR {supplier_cvr}, but the "
        "contract lists no such party; it is held out of every figure"
    ),
    "invoice.duplicate_number": N_(
        "duplicate invoice number, different content: {number} from supplier {supplier} was first received in "
        "{first_file}; this file was not stored"
    ),
    # §2.1 green vehicles and the driving logs, §2.2 HVO100, §2.6 Euro 6.
    "green_vehicles.share": N_(
        "green share {share:percent} is below the binding level {level:number2} % ({comparison}) in contract year "
        "{year}; proposed penalty {penalty:money}, subject to the supplier's hearing"
    ),
    # The same finding in a letter once the contract manager has decided (the proposal is history then).
    "green_vehicles.share_decided": N_(
        "green share {share:percent} is below the binding level {level:number2} % ({comparison}) in contract year "
        "{year}; after the supplier's hearing the penalty was {decision} on {date}: {amount:money}"
    ),
    "green_vehicles.early_warning": N_(
        "year {year} so far ({start} – {as_of}): {green:count} of {total:count} trips green = {share:percent}, below the level "
        "{level:number2} %; at this pace about {needed:count} more green trips are needed by {end}"
    ),
    "green_vehicles.early_warning_km": N_(
        "year {year} so far ({start} – {as_of}): {green:number1} of {total:number1} km green = {share:percent}, below the "
        "level {level:number2} %; at this pace about {needed:number1} more green km are needed by {end}"
    ),
    "green_vehicles.no_trips": N_(
        "no {basis} were registered for contract {contract} in year {year} ({start} – {end}); the green share cannot be measured"
    ),
    "green_vehicles.uncountable_trip_line": N_(
        "{place}: the quantity {trips} is not a number of trips (more than three decimals); it is not counted"
    ),
    "green_vehicles.ambiguous_trip_line": N_(
        "{place} cannot be placed: it is recognised both as green and as conventional trips, or its CVD tag (cva) is "
        "missing or repeated; its {trips} trips are not counted"
    ),
    "green_vehicles.missing_registration": N_("{place} ({kind} trips) names no registration number{consequence}"),
    "green_vehicles.unknown_vehicle": N_(
        "{plate} on {place} (green trips) is not in the vehicle register on {day}{consequence} (unverified_green: {option})"
    ),
    "vehicles.deregistered": N_("{plate} on {place} is deregistered in the vehicle register"),
    "green_vehicles.not_green_vehicle": N_(
        "{plate} on {place} is invoiced as a green trip, but on {day} the register says {kind:code} on {fuel:code}{consequence}"
    ),
    "green_vehicles.plate_not_readable": N_(
        "{place} ({stated} trips): the registration number {text} cannot be read — a plate holds only the letters "
        "A–Z, Æ, Ø, Å and digits{consequence}"
    ),
    "green_vehicles.log_mismatch": N_(
        "{month}: {invoiced} trips invoiced, {logged} trips in the driving logs (tolerance {tolerance} %)"
    ),
    "green_vehicles.green_not_in_log": N_(
        "{month}: {invoiced} green trips invoiced, but the logs show {logged} trips by green vehicles"
    ),
    # §2.1 trip lines reconciled: credit notes, negative quantities, re-invoicing (issue 16).
    "credit_notes.excess_credit": N_(
        "{place} credits {credited} {kind} trips of invoice {target}, which held only {allowed} more; the excess of "
        "{excess} trips is not counted"
    ),
    "credit_notes.excess_credit_year": N_(
        "{place} credits {credited} {kind} trips without naming an invoice on file, but contract year {year} held only "
        "{allowed} more; the excess of {excess} trips is not counted"
    ),
    "credit_notes.unknown_reference": N_(
        "{place} credits invoice {target}, which is not on file for the contract; it counts on its own day {day}"
    ),
    "credit_notes.negative_quantity": N_(
        "{place}: the {what} {quantity} is negative; its {kind} trips are not counted until a contract manager accepts "
        "the line (compliance lines accept)"
    ),
    "credit_notes.negative_accepted": N_("{place}: the negative {what} {quantity} counts, accepted by {acceptance}"),
    "invoices.reinvoiced": N_(
        "{place} invoices again the delivery of {first} in {first_file} (same supplier, day, item, plates and "
        "{quantity} trips); it is counted once"
    ),
    "fragment.invoiced_quantity": N_("invoiced quantity"),
    "fragment.credited_quantity": N_("credited quantity"),
    "hvo100.not_hvo100": N_("{plate}: {trips} logged trip(s) in year {year} without {accepted} (the log says {fuels})"),
    "vehicles.unknown_in_log": N_("{plate} drove {trips} logged trip(s) in year {year} but is not in the vehicle register"),
    "vehicles.deregistered_in_log": N_(
        "{plate} drove {trips} logged trip(s) in year {year} but is deregistered in the vehicle register"
    ),
    "euro6.not_euro6": N_(
        "{plate} ({kind:code}, {weight:count} kg, {fuel:code}) was used on the contract in year {year} but is {norm}"
    ),
    "euro6.weight_unknown": N_(
        "{plate} ({kind:code}, {fuel:code}, {norm}) was used on the contract in year {year}, but the vehicle register gives no "
        "total weight, so whether §2.6 (Euro 6 over 3,500 kg) applies cannot be judged"
    ),
    "green_vehicles.not_computable_share": N_(
        "The km share of contract year {year} cannot be computed: no driving log for {count} month(s) ({months}); "
        "it will be once the logs arrive"
    ),
    "green_vehicles.not_computable_penalty": N_(
        "The penalty of contract year {year} (per km short) cannot be computed: no driving log for {count} month(s) "
        "({months}); it will be once the logs arrive"
    ),
    # Completeness (§2.1: the share of all registered trips; withholding evidence must not pay).
    "completeness.silent_months": N_("No invoice for {count} month(s) of contract year {year}: {months}"),
    "completeness.silent_log_months": N_(
        "No driving log for {count} month(s) of contract year {year}: {months}; the km share cannot be computed for them"
    ),
    "completeness.unrecognised_trip_line": N_(
        "{place} ({name}, quantity {quantity}) is neither a green nor a conventional trip line and is not counted"
    ),
    # §3.1/§3.2 eco-labels, licences and the categorisation.
    "eco_labels.missing_label": N_("{place} ({name}) falls under '{description}' but carries no accepted label"),
    "eco_labels.missing_licence": N_("{place} ({name}) claims {label} without a licence number"),
    "eco_labels.catalogue_missing_label": N_(
        "{place} ({name}) falls under '{description}' but the catalogue states no accepted label"
    ),
    "eco_labels.unknown_label": N_(
        "{place}: the label {label!r} is not a label the pipeline knows ({occurrences} occurrence(s) this year)"
    ),
    "licences.invalid_format": N_("{place} ({name}): {label} licence number {number!r} is not in the scheme's format"),
    "licences.not_in_registry": N_("{place} ({name}): {label} licence {number} is not in the ingested registry export"),
    "licences.expired": N_("{place} ({name}): {label} licence {number} expired on {expired}, before {day}"),
    "licences.wrong_product_group": N_(
        "{place} ({name}): {label} licence {number} is for '{group}', not a product group the contract accepts for "
        "'{description}'"
    ),
    "ecolabel_categorisation.missing_type1": N_(
        "{place} ({name}) is in '{area}' ({area_en}), category {category} of the {table}, but the catalogue states "
        "no type-1 eco-label"
    ),
    # §3.1 e-catalogue data.
    "catalogue.update_without_item": N_(
        "{document_type:code} {catalogue} line {line} updates item {item}, which no earlier catalogue listed ({applied})"
    ),
    "catalogue.item_not_in_catalogue": N_("{place}: item {item} ({name}) was not in the catalogue on {day} ({why})"),
    "catalogue.label_not_in_catalogue": N_(
        "{place}: the invoice line claims {claimed} for item {item}, which catalogue {catalogue} did not show on {day}"
    ),
    # §16 purchase shares and banned items.
    "purchase_share.short_amount": N_(
        "{description}: {share:percent} of {total:money} excl. VAT qualifies in contract year {year}, below {minimum:number2} %"
    ),
    "purchase_share.short_quantity": N_(
        "{description}: {share:percent} of {total:number2} units qualifies in contract year {year}, below {minimum:number2} %"
    ),
    "purchase_share.quarter_short": N_(
        "{description}: {share:percent} qualifies in quarter {quarter} of contract year {year} ({start} – {end}), "
        "below {minimum:number2} %"
    ),
    "amounts.other_currency": N_(
        "{document_type:code} {invoice} is in {currency}: {lines} line(s) for {amount:number2} {currency} are counted "
        "apart from '{description}' — never added to kroner, as the contract names no rate for {currency}"
    ),
    "amounts.allowances_not_spread": N_(
        "{document_type:code} {invoice}: document-level allowances and charges of {adjustment:number2} cannot be "
        "spread over its lines, whose amounts add up to zero; the lines count as stated"
    ),
    "banned_items.delivered": N_("{place} delivers '{name}', which the contract bans: {description}"),
    # A finding stored before messages were keys (migration 0010): its text as it was recorded.
    "legacy.recorded_text": N_("{text}"),
}


def message_part(key: str, **params: ParamValue) -> dict[str, Any]:
    """A message used as a parameter of another (a place, a fragment): stored as key + params too."""
    if key not in ENGLISH:
        raise KeyError(f"no message template {key!r}")
    return {"key": key, "params": params}


class _MessageFormatter(string.Formatter):
    """``str.format`` with the report formats as field specs, and nested parts rendered first, all in
    one language."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, dict) and "key" in value:
            return render_message(str(value["key"]), value.get("params") or {}, lang=self.lang)
        if format_spec == "code":
            return code_name(str(value), self.lang)
        if format_spec == "count":
            # A whole number with the reader's thousands separator (Danish 7.500); English as written.
            return danish_number(int(value), 0) if self.lang == "da" and str(value).lstrip("-").isdigit() else str(value)
        if format_spec == "percent":
            return danish_percent(value)
        if format_spec == "number2":
            return danish_number(value, 2)
        if format_spec == "number1":
            return danish_number(value, 1)
        if format_spec == "money":
            return danish_money(value)
        return str(super().format_field(value, format_spec))


_FORMATTERS = {lang: _MessageFormatter(lang) for lang in ("da", "en")}


def render_message(key: str, params: Mapping[str, Any], recorded: str | None = None, lang: str = "en") -> str:
    """The text of a message key with its parameters in ``lang`` (the template through the gettext
    catalog; English by default, as findings and logs are written; reports pass their language).

    A key this version does not know, or parameters its template does not fit (a finding stored
    before the template gained a field), never fail a report: the text recorded with the finding is
    shown instead, else the key and its parameters.
    """
    template = ENGLISH.get(key)
    if template is not None:
        formatter = _FORMATTERS.get(lang) or _FORMATTERS["en"]
        try:
            return formatter.vformat(translate(template, formatter.lang), (), params)
        except (KeyError, IndexError, ValueError, TypeError):
            pass
    return recorded if recorded is not None else f"{key} {dict(params)}"
