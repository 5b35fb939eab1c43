"""Attribution by issuer (issue 16, item 1): a document counts for a contract only when its issuer is the
contract's supplier or a party the contract lists; anything else that cites the contract is a high
finding, held out of every figure and listed for the data team.

Each test ingests the sample inbox plus one hostile file into its own database and checks the sample
contracts (the copies in ``tests/data/contracts``), so the figures are the demo's: 45.100,00 kr. for
KK-2024-0117 year 2.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from compliance.assessment.contract_year import run_checks
from compliance.assessment.inputs import contract_log_trips, logs_citing_from_others
from compliance.assessment.notices import discrepancy_notices
from compliance.assessment.portfolio import portfolios_by_year
from compliance.assessment.results import unmatched_findings
from compliance.checks.green_vehicles import RULE_SHARE
from compliance.contracts import ContractTerms, load_contracts
from compliance.intake.batch import ingest_paths
from compliance.store.db import make_engine, session_scope
from compliance.store.models import Assessment, Finding, Invoice, Trip
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]

AS_OF = date(2026, 11, 22)
MAX = 5 * 1024 * 1024
GROEN_BUD = "38451236"  # KK-2024-0117's supplier
NORDISK = "27614590"  # KK-2025-0042's supplier
STRANGER = "11223344"  # no contract names this CVR
RULE_NOT_ATTRIBUTED = "attribution.issuer_not_party@1"


def trip_invoice(
    number: str,
    *,
    party: str,
    green: int = 0,
    conventional: int = 400,
    day: str = "2025-06-15",
    reference: str = "KK-2024-0117",
) -> str:
    """A small OIOUBL invoice citing ``reference`` with a green and a conventional trip line; ``party``
    is the supplier's ``cac:Party`` content (identifiers and name)."""

    def line(position: int, item: str, trips: int, plate: str) -> str:
        return f"""
  <cac:InvoiceLine>
    <cbc:ID>{position}</cbc:ID>
    <cbc:InvoicedQuantity unitCode="EA">{trips}</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="DKK">{trips * 100}.00</cbc:LineExtensionAmount>
    <cac:Delivery><cbc:ActualDeliveryDate>{day}</cbc:ActualDeliveryDate></cac:Delivery>
    <cac:Item>
      <cbc:Name>Kørsel</cbc:Name>
      <cac:SellersItemIdentification><cbc:ID>{item}</cbc:ID></cac:SellersItemIdentification>
      <cac:AdditionalItemProperty><cbc:Name>Registreringsnummer</cbc:Name><cbc:Value>{plate}</cbc:Value></cac:AdditionalItemProperty>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="DKK">100.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>"""

    lines = ""
    if green:
        lines += line(1, "KOERSEL-GROEN", green, "EC 52 117")
    if conventional:
        lines += line(2, "KOERSEL-KONV", conventional, "ZZ 99 999")
    total = (green + conventional) * 100
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID>OIOUBL-2.1</cbc:CustomizationID>
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2025-06-30</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>DKK</cbc:DocumentCurrencyCode>
  <cac:ContractDocumentReference><cbc:ID>{reference}</cbc:ID></cac:ContractDocumentReference>
  <cac:AccountingSupplierParty><cac:Party>{party}</cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cbc:EndpointID schemeID="GLN">5798000000014</cbc:EndpointID>
    <cac:PartyName><cbc:Name>Københavns Kommune</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="DKK">{total}.00</cbc:LineExtensionAmount>
    <cbc:PayableAmount currencyID="DKK">{total}.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{lines}
