"""Contract terms: load YAML, validate against ``compliance/data/contract.schema.json``, resolve per contract year."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from compliance.base.documents import Classification, Label, Property
from compliance.base.errors import ContractTermsError
from compliance.base.i18n import N_
from compliance.base.package_data import load_package_json
from compliance.base.problems import ContractProblem, describe, parse_field_path, yaml_places
from compliance.base.text import character_code, control_character
from compliance.base.windows import MeasurementWindow, add_months, measurement_window
from compliance.categorisation import categorisation
from compliance.labels import definition_for

CONTRACT_SCHEMA_FILE = "contract.schema.json"  # in compliance/data/
ANY_TYPE1 = "ANY_TYPE1"


# --- typed terms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationPrefix:
    code_prefix: str
    list_id: str | None = None


@dataclass(frozen=True)
class ItemMatch:
    """Which lines a rule is about; a line matches when any given criterion matches."""

    seller_item_ids: frozenset[str] = frozenset()
    classification_codes: tuple[ClassificationPrefix, ...] = ()
    name_pattern: re.Pattern[str] | None = None
    property_name: str | None = None
    property_value_pattern: re.Pattern[str] | None = None

    def matches(
        self,
        seller_item_id: str | None,
        classification_codes: Iterable[Classification],
        name: str | None,
        description: str | None,
        properties: Iterable[Property],
    ) -> bool:
        if seller_item_id and seller_item_id in self.seller_item_ids:
            return True
        for wanted in self.classification_codes:
            for code in classification_codes:
                if (wanted.list_id is None or (code.list_id or "").upper() == wanted.list_id.upper()) and code.code.startswith(
                    wanted.code_prefix
                ):
                    return True
        if self.name_pattern is not None:
            for text in (name, description):
                if text and self.name_pattern.search(text):
                    return True
        if self.property_name and self.property_value_pattern is not None:
            for prop in properties:
                if prop.name.casefold() == self.property_name.casefold() and self.property_value_pattern.search(prop.value):
                    return True
        return False


@dataclass(frozen=True)
class YearLevel:
    year: int
    minimum: Decimal | None
    offer: Decimal | None


@dataclass(frozen=True)
class PenaltyClause:
    """The contract's own penalty clause, as the statement quotes it."""

    section: str
    text: str


@dataclass(frozen=True)
class PenaltyTerms:
    model: str  # "per_km" | "per_trip"
    rate_dkk: Decimal
    fixed_dkk: Decimal
    clause: PenaltyClause | None = None


@dataclass(frozen=True)
class RegistrationSource:
    source: str  # "property" | "note"
    property_name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class TripLineRules:
    green: ItemMatch
    conventional: ItemMatch
    registrations: RegistrationSource
    cvd: bool = False
    not_trips: ItemMatch | None = None  # fees and surcharges: lines that are no trips, so not reported


@dataclass(frozen=True)
class BindingLevel:
    """The level that binds in one contract year and where it comes from (§2.1's three forms)."""

    percent: Decimal
    source: str  # "minimum" | "offer"
    minimum: Decimal | None
    offer: Decimal | None


