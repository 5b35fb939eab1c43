"""Names for codes, and the expected/received texts of findings, in the reader's language.

A finding stores its expected and received texts in English, as the checks wrote them (they are no
part of its identity). Outputs render them here: a text the catalog knows is translated as a whole;
a text a check built from a template below (``"{invoiced} invoiced, {logged} logged"``) is matched
against the template, the template translated and its values put back, each value translated in turn
when it is itself a known text or code; a list ("A or B", "A, B") is translated part by part.
Anything else (a plate, an item name, a figure) is shown as recorded.
"""

from __future__ import annotations

import re
import string
from functools import cache

from compliance.base.errors import ComplianceError
from compliance.base.formatting import value_in
from compliance.base.i18n import N_, Phrase, catalog, translate

# Codes outputs show, with their English names (the Danish names are in the catalog).
CODE_NAMES: dict[str, str] = {
    # Document types.
    "invoice": N_("invoice"),
    "credit_note": N_("credit note"),
    "catalogue": N_("catalogue"),
    "catalogue_update": N_("catalogue update"),
    "catalogue_item_specification_update": N_("catalogue item specification update"),
    "driving_log": N_("driving log"),
    "vehicle_register": N_("vehicle register"),
    # Vehicle kinds.
    "car": N_("car"),
    "van": N_("van"),
    "truck": N_("truck"),
    "trucks": N_("trucks"),
    "bus": N_("bus"),
    "motorcycle": N_("motorcycle"),
    "bicycle": N_("bicycle"),
    "cargo_bike": N_("cargo bike"),
    "other": N_("other"),
    # Fuels.
    "petrol": N_("petrol"),
    "diesel": N_("diesel"),
    "electric": N_("electric"),
    "hydrogen": N_("hydrogen"),
    "natural_gas": N_("natural gas"),
    "biogas": N_("biogas"),
    "lpg": N_("LPG"),
    "none": N_("none"),
    "hvo100": N_("HVO100"),
    "HVO100": N_("HVO100"),
    # Eco-labels (the codes of compliance/data/labels.json that outputs name most).
    "SVANEN": N_("Nordic Swan Ecolabel"),
    "EU_ECO_LABEL": N_("EU Ecolabel"),
    "TCO_DEVELOPMENT": N_("TCO Certified"),
    "BLUE_ANGEL": N_("Blue Angel"),
    "DK_ECO": N_("Danish organic label"),
    "EU_ORGANIC_FARMING": N_("EU organic logo"),
    "FAIR_TRADE_MARK": N_("Fairtrade"),
    "ANY_TYPE1": N_("any type-1 eco-label"),
    # Vehicle groups of §2.6 (euro6.applies_to).
    "over_3500kg": N_("over 3,500 kg"),
    "green": N_("green"),
    "conventional": N_("conventional"),
    # Bases and units.
    "trips": N_("trips"),
    "km": N_("km"),
}

# The expected/received texts the checks build, as templates (fields are the values put in).
TEXT_TEMPLATES: tuple[str, ...] = (
    N_("{invoiced} invoiced, {logged} logged"),
    N_("{kind}, {fuel} on {day}, no green evidence"),
    N_("{kind}, {fuel}, no green evidence"),
    N_("{labels} (from {source})"),
    N_("none for {months}"),
    N_("item {item}"),
    N_("item {item}: {name}"),
    N_("line {line}"),
    N_("row {row}"),
    N_("quarter {quarter}"),
    N_("comments by {deadline}"),
    N_("a date from {first} to {last}"),
    # A recalculation recorded on a hearing (compliance.assessment.hearing.Recalculation.text).
    N_("recalculated: {figures}; documents: {documents}"),
    N_("green trips {before} → {after}"),
    N_("all trips {before} → {after}"),
    N_("trips short {before} → {after}"),
    N_("penalty {before} → {after}"),
    N_("km {green} of {total}"),
    N_("invoice {number} ({file})"),
    N_("credit note {number} ({file})"),
    N_("one of {values}"),
    N_("at most {limit} bytes (COMPLIANCE_MAX_FILE_MB)"),
    N_("at most {limit} bytes (COMPLIANCE_MAX_FILE_MB), a file that is complete when it is put in the inbox"),
    N_("shortfall found again; comments by {deadline}"),
    N_("{change}; shortfall found again; comments by {deadline}"),
    N_("≥ {level} % green {basis} by {end}"),
    N_("≥ {level} % green {basis}"),
    N_("> {level} % green {basis} by {end}"),
    N_("> {level} % green {basis}"),
    N_("invoiced and logged trips within {tolerance} % of each other"),
    N_("{evidence} for every month of the contract year (§2.1)"),
    N_("{accepted} for every vehicle that is not green (§2.2)"),
    N_("a type-1 eco-label (Nordic Swan, EU Ecolabel, TCO Certified or equivalent): {rule}"),
    N_("{green} logged green trips"),
    N_("no total weight, {norm}"),
    N_("Euro {norm}"),
    N_("{plate}: deregistered"),
    N_("amounts in {home}, or a rate for {currency} in the contract's exchange_rates"),
    N_("lines totalling {total}"),
    N_("the number {number} again with different content"),
)

