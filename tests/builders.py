"""Tiny inline inputs for rule tests: contracts built from small dicts, and the checks' read models.

Every builder has a small valid default and takes keyword overrides, so a test names only what its
scenario is about, right beside the expected result. Nothing here reads ``contracts/``, the sample
inbox or a database: the checks are pure functions of these records (``compliance.checks.inputs``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from compliance.base.documents import Classification, Label
from compliance.checks.inputs import (
    CatalogueItemRecord,
    CatalogueMessageRecord,
    CountedTripLine,
    InvoiceLineRecord,
    InvoiceRecord,
    LoggedTrip,
    RegisteredVehicle,
)
from compliance.checks.items import DatedLine, dated_lines
from compliance.contracts import ContractTerms, ContractYear, contract_from_data
from compliance.labels import normalise_label

SUPPLIER_CVR = "12345678"
_ids = itertools.count(1)

# --- contracts -----------------------------------------------------------------------------------


def contract_data(**overrides: Any) -> dict[str, Any]:
    """The smallest valid contract (two calendar years from 2025, no green terms); top-level keys override."""
    data: dict[str, Any] = {
        "id": "K-1",
        "name": "Testkontrakt",
        "buyer": {"name": "Kommune"},
        "supplier": {"name": "Leverandør A/S", "cvr": SUPPLIER_CVR},
        "period": {"start": "2025-01-01", "end": "2026-12-31"},
    }
    data.update(overrides)
    return data


def contract(**overrides: Any) -> ContractTerms:
    """A contract validated against the schema and built by ``contract_from_data``, as a contract file would be."""
    return contract_from_data(contract_data(**overrides), "test-contract.yaml")


def write_contract(folder: Path, data: dict[str, Any]) -> Path:
    """Write a contract dict as ``<id>.yaml`` in ``folder`` (for tests that run the pipeline or the CLI)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def green_vehicle_terms(**overrides: Any) -> dict[str, Any]:
    """§2.1 terms in the form "both" (offer binds): 35/55/65/75 %, year 1 cut by 3 months, 450 kr. per trip + 10.000 kr."""
    terms: dict[str, Any] = {
        "form": "both",
        "basis": "trips",
        "level_inclusive": True,
        "transition_months": 3,
        "years": [
            {"year": 1, "minimum": 30, "offer": 35},
            {"year": 2, "minimum": 50, "offer": 55},
            {"year": 3, "minimum": 60, "offer": 65},
            {"year": 4, "minimum": 70, "offer": 75},
        ],
        "penalty": {"model": "per_trip", "rate_dkk": "450.00", "fixed_dkk": "10000.00"},
        "trip_lines": {
            "green": {"seller_item_ids": ["KOERSEL-GROEN"]},
            "conventional": {"seller_item_ids": ["KOERSEL-KONV"]},
            "registrations": {"source": "property", "property_name": "Registreringsnummer"},
        },
    }
    terms.update(overrides)
    return terms


def transport_contract_data(**overrides: Any) -> dict[str, Any]:
    """The terms of the sample transport contract (KK-2024-0117), written out here for the tests that
    ingest the sample invoices (which name it): 2024–2027, §2.1 in the form "both", Euro 6 for trucks."""
    data = contract_data(
        id="KK-2024-0117",
        name="Kurér- og budtransport",
        buyer={"name": "Københavns Kommune", "customer_ids": ["5798000000014", "5798000000021"]},
        supplier={"name": "Grøn Bud ApS", "cvr": "38451236"},
        period={"start": "2024-01-01", "end": "2027-12-31"},
        invoice_references=["KK-2024-0117"],
        hearing_days=14,
        green_vehicles=green_vehicle_terms(),
        euro6={"applies_to": ["over_3500kg", "trucks"]},
        hvo100={"required": False},
    )
    data.update(overrides)
    return data


def transport_contract(**overrides: Any) -> ContractTerms:
    return contract_from_data(transport_contract_data(**overrides), "test-transport.yaml")


def unspsc_match(*prefixes: str) -> dict[str, Any]:
    return {"classification_codes": [{"list_id": "UNSPSC", "code_prefix": prefix} for prefix in prefixes]}


def copy_paper_rule(**overrides: Any) -> dict[str, Any]:
    """§3.1: copy paper (UNSPSC 141115…) carries a type-1 label with its licence number."""
    rule: dict[str, Any] = {
        "id": "copy-paper",
        "description": "Kopipapir skal være type 1-miljømærket",
        "match": unspsc_match("141115"),
        "accepted_labels": ["ANY_TYPE1"],
        "licence_required": True,
    }
    rule.update(overrides)
    return rule


