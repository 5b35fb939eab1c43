"""Eco-label registry exports (EU Ecolabel ECAT CSV, Nordic Swan product-search CSV) → licence records.

A registry answers what a licence number alone cannot: does the licence exist, for which product
group, and was it valid on the delivery date (§3.1 "Documentation: a valid licence number").
Column names are in ``schemas/csv-formats.md``; the reference notes in
``../shared/reference/ecolabels/NOTES.md`` list the EU export's columns. The Nordic Swan export
mixes Nordic Swan and EU Ecolabel licences: a product-group code starting with ``EU`` marks an
EU Ecolabel licence.
"""

from __future__ import annotations

from collections.abc import Iterable

from compliance.base.documents import EcolabelRegistryDocument, LicenceRecord
from compliance.base.errors import SourceFileError
from compliance.ingest.tabular import parse_date

EU_ECOLABEL_COLUMNS = {"licence_number", "expiration_date", "group_name"}
GTIN_CODE_TYPES = {"EAN13", "GTIN", "EAN", ""}  # code_value is a GTIN for these code_type values

# Header spellings accepted for the Nordic Swan export (Danish, Swedish, English).
NORDIC_SWAN_ALIASES: dict[str, tuple[str, ...]] = {
    "licence_number": ("licensnummer", "licensnr", "licence number", "license number", "licence_number"),
    "product_group": ("produktgruppe", "produktgrupp", "product group", "product_group", "produktgruppekode", "group code"),
    "product_name": ("produktnavn", "produktnamn", "product name", "product_name", "produkt"),
    "holder": ("licensindehaver", "licensinnehavare", "licence holder", "license holder", "company", "virksomhed", "företag"),
    "valid_to": ("udløbsdato", "gyldig til", "giltig till", "valid to", "expiry date", "expiration_date"),
    "gtin": ("gtin", "ean"),
}


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def is_eu_ecolabel_export(header: list[str]) -> bool:
    return set(header) >= EU_ECOLABEL_COLUMNS


def is_nordic_swan_export(header: list[str]) -> bool:
    return (
        _find(header, NORDIC_SWAN_ALIASES["licence_number"]) is not None
        and _find(header, NORDIC_SWAN_ALIASES["product_group"]) is not None
        and not is_eu_ecolabel_export(header)
    )


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def read_eu_ecolabel_export(header: list[str], rows: Iterable[list[str]], file: str) -> EcolabelRegistryDocument:
    """The EU Ecolabel catalogue export (ECAT, ``;``-separated): one row per product, licence by number."""
    columns = {name: header.index(name) for name in header}
    licences: list[LicenceRecord] = []
    for offset, row in enumerate(rows):
        number = _cell(row, columns.get("licence_number"))
        if not number:
            continue
        row_number = offset + 2
        expiry = _cell(row, columns.get("expiration_date"))
        code_type = _cell(row, columns.get("code_type")).upper()
        licences.append(
            LicenceRecord(
                row=row_number,
                label_code="EU_ECO_LABEL",
                licence_number=number.upper(),
                product_group=_cell(row, columns.get("group_name")) or None,
                product_name=_cell(row, columns.get("product_or_service_name")) or None,
                holder=_cell(row, columns.get("company_name")) or None,
                gtin=(_cell(row, columns.get("code_value")) or None) if code_type in GTIN_CODE_TYPES else None,
                valid_to=parse_date(expiry, file, f"row {row_number}, expiration_date", "expiration_date") if expiry else None,
            )
        )
    if not licences:
        raise SourceFileError("the export lists no licence numbers", file=file, expected="rows with a licence_number")
    return EcolabelRegistryDocument("ecolabel_registry", "eu-ecolabel-export", licences)


def read_nordic_swan_export(header: list[str], rows: Iterable[list[str]], file: str) -> EcolabelRegistryDocument:
    """The Nordic Swan product-search export; EU Ecolabel rows in it (group ``EU…``) keep their own label."""
    index = {field: _find(header, names) for field, names in NORDIC_SWAN_ALIASES.items()}
    licences: list[LicenceRecord] = []
    for offset, row in enumerate(rows):
        number = _cell(row, index["licence_number"])
        if not number:
            continue
        row_number = offset + 2
        group = _cell(row, index["product_group"])
        expiry = _cell(row, index["valid_to"])
        licences.append(
            LicenceRecord(
                row=row_number,
                label_code="EU_ECO_LABEL" if group.upper().startswith("EU") else "SVANEN",
                licence_number=number.upper(),
                product_group=group or None,
                product_name=_cell(row, index["product_name"]) or None,
                holder=_cell(row, index["holder"]) or None,
                gtin=_cell(row, index["gtin"]) or None,
                valid_to=parse_date(expiry, file, f"row {row_number}, valid to", "the expiry date") if expiry else None,
            )
        )
    if not licences:
        raise SourceFileError("the export lists no licence numbers", file=file, expected="rows with a licence number")
    return EcolabelRegistryDocument("ecolabel_registry", "nordic-swan-export", licences)