# Fixed texts the checks write as they are (no fields): found in the catalog by their English text.
FIXED_TEXTS: tuple[str, ...] = (
    N_("Euro 6 (§2.6)"),
    N_("electric, hydrogen, biogas with evidence, or non-motorised (§2.1)"),
    N_("an invoice for every month of the contract year (§2.1)"),
    N_("a driving log with km for every month of the measurement window (§2.1)"),
    N_("invoiced items listed in the supplier's e-catalogue on the delivery date"),
    N_("the same labels in the catalogue as on the invoice (buyers see the catalogue's label data)"),
    N_("no such items (§16.1)"),
    N_("no label"),
    N_("no licence number"),
    N_("the licence number of the label (§3.1)"),
    N_("no norm"),
    N_("unknown"),
    N_("no contract reference"),
    N_("a contract reference (cac:ContractDocumentReference) naming a known contract"),
    N_("the vehicle's total weight, or Euro 6 (§2.6)"),
    N_("a label name or code the pipeline knows (e.g. Svanemærket, EU Ecolabel, NEO, EEL, Fairtrade)"),
    N_("updates for items a catalogue listed before (send the full catalogue first)"),
    N_("every invoiced green trip in the driving logs, driven by a green vehicle (§2.1)"),
    N_("a registered vehicle (import the DMR extract, or declare foreign and non-motorised vehicles)"),
    N_("a green or a conventional trip line (green_vehicles.trip_lines), or a line listed as not_trips"),
    N_("lines whose amounts add up to more than zero"),
    N_("a new document number for new content, or the identical file"),
    N_("invoices with green and conventional trip lines"),
    N_("driving logs with km"),
    N_("A type-1 eco-label must always be required."),
    N_("an invoice"),
    N_("a driving log"),
    N_(" or "),
    N_("none (the terms or the register changed)"),
)


def known(text: str, lang: str) -> bool:
    """Whether the catalog of ``lang`` has a translation of ``text`` (asking records nothing)."""
    translations = catalog(lang)
    entries = vars(translations).get("_catalog")
    return isinstance(entries, dict) and text in entries


def code_name(code: str, lang: str = "en") -> str:
    """The name of a code (a document type, vehicle kind, fuel, label) in ``lang``; an unknown code is
    shown with its underscores as spaces."""
    name = CODE_NAMES.get(code)
    return translate(name, lang) if name is not None else code.replace("_", " ")


_LIST_FIELDS = frozenset({"figures", "change"})
_NAME_FIELDS = frozenset({"file", "number"})


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            # A value never spans "; " (the separator of listed parts), except the fields that hold such a list.
            if field in _LIST_FIELDS:
                parts.append(f"(?P<{field}>.+?)")
            elif field in _NAME_FIELDS:  # a document number or file name: no brackets, no list
                parts.append(f"(?P<{field}>(?:(?!, |; )[^()])+?)")
            else:
                parts.append(f"(?P<{field}>(?:(?!; ).)+?)")
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _value(text: str, lang: str) -> str:
    """A value put into a template: translated when it is a code or a known text, else as is."""
    if text in CODE_NAMES:
        return code_name(text, lang)
    return render_text(text, lang)


def render_text(text: str, lang: str = "en") -> str:
    """An expected/received text of a finding (stored in English) in ``lang``; see the module docstring."""
    if not text:
        return text
    if text in CODE_NAMES:
        return code_name(text, lang)
    if known(text, lang):
        return translate(text, lang)
    for template in TEXT_TEMPLATES:
        match = _pattern(template).match(text)
        if match is not None:
            values = {name: _value(value, lang) for name, value in match.groupdict().items()}
            return translate(template, lang).format(**values)
    for separator in (" or ", "; ", ", "):
        if separator in text:
            parts = text.split(separator)
            shown = [_value(part, lang) for part in parts]
            if all(part in CODE_NAMES or known(part, lang) or shown[i] != part for i, part in enumerate(parts)):
                joined = translate(" or ", lang) if separator == " or " else separator
                return joined.join(shown)
    return text


