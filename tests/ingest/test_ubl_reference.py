"""The real OIOUBL and Peppol examples in ../shared/reference: every file reads, and the facts match the file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from compliance.base.documents import CatalogueDocument, InvoiceDocument, document_as_json
from compliance.base.package_data import load_package_json
from compliance.ingest.detect import read_source

SCHEMA = load_package_json("normalized-document.schema.json")
MAX = 50 * 1024 * 1024


def read(path: Path) -> Any:
    return read_source(path.read_bytes(), str(path), MAX)


def test_every_reference_document_reads_and_matches_the_published_shape(reference_dir: Path) -> None:
    files = sorted([*reference_dir.glob("invoices/*/*.xml"), *reference_dir.glob("catalogues/*/*.xml")])
    assert len(files) == 37
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for path in files:
        document = read(path)
        errors = list(validator.iter_errors(document_as_json(document)))
        assert errors == [], f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"


# Header facts read by hand from the files (id, date, type, currency, supplier CVR, customer id,
# contract references, totals, line count, and each line's quantity and amount). Totals are
# (lines, net, tax, gross, prepaid, rounding, payable), computed by hand from LegalMonetaryTotal and
# the header's TaxTotal: OIOUBL 2.x writes the VAT total in TaxExclusiveAmount (net = lines −
# allowances + charges), Peppol the net amount; Peppol's second TaxTotal in the tax currency
# (SEK, EUR) is not the VAT total of the document.
INVOICE_FACTS = [
    (
        "invoices/oioubl-2.02/BASPRO_01_01_00_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.1/OIOUBL_CreditNote_v2p2.xml",
        {
            "type": "credit_note",
            "format": "oioubl-2.1",
            "id": "A00095679",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798009811578", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.1/OIOUBL_InvoiceCerticate.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.1",
            "id": "Test2012-2021",
            "date": "2021-12-01",
            "currency": "DKK",
            "supplier_cvr": "16356709",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("363.16", "363.16", "90.79", "453.95", None, None, "453.95"),
            "lines": [("1.00", "363.16")],
        },
    ),
    (
        "invoices/peppol-dk/BIS3_NegativInvoice_Example_NegativeLine.xml",
        {
            "type": "invoice",
            "format": "peppol-bis3",
            "id": "20150483",
            "date": "2017-10-01",
            "currency": "NOK",
            "supplier_cvr": None,
            "customer": ("5798009811578", "0088"),
            "contracts": ["Contract-1223456"],
            "totals": ("-300.00", "-300.00", "-425.00", "-725.00", None, None, "-725.00"),
            "lines": [("3", "300.00"), ("7", "1400.00"), ("-1", "-2000.00")],
        },
    ),
    (
        "invoices/peppol-dk/BIS3_Invoice_Example_DK_Supplier_Master.xml",
        {
            "type": "invoice",
            "format": "peppol-bis3",
            "id": "20150483",
            "date": "2018-04-01",
            "currency": "DKK",
            "supplier_cvr": "32081330",
            "customer": ("5798009811578", "0088"),
            "contracts": ["Contract-1223456"],
            "totals": ("1575.00", "1675.00", "43.75", "1718.75", "100.00", "0.25", "1619.00"),
            "lines": [("3", "275.00"), ("5", "1400.00"), ("-1", "-100.00")],
        },
    ),
    (
        "invoices/peppol-bis3/base-example.xml",
        {
            "type": "invoice",
            "format": "peppol-bis3",
            "id": "Snippet1",
            "date": "2017-11-13",
            "currency": "EUR",
            "supplier_cvr": None,
            "customer": ("FR23342", "0002"),
            "contracts": [],
            "totals": ("1300", "1325", "331.25", "1656.25", None, None, "1656.25"),
            "lines": [("7", "2800"), ("-3", "-1500")],
        },
    ),
    (
        "invoices/oioubl-2.02/ADVORD_01_01_00_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2006-04-10",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5000.00", "5000.00", "1250.00", "6250.00", None, None, "6250.00"),
            "lines": [("1.00", "5000.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/ADVORD_03_03_00_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2006-04-10",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5000.00", "5000.00", "1250.00", "6250.00", None, None, "6250.00"),
            "lines": [("1.00", "5000.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/BASPRO_03_01_06_CreditNote_v2p2.xml",
        {
            "type": "credit_note",
            "format": "oioubl-2.02",
            "id": "A00095679",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/BASPRO_03_01_06_Invoice_B_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095680",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "4250.00", "1062.50", "5312.50", None, None, "5312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/BASPRO_03_01_06_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/BASPRO_04_01_08_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798000416604", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/COMDEL_02_02_00_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-12-29",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("DK88666553", "DK:CVR"),
            "contracts": [],
            "totals": ("33340.00", "33340.00", "8335.00", "41675.00", None, None, "41675.00"),
            "lines": [("1.00", "8335.00"), ("1.00", "8335.00"), ("1.00", "8335.00"), ("1.00", "8335.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/COMDEL_04_02_04_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-12-29",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("DK88666553", "DK:CVR"),
            "contracts": [],
            "totals": ("33340.00", "33340.00", "8335.00", "41675.00", None, None, "41675.00"),
            "lines": [("1.00", "8335.00"), ("1.00", "8335.00"), ("1.00", "8335.00"), ("1.00", "8335.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/COMORG_03_03_00_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356707",
            "customer": ("DK40416604", "DK:CVR"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.02/COMPAY_01_01_00_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.02",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "73624118",
            "customer": ("5798000700814", "GLN"),
            "contracts": [],
            "totals": ("3950.00", "4025.00", "1006.25", "5031.25", None, None, "5031.25"),
            "lines": [("1.00", "1975.00"), ("1.00", "1975.00")],
        },
    ),
    (
        "invoices/oioubl-2.1/OIOUBL_Invoice_UBLExtensions_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.1",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798009811578", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/oioubl-2.1/OIOUBL_Invoice_v2p2.xml",
        {
            "type": "invoice",
            "format": "oioubl-2.1",
            "id": "A00095678",
            "date": "2005-11-20",
            "currency": "DKK",
            "supplier_cvr": "16356706",
            "customer": ("5798009811578", "GLN"),
            "contracts": [],
            "totals": ("5050.00", "5050.00", "1262.50", "6312.50", None, None, "6312.50"),
            "lines": [("1.00", "5000.00"), ("2.00", "50.00")],
        },
    ),
    (
        "invoices/peppol-bis3/Allowance-example.xml",
        {
            "type": "invoice",
            "format": "peppol-bis3",
            "id": "Snippet1",
            "date": "2017-11-13",
            "currency": "EUR",
            "supplier_cvr": None,
            "customer": ("4598375937", "0002"),
            "contracts": ["framework no 1"],
            "totals": ("5900", "5900", "1225.00", "7125", "1000", None, "6125.00"),
            "lines": [("10", "4000.00"), ("10", "1000.00"), ("10", "900.00")],
        },
    ),
    (
        "invoices/peppol-bis3/vat-category-E.xml",
        {
            "type": "invoice",
            "format": "peppol-bis3",
            "id": "Vat-Z",
            "date": "2018-08-30",
            "currency": "GBP",
            "supplier_cvr": None,
            "customer": ("12345678", "0184"),
            "contracts": [],
            "totals": ("1200.00", "1200.00", "0.00", "1200.00", None, None, "1200.00"),
            "lines": [("10", "1200.00")],
        },
    ),
    (
        "invoices/peppol-dk/BIS3_CreditNote_Example_DK_Supplier_Master.xml",
        {
            "type": "credit_note",
            "format": "peppol-bis3",
            "id": "20150483",
            "date": "2018-04-01",
            "currency": "DKK",
            "supplier_cvr": "32081330",
            "customer": ("5798009811578", "0088"),
            "contracts": [],
            "totals": ("1575.00", "1675.00", "43.75", "1718.75", "100.00", "0.25", "1619.00"),
            "lines": [("3", "275.00"), ("5", "1400.00"), ("-1", "-100.00")],
        },
    ),
    (
        "invoices/peppol-dk/BIS3_CreditNote_Example_DK_Supplier_Minor.xml",
        {
            "type": "credit_note",
            "format": "peppol-bis3",
            "id": "20150483",
            "date": "2017-10-01",
            "currency": "DKK",
            "supplier_cvr": "32081330",
            "customer": ("5798009811578", "0088"),
            "contracts": [],
            "totals": ("1575.00", "1675.00", "43.75", "1718.75", "100.00", "0.25", "1619.00"),
            "lines": [("3", "275.00"), ("5", "1400.00"), ("-1", "-100.00")],
        },
    ),
    (
        "invoices/peppol-dk/BIS3_Invoice_Example_DK_Supplier_Minor.xml",
        {
            "type": "invoice",
            "format": "peppol-bis3",
            "id": "20150483",
            "date": "2018-04-01",
            "currency": "DKK",
            "supplier_cvr": "32081330",
            "customer": ("5798009811578", "0088"),
            "contracts": [],
            "totals": ("1575.00", "1675.00", "43.75", "1718.75", "100.00", "0.25", "1619.00"),
            "lines": [("3", "275.00"), ("5", "1400.00"), ("-1", "-100.00")],
        },
    ),
]


def test_every_reference_invoice_has_hand_read_facts(reference_dir: Path) -> None:
    files = {str(path.relative_to(reference_dir)) for path in reference_dir.glob("invoices/*/*.xml")}
    assert files == {relative for relative, _ in INVOICE_FACTS}


@pytest.mark.parametrize(("relative", "facts"), INVOICE_FACTS, ids=[Path(r).name for r, _ in INVOICE_FACTS])
def test_invoice_header_and_line_facts(reference_dir: Path, relative: str, facts: dict[str, Any]) -> None:
    document = read(reference_dir / relative)
    assert isinstance(document, InvoiceDocument)
    assert document.document_type == facts["type"]
    assert document.format == facts["format"]
    assert document.id == facts["id"]
    assert document.issue_date.isoformat() == facts["date"]
    assert document.currency == facts["currency"]
    assert document.supplier.cvr == facts["supplier_cvr"]
    assert (document.customer.endpoint_id, document.customer.endpoint_scheme) == facts["customer"]
    assert document.contract_references == facts["contracts"]
    totals = document.totals
    amounts = (totals.line_extension, totals.net, totals.tax, totals.gross, totals.prepaid, totals.rounding, totals.payable)
    assert tuple(None if amount is None else str(amount) for amount in amounts) == facts["totals"]
    assert [(str(line.quantity), str(line.line_amount)) for line in document.lines] == facts["lines"]


def test_certificate_label_on_an_oioubl_invoice_line(reference_dir: Path) -> None:
    document = read(reference_dir / "invoices/oioubl-2.1/OIOUBL_InvoiceCerticate.xml")
    (line,) = document.lines
    assert line.seller_item_id == "100054671"
    assert [(label.code, label.raw, label.type1) for label in line.labels] == [("ENERGY_STAR", "ENERGY_STAR", False)]
    assert line.source_line is not None and line.path == "/Invoice/cac:InvoiceLine"


def test_catalogue_labels_from_certificates_and_item_properties(reference_dir: Path) -> None:
    peppol = read(reference_dir / "catalogues/peppol/Catalogue_Example.xml")
    assert isinstance(peppol, CatalogueDocument)
    assert peppol.id == "1387" and peppol.contract_references == ["CRT1387"]
    first = peppol.lines[0]
    assert first.seller_item_id == "MNTR011"
    # Peppol puts the licence number in cbc:ID and the label in cbc:CertificateTypeCode.
    assert [(label.code, label.licence, label.type1) for label in first.labels] == [("SVANEN", "123450", True)]
    update = read(reference_dir / "catalogues/oioubl-2.1/OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml")
    assert update.document_type == "catalogue_item_specification_update"
    assert {(label.code, label.raw, label.source) for line in update.lines for label in line.labels} == {
        ("SVANEN", "Svanemærket", "property")
    }


def test_amounts_keep_their_exact_text(reference_dir: Path) -> None:
    document = read(reference_dir / "invoices/peppol-bis3/base-example.xml")
    assert document.totals.payable == Decimal("1656.25")
    assert str(document.lines[0].line_amount) == "2800"


def test_allowances_charges_and_se_numbers(reference_dir: Path) -> None:
    document = read(reference_dir / "invoices/peppol-bis3/Allowance-example.xml")
    header = [(a.charge, str(a.amount), a.reason, a.reason_code) for a in document.allowance_charges]
    assert header == [(True, "200", "Cleaning", "CG"), (False, "200", "Discount", "95")]
    first_line = document.lines[0]
    assert [(a.charge, str(a.amount)) for a in first_line.allowance_charges] == [(True, "1"), (False, "101")]
    master = read(reference_dir / "invoices/peppol-dk/BIS3_Invoice_Example_DK_Supplier_Master.xml")
    assert master.supplier.se == "12345678"  # PartyTaxScheme CompanyID schemeID="0198" DK12345678


# Catalogue facts read by hand from ../shared/reference/catalogues: type, id, issue date, the
# catalogue an update or deletion applies to, and per line the seller's item id and its labels
# (canonical code, licence number).
CATALOGUE_FACTS: dict[str, tuple[str, str, str, str, list[tuple[str | None, list[tuple[str, str | None]]]]]] = {
    "oioubl-2.1/OIOUBL_Catalogue_v2p2.xml": (
        "catalogue", "CAT-EX-1", "2006-04-30", "CAT-EX-1", [("87067606", []), ("87067606", []), ("SUB-C", [])]
    ),
    "oioubl-2.02/CATEXE_01_01_00_Catalogue_v2p2.xml": (
        "catalogue", "CAT-EX-1", "2006-04-30", "CAT-EX-1", [("87067606", []), ("87067606", []), ("SUB-C", [])]
    ),
    "oioubl-2.1/OIOUBL_CatalogueItemSpecificationUpdate_v2p2.xml": (
        "catalogue_item_specification_update", "CAT-EX-2_ITEMUPDATE", "2006-05-01", "CAT-EX-2",
        [("121643", [("SVANEN", None)]), ("121645", [("SVANEN", None)])],
    ),
    "oioubl-2.02/CATEXE_03_03_00_CatalogueItemSpecificationUpdate_v2p2.xml": (
        "catalogue_item_specification_update", "CAT-EX-2_ITEMUPDATE", "2006-05-01", "CAT-EX-2",
        [("121643", [("SVANEN", None)]), ("121645", [("SVANEN", None)])],
    ),
    "oioubl-2.1/OIOUBL_CataloguePricingUpdate_v2p2.xml": (
        "catalogue_pricing_update", "CAT-EX-2_PRICEUPDATE", "2006-05-15", "CAT-EX-2", [(None, []), (None, [])]
    ),
    "oioubl-2.02/CATEXE_04_04_00_CataloguePricingUpdate_v2p2.xml": (
        "catalogue_pricing_update", "CAT-EX-2_PRICEUPDATE", "2006-05-15", "CAT-EX-2", [(None, []), (None, [])]
    ),
    "oioubl-2.1/OIOUBL_CatalogueDeletion_v2p2.xml": ("catalogue_deletion", "CAT-EX-2_DELETE", "2006-05-15", "CAT-EX-2", []),
    "oioubl-2.02/CATEXE_06_06_00_CatalogueDeletion_v2p2.xml": (
        "catalogue_deletion", "CAT-EX-2_DELETE", "2006-05-15", "CAT-EX-2", []
    ),
    "oioubl-2.02/CATEXE_05_05_00_Catalogue_A_v2p2.xml": ("catalogue", "MP-UPD-1", "2006-08-15", "MP-UPD-1", [("951951", []), ("951952", [])]),
    "oioubl-2.02/CATEXE_05_05_00_Catalogue_B_v2p2.xml": ("catalogue", "MP-UPD-1", "2006-08-15", "MP-UPD-1", [("951951", [])]),
    "peppol/Catalogue_Example.xml": ("catalogue", "1387", "2016-08-01", "1387", [("MNTR011", [("SVANEN", "123450")]), ("MNTR012", [])]),
    "peppol/Snippet-1-1.xml": (
        "catalogue", "1387", "2016-08-01", "1387",
        [("PC01", [("EU_ECO_LABEL", None)]), ("MNTR01", []), ("INST01", []), ("34234-324", []), ("654321", []), ("983492342", [])],
    ),
    "peppol/catalogue-wo-response-use-case-1.xml": (
        "catalogue", "1234", "2019-08-01", "1234",
        [("2451015", [("SVANEN", None)]), ("2451037", [("SVANEN", None)]), ("1038195", []), ("7690213", []), ("123", []),
         ("55123", []), ("4747", [("KRAV_MARK", "Z04")])],
    ),
    "peppol/catalogue-wo-response-use-case-3.xml": (
        "catalogue", "1236", "2019-08-20", "1236",
        [("2451015", [("SVANEN", None)]), ("2451037", [("SVANEN", None)]), ("2451027", [("SVANEN", None)]), ("1038195", []),
         ("7690213", []), ("123", []), ("55123", []), ("4747", [("KRAV_MARK", "Z04")]), ("1111", []), ("111", []), ("11", []),
         ("D345gold", [])],
    ),
}  # fmt: skip


def test_every_reference_catalogue_has_a_hand_read_fact_sheet(reference_dir: Path) -> None:
    files = {str(p.relative_to(reference_dir / "catalogues")) for p in (reference_dir / "catalogues").glob("*/*.xml")}
    assert files == set(CATALOGUE_FACTS)


@pytest.mark.parametrize("name", sorted(CATALOGUE_FACTS))
def test_reference_catalogue_items_and_labels(reference_dir: Path, name: str) -> None:
    document_type, identifier, issued, target, lines = CATALOGUE_FACTS[name]
    document = read(reference_dir / "catalogues" / name)
    assert isinstance(document, CatalogueDocument)
    assert (document.document_type, document.id, document.issue_date.isoformat(), document.target_catalogue_id) == (
        document_type, identifier, issued, target
    )  # fmt: skip
    assert [(line.seller_item_id, [(lb.code, lb.licence) for lb in line.labels]) for line in document.lines] == lines
