"""The UBL reader gives exactly the documents it gave before it was made faster (issue 21).

Every field of every normalised document counts. A fingerprint is the SHA-256 of the ``repr`` of
``dataclasses.asdict(document)``: ``Decimal('1.50')`` and ``Decimal('1.5')`` differ, and so does the
order of lines, labels, properties and notes. The fingerprints below were taken with the reader of
commit 872474e, before its rewrite, over every sample file, every reference invoice, credit note and
catalogue in ``../shared/reference`` and 300 synthetic invoices of ``benchmarks/synthetic_invoices.py``.
One hand-written invoice full of edge cases (repeated, empty and foreign-namespace elements,
comments, allowances, certificates, label properties, parties without schemes) is compared field by
field, so that a failure there shows what changed. When a change of output is intended, print the
new fingerprints with ``python -m tests.ingest.test_ubl_reader_equivalence`` and say why in the commit.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks.synthetic_invoices import synthetic_invoices
from compliance.base.documents import InvoiceDocument
from compliance.base.errors import SourceFileError
from compliance.ingest.detect import read_source
from tests.conftest import REFERENCE_DIR, SAMPLE_DIR

MAX = 50 * 1024 * 1024
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SYNTHETIC_COUNT, SYNTHETIC_BATCH = 300, 50


def fingerprint(data: bytes, file: str) -> str:
    """The first 16 hex digits of the SHA-256 of every field of the document read from ``data``."""
    document = read_source(data, file, MAX)
    return hashlib.sha256(repr(dataclasses.asdict(document)).encode()).hexdigest()[:16]


def sample_files() -> list[Path]:
    return sorted(SAMPLE_DIR.rglob("*.xml"))


def reference_files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("invoices/*/*.xml"), *folder.glob("catalogues/*/*.xml")])


def synthetic_batches() -> Iterator[list[tuple[str, bytes]]]:
    """The synthetic invoices in batches, each batch one fingerprint (keeps the table short)."""
    invoices = list(synthetic_invoices(SYNTHETIC_COUNT))
    for start in range(0, SYNTHETIC_COUNT, SYNTHETIC_BATCH):
        yield invoices[start : start + SYNTHETIC_BATCH]


def batch_fingerprint(batch: list[tuple[str, bytes]]) -> str:
    joined = "".join(fingerprint(data, name) for name, data in batch)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


@pytest.fixture
def reference_folder() -> Path:
    """The reference files; absent in a plain clone (skipped), but required under CI=true."""
    if not REFERENCE_DIR.is_dir():
        message = f"reference files not available: {REFERENCE_DIR} is absent (a plain clone has no ../shared)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REFERENCE_DIR


def test_every_sample_file_reads_as_before() -> None:
    found = {path.relative_to(SAMPLE_DIR).as_posix(): fingerprint(path.read_bytes(), path.name) for path in sample_files()}
    assert found == SAMPLE_FINGERPRINTS


def test_every_reference_document_reads_as_before(reference_folder: Path) -> None:
    found = {
        path.relative_to(reference_folder).as_posix(): fingerprint(path.read_bytes(), path.name)
        for path in reference_files(reference_folder)
    }
    assert found == REFERENCE_FINGERPRINTS


def test_synthetic_invoices_read_as_before() -> None:
    assert [batch_fingerprint(batch) for batch in synthetic_batches()] == SYNTHETIC_FINGERPRINTS


def test_an_invoice_full_of_edge_cases_reads_field_by_field_as_before() -> None:
    document = read_source(EDGE_CASES.encode(), "edge.xml", MAX)
    assert dataclasses.asdict(document) == EDGE_CASES_EXPECTED


@pytest.mark.parametrize("amount", ["1925.00", "+125.0", ".50", "-0", "1" * 30 + ".5", "12345678901234567890123.45"])
def test_an_amount_reads_exactly_whether_its_value_is_remembered_or_not(amount: str) -> None:
    """Short amounts are remembered between lines and files (``ubl._xsd_decimal``), long ones are not."""
    text = EDGE_CASES.replace(">104.50<", f">{amount}<")
    document = read_source(text.encode(), "edge.xml", MAX)
    assert isinstance(document, InvoiceDocument)
    assert document.lines[1].line_amount == Decimal(amount)
    assert str(document.lines[1].line_amount) == str(Decimal(amount))


@pytest.mark.parametrize("amount", ["1e3", "NaN", "1_000", "１２", "1" * 30 + "x"])
def test_an_amount_that_is_no_xsd_decimal_is_refused_whether_short_or_long(amount: str) -> None:
    text = EDGE_CASES.replace(">104.50<", f">{amount}<")
    with pytest.raises(SourceFileError) as caught:
        read_source(text.encode(), "edge.xml", MAX)
    assert "is not a number" in str(caught.value) and "cac:InvoiceLine[2]" in str(caught.value.location)


EDGE_CASES = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
         xmlns:ext="urn:example:other">
  <!-- a comment among the header's children -->
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:CustomizationID> OIOUBL-2.1 </cbc:CustomizationID>
  <cbc:ProfileID>Procurement-BilSim-1.0</cbc:ProfileID>
  <cbc:ID>EDGE-1</cbc:ID>
  <cbc:ID>EDGE-2</cbc:ID>
  <cbc:IssueDate>2025-03-01</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:Note>header note</cbc:Note>
  <cbc:DocumentCurrencyCode>DKK</cbc:DocumentCurrencyCode>
  <cac:InvoicePeriod><cbc:StartDate>2025-02-01</cbc:StartDate><cbc:EndDate>2025-02-28T00:00:00</cbc:EndDate></cac:InvoicePeriod>
  <cac:ContractDocumentReference><cbc:ID>K-1</cbc:ID><cbc:ID>K-1b</cbc:ID></cac:ContractDocumentReference>
  <cac:ContractDocumentReference><cbc:ID> </cbc:ID></cac:ContractDocumentReference>
  <cac:ContractDocumentReference><cbc:ID>K-2</cbc:ID></cac:ContractDocumentReference>
  <cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>OLD-7</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="GLN"> 5790000000001 </cbc:EndpointID>
      <cbc:EndpointID schemeID="DK:CVR">11111111</cbc:EndpointID>
      <cac:PartyIdentification><cbc:ID schemeID="DK:SE">DK 22 33 44 55</cbc:ID></cac:PartyIdentification>
      <cac:PartyName><cbc:Name> </cbc:Name></cac:PartyName>
      <cac:PartyName><cbc:Name>Second name</cbc:Name></cac:PartyName>
      <cac:PartyTaxScheme><cbc:CompanyID>DK12345678</cbc:CompanyID></cac:PartyTaxScheme>
      <cac:PartyLegalEntity><cbc:RegistrationName>Registered A/S</cbc:RegistrationName><cbc:CompanyID schemeID="ZZZ">x</cbc:CompanyID></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0184">DK87654321</cbc:EndpointID>
      <cac:PartyIdentification><cbc:ID schemeID="0088">5798000000014</cbc:ID></cac:PartyIdentification>
      <cac:PartyLegalEntity><cbc:RegistrationName>Buyer</cbc:RegistrationName><cbc:CompanyID schemeID="dk:cvr">DK 1234 5679</cbc:CompanyID></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:Delivery><cbc:ActualDeliveryDate>2025-02-27</cbc:ActualDeliveryDate></cac:Delivery>
  <cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Rabat</cbc:AllowanceChargeReason><cbc:Amount currencyID="DKK">10.00</cbc:Amount></cac:AllowanceCharge>
  <cac:AllowanceCharge><cbc:ChargeIndicator> TRUE </cbc:ChargeIndicator><cbc:AllowanceChargeReasonCode>FC</cbc:AllowanceChargeReasonCode><cbc:Amount currencyID="DKK">5</cbc:Amount></cac:AllowanceCharge>
  <cac:TaxTotal><cbc:TaxAmount currencyID="DKK">25.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">3.35</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="DKK">105.00</cbc:LineExtensionAmount>
    <cbc:TaxInclusiveAmount currencyID="DKK">125.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="DKK">+125.0</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:ID>1b</cbc:ID>
    <cbc:Note>first note</cbc:Note>
    <cbc:Note/>
    <cbc:Note> second note </cbc:Note>
    <cbc:InvoicedQuantity unitCode="EA">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="DKK">.50</cbc:LineExtensionAmount>
    <cac:Delivery><cbc:ActualDeliveryDate>2025-02-03</cbc:ActualDeliveryDate></cac:Delivery>
    <cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:Amount>1.5</cbc:Amount></cac:AllowanceCharge>
    <cac:TaxTotal><cbc:TaxAmount currencyID="DKK">0.13</cbc:TaxAmount></cac:TaxTotal>
    <cac:Item>
      <!-- a comment among the item's children -->
      <cbc:Description>Paper</cbc:Description>
      <cbc:Description>ignored second description</cbc:Description>
      <cbc:Name/>
      <cbc:Name>ignored second name</cbc:Name>
      <ext:Name>other namespace</ext:Name>
      <cac:SellersItemIdentification><cbc:ID>S-1</cbc:ID><cbc:ID>S-2</cbc:ID></cac:SellersItemIdentification>
      <cac:StandardItemIdentification><cbc:ID schemeID="0160">05701234567890</cbc:ID></cac:StandardItemIdentification>
      <cac:CommodityClassification><cbc:ItemClassificationCode listID="UNSPSC">14111507</cbc:ItemClassificationCode><cbc:ItemClassificationCode listID="TST"> </cbc:ItemClassificationCode></cac:CommodityClassification>
      <cac:CommodityClassification><cbc:ItemClassificationCode>44121600</cbc:ItemClassificationCode></cac:CommodityClassification>
      <cac:AdditionalItemProperty><cbc:Name>Environment code</cbc:Name><cbc:Value>Svanemærket</cbc:Value></cac:AdditionalItemProperty>
      <cac:AdditionalItemProperty><cbc:Name>Colour</cbc:Name><cbc:Value>white</cbc:Value></cac:AdditionalItemProperty>
      <cac:AdditionalItemProperty><cbc:Value>no name</cbc:Value></cac:AdditionalItemProperty>
      <cac:Certificate><cbc:ID>123450</cbc:ID><cbc:CertificateTypeCode>SVANEN</cbc:CertificateTypeCode><cbc:Remarks>r</cbc:Remarks></cac:Certificate>
      <cac:Certificate><cbc:ID>EU Ecolabel</cbc:ID><cbc:CertificateTypeCode>NA</cbc:CertificateTypeCode></cac:Certificate>
      <cac:Certificate><cbc:ID>Some Unknown Mark</cbc:ID></cac:Certificate>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="DKK">0.25</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
  <cac:InvoiceLine>
    <cbc:ID>2</cbc:ID>
    <cbc:LineExtensionAmount currencyID="DKK">104.50</cbc:LineExtensionAmount>
    <cac:Delivery/>
  </cac:InvoiceLine>
</Invoice>
"""
# Read with the reader of commit 872474e.
EDGE_CASES_EXPECTED = {
    "document_type": "invoice",
    "format": "oioubl-2.1",
    "id": "EDGE-1",
    "issue_date": datetime.date(2025, 3, 1),
    "currency": "DKK",
    "supplier": {
        "endpoint_id": "5790000000001",
        "endpoint_scheme": "GLN",
        "cvr": "12345678",
        "gln": "5790000000001",
        "name": "Registered A/S",
        "se": "22334455",
        "provenance": {
            "cvr": "read from cac:PartyTaxScheme/cbc:CompanyID 'DK12345678', which has no schemeID: a "
            "Danish VAT number (DK + CVR), taken as the CVR"
        },
    },
    "customer": {
        "endpoint_id": "DK87654321",
        "endpoint_scheme": "0184",
        "cvr": "12345679",
        "gln": "5798000000014",
        "name": "Buyer",
        "se": None,
        "provenance": None,
    },
    "contract_references": ["K-1", "K-1b", "K-2"],
    "totals": {
        "line_extension": Decimal("105.00"),
        "allowance_total": Decimal("10.00"),
        "charge_total": Decimal("5"),
        "net": Decimal("100.00"),
        "tax": Decimal("25.00"),
        "gross": Decimal("125.00"),
        "prepaid": None,
        "rounding": None,
        "payable": Decimal("125.0"),
        "stated": {
            "LineExtensionAmount": Decimal("105.00"),
            "TaxInclusiveAmount": Decimal("125.00"),
            "PayableAmount": Decimal("125.0"),
        },
    },
    "lines": [
        {
            "position": 1,
            "id": "1",
            "quantity": Decimal("2"),
            "unit_code": "EA",
            "line_amount": Decimal("0.50"),
            "name": None,
            "description": "Paper",
            "seller_item_id": "S-1",
            "standard_item_id": "05701234567890",
            "standard_item_scheme": "0160",
            "classification_codes": [{"code": "14111507", "list_id": "UNSPSC"}, {"code": "44121600", "list_id": None}],
            "labels": [
                {"code": "SVANEN", "raw": "SVANEN", "known": True, "type1": True, "source": "certificate", "licence": "123450"},
                {
                    "code": "EU_ECO_LABEL",
                    "raw": "EU Ecolabel",
                    "known": True,
                    "type1": True,
                    "source": "certificate",
                    "licence": None,
                },
                {
                    "code": "SOME_UNKNOWN_MARK",
                    "raw": "Some Unknown Mark",
                    "known": False,
                    "type1": False,
                    "source": "certificate",
                    "licence": None,
                },
                {"code": "SVANEN", "raw": "Svanemærket", "known": True, "type1": True, "source": "property", "licence": None},
            ],
            "properties": [
                {"name": "Environment code", "value": "Svanemærket"},
                {"name": "Colour", "value": "white"},
                {"name": "", "value": "no name"},
            ],
            "notes": ["first note", "second note"],
            "delivery_date": datetime.date(2025, 2, 3),
            "allowance_charges": [{"charge": True, "amount": Decimal("1.5"), "reason": None, "reason_code": None}],
            "source_line": 49,
            "path": "/Invoice/cac:InvoiceLine[1]",
            "billing_reference": None,
            "billing_reference_line": None,
        },
        {
            "position": 2,
            "id": "2",
            "quantity": None,
            "unit_code": None,
            "line_amount": Decimal("104.50"),
            "name": None,
            "description": None,
            "seller_item_id": None,
            "standard_item_id": None,
            "standard_item_scheme": None,
            "classification_codes": [],
            "labels": [],
            "properties": [],
            "notes": [],
            "delivery_date": None,
            "allowance_charges": [],
            "source_line": 80,
            "path": "/Invoice/cac:InvoiceLine[2]",
            "billing_reference": None,
            "billing_reference_line": None,
        },
    ],
    "customization_id": "OIOUBL-2.1",
    "profile_id": "Procurement-BilSim-1.0",
    "type_code": "380",
    "delivery_date": datetime.date(2025, 2, 27),
    "period_start": datetime.date(2025, 2, 1),
    "period_end": datetime.date(2025, 2, 28),
    "billing_references": ["OLD-7"],
    "allowance_charges": [
        {"charge": False, "amount": Decimal("10.00"), "reason": "Rabat", "reason_code": None},
        {"charge": True, "amount": Decimal("5"), "reason": None, "reason_code": "FC"},
    ],
}

