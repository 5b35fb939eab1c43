"""Fuzzing the CSV readers: driving logs (generic, Webfleet, Geotab), the vehicle register, eco-label registry exports.

Seeds are the sample driving log and vehicle register, and rows in the documented columns of
the Webfleet and Geotab exports (``../shared/reference/driving-logs/FORMATS.md``) and of the EU
Ecolabel and Nordic Swan registry exports (``../shared/reference/ecolabels/NOTES.md``). Mutations
change fields, rows, columns and header names, then the separator, quoting, line ends and encoding,
and sometimes the bytes (``tests/ingest/fuzzing.py``).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.base.documents import DrivingLogDocument, EcolabelRegistryDocument, VehicleRegisterDocument
from compliance.base.errors import SourceFileError
from compliance.base.vocabulary import FUELS, VEHICLE_KINDS
from compliance.ingest.detect import read_source
from compliance.ingest.driving_log import LogOptions
from compliance.ingest.ecolabel_registry import NORDIC_SWAN_ALIASES
from tests.conftest import SAMPLE_DIR
from tests.ingest.fuzzing import (
    MAX_BYTES,
    csv_rows,
    fuzz_settings,
    mutated_csv,
    pick,
    read_document_or_refuse,
)

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

SAMPLE_LOG = csv_rows((SAMPLE_DIR / "transport" / "koerselslog-2025.csv").read_text(encoding="utf-8-sig"))
WEBFLEET = [
    ["tripid", "tripmode", "objectno", "objectname", "start_time", "end_time", "distance", "fuel_type", "drivername"],
    ["7001", "1", "001", "EC 41 208", "02.01.2025 08:15:00", "02.01.2025 08:52:00", "22500", "electric", "Mette"],
    ["7002", "1", "002", "TR75021", "2025-01-02 09:00:00", "2025-01-02 10:10:00", "31250", "diesel", "Jens"],
    ["7003", "2", "003", "Ladcykel 1", "2025-01-02 11:00:00", "2025-01-02 11:20:00", "4100", "", "Ali"],
]
GEOTAB = [
    ["id", "device", "driver", "start", "stop", "distance", "drivingDuration", "idlingDuration"],
    ["b1", "EC41209", "d1", "2025-01-03T07:00:00Z", "2025-01-03T07:30:00Z", "12.4", "00:30:00", "00:01:00"],
    ["b2", "EC52117", "UnknownDriverId", "2025-01-03T09:00:00Z", "2025-01-03T10:05:00Z", "41.0", "01:05:00", "00:00:00"],
]
LOG_SEEDS = [SAMPLE_LOG, WEBFLEET, GEOTAB]
LOG_VALUES = sorted(
    {
        *SAMPLE_LOG[0],
        *WEBFLEET[0],
        *GEOTAB[0],
        "cargo_bike",
        "bicycle",
        "electric",
        "diesel",
        "38451236",
        "DK38451236",
        "KK-2025-0042",
    }
)

VEHICLES = csv_rows((SAMPLE_DIR / "transport" / "koeretoejer.csv").read_text(encoding="utf-8-sig"))
VEHICLE_VALUES = sorted({*VEHICLES[0], *FUELS, *VEHICLE_KINDS, "0", "6", "7", "8", "3500", "yes", "no", "1"})

EU_ECOLABEL = [
    ["product_or_service", "licence_number", "group_name", "code_type", "code_value", "product_or_service_name",
     "expiration_date", "company_name", "company_country", "vat_number"],
    ["product", "DK/011/004", "Copying and graphic paper", "EAN13", "5701234567892", "Kopipapir A4", "2027-06-30",
     "Papir A/S", "DK", "DK11111111"],
    ["product", "AT/004/001", "Tissue Paper and Tissue Products", "", "", "Toiletpapir", "2028-12-31", "Tissue GmbH", "AT", "ATU1"],
    ["service", "SE/052/002", "Cleaning services", "", "", "Städservice", "", "Städ AB", "SE", "SE5560000001"],
]  # fmt: skip
NORDIC_SWAN = [
    ["Licensnummer", "Produktnavn", "Produktgruppe", "Licensindehaver", "Udløbsdato", "EAN"],
    ["3041 0012", "Kopipapir A4", "011", "Papir A/S", "30-06-2025", "5701234567892"],
    ["2045 0077", "Universalrengøring", "026", "Kemi ApS", "31-12-2027", ""],
    ["DK/019/001", "Håndsæbe", "EU44", "Sæbe A/S", "31-12-2026", ""],
]
REGISTRY_SEEDS = [EU_ECOLABEL, NORDIC_SWAN]
REGISTRY_VALUES = sorted({*EU_ECOLABEL[0], *(name for names in NORDIC_SWAN_ALIASES.values() for name in names), "EU44", "096"})

EXPECTED = DrivingLogDocument | VehicleRegisterDocument | EcolabelRegistryDocument | SourceFileError


@pytest.mark.parametrize(
    ("seeds", "expected"),
    [(LOG_SEEDS, DrivingLogDocument), ([VEHICLES], VehicleRegisterDocument), (REGISTRY_SEEDS, EcolabelRegistryDocument)],
    ids=["driving log", "vehicle register", "eco-label registry"],
)
def test_every_csv_seed_reads(seeds: list[list[list[str]]], expected: type) -> None:
    """The seeds are read as what they are: a mutation starts from a file the reader accepts."""
    for rows in seeds:
        data = "\n".join(";".join(row) for row in rows).encode()
        outcome = read_document_or_refuse(lambda data=data: read_source(data, "seed.csv", MAX_BYTES, LOG_OPTIONS), "seed.csv")
        assert isinstance(outcome, expected), outcome


LOG_OPTIONS = LogOptions(supplier_cvr="38451236")  # what `compliance ingest --supplier-cvr` gives a log without one


@st.composite
def mutated_log(draw: st.DrawFn) -> bytes:
    return draw(mutated_csv(pick(draw, LOG_SEEDS), LOG_VALUES))


@st.composite
def mutated_register(draw: st.DrawFn) -> bytes:
    return draw(mutated_csv(VEHICLES, VEHICLE_VALUES))


@st.composite
def mutated_registry(draw: st.DrawFn) -> bytes:
    return draw(mutated_csv(pick(draw, REGISTRY_SEEDS), REGISTRY_VALUES))


@fuzz_settings()
@given(mutated_log())
def test_mutated_csv_driving_logs_read_or_refuse_with_a_reason(data: bytes) -> None:
    outcome = read_document_or_refuse(lambda: read_source(data, "koerselslog.csv", MAX_BYTES, LOG_OPTIONS), "koerselslog.csv")
    assert isinstance(outcome, EXPECTED), outcome


@fuzz_settings()
@given(mutated_register())
def test_mutated_vehicle_registers_read_or_refuse_with_a_reason(data: bytes) -> None:
    outcome = read_document_or_refuse(lambda: read_source(data, "koeretoejer.csv", MAX_BYTES), "koeretoejer.csv")
    assert isinstance(outcome, EXPECTED), outcome
    if isinstance(outcome, VehicleRegisterDocument):
        for vehicle in outcome.vehicles:
            assert vehicle.kind in VEHICLE_KINDS and vehicle.fuel in FUELS and vehicle.registration


@fuzz_settings()
@given(mutated_registry())
def test_mutated_ecolabel_registry_exports_read_or_refuse_with_a_reason(data: bytes) -> None:
    outcome = read_document_or_refuse(lambda: read_source(data, "registry.csv", MAX_BYTES), "registry.csv")
    assert isinstance(outcome, EXPECTED), outcome
    if isinstance(outcome, EcolabelRegistryDocument):
        assert outcome.licences and all(licence.licence_number for licence in outcome.licences)
