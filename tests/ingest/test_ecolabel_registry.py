"""Eco-label registry exports (EU Ecolabel, Nordic Swan) are recognised by their columns and read row by row."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest

from compliance.base.documents import EcolabelRegistryDocument, document_as_json
from compliance.base.errors import ComplianceError
from compliance.base.package_data import load_package_json
from compliance.ingest.detect import read_source

MAX = 5 * 1024 * 1024
EU_EXPORT = (
    "product_or_service;licence_number;group_name;code_type;code_value;product_or_service_name;expiration_date;"
    "company_name;company_country;vat_number\n"
    "product;DK/011/004;Copying and graphic paper;EAN13;5701234567892;Kontorpapir A4;2027-06-30;Papirfabrik A/S;DK;DK11111111\n"
    "product;AT/004/001;Tissue Paper and Tissue Products;;;Toiletpapir;2028-12-31;Tissue GmbH;AT;ATU1\n"
)
SWAN_EXPORT = (
    "Licensnummer;Produktnavn;Produktgruppe;Licensindehaver;Udløbsdato\n"
    "3041 0012;Kopipapir A4;011;Papirfabrik A/S;30-06-2025\n"
    "2045 0077;Universalrengøring;026;Kemi ApS;31-12-2027\n"
    "DK/019/001;Håndsæbe;EU44;Sæbe A/S;31-12-2026\n"
)


def test_registry_exports_are_recognised_by_their_columns() -> None:
    swan = read_source(SWAN_EXPORT.encode("utf-8-sig"), "svanen.csv", MAX)
    assert isinstance(swan, EcolabelRegistryDocument) and swan.format == "nordic-swan-export"
    assert [(r.row, r.label_code, r.licence_number, r.valid_to) for r in swan.licences] == [
        (2, "SVANEN", "3041 0012", date(2025, 6, 30)),
        (3, "SVANEN", "2045 0077", date(2027, 12, 31)),
        (4, "EU_ECO_LABEL", "DK/019/001", date(2026, 12, 31)),  # the Swan export mixes in EU Ecolabel licences
    ]
    eu = read_source(EU_EXPORT.encode(), "ecat.csv", MAX)
    assert isinstance(eu, EcolabelRegistryDocument) and eu.format == "eu-ecolabel-export"
    assert eu.licences[0].gtin == "5701234567892" and eu.licences[1].gtin is None
    schema = load_package_json("normalized-document.schema.json")
    jsonschema.validate(document_as_json(eu), schema, format_checker=jsonschema.FormatChecker())


def test_a_bad_expiry_date_names_the_row() -> None:
    bad = EU_EXPORT.replace("2028-12-31", "someday")
    with pytest.raises(ComplianceError) as error:
        read_source(bad.encode(), "ecat.csv", MAX)
    assert "ecat.csv" in str(error.value) and "row 3, expiration_date" in str(error.value)