@dataclass(frozen=True)
class GreenVehicleTerms:
    form: str
    basis: str
    level_inclusive: bool
    transition_months: int
    years: tuple[YearLevel, ...]
    penalty: PenaltyTerms
    trip_lines: TripLineRules | None  # needed when the basis is trips; optional on a km contract
    log_tolerance_percent: Decimal = Decimal(5)
    invoice_grace_days: int = 30
    fallback_km_per_trip: Decimal | None = None  # km per trip for months without a driving log
    # A green trip line whose plate the register does not know on its day (issue 16 item 6):
    # "exclude" counts its trips as conventional (with a finding), "count" accepts them as green.
    unverified_green: str = "exclude"

    def window(self, year: ContractYear) -> MeasurementWindow:
        """The days ``year`` is measured over: year 1 loses its transition months (§2.1)."""
        return measurement_window(year.number, year.start, year.end, self.transition_months)

    def binding_level(self, year: int) -> BindingLevel:
        """The staircase level for ``year``; a year after the last listed keeps the last level."""
        listed = [level for level in self.years if level.year <= year]
        if not listed:
            raise ContractTermsError(
                f"no green-vehicle level for contract year {year}",
                location="green_vehicles.years",
                expected=f"an entry with year ≤ {year}",
            )
        level = max(listed, key=lambda item: item.year)
        if self.form == "minimum":
            assert level.minimum is not None
            return BindingLevel(level.minimum, "minimum", level.minimum, None)
        assert level.offer is not None
        return BindingLevel(level.offer, "offer", level.minimum, level.offer)


@dataclass(frozen=True)
class EcoLabelRule:
    id: str
    description: str
    match: ItemMatch
    accepted_labels: frozenset[str]
    licence_required: bool
    categorisation: dict[str, Any] | None
    severity: str
    licence_product_groups: tuple[re.Pattern[str], ...] = ()

    def accepts(self, label: Label) -> bool:
        if ANY_TYPE1 in self.accepted_labels and label.type1:
            return True
        return label.code in self.accepted_labels


@dataclass(frozen=True)
class AreaMapping:
    """A contract's own rule for the eco-label categorisation: items matching ``match`` are in ``area_id``."""

    area_id: str
    match: ItemMatch


@dataclass(frozen=True)
class CategorisationTerms:
    """Which table of the eco-label categorisation 2025 applies (§3.1) and how items map to its areas."""

    table: str  # "own" | "ski"
    use_unspsc_prefixes: bool
    mappings: tuple[AreaMapping, ...]


@dataclass(frozen=True)
class PurchaseShareRule:
    id: str
    description: str
    match: ItemMatch
    qualifying_labels: frozenset[str]
    minimum_percent: Decimal
    basis: str
    level_inclusive: bool


@dataclass(frozen=True)
class ExchangeRate:
    """Kroner for one unit of ``currency``, as the contract names it (issue 16 item 10)."""

    currency: str
    dkk: Decimal
    source: str | None = None


@dataclass(frozen=True)
class BannedItemRule:
    id: str
    description: str
    match: ItemMatch


@dataclass(frozen=True)
class ContractParty:
    """A party that may issue documents under a contract: the supplier, another issuing entity of the
    supplier, or a subcontractor (handbook §7.1). ``role`` says which; identifiers are normalised
    (CVR and SE 8 digits, GLN 13 digits)."""

    role: str  # "supplier" | "issuing_entity" | "subcontractor"
    name: str
    cvr: str | None = None
    se: str | None = None
    gln: str | None = None
    # §7.1: a subcontractor's trips enter the §2.1 share only when the contract says so; the supplier's always do.
    green_vehicle_share: bool = True

    def identifiers(self) -> dict[str, str]:
        """The identifiers the contract gives for this party, by kind (``cvr``, ``se``, ``gln``)."""
        return {kind: value for kind, value in (("cvr", self.cvr), ("se", self.se), ("gln", self.gln)) if value}


@dataclass(frozen=True)
class ContractYear:
    """Contract year ``number`` runs from ``start`` to ``end`` (inclusive), counted from the contract start."""

    number: int
    start: date
    end: date