def cleaning_agents_rule(**overrides: Any) -> dict[str, Any]:
    """§3.1: cleaning agents (UNSPSC 4713…) carry the Nordic Swan or the EU Ecolabel."""
    rule: dict[str, Any] = {
        "id": "cleaning-agents",
        "description": "Rengøringsmidler skal være type 1-miljømærket",
        "match": unspsc_match("4713"),
        "accepted_labels": ["SVANEN", "EU_ECO_LABEL"],
    }
    rule.update(overrides)
    return rule


def coffee_share_rule(**overrides: Any) -> dict[str, Any]:
    """§16.3: at least 50 % of the coffee, tea and cocoa amount is Fairtrade and/or organic."""
    rule: dict[str, Any] = {
        "id": "coffee",
        "description": "Mindst 50 % kaffe, te og kakao Fairtrade og/eller økologisk",
        "match": {**unspsc_match("502017"), "name_pattern": "(?i)\\b(kaffe|te|kakao)\\b"},
        "qualifying_labels": ["FAIR_TRADE_MARK", "EU_ORGANIC_FARMING", "DK_ECO"],
        "minimum_percent": 50,
        "basis": "amount",
    }
    rule.update(overrides)
    return rule


# --- documents -----------------------------------------------------------------------------------


def label(text: str, licence: str | None = None) -> Label:
    """A label as the readers normalise it (``Svanemærket`` → SVANEN, type 1; unknown text kept, ``known`` False)."""
    normalised = normalise_label(text, "test", licence)
    assert normalised is not None, f"{text!r} is no label"
    return normalised


def unspsc(code: str, list_id: str = "UNSPSC") -> tuple[Classification, ...]:
    return (Classification(code, list_id),)


def line(**values: Any) -> InvoiceLineRecord:
    """An invoice line: one unit for 100 kr. unless the test says otherwise."""
    defaults: dict[str, Any] = {"line_id": "1", "quantity": Decimal(1), "line_amount": Decimal(100)}
    return InvoiceLineRecord(**(defaults | values))


def invoice(*lines: InvoiceLineRecord, **values: Any) -> InvoiceRecord:
    """An invoice of the default supplier with ``lines``; every invoice gets its own id, as stored ones do."""
    defaults: dict[str, Any] = {
        "number": "1",
        "issue_date": date(2025, 3, 31),
        "id": next(_ids),
        "supplier_cvr": SUPPLIER_CVR,
        "supplier_key": SUPPLIER_CVR,
        "source_file_id": 1,
        "source_path": "inbox/x.xml",
    }
    return InvoiceRecord(lines=tuple(lines), **(defaults | values))


def dated(invoices: Iterable[InvoiceRecord], year: ContractYear) -> list[DatedLine]:
    """The invoice lines that count in ``year``, as the assessment hands them to the checks."""
    return list(dated_lines(invoices, year.start, year.end))


def catalogue_message(catalogue_id: str = "KAT", **values: Any) -> CatalogueMessageRecord:
    """A full catalogue of the default supplier issued 1 December 2024 (its own target catalogue)."""
    defaults: dict[str, Any] = {
        "document_type": "catalogue",
        "issue_date": date(2024, 12, 1),
        "target_catalogue_id": catalogue_id,
        "source_file_id": 1,
        "source_path": "katalog.xml",
        "supplier_key": SUPPLIER_CVR,
        "supplier_cvr": SUPPLIER_CVR,
    }
    return CatalogueMessageRecord(catalogue_id=catalogue_id, **(defaults | values))


def catalogue_item(seller_item_id: str | None, **values: Any) -> CatalogueItemRecord:
    """A catalogue line of file 1, named after its item unless the test names it."""
    defaults: dict[str, Any] = {"source_file_id": 1, "line_id": seller_item_id or "1", "name": seller_item_id}
    return CatalogueItemRecord(seller_item_id=seller_item_id, **(defaults | values))


# --- vehicles and trips ----------------------------------------------------------------------------


def vehicle(registration: str, kind: str, fuel: str, **values: Any) -> RegisteredVehicle:
    return RegisteredVehicle(registration=registration, kind=kind, fuel=fuel, **values)


def trips(day: date, plate: str | None, count: int, fuel: str | None = None, **values: Any) -> list[LoggedTrip]:
    """``count`` logged trips of one vehicle on one day, on rows 2, 3, … of a driving log."""
    return [LoggedTrip(trip_date=day, registration=plate, fuel=fuel, row=n + 2, source_file_id=1, **values) for n in range(count)]


def trip_line(kind: str, trips: int | str, day: date, *registrations: str, **values: Any) -> CountedTripLine:
    """A counted §2.1 trip line of invoice 1 (``kind``: green, conventional, ambiguous or uncountable)."""
    defaults: dict[str, Any] = {
        "invoice_number": "1",
        "document_type": "invoice",
        "source_file_id": 1,
        "source_path": "inbox/x.xml",
        "line_id": "1",
        "source_line": 10,
    }
    return CountedTripLine(day=day, kind=kind, trips=Decimal(trips), registrations=tuple(registrations), **(defaults | values))
