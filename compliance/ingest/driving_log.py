"""Driving logs (§2.1 kørelister): the generic format, Webfleet and Geotab presets, your own mapping.

CSV or XLSX; ``;`` or ``,``; BOM; Danish dates and decimal commas; distances in km or m. The
preset is recognised from the header row; a mapping file (YAML) names the columns of any other
export. Column lists of the presets: ``../shared/reference/driving-logs/FORMATS.md``.

A log has up to millions of rows, so rows are read as they stream from the file and each trip
is kept by column (:class:`TripTable`, a few dozen bytes a trip) rather than as an object.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

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


def _append_number(numbers: array[int], value: int) -> array[int]:
    """Append ``value``, first copying ``numbers`` to a wider type code if it does not fit; return the array."""
    try:
        numbers.append(value)
        return numbers
    except OverflowError:
        wider = next(code for code in ("H", "I", "q") if array(code).itemsize > numbers.itemsize)
        return _append_number(array(wider, numbers), value)


class _TextColumn:
    """Optional strings: each distinct value once and a small code per row (a log has few plates,
    fuels and contracts); past :data:`MAX_DISTINCT` distinct values, the rest are stored end to end."""

    __slots__ = ("codes", "distinct", "known", "blob", "ends")
    MAX_DISTINCT = 65_535

    def __init__(self) -> None:
        self.codes: array[int] = array("B")  # 0 is None, n is distinct[n - 1]
        self.distinct: list[str] = []
        self.known: dict[str, int] = {}
        self.blob = bytearray()  # values past MAX_DISTINCT, as UTF-8, at code MAX_DISTINCT + 1
        self.ends: dict[int, tuple[int, int]] = {}

    def append(self, value: str | None) -> None:
        code = 0 if value is None else self.known.get(value)
        if code is None:
            assert value is not None
            if len(self.distinct) < self.MAX_DISTINCT:
                self.distinct.append(value)
                code = self.known[value] = len(self.distinct)
            else:
                code = self.MAX_DISTINCT + 1
                start = len(self.blob)
                self.blob += value.encode("utf-8")
                self.ends[len(self.codes)] = (start, len(self.blob))
        self.codes = _append_number(self.codes, code)

    def texts(self) -> list[str]:
        """Every value the column holds, each distinct one once (those past the distinct ones as one text)."""
        return [*self.distinct, self.blob.decode("utf-8")] if self.blob else list(self.distinct)

    def __getitem__(self, index: int) -> str | None:
        code = self.codes[index]
        if code == 0:
            return None
        if code <= self.MAX_DISTINCT:
            return self.distinct[code - 1]
        start, end = self.ends[index]
        return self.blob[start:end].decode("utf-8")


class _DecimalColumn:
    """Optional decimals as coefficient and exponent, exactly (``Decimal('22.50')`` stays ``22.50``)."""

    __slots__ = ("coefficients", "exponents", "others")
    NONE = 127  # the exponent that marks a missing value

    def __init__(self) -> None:
        self.coefficients: array[int] = array("i")
        self.exponents = array("b")
        self.others: dict[int, Decimal] = {}  # the rare value that does not fit (e.g. -0.0): kept as it is

    def append(self, value: Decimal | None) -> None:
        if value is None:
            self.coefficients.append(0)
            self.exponents.append(self.NONE)
            return
        sign, digits, exponent = value.as_tuple()
        if isinstance(exponent, int) and -128 <= exponent < self.NONE and len(digits) <= 18 and (value or not sign):
            self.coefficients = _append_number(self.coefficients, int(value.scaleb(-exponent)))
            self.exponents.append(exponent)
        else:
            self.others[len(self.exponents)] = value
            self.coefficients.append(0)
            self.exponents.append(self.NONE)

    def __getitem__(self, index: int) -> Decimal | None:
        exponent = self.exponents[index]
        if exponent == self.NONE:
            return self.others.get(index)
        return Decimal(self.coefficients[index]).scaleb(exponent)


class TripTable(Sequence[TripRecord]):
    """A driving log's trips by column; indexing or iterating gives each one as a new :class:`TripRecord`.

    About 20 bytes a trip plus each distinct plate, fuel and contract once, against ~180 bytes for a
    list of records (the whole log is in memory while it is checked and stored). The records handed out are copies: changing one
    does not change the table.
    """

    def __init__(self, trips: Iterable[TripRecord] = ()) -> None:
        self._rows: array[int] = array("I")
        self._days: array[int] = array("i")
        self._registrations = _TextColumn()
        self._vehicle_types = _TextColumn()
        self._distances = _DecimalColumn()
        self._contract_references = _TextColumn()
        self._fuels = _TextColumn()
        for trip in trips:
            self.append(trip)

    def append(self, trip: TripRecord) -> None:
        self._rows = _append_number(self._rows, trip.row)
        self._days.append(trip.trip_date.toordinal())
        self._registrations.append(trip.registration)
        self._vehicle_types.append(trip.vehicle_type)
        self._distances.append(trip.distance_km)
        self._contract_references.append(trip.contract_reference)
        self._fuels.append(trip.fuel)

    def __len__(self) -> int:
        return len(self._rows)

    def column_texts(self) -> list[str]:
        """Every text the trips hold, each distinct value once: what the text-hygiene check
        (``compliance.base.text``) looks at, without making a record per trip."""
        columns = (self._registrations, self._vehicle_types, self._contract_references, self._fuels)
        return [text for column in columns for text in column.texts()]

    def _record(self, index: int) -> TripRecord:
        return TripRecord(
            row=self._rows[index],
            trip_date=date.fromordinal(self._days[index]),
            registration=self._registrations[index],
            vehicle_type=self._vehicle_types[index],
            distance_km=self._distances[index],
            contract_reference=self._contract_references[index],
            fuel=self._fuels[index],
        )

    @overload
    def __getitem__(self, index: int) -> TripRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[TripRecord]: ...

    def __getitem__(self, index: int | slice) -> TripRecord | list[TripRecord]:
        if isinstance(index, slice):
            return [self._record(position) for position in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("trip index out of range")
        return self._record(index)

    def __iter__(self) -> Iterator[TripRecord]:
        return (self._record(index) for index in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(mine == theirs for mine, theirs in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return repr(list(self))


@dataclass(frozen=True)
class LogOptions:
    """What the person ingesting knows that a log may not say: its mapping and its supplier."""

    mapping: LogMapping | None = None
    supplier_cvr: str | None = None


def read_driving_log_rows(
    header: list[str],
    rows: Iterable[Sequence[str]],
    file: str,
    mapping: LogMapping,
    supplier_cvr: str | None = None,
    first_row: int = 2,
) -> DrivingLogDocument:
    """Each row one trip; a trip needs a plate, or a vehicle type when non-motorised (cargo bike).

    ``rows`` may be a stream: each row is read once and only its trip is kept."""
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

    def value(row: Sequence[str], field: str) -> str:
        index = columns[field]
        return row[index].strip() if index is not None and index < len(row) else ""

    trips = TripTable()
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