@dataclass(frozen=True)
class ContractTerms:
    id: str
    name: str
    buyer_name: str
    buyer_cvr: str | None
    customer_ids: frozenset[str]
    buyer_contact_email: str | None
    buyer_contact_name: str | None
    supplier_name: str
    supplier_cvr: str
    supplier_email: str | None
    start: date
    end: date
    invoice_references: frozenset[str]
    hearing_days: int
    green_vehicles: GreenVehicleTerms | None
    euro6_applies_to: frozenset[str]
    hvo100_required: bool
    hvo100_fuels: frozenset[str]
    eco_labels: tuple[EcoLabelRule, ...]
    categorisation: CategorisationTerms | None
    purchase_shares: tuple[PurchaseShareRule, ...]
    banned_items: tuple[BannedItemRule, ...]
    file: str
    sha256: str
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    # Who may issue documents under the contract: the supplier first, then its other issuing entities
    # and the subcontractors (``supplier.issuing_entities``, ``subcontractors``).
    parties: tuple[ContractParty, ...] = ()
    exchange_rates: tuple[ExchangeRate, ...] = ()
    # Days a supplier has to correct what a letter asks (a catalogue update, a credit note, a register
    # declaration), counted as ``hearing_days`` are: from the day the letter's content first appeared.
    correction_days: int = 30

    @property
    def file_name(self) -> str:
        """The terms file's name without its folder: outputs name it so, never by a server path."""
        return Path(self.file).name

    def exchange_rate(self, currency: str) -> ExchangeRate | None:
        """The rate the contract names for ``currency`` (an ISO code), if any."""
        return next((rate for rate in self.exchange_rates if rate.currency == currency.upper()), None)

    def years(self) -> list[ContractYear]:
        """All contract years; the last one ends with the contract."""
        result = []
        number = 1
        start = self.start
        while start <= self.end:
            next_start = add_months(self.start, 12 * number)
            result.append(ContractYear(number, start, min(next_start - timedelta(days=1), self.end)))
            number += 1
            start = next_start
        return result

    def year(self, number: int) -> ContractYear:
        for contract_year in self.years():
            if contract_year.number == number:
                return contract_year
        raise ContractTermsError(
            f"no contract year {number}",
            file=self.file,
            expected=f"a year from 1 to {len(self.years())}",
            contract=self.id,
        )

    def year_of(self, day: date) -> ContractYear | None:
        for contract_year in self.years():
            if contract_year.start <= day <= contract_year.end:
                return contract_year
        return None

    def green_term_count(self) -> int:
        """How many green terms the contract sets (seed 000's portfolio measure)."""
        return (
            (1 if self.green_vehicles else 0)
            + (1 if self.euro6_applies_to else 0)
            + (1 if self.hvo100_required else 0)
            + len(self.eco_labels)
            + (1 if self.categorisation else 0)
            + len(self.purchase_shares)
            + len(self.banned_items)
        )


# --- loading -----------------------------------------------------------------------------------