# A stored error text (a quarantine reason): ``file: message (expected …)``, as ComplianceError writes it.
_REASON = re.compile(r"(?P<head>.*?): (?P<message>.+?)(?: \(expected (?P<expected>.+)\))?\Z", re.DOTALL)
_SHEET_HEAD = re.compile(r"(?P<file>.*?): (?P<sheet>sheet '[^']*')\Z")


# Ingest's own notes and reasons that carry a value: a size, or the operating system's error text
# (one of OS_ERRORS, translated as a value).
NOTE_TEMPLATES: tuple[str, ...] = (
    N_("the file is {size} bytes"),
    N_("the file grew to more than {limit} bytes while it was read"),
    N_("cannot read the file: {error}"),
    N_("cannot be looked at: {error}"),
    N_("cannot list the folder: {error}"),
)
OS_ERRORS: tuple[str, ...] = (
    N_("No such file or directory"),
    N_("Permission denied"),
    N_("Input/output error"),
    N_("No such device or address"),
    N_("Is a directory"),
    N_("Not a directory"),
    N_("Too many open files"),
)


def _rendered_note(message: str, lang: str) -> str | None:
    """``message`` (a reason's message, or a skip note) in ``lang`` when the catalog knows it as it is or
    as one of NOTE_TEMPLATES; None when it does not."""
    if known(message, lang):
        return translate(message, lang)
    for template in NOTE_TEMPLATES:
        match = _pattern(template).match(message)
        if match is not None:
            return translate(template, lang).format(**{name: _value(value, lang) for name, value in match.groupdict().items()})
    return None


def render_note(text: str, lang: str = "en") -> str:
    """A note ingest wrote about a file it skipped ("a named pipe (FIFO), not a file", "cannot be looked
    at: Permission denied") in ``lang``; an unknown one as written."""
    rendered = _rendered_note(text, lang)
    return text if rendered is None else rendered


def render_reason(text: str, lang: str = "en") -> str:
    """A stored error text in ``lang`` when its message is one the catalog knows (the common mistakes
    of issue 19 item 6: a PDF, a misnamed file, an unfilled template); any other is shown as recorded.
    A reason listing several errors (``"; "``) is rendered part by part."""
    if "; " in text and not known(text, lang):
        return "; ".join(render_reason(part, lang) for part in text.split("; "))
    match = _REASON.match(text)
    if match is None:
        return text
    head, message, expected = match.group("head"), match.group("message"), match.group("expected")
    # The message may follow a place ("sheet 'Invoice'"): move parts to the head until it is a known one.
    rendered = _rendered_note(message, lang)
    while rendered is None and ": " in message:
        more, _, message = message.partition(": ")
        head = f"{head}: {more}"
        rendered = _rendered_note(message, lang)
    if rendered is None:
        return text
    shown = f"{_sheet(head, lang)}: {rendered}"
    if expected:
        shown += " " + translate(N_("(expected {expected})"), lang).format(expected=render_text(expected, lang))
    return shown


def _sheet(head: str, lang: str) -> str:
    match = _SHEET_HEAD.match(head)
    if match is None:
        return head
    name = match.group("sheet")[len("sheet ") :]
    return match.group("file") + ": " + translate(N_("sheet {name}"), lang).format(name=name)


def _localised(value: object, lang: str) -> object:
    """An error's value as ``lang`` writes it: a :class:`Phrase` translated, an amount and a day in its format."""
    return translate(value, lang) if isinstance(value, Phrase) else value_in(value, lang)


def render_error(error: ComplianceError, lang: str = "en") -> str:
    """An error a person reads (a refusal of a command, a setting) in ``lang``: its message and what was
    expected from the catalog when the error was raised with a catalog text, its values put back (a
    :class:`Phrase` translated, an amount and a day written as ``lang`` writes them); an error text the
    catalog knows as a quarantine reason through :func:`render_reason`; anything else as it reads in English."""
    if not (error.values or known(error.template, lang)):
        return render_reason(str(error), lang)
    values = {name: _localised(value, lang) for name, value in error.values.items()}

    def filled(template: str) -> str:  # a text raised without values is not a template: its braces stay
        translated = translate(template, lang)
        return translated.format(**values) if error.values else translated

    text = filled(error.template)
    head = ": ".join(part for part in (error.file, error.location) if part)
    if head:
        text = f"{head}: {text}"
    if error.expected_template:
        if error.values or known(error.expected_template, lang):
            expected = filled(error.expected_template)
        else:
            expected = render_text(error.expected_template, lang)
        text += " " + translate(N_("(expected {expected})"), lang).format(expected=expected)
    concerns = [
        translate(words, lang).format(value=value)
        for words, value in ((N_("contract {value}"), error.contract), (N_("rule {value}"), error.rule))
        if value
    ]
    return f"{text} [{', '.join(concerns)}]" if concerns else text
