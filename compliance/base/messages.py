"""Finding messages as a key plus parameters, and the one function that renders them to text.

A finding stores ``message_key`` and JSON-able ``params``, never its sentence: the text is rendered
when an output is written, so a reworded template changes no finding's identity and a later
language (gettext catalogs, issue 19) can render the same stored finding in Danish.

Templates use ``str.format`` fields (Babel's ``python-brace-format``). A field may carry a spec
that formats a raw value the way reports do: ``code`` (``credit_note`` → ``credit note``),
``percent`` (a fraction as ``49,12 %``), ``number2`` (``55,00``), ``money`` (``41.500,00 kr.``).
A parameter may itself be a message part (``message_part``), rendered first: a place such as
"invoice GB-202506, line 1", or a fragment such as "at least".
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from compliance.base.formatting import danish_money, danish_number, danish_percent

# A parameter value: plain JSON, or a nested part {"key": ..., "params": {...}} (see message_part).
ParamValue = str | int | bool | None | dict[str, Any]
MessageParams = dict[str, ParamValue]


def N_(template: str) -> str:
    """Marks a template for message extraction (gettext's no-op marker); returns it unchanged."""
    return template


# The English template of every message key. Fragments (``place.*`` and the small parts) are only
# used inside other messages.
ENGLISH: dict[str, str] = {
    # Places and fragments.
    "place.invoice_line": N_("{document_type:code} {invoice}, line {line}"),
    "place.catalogue_item": N_("catalogue {catalogue} item {item}"),
    "fragment.at_least": N_("at least"),
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
    "invoice.duplicate_number": N_(
        "duplicate invoice number, different content: {number} from supplier {supplier} was first received in "
        "{first_file}; this file was not stored"
    ),
    # §2.1 green vehicles and the driving logs, §2.2 HVO100, §2.6 Euro 6.
    "green_vehicles.share": N_(
        "green share {share:percent} is below the binding level {level:number2} % ({comparison}) in contract year "
        "{year}; proposed penalty {penalty:money}, subject to the supplier's hearing"
    ),
    "green_vehicles.early_warning": N_(
        "year {year} so far ({start} – {as_of}): {green} of {total} trips green = {share:percent}, below the level "
        "{level:number2} %; at this pace about {needed} more green trips are needed by {end}"
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
    "green_vehicles.missing_registration": N_("{place} ({kind} trips) names no registration number"),
    "green_vehicles.unknown_vehicle": N_("{plate} on {place} (green trips) is not in the vehicle register"),
    "vehicles.deregistered": N_("{plate} on {place} is deregistered in the vehicle register"),
    "green_vehicles.not_green_vehicle": N_(
        "{plate} on {place} is invoiced as a green trip, but the register says {kind} on {fuel}"
    ),
    "green_vehicles.log_mismatch": N_(
        "{month}: {invoiced} trips invoiced, {logged} trips in the driving logs (tolerance {tolerance} %)"
    ),
    "green_vehicles.green_not_in_log": N_(
        "{month}: {invoiced} green trips invoiced, but the logs show {logged} trips by green vehicles"
    ),
    "hvo100.not_hvo100": N_("{plate}: {trips} logged trip(s) in year {year} without {accepted} (the log says {fuels})"),
    "vehicles.unknown_in_log": N_("{plate} drove {trips} logged trip(s) in year {year} but is not in the vehicle register"),
    "vehicles.deregistered_in_log": N_(
        "{plate} drove {trips} logged trip(s) in year {year} but is deregistered in the vehicle register"
    ),
    "euro6.not_euro6": N_("{plate} ({kind}, {weight} kg, {fuel}) was used on the contract in year {year} but is {norm}"),
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
    """``str.format`` with the report formats as field specs, and nested parts rendered first."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, dict) and "key" in value:
            return render_message(str(value["key"]), value.get("params") or {})
        if format_spec == "code":
            return str(value).replace("_", " ")
        if format_spec == "percent":
            return danish_percent(value)
        if format_spec == "number2":
            return danish_number(value, 2)
        if format_spec == "money":
            return danish_money(value)
        return str(super().format_field(value, format_spec))


_FORMATTER = _MessageFormatter()


def render_message(key: str, params: Mapping[str, Any], recorded: str | None = None) -> str:
    """The text of a message key with its parameters (English; issue 19 adds a language here).

    A key this version does not know, or parameters its template does not fit (a finding stored
    before the template gained a field), never fail a report: the text recorded with the finding is
    shown instead, else the key and its parameters.
    """
    template = ENGLISH.get(key)
    if template is not None:
        try:
            return _FORMATTER.vformat(template, (), params)
        except (KeyError, IndexError, ValueError, TypeError):
            pass
    return recorded if recorded is not None else f"{key} {dict(params)}"