class _TextDatesLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text, so the schema sees what the author wrote."""


_TextDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_package_json(CONTRACT_SCHEMA_FILE)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _field_path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _expected_text(error: jsonschema.ValidationError) -> str:
    validator = error.validator
    value: Any = error.validator_value
    if validator == "required":
        return f"the field(s) {', '.join(value)}"
    if validator == "enum":
        return "one of " + ", ".join(repr(item) for item in value)
    if validator == "type":
        return f"a value of type {value}"
    if validator == "additionalProperties":
        return "only the fields the schema defines"
    if validator == "pattern":
        return f"text matching {value}"
    if validator in {"minimum", "maximum", "minItems", "minLength", "format"}:
        return f"{validator} {value}"
    return f"{validator}: {value}"


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _regex(text: str, file: str, location: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise ContractTermsError(
            f"invalid regular expression {text!r}: {exc}", file=file, location=location, expected="a valid regular expression"
        ) from exc


def _item_match(data: dict[str, Any], file: str, location: str) -> ItemMatch:
    prop = data.get("property")
    return ItemMatch(
        seller_item_ids=frozenset(data.get("seller_item_ids", [])),
        classification_codes=tuple(
            ClassificationPrefix(item["code_prefix"], item.get("list_id")) for item in data.get("classification_codes", [])
        ),
        name_pattern=_regex(data["name_pattern"], file, f"{location}.name_pattern") if "name_pattern" in data else None,
        property_name=prop["name"] if prop else None,
        property_value_pattern=_regex(prop["value_pattern"], file, f"{location}.property.value_pattern") if prop else None,
    )


def _categorisation(data: dict[str, Any], file: str) -> CategorisationTerms:
    known = categorisation().areas
    mappings = []
    for index, entry in enumerate(data.get("areas", [])):
        location = f"ecolabel_categorisation.areas[{index}]"
        area = known.get(entry["area"])
        if area is None:
            raise ContractTermsError(
                f"unknown categorisation area {entry['area']!r}",
                file=file,
                location=f"{location}.area",
                expected="an area id from compliance/data/ecolabel-categorisation-2025.json",
            )
        if area.table != data["table"]:
            raise ContractTermsError(
                f"area {area.id!r} is in the {area.table!r} table, but the contract applies the {data['table']!r} table",
                file=file,
                location=f"{location}.area",
                expected=f"an area of the {data['table']!r} table",
            )
        mappings.append(AreaMapping(area.id, _item_match(entry["match"], file, f"{location}.match")))
    return CategorisationTerms(data["table"], data.get("use_unspsc_prefixes", True), tuple(mappings))


def _label_codes(codes: list[str], file: str, location: str) -> frozenset[str]:
    result = set()
    for index, code in enumerate(codes):
        if code == ANY_TYPE1:
            result.add(code)
            continue
        definition = definition_for(code)
        if definition is None:
            raise ContractTermsError(
                f"unknown label {code!r}",
                file=file,
                location=f"{location}[{index}]",
                expected="a code or alias from compliance/data/labels.json, or ANY_TYPE1",
            )
        result.add(definition.code)
    return frozenset(result)


EURO6_GROUPS = ("over_3500kg", "trucks", "buses", "vans")


def _euro6_groups(euro6: dict[str, Any] | None) -> frozenset[str]:
    """The vehicle groups a contract's §2.6 term covers: all four of the handbook's unless it narrows them."""
    if euro6 is None:
        return frozenset()
    return frozenset(euro6.get("applies_to", EURO6_GROUPS))


def _trip_line_rules(data: dict[str, Any], file: str) -> TripLineRules | None:
    """How the contract's trip lines are recognised: required when the share counts trips; a km contract
    (driving logs) may leave them out, or give them so invoices and logs can be compared."""
    trip_lines = data.get("trip_lines")
    if trip_lines is None:
        if data.get("basis", "trips") == "trips":
            raise ContractTermsError(
                "green_vehicles.trip_lines is missing",
                file=file,
                location="green_vehicles.trip_lines",
                expected="how the green and conventional trip lines are recognised (the share counts trips), or basis: km",
            )
        return None
    registrations = trip_lines.get("registrations", {"source": "property"})
    return TripLineRules(
        green=_item_match(trip_lines["green"], file, "green_vehicles.trip_lines.green"),
        conventional=_item_match(trip_lines["conventional"], file, "green_vehicles.trip_lines.conventional"),
        registrations=RegistrationSource(
            source=registrations["source"],
            property_name=registrations.get("property_name", "Registreringsnummer"),
            pattern=_regex(
                registrations.get("pattern", "[A-ZÆØÅ]{2} ?[0-9]{2} ?[0-9]{3}"),
                file,
                "green_vehicles.trip_lines.registrations.pattern",
            ),
        ),
        cvd=trip_lines.get("cvd", False),
        not_trips=_item_match(trip_lines["not_trips"], file, "green_vehicles.trip_lines.not_trips")
        if "not_trips" in trip_lines
        else None,
    )


def _fallback_km_per_trip(data: dict[str, Any], file: str) -> Decimal | None:
    """The contract's km per trip for months without a driving log (§2.1), if it names one; above 0."""
    if "fallback_km_per_trip" not in data:
        return None
    value = _decimal(data["fallback_km_per_trip"])
    if value <= 0:
        raise ContractTermsError(
            f"fallback_km_per_trip is {value}", file=file, location="green_vehicles.fallback_km_per_trip", expected="km above 0"
        )
    return value


