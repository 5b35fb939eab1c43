"""CSV helpers and the declared-vehicles register (``schemas/csv-formats.md``).

Both accept ``;`` or ``,`` separators, a UTF-8 byte-order mark, Danish dates (31-12-2025) and
decimal commas, because that is what Danish spreadsheets export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from compliance.base.documents import VehicleRecord, VehicleRegisterDocument
from compliance.base.errors import SourceFileError
from compliance.base.vocabulary import FUELS, VEHICLE_KINDS, normalise_registration, plate_as_written, plate_unreadable
from compliance.ingest.ubl import XSD_DECIMAL

VEHICLE_REGISTER_COLUMNS = (
    "registration",
    "kind",
    "fuel",
    "euro_norm",
    "total_weight_kg",
    "registered",
    "green_evidence",
    "valid_from",
    "valid_to",
)


def is_vehicle_register(header: list[str]) -> bool:
    return {"registration", "kind", "fuel"} <= set(header)


def parse_decimal(text: str, file: str, where: str, what: str, decimal_comma: bool | None = None) -> Decimal:
    """``12,5`` and ``1.234,5`` (Danish) or ``12.5``. With ``decimal_comma`` unset, a comma means Danish;
    set it True when a file is known to be Danish, so that ``12.500`` reads as twelve thousand five hundred."""
    value = text.strip().replace(" ", "")
    if decimal_comma or (decimal_comma is None and "," in value):
        value = value.replace(".", "").replace(",", ".")
    if not XSD_DECIMAL.fullmatch(value):
        raise SourceFileError(f"{what} is {text!r}", file=file, location=where, expected="a number such as 12.5 or 12,5")
    return Decimal(value)


def parse_date(text: str, file: str, where: str, what: str) -> date:
    value = text.strip()
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T].*)?", value)
    if match:
        year, month, day = map(int, match.groups())
    else:
        match = re.fullmatch(r"([0-9]{1,2})[.\-/]([0-9]{1,2})[.\-/]([0-9]{4})(?:[ T].*)?", value)
        if not match:
            raise SourceFileError(
                f"{what} is {text!r}", file=file, location=where, expected="a date such as 2025-03-31 or 31-03-2025"
            )
        day, month, year = map(int, match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise SourceFileError(f"{what} is {text!r}, which is not a calendar date", file=file, location=where) from None


def _columns(header: list[str], required: tuple[str, ...], file: str, known: tuple[str, ...]) -> dict[str, int]:
    missing = [name for name in required if name not in header]
    if missing:
        raise SourceFileError(
            f"missing column(s) {', '.join(missing)}",
            file=file,
            location="row 1 (header)",
            expected="the columns " + ", ".join(known),
        )
    return {name: header.index(name) for name in known if name in header}


def _value(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def read_vehicle_register(header: list[str], rows: Iterable[list[str]], file: str) -> VehicleRegisterDocument:
    """The simple register for what the national register cannot tell (biogas, cargo bikes, foreign plates).

    Takes the rows as :class:`compliance.ingest.csv_text.CsvText` streams them, so the file is split once.
    """
    columns = _columns(header, ("registration", "kind", "fuel"), file, VEHICLE_REGISTER_COLUMNS)
    vehicles: list[VehicleRecord] = []
    for offset, row in enumerate(rows):
        row_number = offset + 2
        if not any(cell.strip() for cell in row):
            continue
        where = f"row {row_number}"
        kind = _value(row, columns, "kind").lower()
        fuel = _value(row, columns, "fuel").lower()
        if kind not in VEHICLE_KINDS:
            raise SourceFileError(
                f"kind is {kind!r}", file=file, location=f"{where}, kind", expected="one of " + ", ".join(sorted(VEHICLE_KINDS))
            )
        if fuel not in FUELS:
            raise SourceFileError(
                f"fuel is {fuel!r}", file=file, location=f"{where}, fuel", expected="one of " + ", ".join(sorted(FUELS))
            )
        registration = normalise_registration(_value(row, columns, "registration"))
        if not registration:  # empty, or only separators ("-")
            raise SourceFileError(
                "the vehicle has no registration",
                file=file,
                location=where,
                expected="a registration number or an id for a cargo bike",
            )
        if plate_unreadable(_value(row, columns, "registration")):  # issue 16 item 5: a Cyrillic Х is no X
            raise SourceFileError(
                f"the registration '{plate_as_written(_value(row, columns, 'registration'))}' cannot be read",
                file=file,
                location=f"{where}, registration",
                expected="a registration number of the letters A–Z, Æ, Ø, Å and digits",
            )
        valid_from_text, valid_to_text = _value(row, columns, "valid_from"), _value(row, columns, "valid_to")
        valid_from = parse_date(valid_from_text, file, f"{where}, valid_from", "valid_from") if valid_from_text else None
        valid_to = parse_date(valid_to_text, file, f"{where}, valid_to", "valid_to") if valid_to_text else None
        if valid_from and valid_to and valid_to < valid_from:
            raise SourceFileError(
                f"valid_to {valid_to} is before valid_from {valid_from}",
                file=file,
                location=f"{where}, valid_to",
                expected="a last day on or after the first day",
            )
        euro = _value(row, columns, "euro_norm")
        weight = _value(row, columns, "total_weight_kg")
        registered = _value(row, columns, "registered").lower()
        if euro and not re.fullmatch(r"[0-7]", euro):
            raise SourceFileError(
                f"euro_norm is {euro!r}", file=file, location=f"{where}, euro_norm", expected="a whole number 0–7 (0 = no norm)"
            )
        if weight and not re.fullmatch(r"[0-9]{1,9}", weight):  # ASCII digits; more than int() takes (4,300) raised ValueError
            raise SourceFileError(
                f"total_weight_kg is {weight[:40]!r}",
                file=file,
                location=f"{where}, total_weight_kg",
                expected="a whole number of kg (at most 9 digits)",
            )
        if registered not in {"", "true", "false", "yes", "no", "1", "0"}:
            raise SourceFileError(
                f"registered is {registered!r}", file=file, location=f"{where}, registered", expected="true or false"
            )
        vehicles.append(
            VehicleRecord(
                row=row_number,
                registration=registration,
                kind=kind,
                fuel=fuel,
                euro_norm=int(euro) if euro else None,
                total_weight_kg=int(weight) if weight else None,
                registered=registered not in {"false", "no", "0"},
                green_evidence=_value(row, columns, "green_evidence") or None,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return VehicleRegisterDocument("vehicle_register", "vehicle-register-csv-1", vehicles)
