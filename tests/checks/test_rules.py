"""Rule functions on small in-memory rows: trip lines, plates, green vehicles, matching, shares, Euro 6."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from compliance.base.vocabulary import vehicle_is_green
from compliance.checks.catalogue_history import CatalogueHistory
from compliance.checks.contract_matching import invoice_contract
from compliance.checks.euro_norm import euro6_applies
from compliance.checks.green_vehicles import line_registrations, trip_line_kind
from compliance.checks.items import dated_lines
from compliance.checks.purchase_shares import purchase_share
from compliance.contracts import ContractTerms, load_contracts
from compliance.store.models import CatalogueItem, CatalogueMessage, Invoice, InvoiceLine, SourceFile, Vehicle
from tests.conftest import CONTRACTS_DIR


@pytest.fixture(scope="module")
def contracts() -> dict[str, ContractTerms]:
    found, errors = load_contracts(CONTRACTS_DIR)
    assert not errors
    return {c.id: c for c in found}


def line(**values: Any) -> InvoiceLine:
    defaults: dict[str, Any] = {
        "position": 1,
        "line_id": "1",
        "quantity": Decimal(1),
        "line_amount": Decimal(100),
        "name": None,
        "description": None,
        "seller_item_id": None,
        "classification_codes": [],
        "labels": [],
        "properties": [],
        "notes": [],
        "delivery_date": None,
    }
    defaults.update(values)
    return InvoiceLine(**defaults)


def invoice(lines: list[InvoiceLine], **values: Any) -> Invoice:
    defaults: dict[str, Any] = {
        "number": "1",
        "document_type": "invoice",
        "issue_date": date(2025, 3, 31),
        "supplier_cvr": "27614590",
        "contract_references": [],
        "customer_endpoint_id": None,
        "customer_gln": None,
        "source_file_id": 1,
        "delivery_date": None,
        "period_end": None,
    }
    defaults.update(values)
    result = Invoice(**defaults)
    result.source_file = SourceFile(path="inbox/x.xml", sha256="0" * 64)
    result.lines = lines
    return result


def test_trip_lines_and_their_plates(contracts: dict[str, ContractTerms]) -> None:
    terms = contracts["KK-2024-0117"].green_vehicles
    assert terms is not None
    green = line(
        seller_item_id="KOERSEL-GROEN",
        properties=[
            {"name": "Registreringsnummer", "value": "ec 41 208"},
            {"name": "registreringsnummer", "value": "EC41209, EC 41 208"},
        ],
    )
    assert trip_line_kind(terms.trip_lines, green) == "green"
    assert line_registrations(terms.trip_lines, green) == ["EC41208", "EC41209"]
    assert trip_line_kind(terms.trip_lines, line(seller_item_id="KOERSEL-KONV")) == "conventional"
    assert trip_line_kind(terms.trip_lines, line(seller_item_id="TONER")) is None


def test_vehicle_green_per_rules_section_1() -> None:
    assert vehicle_is_green("van", "electric", None)
    assert vehicle_is_green("truck", "hydrogen", None)
    assert vehicle_is_green("cargo_bike", "none", None)
    assert vehicle_is_green("truck", "biogas", "certificate 2024-117")
    assert not vehicle_is_green("truck", "biogas", None)  # biogas only with evidence
    assert not vehicle_is_green("van", "diesel", None)  # HVO runs as diesel: not green
    assert not vehicle_is_green("car", "natural_gas", None)  # fossil gas


def test_invoice_matching_by_reference_then_supplier_buyer_and_date(contracts: dict[str, ContractTerms]) -> None:
    known = list(contracts.values())
    assert invoice_contract(invoice([], contract_references=["KK-2025-0042"]), known).how == "reference"
    by_supplier = invoice_contract(invoice([], customer_gln="5798000000038"), known)
    assert (by_supplier.contract_id, by_supplier.how) == ("KK-2025-0042", "supplier_and_period")
    # A buyer unit the contract does not list is not matched on supplier alone.
    assert invoice_contract(invoice([], customer_gln="5790000000001"), known).contract_id is None
    assert invoice_contract(invoice([], issue_date=date(2030, 1, 1), customer_gln="5798000000038"), known).contract_id is None


def test_coffee_share_nets_credit_notes_and_reads_labels_from_the_catalogue(contracts: dict[str, ContractTerms]) -> None:
    rule = contracts["KK-2025-0042"].purchase_shares[0]
    year = contracts["KK-2025-0042"].year(1)
    coffee = {"classification_codes": [{"code": "50201706", "list_id": "UNSPSC"}], "delivery_date": date(2025, 3, 15)}
    invoices = [
        invoice(
            [
                line(seller_item_id="KAF-FT", name="Kaffe FT", line_amount=Decimal("600.00"), **coffee),
                line(position=2, line_id="2", seller_item_id="KAF-STD", name="Kaffe", line_amount=Decimal("500.00"), **coffee),
                line(position=3, line_id="3", seller_item_id="TONER", name="Toner", line_amount=Decimal("900.00")),
            ]
        ),
        invoice(
            [line(seller_item_id="KAF-FT", name="Kaffe FT", line_amount=Decimal("-200.00"), **coffee)],
            number="K1",
            document_type="credit_note",
        ),
    ]
    message = CatalogueMessage(
        source_file_id=1,
        catalogue_id="K",
        document_type="catalogue",
        issue_date=date(2024, 12, 1),
        target_catalogue_id="K",
        supplier_key="27614590",
        contract_references=[],
    )
    catalogue = CatalogueHistory([message], [
        CatalogueItem(supplier_cvr="27614590", seller_item_id="KAF-FT", issue_date=date(2024, 12, 1), source_file_id=1, position=1,
                      line_id="1", labels=[{"code": "FAIR_TRADE_MARK", "raw": "Fairtrade"}], catalogue_id="K"),
    ])  # fmt: skip
    result = purchase_share(rule, year, list(dated_lines(invoices, year.start, year.end)), catalogue)
    assert (result.total, result.qualifying) == (Decimal("900.00"), Decimal("400.00"))
    assert result.share == Decimal("400.00") / Decimal("900.00")
    assert result.status == "short"


def test_euro6_scope(contracts: dict[str, ContractTerms]) -> None:
    contract = contracts["KK-2024-0117"]
    assert euro6_applies(contract, Vehicle(kind="truck", fuel="diesel", total_weight_kg=7500))
    assert euro6_applies(contract, Vehicle(kind="truck", fuel="diesel", total_weight_kg=3000))  # trucks are listed
    assert not euro6_applies(contract, Vehicle(kind="van", fuel="diesel", total_weight_kg=3500))
    assert not euro6_applies(contract, Vehicle(kind="truck", fuel="electric", total_weight_kg=12000))  # zero emission exempt


def test_cvd_tagged_lines_when_the_contract_enables_them(contracts: dict[str, ContractTerms]) -> None:
    terms = contracts["KK-2024-0117"].green_vehicles
    assert terms is not None
    cvd_rules = replace(terms.trip_lines, cvd=True)

    def tagged(*cva: str) -> InvoiceLine:
        return line(
            seller_item_id="LEASE-1",
            classification_codes=[{"code": "N2", "list_id": "CVD"}],
            properties=[{"name": "cva", "value": value} for value in cva],
        )

    assert trip_line_kind(terms.trip_lines, tagged("zero-emission")) is None  # not enabled
    assert trip_line_kind(cvd_rules, tagged("zero-emission")) == "green"
    assert trip_line_kind(cvd_rules, tagged("clean")) == "conventional"  # CVD "clean" includes fossil gas, PHEV
    assert trip_line_kind(cvd_rules, tagged("other")) == "conventional"
    assert trip_line_kind(cvd_rules, tagged()) == "ambiguous"
    assert trip_line_kind(cvd_rules, tagged("clean", "zero-emission")) == "ambiguous"
    assert (
        trip_line_kind(cvd_rules, line(seller_item_id="KOERSEL-GROEN", classification_codes=[{"code": "N2", "list_id": "CVD"}]))
        == "green"
    )


def test_early_warning_projects_the_year_end(contracts: dict[str, ContractTerms]) -> None:
    from compliance.checks.green_vehicles import early_warning

    contract = contracts["KK-2024-0117"]
    year = contract.year(3)  # 2026, level 65 %
    # 1 January – 1 July 2026 (182 of 365 days): 300 of 600 trips green.
    warning = early_warning(contract, year, year.start, year.end, date(2026, 7, 1), Decimal(300), Decimal(600))
    assert warning is not None and warning.rule_id == "green_vehicles.early_warning@1"
    # projected trips = 600 × 365 / 182 = 1203.3; needed = ⌈0.65 × 1203.3 − 300⌉ = 483
    assert warning.evidence["green_needed"] == 483
    assert "about 483 more green trips are needed by 2026-12-31" in warning.message
    assert early_warning(contract, year, year.start, year.end, date(2026, 7, 1), Decimal(400), Decimal(600)) is None


def test_purchase_shares_per_quarter_sum_to_the_year_and_short_quarters_are_flagged(
    contracts: dict[str, ContractTerms],
) -> None:
    from compliance.checks.purchase_shares import quarter_findings, year_quarters

    contract = contracts["KK-2025-0042"]
    rule, year = contract.purchase_shares[0], contract.year(1)
    coffee = {"classification_codes": [{"code": "50201706", "list_id": "UNSPSC"}]}
    labelled = [{"code": "FAIR_TRADE_MARK", "raw": "Fairtrade"}]
    invoices = [
        invoice([line(seller_item_id="A", name="Kaffe", line_amount=Decimal("100.00"), labels=labelled,
                      delivery_date=date(2025, 2, 1), **coffee),
                 line(position=2, line_id="2", seller_item_id="B", name="Kaffe", line_amount=Decimal("300.00"),
                      delivery_date=date(2025, 5, 1), **coffee),
                 line(position=3, line_id="3", seller_item_id="A", name="Kaffe", line_amount=Decimal("400.00"), labels=labelled,
                      delivery_date=date(2025, 12, 31), **coffee)]),
    ]  # fmt: skip
    message = CatalogueMessage(source_file_id=1, catalogue_id="K", document_type="catalogue", issue_date=date(2024, 12, 1),
                               target_catalogue_id="K", supplier_key="27614590", contract_references=[])  # fmt: skip
    result = purchase_share(rule, year, list(dated_lines(invoices, year.start, year.end)), CatalogueHistory([message], []))
    assert [(q.number, q.start, q.end, q.total, q.qualifying) for q in result.quarters] == [
        (1, date(2025, 1, 1), date(2025, 3, 31), Decimal("100.00"), Decimal("100.00")),
        (2, date(2025, 4, 1), date(2025, 6, 30), Decimal("300.00"), Decimal("0")),
        (3, date(2025, 7, 1), date(2025, 9, 30), Decimal("0"), Decimal("0")),
        (4, date(2025, 10, 1), date(2025, 12, 31), Decimal("400.00"), Decimal("400.00")),
    ]
    assert sum(q.total for q in result.quarters) == result.total and result.status == "compliant"  # 500 of 800
    flagged = quarter_findings(contract, result)
    assert [(f.location, f.severity, f.evidence["status"]) for f in flagged] == [("quarter 2", "low", "short")]
    assert result.quarters[2].as_details(rule)["status"] == "no_data"
    short_year = replace(year, end=date(2025, 5, 10))  # a contract that ends mid-quarter
    assert [(q.start, q.end) for q in year_quarters(short_year)] == [
        (date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 5, 10))
    ]  # fmt: skip