</Invoice>
"""


def cvr_party(cvr: str, name: str) -> str:
    return f"""
    <cbc:EndpointID schemeID="DK:CVR">DK{cvr}</cbc:EndpointID>
    <cac:PartyName><cbc:Name>{name}</cbc:Name></cac:PartyName>
    <cac:PartyLegalEntity><cbc:CompanyID schemeID="DK:CVR">DK{cvr}</cbc:CompanyID></cac:PartyLegalEntity>"""


@dataclass
class Run:
    """What one pipeline check over the sample inbox and the extra files stored."""

    penalty: Decimal
    total_trips: Decimal
    findings: list[Finding]
    invoices: dict[str, Invoice]
    contracts: list[ContractTerms]
    db_url: str

    def rule(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule_id == rule_id]

    def fingerprints(self, contract_id: str) -> set[str]:
        return {f.fingerprint for f in self.findings if f.contract_id == contract_id}


def run_sample(
    tmp_path: Path, migrated_database: Path, extra: dict[str, str], contract_changes: dict[str, Any] | None = None
) -> Run:
    """Ingest the sample inbox and ``extra`` (file name → text), check the sample contracts (with
    ``contract_changes`` merged into KK-2024-0117's terms) and read back what the checks stored."""
    database = tmp_path / "compliance.sqlite"
    shutil.copyfile(migrated_database, database)
    db_url = f"sqlite:///{database}"
    engine = make_engine(db_url)
    inbox = tmp_path / "hostile"
    inbox.mkdir()
    for name, text in extra.items():
        (inbox / name).write_text(text, encoding="utf-8")
    contracts_dir = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR, contracts_dir)
    if contract_changes:
        path = contracts_dir / "KK-2024-0117.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(contract_changes)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    contracts, errors = load_contracts(contracts_dir)
    assert not errors
    summary = ingest_paths(engine, [SAMPLE_DIR, inbox], MAX)
    assert not summary.quarantined, summary.quarantined
    run_checks(engine, contracts, as_of=AS_OF)
    with session_scope(engine) as session:
        share = session.scalars(
            select(Assessment).where(
                Assessment.contract_id == "KK-2024-0117", Assessment.contract_year == 2, Assessment.rule_id == RULE_SHARE
            )
        ).one()
        findings = list(session.scalars(select(Finding).order_by(Finding.id)))
        invoices = {i.number: i for i in session.scalars(select(Invoice))}
        session.expunge_all()
    engine.dispose()
    return Run(share.penalty_total, Decimal(str(share.details["total_trips"])), findings, invoices, contracts, db_url)


def test_an_invoice_from_another_suppliers_cvr_citing_the_contract_is_held_out(tmp_path: Path, migrated_database: Path) -> None:
    run = run_sample(tmp_path, migrated_database, {"XX-1.xml": trip_invoice("XX-1", party=cvr_party(NORDISK, "Nordisk"))})
    assert run.penalty == Decimal("45100.00")  # not 144.100,00 kr.: the 400 trips are not counted
    assert run.total_trips == Decimal(1029)
    held = run.invoices["XX-1"]
    assert (held.contract_id, held.issuer_role) == (None, "held_out")
    [finding] = run.rule(RULE_NOT_ATTRIBUTED)
    assert finding.severity == "high" and finding.contract_id is None  # listed for the data team, not a contract year
    assert finding.message == (
        "invoice XX-1 from CVR 27614590 cites contract KK-2024-0117 of CVR 38451236, but the contract lists no such "
        "party; it is held out of every figure"
    )
    assert finding.supplier_cvr == NORDISK  # never in Grøn Bud's letter, nor in Nordisk's (no contract year)
    engine = make_engine(run.db_url)
    with session_scope(engine) as session:  # the overview lists it with the unmatched invoices, for the data team
        assert [f.rule_id for f in unmatched_findings(session)] == [RULE_NOT_ATTRIBUTED]
    engine.dispose()


def test_an_invoice_from_an_unknown_cvr_citing_the_contract_is_held_out(tmp_path: Path, migrated_database: Path) -> None:
    run = run_sample(tmp_path, migrated_database, {"XX-2.xml": trip_invoice("XX-2", party=cvr_party(STRANGER, "Fremmed"))})
    assert run.penalty == Decimal("45100.00")
    assert run.invoices["XX-2"].contract_id is None
    assert len(run.rule(RULE_NOT_ATTRIBUTED)) == 1


