"""The issuer is known (issue 16, item 8): a Danish seller identified only by DK + 8 digits without a
schemeID (plain EN 16931, country DK, no endpoint) is read as its CVR, and the provenance says so."""

from __future__ import annotations

import jsonschema
import pytest

from compliance.base.documents import InvoiceDocument, document_as_json
from compliance.base.package_data import load_package_json
from compliance.ingest.detect import read_source

MAX = 5 * 1024 * 1024


def en16931_invoice(party: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>EN-1</cbc:ID>
  <cbc:IssueDate>2025-06-30</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>DKK</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>DK</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    {party}
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Kommune</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="DKK">0.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>
""".encode()


def supplier_of(party: str) -> InvoiceDocument:
    document = read_source(en16931_invoice(party), "en.xml", MAX)
    assert isinstance(document, InvoiceDocument)
    return document


TAX = "<cac:PartyTaxScheme><cbc:CompanyID>{}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
LEGAL = "<cac:PartyLegalEntity><cbc:RegistrationName>Grøn Bud ApS</cbc:RegistrationName><cbc:CompanyID>{}</cbc:CompanyID></cac:PartyLegalEntity>"


@pytest.mark.parametrize(
    ("party", "where"),
    [
        (TAX.format("DK38451236"), "cac:PartyTaxScheme/cbc:CompanyID"),
        (TAX.format("dk 38 45 12 36"), "cac:PartyTaxScheme/cbc:CompanyID"),
        (LEGAL.format("DK38451236"), "cac:PartyLegalEntity/cbc:CompanyID"),
    ],
)
def test_dk_and_eight_digits_without_a_scheme_is_the_cvr_with_its_provenance(party: str, where: str) -> None:
    document = supplier_of(party)
    assert document.supplier.cvr == "38451236"
    assert document.supplier.provenance is not None and where in document.supplier.provenance["cvr"]
    assert "taken as the CVR" in document.supplier.provenance["cvr"]
    schema = load_package_json("normalized-document.schema.json")
    jsonschema.validate(document_as_json(document), schema)


@pytest.mark.parametrize(
    "party",
    [
        TAX.format("DK3845123"),  # seven digits
        TAX.format("SE38451236"),  # another country's VAT number
        TAX.format("38451236"),  # no DK prefix and no scheme: nothing says it is Danish
        TAX.replace("<cbc:CompanyID>", '<cbc:CompanyID schemeID="ZZZ">').format("DK38451236"),  # a scheme we do not know
    ],
)
def test_anything_else_without_a_scheme_gives_no_cvr(party: str) -> None:
    document = supplier_of(party)
    assert (document.supplier.cvr, document.supplier.provenance) == (None, None)


def test_a_schemed_cvr_wins_and_needs_no_provenance() -> None:
    party = '<cac:PartyLegalEntity><cbc:CompanyID schemeID="0184">27614590</cbc:CompanyID></cac:PartyLegalEntity>' + TAX.format(
        "DK38451236"
    )
    document = supplier_of(party)
    assert (document.supplier.cvr, document.supplier.provenance) == ("27614590", None)
