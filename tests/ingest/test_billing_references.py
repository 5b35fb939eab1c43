"""What a credit note credits is read from UBL: the document's BillingReference and each line's own."""

from __future__ import annotations

from compliance.base.documents import InvoiceDocument
from compliance.ingest.detect import read_source
from tests.conftest import SAMPLE_DIR

MAX = 5 * 1024 * 1024
LINE_REFERENCE = (
    "<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>GB-202509</cbc:ID></cac:InvoiceDocumentReference>"
    "<cac:BillingReferenceLine><cbc:ID>7</cbc:ID></cac:BillingReferenceLine></cac:BillingReference>"
)


def test_the_sample_credit_note_credits_the_october_invoice() -> None:
    document = read_source((SAMPLE_DIR / "transport" / "GB-K-202511.xml").read_bytes(), "GB-K-202511.xml", MAX)
    assert isinstance(document, InvoiceDocument) and document.billing_references == ["GB-202510"]
    assert (document.lines[0].billing_reference, document.lines[0].billing_reference_line) == (None, None)


def test_a_credit_note_line_names_the_invoice_and_line_it_credits() -> None:
    text = (SAMPLE_DIR / "transport" / "GB-K-202511.xml").read_text(encoding="utf-8")
    text = text.replace("</cac:Delivery>", "</cac:Delivery>\n    " + LINE_REFERENCE, 1)
    document = read_source(text.encode(), "credit.xml", MAX)
    assert isinstance(document, InvoiceDocument)
    assert (document.lines[0].billing_reference, document.lines[0].billing_reference_line) == ("GB-202509", "7")
