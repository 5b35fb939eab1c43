"""Driving logs (§2.1 kørelister): the generic format, Webfleet and Geotab presets, your own mapping.

CSV or XLSX; ``;`` or ``,``; BOM; Danish dates and decimal commas; distances in km or m. The
preset is recognised from the header row; a mapping file (YAML) names the columns of any other
export. Column lists of the presets: ``../shared/reference/driving-logs/FORMATS.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from compliance.base.documents import DrivingLogDocument, TripRecord
from compliance.base.errors import SourceFileError
from compliance.base.vocabulary import NON_MOTORISED, normalise_registration, plate_as_written, plate_unreadable
from compliance.ingest.tabular import parse_date, parse_decimal
from compliance.ingest.ubl import normalise_cvr

FIELDS = ("trip_date", "registration", "vehicle_type", "distance", "fuel", "contract_reference", "supplier_cvr")


@dataclass(frozen=True)
class LogMapping:
    """Which column holds what. Each field lists the column names to try, first match wins."""

    name: str
    trip_date: tuple[str, ...]
    registration: tuple[str, ...] = ()
    vehicle_type: tuple[str, ...] = ()
    distance: tuple[str, ...] = ()
    distance_unit: str = "km"
    fuel: tuple[str, ...] = ()
    contract_reference: tuple[str, ...] = ()
    supplier_cvr: tuple[str, ...] = ()
    supplier_cvr_value: str | None = None  # for exports that carry no supplier column
    decimal_comma: bool | None = None  # None: a comma in a number means Danish notation

    def column(self, header: list[str], field: str) -> int | None:
        names: tuple[str, ...] = getattr(self, field)
        for name in names:
            if name.lower() in header:
                return header.index(name.lower())
        return None


PRESETS = {
    "generic": LogMapping(
        "generic",
        trip_date=("trip_date",),
        registration=("registration",),
        vehicle_type=("vehicle_type",),
        distance=("distance_km",),
        fuel=("fuel",),
        contract_reference=("contract_reference",),
        supplier_cvr=("supplier_cvr",),
    ),
    # WEBFLEET.connect showTripReportExtern: distance in metres; objectname is usually the plate.
    "webfleet": LogMapping(
        "webfleet",
        trip_date=("start_time",),
        registration=("objectname",),
        distance=("distance",),
        distance_unit="m",
        fuel=("fuel_type",),
    ),
    # MyGeotab Trip: distance in km; the plate comes from the device (LicensePlate when exported, else the device name).
    "geotab": LogMapping(
        "geotab",
        trip_date=("start",),
        registration=("licenseplate", "device.licenseplate", "device", "deviceid"),
        distance=("distance",),
    ),
}
PRESET_SIGNATURES = {
    "generic": {"trip_date", "distance_km"},
    "webfleet": {"tripid", "objectno", "start_time", "distance"},
    "geotab": {"start", "stop", "distance", "drivingduration"},
}


def detect_log_mapping(header: list[str]) -> LogMapping | None:
    """The preset whose signature columns the header has (generic also needs a plate or type column)."""
    columns = set(header)
    for name, signature in PRESET_SIGNATURES.items():
        if signature <= columns and (name != "generic" or {"registration", "vehicle_type"} & columns):
            return PRESETS[name]
    return None


def load_log_mapping(path: Path) -> LogMapping:
    """A mapping file: ``columns: {trip_date: Dato, registration: Reg.nr., distance: Km}``,
    ``distance_unit: km|m``, ``decimal_separator: ","|"."`` and ``supplier_cvr`` for files without one."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SourceFileError(f"cannot read the mapping: {exc}", file=str(path), expected="a YAML mapping file") from exc
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict) or "trip_date" not in columns:
        raise SourceFileError(
            "the mapping has no columns.trip_date",
            file=str(path),
            location="columns",
            expected="columns: {trip_date: …, registration: …, distance: …}",
        )
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise SourceFileError(
            f"unknown field(s) {', '.join(sorted(unknown))}",
            file=str(path),
            location="columns",
            expected="fields " + ", ".join(FIELDS),
        )
    unit = data.get("distance_unit", "km")
    if unit not in {"km", "m"}:
        raise SourceFileError(f"distance_unit is {unit!r}", file=str(path), location="distance_unit", expected="km or m")
    separator = data.get("decimal_separator")
    if separator not in {None, ",", "."}:
        raise SourceFileError(
            f"decimal_separator is {separator!r}", file=str(path), location="decimal_separator", expected="',' or '.'"
        )
    cvr = data.get("supplier_cvr")
    if cvr is not None and normalise_cvr(str(cvr)) is None:
        raise SourceFileError(
            f"supplier_cvr is {cvr!r}", file=str(path), location="supplier_cvr", expected="an 8-digit CVR number"
        )
    return LogMapping(
        name=f"mapping {path.name}",
        distance_unit=unit,
        decimal_comma=None if separator is None else separator == ",",
        supplier_cvr_value=normalise_cvr(str(cvr)) if cvr is not None else None,
        **{field: (str(columns[field]),) for field in FIELDS if field in columns},
    )