def test_a_held_out_invoice_is_in_no_portfolio_figure(tmp_path: Path, migrated_database: Path) -> None:
    # 400 trips at 100 kr.: 40.000 kr. of spend that must not appear for the buyer unit.
    run = run_sample(tmp_path, migrated_database, {"XX-1.xml": trip_invoice("XX-1", party=cvr_party(NORDISK, "Nordisk"))})
    engine = make_engine(run.db_url)
    spend = sum(row.spend for row in portfolios_by_year(engine, run.contracts, [2025])[2025].spend)
    engine.dispose()
    (tmp_path / "baseline").mkdir()
    baseline = run_sample(tmp_path / "baseline", migrated_database, {})
    engine = make_engine(baseline.db_url)
    expected = sum(row.spend for row in portfolios_by_year(engine, baseline.contracts, [2025])[2025].spend)
    engine.dispose()
    assert spend == expected


def test_another_suppliers_driving_log_naming_the_contract_is_not_checked_under_it(
    tmp_path: Path, migrated_database: Path
) -> None:
    log = "trip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr;contract_reference\n" + "".join(
        f"{day:02d}-06-2025;ZZ 99 999;;12,0;Diesel;{NORDISK};KK-2024-0117\n" for day in range(2, 28)
    )
    run = run_sample(tmp_path, migrated_database, {"fremmed-log.csv": log})
    assert run.penalty == Decimal("45100.00")
    assert not [f for f in run.findings if f.contract_id == "KK-2024-0117" and "ZZ" in (f.subject + f.message)]
    [finding] = run.rule(RULE_NOT_ATTRIBUTED)
    assert "driving log fremmed-log.csv" in finding.message and "CVR 27614590" in finding.message
    engine = make_engine(run.db_url)
    with session_scope(engine) as session:
        [transport] = [c for c in run.contracts if c.id == "KK-2024-0117"]
        letters = discrepancy_notices(session, transport, AS_OF, datetime.now(UTC))
        assert letters and all("ZZ" not in str(letter.findings) for letter in letters)
        assert session.scalar(select(func.count()).select_from(Trip).where(Trip.contract_reference == "KK-2024-0117")) == 26
    engine.dispose()


def test_a_catalogue_from_another_issuer_citing_the_contract_changes_no_finding(tmp_path: Path, migrated_database: Path) -> None:
    text = (SAMPLE_DIR / "office" / "katalog-2025.xml").read_text(encoding="utf-8")
    foreign = (
        text.replace("DK27614590", f"DK{STRANGER}")
        .replace("<cbc:ID>NK-KAT-2025</cbc:ID>", "<cbc:ID>XX-KAT</cbc:ID>")
        .replace("<cbc:IssueDate>2024-12-15</cbc:IssueDate>", "<cbc:IssueDate>2025-07-15</cbc:IssueDate>")
        .replace("<cbc:StartDate>2025-01-01</cbc:StartDate>", "<cbc:StartDate>2025-07-15</cbc:StartDate>")
    )
    run = run_sample(tmp_path, migrated_database, {"fremmed-katalog.xml": foreign})
    (tmp_path / "baseline").mkdir()
    baseline = run_sample(tmp_path / "baseline", migrated_database, {})
    assert run.fingerprints("KK-2025-0042") == baseline.fingerprints("KK-2025-0042")
    [finding] = run.rule(RULE_NOT_ATTRIBUTED)
    assert "catalogue XX-KAT from CVR 11223344 cites contract KK-2025-0042 of CVR 27614590" in finding.message


MINOR = "32081330"


def test_an_issuing_entity_the_contract_lists_counts_as_the_supplier(tmp_path: Path, migrated_database: Path) -> None:
    supplier = {
        "name": "Grøn Bud ApS",
        "cvr": GROEN_BUD,
        "email": "kontrakt@gronbud.example",
        "issuing_entities": [{"name": "Grøn Bud Nord ApS", "cvr": MINOR}],
    }
    run = run_sample(
        tmp_path,
        migrated_database,
        {"GBN-1.xml": trip_invoice("GBN-1", party=cvr_party(MINOR, "Grøn Bud Nord ApS"), green=40, conventional=0)},
        {"supplier": supplier},
    )
    assert (run.invoices["GBN-1"].contract_id, run.invoices["GBN-1"].issuer_role) == ("KK-2024-0117", "issuing_entity")
    assert run.total_trips == Decimal(1069) and not run.rule(RULE_NOT_ATTRIBUTED)
    assert run.penalty < Decimal("45100.00")  # 40 more green trips: 528 of 1.069, short by ⌈587,95 − 528⌉ = 60 → 37.000,00 kr.
    assert run.penalty == Decimal("37000.00")


