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
from compliance.base.package_data import load_package_json
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
class PenaltyTerms:
    model: str  # "per_km" | "per_trip"
    rate_dkk: Decimal
    fixed_dkk: Decimal


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
    trip_lines: TripLineRules
    log_tolerance_percent: Decimal = Decimal(5)
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
class BannedItemRule:
    id: str
    description: str
    match: ItemMatch


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
    trip_lines = data["trip_lines"]
    registrations = trip_lines.get("registrations", {"source": "property"})
    return GreenVehicleTerms(
        form=form,
        basis=data.get("basis", "trips"),
        level_inclusive=data.get("level_inclusive", True),
        transition_months=data.get("transition_months", 0),
        years=tuple(sorted(years, key=lambda level: level.year)),
        penalty=PenaltyTerms(
            model=penalty["model"], rate_dkk=_decimal(penalty["rate_dkk"]), fixed_dkk=_decimal(penalty.get("fixed_dkk", 0))
        ),
        trip_lines=TripLineRules(
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
        ),
        log_tolerance_percent=_decimal(data.get("log_tolerance_percent", 5)),
        unverified_green=data.get("unverified_green", "exclude"),
    )


def contract_from_data(data: Any, file: str, sha256: str = "") -> ContractTerms:
    """Validate parsed YAML and build the typed terms; every error names the file and field path."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
        raise ContractTermsError(
            f"{first.message}{more}", file=file, location=_field_path(first.absolute_path), expected=_expected_text(first)
        )
    start = date.fromisoformat(data["period"]["start"])
    end = date.fromisoformat(data["period"]["end"])
    if end <= start:
        raise ContractTermsError(
            f"the period ends ({end}) before it starts ({start})",
            file=file,
            location="period.end",
            expected=f"a date after {start}",
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
        green_vehicles=_green_vehicles(data["green_vehicles"], file) if "green_vehicles" in data else None,
        euro6_applies_to=frozenset(data.get("euro6", {}).get("applies_to", [])),
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
    return contract_from_data(data, str(path), hashlib.sha256(content).hexdigest())


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
