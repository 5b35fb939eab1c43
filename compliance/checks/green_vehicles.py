"""§2.1 green supplier vehicles: recognise trip lines, count trips (and km), check the plates.

Counting rules (documented in the README):
- A trip line is an invoice line the contract's ``trip_lines.green`` or ``.conventional`` matcher
  recognises; its quantity is the number of trips. Credit-note lines count negative.
- A line's day is its delivery date, else the invoice's delivery date, else the end of the
  invoice period, else the issue date. Only days inside the measurement window count.
- A line both matchers recognise is not counted and is reported, so nothing is counted twice.
- A trip is green only if its vehicle is green on the trip's day (issue 16 items 5–6): plates are
  read canonically (:func:`line_plates`), judged against the register's periods
  (:func:`vehicle_on_day`), and a green line counts as :func:`counted_kind` says. The assessment
  applies this when it stores the line (``compliance.assessment.trip_lines``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from compliance.base.documents import Classification, Property
from compliance.base.findings import FindingRecord, evidence_key
from compliance.base.formatting import danish_number, danish_percent
from compliance.base.messages import message_part
from compliance.base.shares import km_short, meets_level, trips_short
from compliance.base.vocabulary import (
    look_alike_character,
    normalise_registration,
    plate_as_written,
    plate_text,
    vehicle_is_green,
)
from compliance.checks.inputs import CountedTripLine, RegisteredVehicle, VehiclePeriod
from compliance.contracts import ContractTerms, ContractYear, TripLineRules

RULE_SHARE = "green_vehicles.share@1"
# Since issue 16 item 6 these also say how the line's trips count; the finding (what it is about) is the
# same, so its identity and a notice's deadline stay.
RULE_NOT_GREEN = "green_vehicles.not_green_vehicle@1"
RULE_UNKNOWN_VEHICLE = "green_vehicles.unknown_vehicle@1"
RULE_PLATE_NOT_READABLE = "green_vehicles.plate_not_readable@1"
RULE_DEREGISTERED = "vehicles.deregistered@1"
RULE_MISSING_REGISTRATION = "green_vehicles.missing_registration@1"
RULE_AMBIGUOUS_LINE = "green_vehicles.ambiguous_trip_line@1"
RULE_NO_TRIPS = "green_vehicles.no_trips@1"
RULE_EARLY_WARNING = "green_vehicles.early_warning@1"


class TripLineFields(Protocol):
    """What the trip-line matchers read of an invoice line (a stored line or a line being scanned)."""

    @property
    def seller_item_id(self) -> str | None: ...
    @property
    def classification_codes(self) -> Sequence[Classification]: ...
    @property
    def name(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def properties(self) -> Sequence[Property]: ...
    @property
    def notes(self) -> Sequence[str]: ...


def cvd_kind(line: TripLineFields) -> str | None:
    """The XRechnung CVD tag of a line: ``cva`` = zero-emission is green; clean and other are not (§2.1)."""
    if not any((code.list_id or "").upper() == "CVD" for code in line.classification_codes):
        return None
    values = [p.value.strip().lower() for p in line.properties if p.name.strip().lower() == "cva"]
    if values == ["zero-emission"]:
        return "green"
    if values in (["clean"], ["other"]):
        return "conventional"
    return "ambiguous"  # no cva, or several: the line cannot be placed


def trip_line_kind(rules: TripLineRules, line: TripLineFields) -> str | None:
    """``green``, ``conventional``, ``ambiguous`` (both matchers hit) or None (not a trip line).

    The contract's own matchers decide first; with ``trip_lines.cvd`` a CVD-tagged line is read
    from its ``cva`` property.
    """
    arguments = (line.seller_item_id, line.classification_codes, line.name, line.description, line.properties)
    green = rules.green.matches(*arguments)
    conventional = rules.conventional.matches(*arguments)
    if green and conventional:
        return "ambiguous"
    if green:
        return "green"
    if conventional:
        return "conventional"
    return cvd_kind(line) if rules.cvd else None


# What may stand between the plates of a registration property: commas, semicolons, slashes, "&", "+".
_PLATE_LIST_SEPARATORS = re.compile(r"[,;/&+\s]+")


@dataclass(frozen=True)
class LinePlates:
    """The plates named on a trip line, canonical (issue 16 item 5), and the texts that are not plates."""

    plates: tuple[str, ...]
    unreadable: tuple[str, ...]  # as written (control characters shown as escapes), each once


def line_plates(rules: TripLineRules, line: TripLineFields) -> LinePlates:
    """Plates named on a trip line, from the configured item property or the line notes.

    Each text is read as :func:`~compliance.base.vocabulary.plate_text` (NFKC, invisible characters
    removed, upper-case), so a zero-width space or a full-width digit hides no plate; each match of
    the contract's pattern is one plate, canonical. What cannot be read is kept apart:
    - a registration property holds plates only, so anything left in it beside the matches and
      list separators (a Cyrillic Х in "DХ 18 336", a letter O for a zero) is not readable;
    - a note is free text, so there only a word with a letter outside the Latin script or a
      digit outside 0–9 is not readable (it can hide a plate the pattern then misses).
    """
    source = rules.registrations
    if source.source == "property":
        texts = [p.value for p in line.properties if p.name.casefold() == source.property_name.casefold()]
    else:
        texts = list(line.notes)
    plates: list[str] = []
    unreadable: list[str] = []
    for text in texts:
        prepared = plate_text(text)
        for match in source.pattern.finditer(prepared):
            plate = normalise_registration(match.group(0))
            if plate not in plates:
                plates.append(plate)
        rest = source.pattern.sub(" ", prepared)
        if source.source == "property":
            leftovers = [piece for piece in _PLATE_LIST_SEPARATORS.split(rest) if normalise_registration(piece)]
        else:
            leftovers = [word for word in rest.split() if any(look_alike_character(ch) for ch in word)]
        if leftovers and plate_as_written(text) not in unreadable:
            unreadable.append(plate_as_written(text))
    return LinePlates(tuple(plates), tuple(unreadable))


def line_registrations(rules: TripLineRules, line: TripLineFields) -> list[str]:
    """The readable plates named on a trip line (:func:`line_plates`), each once, canonical."""
    return list(line_plates(rules, line).plates)


def vehicle_on_day(periods: Sequence[VehiclePeriod], day: date) -> VehiclePeriod | None:
    """The register's word on a plate on ``day``: of the periods that cover the day, a declared biogas
    vehicle with evidence (the DMR has no biogas code, §2.1), else the latest import's (then its last
    row) — the same precedence as the current record (``compliance.store.vehicles``). None: unknown that day."""
    covering = [period for period in periods if period.covers(day)]
    if not covering:
        return None
    return max(
        covering,
        key=lambda p: (p.origin == "declared" and p.fuel == "biogas" and bool(p.green_evidence), p.source_file_id, p.row),
    )


def plate_verdict(plate: str, period: VehiclePeriod | None) -> dict[str, Any]:
    """The register's word on one plate on a line's day, as stored with the trip line."""
    if period is None:
        return {"plate": plate, "status": "unknown"}
    green = vehicle_is_green(period.kind, period.fuel, period.green_evidence)
    return {
        "plate": plate,
        "status": "green" if green else "not_green",
        "kind": period.kind,
        "fuel": period.fuel,
        "green_evidence": period.green_evidence,
        "valid_from": period.valid_from.isoformat() if period.valid_from else None,
        "valid_to": period.valid_to.isoformat() if period.valid_to else None,
        "origin": period.origin,
        "source_file_id": period.source_file_id,
        "row": period.row,
    }


def counted_kind(
    stated: str, plates: LinePlates, verdicts: Sequence[Mapping[str, Any]], unverified_green: str, credit: bool = False
) -> str:
    """How a trip line counts (§2.1, RULES.md §7: a trip is green only if its vehicle is green that day).

    A green line counts as green only when every plate on it is readable and the register knows each
    as green on the line's day. A plate text that cannot be read, or a plate the register knows as
    not green that day, makes the line conventional; a plate the register does not know that day (or
    no plate at all) follows the contract's ``unverified_green``: ``exclude`` → conventional,
    ``count`` → green. Any other line counts as it says.

    A credit (negative trips, ``credit``) of green trips always reduces the green trips: moving it to
    the conventional count would raise the share, so a plate written on a credit line could pay.
    """
    if stated != "green" or credit:
        return stated
    if plates.unreadable or any(v["status"] == "not_green" for v in verdicts):
        return "conventional"
    unverified = not plates.plates or any(v["status"] == "unknown" for v in verdicts)
    if unverified and unverified_green != "count":
        return "conventional"
    return "green"


def early_warning(
    contract: ContractTerms, year: ContractYear, start: date, end: date, as_of: date, green: Decimal, total: Decimal
) -> FindingRecord | None:
    """Project the year-end count from the days so far; warn when the share so far is below the level.

    Projection (documented in the README): trips at year end = trips so far × window days / days
    elapsed; green trips still needed = ⌈level × projected trips − green trips so far⌉. On a km
    contract ``green`` and ``total`` are km and the same projection gives the green km still needed.
    """
    terms = contract.green_vehicles
    assert terms is not None
    if total <= 0 or as_of < start:
        return None
    level = terms.binding_level(year.number)
    if meets_level(level.percent, total, green, terms.level_inclusive):
        return None
    elapsed = (min(as_of, end) - start).days + 1
    projected = total * Decimal((end - start).days + 1) / Decimal(elapsed)
    by_km = terms.basis == "km"  # a km contract is paced in km (green and total are km then)
    needed: int | str = (
        str(km_short(level.percent, projected, green))
        if by_km
        else trips_short(level.percent, projected, green, terms.level_inclusive)
    )
    return FindingRecord(
        RULE_EARLY_WARNING,
        "medium",
        message_key="green_vehicles.early_warning_km" if by_km else "green_vehicles.early_warning",
        params={
            "year": year.number,
            "start": start.isoformat(),
            "as_of": as_of.isoformat(),
            "green": str(green),
            "total": str(total),
            "share": str(green / total),
            "level": str(level.percent),
            "needed": needed,
            "end": end.isoformat(),
        },
        subject=evidence_key(),  # the contract year's pace: the run date and figures are not part of it
        contract_id=contract.id,
        contract_year=year.number,
        supplier_cvr=contract.supplier_cvr,
        expected=f"{'≥' if terms.level_inclusive else '>'} {danish_number(level.percent, 2)} % green {terms.basis} by {end}",
        received=danish_percent(green / total),
        evidence={
            "green_so_far": str(green),
            "total_so_far": str(total),
            "projected_total": str(projected.quantize(Decimal(1))),
            "green_needed": needed,
        },
    )


def vehicle_findings(
    contract: ContractTerms, year: ContractYear, lines: Sequence[CountedTripLine], vehicles: Mapping[str, RegisteredVehicle]
) -> list[FindingRecord]:
    """The plates behind the counted trip lines (§2.1): lines that cannot be counted, lines without
    plates, and plates the register does not know, knows as deregistered, or knows as not green."""
    findings: list[FindingRecord] = []
    for line in lines:
        # Trip-line messages say "invoice" for credit notes too, as they always have.
        where = message_part("place.invoice_line", document_type="invoice", invoice=line.invoice_number, line=line.line_id)

        def add(
            rule_id: str,
            severity: str,
            message_key: str,
            params: dict[str, Any],
            expected: str,
            received: str,
            plate: str | None = None,
            line: CountedTripLine = line,
        ) -> None:
            findings.append(
                FindingRecord(
                    rule_id,
                    severity,
                    message_key,
                    params,
                    evidence_key(invoice=line.invoice_number, line=line.line_id, registration=plate),
                    contract_id=contract.id,
                    contract_year=year.number,
                    supplier_cvr=contract.supplier_cvr,
                    expected=expected,
                    received=received,
                    source_file_id=line.source_file_id,
                    location=f"line {line.source_line}" if line.source_line else None,
                    evidence=line.as_evidence() | ({"registration": plate} if plate else {}),
                )
            )

        if line.kind == "uncountable":
            add(
                RULE_AMBIGUOUS_LINE,
                "high",
                "green_vehicles.uncountable_trip_line",
                {"place": where, "trips": str(line.trips)},
                "a whole number of trips",
                str(line.trips),
            )
            continue
        if line.kind == "ambiguous":
            add(
                RULE_AMBIGUOUS_LINE,
                "high",
                "green_vehicles.ambiguous_trip_line",
                {"place": where, "trips": str(line.trips)},
                "one of the two trip lines per delivery, or one cva value",
                "a line matching both, or no single cva value",
            )
            continue
        stated_green = line.stated == "green"
        unverified = (contract.green_vehicles.unverified_green if contract.green_vehicles else "exclude") != "count"
        # What the line's trips count as, said in the findings that explain it (issue 16 items 5–6).
        consequence = message_part(
            "fragment.counted_as_conventional" if line.kind == "conventional" else "fragment.counted_as_green",
            trips=str(line.trips),
        )
        for text in line.unreadable:
            add(
                RULE_PLATE_NOT_READABLE,
                "high" if stated_green else "medium",
                "green_vehicles.plate_not_readable",
                {"place": where, "text": text, "stated": line.stated, "trips": str(line.trips), "consequence": consequence},
                "registration numbers of the letters A–Z, Æ, Ø, Å and digits (§2.1)",
                text,
                text,  # what the finding is about: this text on this line (a line may hold several)
            )
        if not line.registrations and not line.unreadable and line.trips > 0:
            add(
                RULE_MISSING_REGISTRATION,
                "medium",
                "green_vehicles.missing_registration",
                {
                    "place": where,
                    "kind": line.stated,
                    "consequence": consequence if stated_green else message_part("fragment.nothing"),
                },
                "the registration numbers of the vehicles used (§2.1)",
                "none",
            )
        verdicts = {str(v.get("plate")): v for v in line.plate_verdicts}
        for plate in line.registrations:
            vehicle = vehicles.get(plate)
            if vehicle is not None and not vehicle.registered:
                add(
                    RULE_DEREGISTERED,
                    "medium",
                    "vehicles.deregistered",
                    {"plate": plate, "place": where},
                    "a registered vehicle",
                    f"{plate}: deregistered",
                    plate,
                )
            if not stated_green:
                continue
            # The register's word on the line's day, as stored with the line; a line built without
            # one (a rule test) is judged by the current record.
            verdict = verdicts.get(plate) or _current_verdict(plate, vehicle)
            if verdict["status"] == "unknown":
                add(
                    RULE_UNKNOWN_VEHICLE,
                    "medium",
                    "green_vehicles.unknown_vehicle",
                    {
                        "plate": plate,
                        "place": where,
                        "day": line.day.isoformat(),
                        "option": "exclude" if unverified else "count",
                        "trips": str(line.trips),
                        "consequence": consequence,
                    },
                    "a registered electric, hydrogen, biogas (with evidence) or non-motorised vehicle",
                    plate,
                    plate,
                )
            elif verdict["status"] == "not_green":
                evidence = verdict.get("green_evidence")
                add(
                    RULE_NOT_GREEN,
                    "high",
                    "green_vehicles.not_green_vehicle",
                    {
                        "plate": plate,
                        "place": where,
                        "kind": verdict.get("kind"),
                        "fuel": verdict.get("fuel"),
                        "day": line.day.isoformat(),
                        "stated": line.stated,
                        "trips": str(line.trips),
                        "consequence": consequence,
                    },
                    "electric, hydrogen, biogas with evidence, or non-motorised (§2.1)",
                    f"{verdict.get('kind')}, {verdict.get('fuel')} on {line.day.isoformat()}"
                    + ("" if evidence else ", no green evidence"),
                    plate,
                )
    return findings


def _current_verdict(plate: str, vehicle: RegisteredVehicle | None) -> dict[str, Any]:
    """The verdict of a plate by the register's current record (for lines stored without verdicts)."""
    if vehicle is None:
        return {"plate": plate, "status": "unknown"}
    green = vehicle_is_green(vehicle.kind, vehicle.fuel, vehicle.green_evidence)
    return {
        "plate": plate,
        "status": "green" if green else "not_green",
        "kind": vehicle.kind,
        "fuel": vehicle.fuel,
        "green_evidence": vehicle.green_evidence,
    }