@dataclass(frozen=True)
class LogOptions:
    """What the person ingesting knows that a log may not say: its mapping and its supplier."""

    mapping: LogMapping | None = None
    supplier_cvr: str | None = None


def read_driving_log_rows(
    header: list[str], rows: list[list[str]], file: str, mapping: LogMapping, supplier_cvr: str | None = None, first_row: int = 2
) -> DrivingLogDocument:
    """Each row one trip; a trip needs a plate, or a vehicle type when non-motorised (cargo bike)."""
    if supplier_cvr and not mapping.supplier_cvr_value:
        mapping = replace(mapping, supplier_cvr_value=supplier_cvr)
    columns = {field: mapping.column(header, field) for field in FIELDS}
    if columns["trip_date"] is None:
        raise SourceFileError(
            f"no trip date column ({' or '.join(mapping.trip_date)})",
            file=file,
            location="row 1 (header)",
            expected=f"the columns of the {mapping.name} format",
        )
    if columns["registration"] is None and columns["vehicle_type"] is None:
        raise SourceFileError(
            "no registration or vehicle type column",
            file=file,
            location="row 1 (header)",
            expected=f"the columns of the {mapping.name} format",
        )

    def value(row: list[str], field: str) -> str:
        index = columns[field]
        return row[index].strip() if index is not None and index < len(row) else ""

    trips: list[TripRecord] = []
    supplier_cvrs: set[str] = {mapping.supplier_cvr_value} if mapping.supplier_cvr_value else set()
    for offset, row in enumerate(rows):
        row_number = offset + first_row
        if not any(cell.strip() for cell in row):
            continue
        where = f"row {row_number}"
        registration = normalise_registration(value(row, "registration"))  # "-" or blanks: no plate
        if plate_unreadable(value(row, "registration")):  # issue 16 item 5: a Cyrillic Х is no X
            raise SourceFileError(
                f"the registration '{plate_as_written(value(row, 'registration'))}' cannot be read",
                file=file,
                location=f"{where}, registration",
                expected="a registration number of the letters A–Z, Æ, Ø, Å and digits",
            )
        vehicle_type = value(row, "vehicle_type").lower() or None
        if not registration and vehicle_type not in NON_MOTORISED:
            raise SourceFileError(
                "the trip has no registration number",
                file=file,
                location=where,
                expected="a registration number, or vehicle_type bicycle/cargo_bike for trips without one",
            )
        cvr_text = value(row, "supplier_cvr")
        if cvr_text:
            cvr = normalise_cvr(cvr_text)
            if cvr is None:
                raise SourceFileError(
                    f"supplier_cvr is {cvr_text!r}", file=file, location=where, expected="an 8-digit CVR number"
                )
            supplier_cvrs.add(cvr)
        distance_text = value(row, "distance")
        distance = (
            parse_decimal(distance_text, file, f"{where}, distance", "distance", mapping.decimal_comma) if distance_text else None
        )
        if distance is not None and mapping.distance_unit == "m":
            distance = distance / Decimal(1000)
        trips.append(
            TripRecord(
                row=row_number,
                trip_date=parse_date(value(row, "trip_date"), file, f"{where}, trip date", "trip date"),
                registration=registration or None,
                vehicle_type=vehicle_type,
                distance_km=distance,
                contract_reference=value(row, "contract_reference") or None,
                fuel=value(row, "fuel").lower() or None,
            )
        )
    if len(supplier_cvrs) > 1:
        raise SourceFileError(
            f"the log mixes suppliers {', '.join(sorted(supplier_cvrs))}",
            file=file,
            location="supplier_cvr",
            expected="one supplier per file",
        )
    return DrivingLogDocument(
        "driving_log", f"driving-log-{mapping.name.replace(' ', '-')}", next(iter(supplier_cvrs), None), trips
    )