@pytest.mark.parametrize(("in_share", "total", "penalty"), [(False, 1029, "45100.00"), (True, 1069, "37000.00")])
def test_a_subcontractors_trips_enter_the_share_only_when_the_contract_says_so(
    tmp_path: Path, migrated_database: Path, in_share: bool, total: int, penalty: str
) -> None:
    subcontractors = [{"name": "Cykelbud ApS", "cvr": MINOR, "green_vehicle_share": in_share}]
    run = run_sample(
        tmp_path,
        migrated_database,
        {"CB-1.xml": trip_invoice("CB-1", party=cvr_party(MINOR, "Cykelbud ApS"), green=40, conventional=0)},
        {"subcontractors": subcontractors},
    )
    invoice = run.invoices["CB-1"]
    assert (invoice.contract_id, invoice.issuer_role, invoice.in_green_vehicle_share) == (
        "KK-2024-0117",
        "subcontractor",
        in_share,
    )
    assert run.total_trips == Decimal(total) and run.penalty == Decimal(penalty)
    assert not run.rule(RULE_NOT_ATTRIBUTED)


def test_a_danish_seller_known_only_by_its_vat_number_is_attributed(tmp_path: Path, migrated_database: Path) -> None:
    """Item 8: DK + 8 digits in PartyTaxScheme/CompanyID without schemeID, no endpoint: read as the CVR."""
    party = """
    <cac:PartyName><cbc:Name>Grøn Bud ApS</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>DK</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>DK38451236</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Grøn Bud ApS</cbc:RegistrationName></cac:PartyLegalEntity>"""
    run = run_sample(tmp_path, migrated_database, {"GB-EN.xml": trip_invoice("GB-EN", party=party, green=40, conventional=0)})
    invoice = run.invoices["GB-EN"]
    assert (invoice.supplier_cvr, invoice.contract_id, invoice.issuer_role) == (GROEN_BUD, "KK-2024-0117", "supplier")
    assert run.penalty == Decimal("37000.00")


def test_driving_log_rows_count_by_contract_reference_and_only_from_the_supplier(engine: Engine, tmp_path: Path) -> None:
    rows = [
        (GROEN_BUD, "KK-2024-0117", "EC 52 117"),  # the supplier, naming the contract: counts
        (GROEN_BUD, "", "EC 41 209"),  # the supplier, naming no contract: counts
        (GROEN_BUD, "KK-2025-0042", "AA 11 111"),  # the supplier, naming another contract: never here
        (GROEN_BUD, "XX-UNKNOWN", "AA 22 222"),  # … nor an unknown one
    ]
    inbox = tmp_path / "logs"
    inbox.mkdir()
    header = "trip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr;contract_reference\n"
    for number, (cvr, reference, plate) in enumerate(rows):
        (inbox / f"log-{number}.csv").write_text(header + f"02-06-2025;{plate};;12,0;;{cvr};{reference}\n", encoding="utf-8")
    (inbox / "other.csv").write_text(header + f"02-06-2025;BB 33 333;;12,0;;{NORDISK};KK-2024-0117\n", encoding="utf-8")
    assert not ingest_paths(engine, [inbox], MAX).quarantined
    contracts, _ = load_contracts(CONTRACTS_DIR)
    [transport] = [c for c in contracts if c.id == "KK-2024-0117"]
    with session_scope(engine) as session:
        counted = sorted(trip.registration or "" for trip in contract_log_trips(session, transport))
        citing = logs_citing_from_others(session, transport)
    assert counted == ["EC41209", "EC52117"]
    assert [(Path(log.source_path).name, log.supplier_cvr, log.rows) for log in citing] == [("other.csv", NORDISK, 1)]