def _green_vehicles(data: dict[str, Any], file: str) -> GreenVehicleTerms:
    form = data["form"]
    years: list[YearLevel] = []
    seen: set[int] = set()
    for index, entry in enumerate(data["years"]):
        where = f"green_vehicles.years[{index}]"
        if entry["year"] in seen:
            raise ContractTermsError(
                f"year {entry['year']} is listed twice", file=file, location=where, expected="one entry per year"
            )
        seen.add(entry["year"])
        minimum = _decimal(entry["minimum"]) if "minimum" in entry else None
        offer = _decimal(entry["offer"]) if "offer" in entry else None
        # §2.1: the three forms: minimum, the supplier's offer, or both (offer ≥ minimum binds).
        if form in {"minimum", "both"} and minimum is None:
            raise ContractTermsError(
                f"form {form!r} needs the buyer's minimum", file=file, location=f"{where}.minimum", expected="a percentage"
            )
        if form in {"offer", "both"} and offer is None:
            raise ContractTermsError(
                f"form {form!r} needs the supplier's offer", file=file, location=f"{where}.offer", expected="a percentage"
            )
        if form == "both" and offer is not None and minimum is not None and offer < minimum:
            raise ContractTermsError(
                f"the offer {offer} % is below the minimum {minimum} %",
                file=file,
                location=f"{where}.offer",
                expected=f"an offer of at least {minimum} %",
            )
        years.append(YearLevel(entry["year"], minimum, offer))
    if 1 not in seen:
        raise ContractTermsError(
            "the staircase does not start in year 1", file=file, location="green_vehicles.years", expected="an entry with year: 1"
        )
    penalty = data["penalty"]
    return GreenVehicleTerms(
        form=form,
        basis=data.get("basis", "trips"),
        level_inclusive=data.get("level_inclusive", True),
        transition_months=data.get("transition_months", 0),
        years=tuple(sorted(years, key=lambda level: level.year)),
        penalty=PenaltyTerms(
            model=penalty["model"],
            rate_dkk=_decimal(penalty["rate_dkk"]),
            fixed_dkk=_decimal(penalty.get("fixed_dkk", 0)),
            clause=PenaltyClause(penalty["clause"]["section"], penalty["clause"]["text"]) if "clause" in penalty else None,
        ),
        trip_lines=_trip_line_rules(data, file),
        log_tolerance_percent=_decimal(data.get("log_tolerance_percent", 5)),
        invoice_grace_days=data.get("invoice_grace_days", 30),
        fallback_km_per_trip=_fallback_km_per_trip(data, file),
        unverified_green=data.get("unverified_green", "exclude"),
    )


def _parties(data: dict[str, Any], file: str) -> tuple[ContractParty, ...]:
    """The supplier, its other issuing entities and the subcontractors; an identifier may name one party only."""
    supplier = data["supplier"]
    parties = [ContractParty("supplier", supplier["name"], cvr=supplier["cvr"])]
    listed = [("supplier.issuing_entities", "issuing_entity", entry) for entry in supplier.get("issuing_entities", [])]
    listed += [("subcontractors", "subcontractor", entry) for entry in data.get("subcontractors", [])]
    seen = {("cvr", supplier["cvr"]): "supplier.cvr"}
    counters: dict[str, int] = {}
    for where, role, entry in listed:
        index = counters[where] = counters.get(where, -1) + 1
        party = ContractParty(
            role,
            entry["name"],
            cvr=entry.get("cvr"),
            se=entry.get("se"),
            gln=entry.get("gln"),
            green_vehicle_share=entry.get("green_vehicle_share", True),
        )
        for kind, value in party.identifiers().items():
            location = f"{where}[{index}].{kind}"
            if (kind, value) in seen:
                raise ContractTermsError(
                    f"{kind.upper()} {value} is also given at {seen[(kind, value)]}",
                    file=file,
                    location=location,
                    expected="each CVR, SE and GLN for one party only",
                )
            seen[(kind, value)] = location
        parties.append(party)
    return tuple(parties)