# Taken with the reader of commit 872474e (see the module's docstring).
SAMPLE_FINGERPRINTS = {
    "office/NK-2025-0001.xml": "dfd49fef73886c84",
    "office/NK-2025-0002.xml": "67260a5ae5381607",
    "office/NK-2025-0003.xml": "f1810e1b42d13815",
    "office/NK-2025-0004.xml": "fee51d44a3491310",
    "office/NK-2025-0005.xml": "9d600497a04ba882",
    "office/NK-2025-0006.xml": "e3c3cbda7af36c1c",
    "office/NK-2025-0007.xml": "50f875c29ad897d4",
    "office/NK-2025-0008.xml": "7c5c3572be9c5dd1",
    "office/NK-2025-0009.xml": "41825172a505d97f",
    "office/NK-2025-0010.xml": "b3a757518b092f57",
    "office/NK-2025-0011.xml": "a6bceaf318f9baf7",
    "office/katalog-2025-opdatering-juli.xml": "1cc822b945f2b4d2",
    "office/katalog-2025.xml": "6938d88cea7078e2",
    "transport/GB-202401.xml": "63e12ed9092841ba",
    "transport/GB-202402.xml": "12b698f6361b7a2b",
    "transport/GB-202403.xml": "f1d08360d26b1a00",
    "transport/GB-202404.xml": "4d81e8756b2f934c",
    "transport/GB-202405.xml": "d43cd1c026c6ffcf",
    "transport/GB-202406.xml": "15159acea3837f27",
    "transport/GB-202407.xml": "63f3c5a1acec5284",
    "transport/GB-202408.xml": "d0689fa8203bc768",
    "transport/GB-202409.xml": "1eaabcfc7d317a92",
    "transport/GB-202410.xml": "18372fcc47076fb7",
    "transport/GB-202411.xml": "027dc125cf0ca5a2",
    "transport/GB-202412.xml": "11d7e6f2d0d4bf51",
    "transport/GB-202501.xml": "07c331c54812fea1",
    "transport/GB-202502.xml": "a08d889bc4960c05",
    "transport/GB-202503.xml": "438cca7c2272113a",
    "transport/GB-202504.xml": "20404c28f224095f",
    "transport/GB-202505.xml": "b2e46e0f6456fa93",
    "transport/GB-202506.xml": "5539859e20239e62",
    "transport/GB-202507.xml": "e44484be520f66b6",
    "transport/GB-202508.xml": "3525745b0f4a6597",
    "transport/GB-202509.xml": "1e7905835a1eec1c",
    "transport/GB-202510.xml": "f561eebca0971d61",
    "transport/GB-202511.xml": "0e9a98b333cc2bcb",
    "transport/GB-202512.xml": "a90e17779be06214",
    "transport/GB-K-202511.xml": "5524a9fb21f96364",
}
REFERENCE_FINGERPRINTS = {
    "catalogues/oioubl-2.02/CATEXE_01_01_00_Catalogue_v2p2.xml": "76c825a74905684f",
    "catalogues/oioubl-2.02/CATEXE_03_03_00_CatalogueItemSpecificationUpdate_v2p2.xml": "37d20074d77344d2",
    "catalogues/oioubl-2.02/CATEXE_04_04_00_CataloguePricingUpdate_v2p2.xml": "4b888745b1bd5e1c",
    "catalogues/oioubl-2.02/CATEXE_05_05_00_Catalogue_A_v2p2.xml": "a2c2cee49e1710f4",
    "catalogues/oioubl-2.02/CATEXE_05_05_00_Catalogue_B_v2p2.xml": "53e9192d322cbaf3",
    "catalogues/oioubl-2.02/CATEXE_06_06_00_CatalogueDeletion_v2p2.xml": "2c8e5284019176b3",
    "catalogues/oioubl-2.1/OIOUBL_CatalogueDeletion_v2p2.xml": "fb401eaa4846c2d5",
    "catalogues/oioubl-2.1/OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml": "a053f761effa4bd6",
    "catalogues/oioubl-2.1/OIOUBL_CataloguePricingUpdate_v2p2.xml": "0393dcb53c61fd69",
    "catalogues/oioubl-2.1/OIOUBL_Catalogue_v2p2.xml": "df99c62df62174ff",
    "catalogues/peppol/Catalogue_Example.xml": "ff5c98c92f23ecd9",
    "catalogues/peppol/Snippet-1-1.xml": "95b1ec23e34e5703",
    "catalogues/peppol/catalogue-wo-response-use-case-1.xml": "d7380ee2fdee4e48",
    "catalogues/peppol/catalogue-wo-response-use-case-3.xml": "ef74e292f932d428",
    "invoices/oioubl-2.02/ADVORD_01_01_00_Invoice_v2p2.xml": "c93cad918a630c8f",
    "invoices/oioubl-2.02/ADVORD_03_03_00_Invoice_v2p2.xml": "f15ad8ffe122a43d",
    "invoices/oioubl-2.02/BASPRO_01_01_00_Invoice_v2p2.xml": "2e323e89096e5e69",
    "invoices/oioubl-2.02/BASPRO_03_01_06_CreditNote_v2p2.xml": "b548bcec6615bd28",
    "invoices/oioubl-2.02/BASPRO_03_01_06_Invoice_B_v2p2.xml": "8b58a119242dbb8b",
    "invoices/oioubl-2.02/BASPRO_03_01_06_Invoice_v2p2.xml": "2e323e89096e5e69",
    "invoices/oioubl-2.02/BASPRO_04_01_08_Invoice_v2p2.xml": "2e323e89096e5e69",
    "invoices/oioubl-2.02/COMDEL_02_02_00_Invoice_v2p2.xml": "8584eb32f7043cb7",
    "invoices/oioubl-2.02/COMDEL_04_02_04_Invoice_v2p2.xml": "8584eb32f7043cb7",
    "invoices/oioubl-2.02/COMORG_03_03_00_Invoice_v2p2.xml": "77cd3a9f89f69e7a",
    "invoices/oioubl-2.02/COMPAY_01_01_00_Invoice_v2p2.xml": "a5d48d5e282dd516",
    "invoices/oioubl-2.1/OIOUBL_CreditNote_v2p2.xml": "3fbb7605a7d6bd62",
    "invoices/oioubl-2.1/OIOUBL_InvoiceCerticate.xml": "2d5ad2c1329e70ee",
    "invoices/oioubl-2.1/OIOUBL_Invoice_UBLExtensions_v2p2.xml": "e4f8599cada30fa2",
    "invoices/oioubl-2.1/OIOUBL_Invoice_v2p2.xml": "e0d513378a8934ce",
    "invoices/peppol-bis3/Allowance-example.xml": "ba918fd237e53641",
    "invoices/peppol-bis3/base-example.xml": "64f67fb564c7e602",
    "invoices/peppol-bis3/vat-category-E.xml": "8de6e86c3eec1e53",
    "invoices/peppol-dk/BIS3_CreditNote_Example_DK_Supplier_Master.xml": "5b0635da00112569",
    "invoices/peppol-dk/BIS3_CreditNote_Example_DK_Supplier_Minor.xml": "c5bf59f73c54075e",
    "invoices/peppol-dk/BIS3_Invoice_Example_DK_Supplier_Master.xml": "764bbbf41e1655a8",
    "invoices/peppol-dk/BIS3_Invoice_Example_DK_Supplier_Minor.xml": "f1853b40e78bea9e",
    "invoices/peppol-dk/BIS3_NegativInvoice_Example_NegativeLine.xml": "487f98dad9fd6f18",
}
SYNTHETIC_FINGERPRINTS = [
    "52e35ce47acef915",
    "0b8a137123d6de59",
    "d8a5688af746f6d7",
    "bbb588796ee1d65c",
    "aaefa05dd52b043f",
    "d35cdfaa73894bd0",
]


if __name__ == "__main__":  # print the tables above anew, from the reader as it is now
    print("SAMPLE_FINGERPRINTS = {")
    for path in sample_files():
        print(f'    "{path.relative_to(SAMPLE_DIR).as_posix()}": "{fingerprint(path.read_bytes(), path.name)}",')
    print("}\nREFERENCE_FINGERPRINTS = {")
    for path in reference_files(REFERENCE_DIR):
        print(f'    "{path.relative_to(REFERENCE_DIR).as_posix()}": "{fingerprint(path.read_bytes(), path.name)}",')
    print("}\nSYNTHETIC_FINGERPRINTS = [")
    for batch in synthetic_batches():
        print(f'    "{batch_fingerprint(batch)}",')
    print("]")