def _refuse_control_characters(value: Any, file: str, path: list[Any]) -> None:
    """A contract's texts are stored (names, ids): a NUL or ESC would be kept by SQLite and refused by
    PostgreSQL, so the file is refused here, naming the field (issue 16, item 7)."""
    if isinstance(value, str):
        if (character := control_character(value)) is not None:
            raise ContractTermsError(
                f"the text contains the control character {character_code(character)}",
                file=file,
                location=_field_path(path),
                expected="text without control characters (tab and line breaks are text)",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_control_characters(key, file, path)
            _refuse_control_characters(item, file, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_control_characters(item, file, [*path, index])


def contract_from_data(data: Any, file: str, sha256: str = "", text: str | None = None) -> ContractTerms:
    """Validate parsed YAML and build the typed terms; every error names the file and field path.

    Every schema error is reported at once (``ContractTermsError.problems``), each with its line and
    column in ``text`` (the YAML as written, when given), a plain sentence and a hint (issue 19 item 5).
    """
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        first = errors[0]
        places = yaml_places(text, _TextDatesLoader) if text is not None else {}
        found = [problem for error in errors for problem in describe(error, places, _field_path(error.absolute_path))]
        # One problem once (a date breaks both its pattern and its format), in the file's order.
        unique = {(p.location, p.message): p for p in reversed(found)}
        problems = tuple(sorted(unique.values(), key=lambda p: (p.line or 0, p.column or 0, p.location)))
        summary = "; ".join([problems[0].plain(), *(f"{p.location}: {p.plain()}" for p in problems[1:])])
        first = next((e for e in errors if _field_path(e.absolute_path) == problems[0].location), first)
        failure = ContractTermsError(
            summary, file=file, location=problems[0].location if problems else None, expected=_expected_text(first)
        )
        failure.problems = problems
        raise failure
    _refuse_control_characters(data, file, [])
    start = date.fromisoformat(data["period"]["start"])
    end = date.fromisoformat(data["period"]["end"])
    if end <= start:
        raise ContractTermsError(
            f"the period ends ({end}) before it starts ({start})",
            file=file,
            location="period.end",
            expected=f"a date after {start}",
        )
    currencies = [rate["currency"] for rate in data.get("exchange_rates", [])]
    for index, currency in enumerate(currencies):
        if currency in currencies[:index]:
            raise ContractTermsError(
                f"a second rate for {currency}",
                file=file,
                location=f"exchange_rates[{index}].currency",
                expected="one rate per currency",
            )
    return ContractTerms(
        id=data["id"],
        name=data["name"],
        buyer_name=data["buyer"]["name"],
        buyer_cvr=data["buyer"].get("cvr"),
        customer_ids=frozenset(data["buyer"].get("customer_ids", [])),
        buyer_contact_email=data["buyer"].get("contact_email"),
        buyer_contact_name=data["buyer"].get("contact_name"),
        supplier_name=data["supplier"]["name"],
        supplier_cvr=data["supplier"]["cvr"],
        supplier_email=data["supplier"].get("email"),
        start=start,
        end=end,
        invoice_references=frozenset(data.get("invoice_references", [data["id"]])),
        hearing_days=data.get("hearing_days", 14),
        correction_days=data.get("correction_days", 30),
        green_vehicles=_green_vehicles(data["green_vehicles"], file) if "green_vehicles" in data else None,
        euro6_applies_to=_euro6_groups(data.get("euro6")),
        hvo100_required=data.get("hvo100", {}).get("required", False),
        hvo100_fuels=frozenset(fuel.casefold() for fuel in data.get("hvo100", {}).get("accepted_fuels", ["HVO100"])),
        eco_labels=tuple(
            EcoLabelRule(
                id=rule["id"],
                description=rule["description"],
                match=_item_match(rule["match"], file, f"eco_labels[{index}].match"),
                accepted_labels=_label_codes(rule["accepted_labels"], file, f"eco_labels[{index}].accepted_labels"),
                licence_required=rule.get("licence_required", False),
                categorisation=rule.get("categorisation"),
                severity=rule.get("severity", "high"),
                licence_product_groups=tuple(
                    _regex(pattern, file, f"eco_labels[{index}].licence_product_groups[{n}]")
                    for n, pattern in enumerate(rule.get("licence_product_groups", []))
                ),
            )
            for index, rule in enumerate(data.get("eco_labels", []))
        ),
        categorisation=_categorisation(data["ecolabel_categorisation"], file) if "ecolabel_categorisation" in data else None,
        purchase_shares=tuple(
            PurchaseShareRule(
                id=rule["id"],
                description=rule["description"],
                match=_item_match(rule["match"], file, f"purchase_shares[{index}].match"),
                qualifying_labels=_label_codes(rule["qualifying_labels"], file, f"purchase_shares[{index}].qualifying_labels"),
                minimum_percent=_decimal(rule["minimum_percent"]),
                basis=rule.get("basis", "amount"),
                level_inclusive=rule.get("level_inclusive", True),
            )
            for index, rule in enumerate(data.get("purchase_shares", []))
        ),
        banned_items=tuple(
            BannedItemRule(rule["id"], rule["description"], _item_match(rule["match"], file, f"banned_items[{index}].match"))
            for index, rule in enumerate(data.get("banned_items", []))
        ),
        file=file,
        sha256=sha256,
        raw=data,
        exchange_rates=tuple(
            ExchangeRate(rate["currency"], Decimal(rate["dkk"]), rate.get("source")) for rate in data.get("exchange_rates", [])
        ),
        parties=_parties(data, file),
    )


def load_contract(path: Path) -> ContractTerms:
    """Read and validate one contract terms file."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ContractTermsError(f"cannot read the file: {exc.strerror}", file=str(path)) from exc
    try:
        data = yaml.load(content.decode("utf-8"), Loader=_TextDatesLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise ContractTermsError(
            f"not valid YAML: {exc}", file=str(path), location=location, expected="a UTF-8 YAML mapping"
        ) from exc
    text = content.decode("utf-8")
    try:
        return contract_from_data(data, str(path), hashlib.sha256(content).hexdigest(), text=text)
    except ContractTermsError as exc:
        if not exc.problems and exc.location:
            # A check beyond the schema (a period, a staircase, a label code): its place in the file too.
            line, column = yaml_places(text, _TextDatesLoader).get(parse_field_path(exc.location), (None, None))
            detail = f"{exc.message} (expected {exc.expected})" if exc.expected else exc.message
            exc.problems = (ContractProblem(exc.location, N_("{detail}"), {"detail": detail}, line, column),)
        raise


def load_contracts(folder: Path) -> tuple[list[ContractTerms], list[ContractTermsError]]:
    """Every ``*.yaml``/``*.yml`` in ``folder``; a broken file is reported and the others still load."""
    contracts: list[ContractTerms] = []
    errors: list[ContractTermsError] = []
    seen: dict[str, str] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            contract = load_contract(path)
        except ContractTermsError as exc:
            errors.append(exc)
            continue
        if contract.id in seen:
            errors.append(
                ContractTermsError(
                    f"contract id {contract.id!r} is also defined in {seen[contract.id]}",
                    file=str(path),
                    location="id",
                    expected="one file per contract id",
                    contract=contract.id,
                )
            )
            continue
        seen[contract.id] = str(path)
        contracts.append(contract)
    return contracts, errors
