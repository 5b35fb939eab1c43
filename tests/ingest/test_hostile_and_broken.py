"""Hostile and broken files are refused with a reason a person can act on; nothing is expanded or fetched."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from compliance.base.errors import SourceFileError, UnknownFormatError, UnsafeInputError
from compliance.ingest.detect import read_source
from compliance.ingest.safe_xml import DeclarationScan, parse_xml
from tests.conftest import SAMPLE_DIR

MAX = 5 * 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><Note>&lol9;</Note></Invoice>"""

QUADRATIC = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "' + b"A" * 50000 + b'">]><Invoice>' + b"&a;" * 2000 + b"</Invoice>"

EXTERNAL_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"""

EXTERNAL_HTTP = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>"""


@pytest.mark.parametrize(
    "data", [BILLION_LAUGHS, QUADRATIC, EXTERNAL_FILE, EXTERNAL_HTTP], ids=["billion-laughs", "quadratic", "xxe-file", "xxe-http"]
)
def test_entity_and_dtd_attacks_are_refused_before_parsing(data: bytes) -> None:
    with pytest.raises(UnsafeInputError) as caught:
        read_source(data, "inbox/evil.xml", MAX)
    assert caught.value.file == "inbox/evil.xml"
    assert caught.value.location == "line 2" or caught.value.location == "line 1"
    assert "DOCTYPE" in str(caught.value) or "ENTITY" in str(caught.value)


def test_the_declaration_scan_looks_past_other_exclamation_marks() -> None:
    """The scan only searches a document that has a "!" (most have none): it must still find a
    declaration after a "!" in text or a comment, whole or split across two chunks of a stream."""
    evil = b'<?xml version="1.0"?><!-- Tak! --><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    with pytest.raises(UnsafeInputError):
        parse_xml(evil, "evil.xml")
    scan = DeclarationScan("evil.xml")
    split = evil.index(b"<!DOCTYPE") + 4  # the first chunk ends inside "<!DOCTYPE"
    scan.feed(evil[:split])
    with pytest.raises(UnsafeInputError):
        scan.feed(evil[split:])
    assert parse_xml(b"<x>Tak!</x>", "ok.xml").text == "Tak!"
    assert parse_xml(b"<x>no mark at all</x>", "ok.xml").text == "no mark at all"


def test_utf16_doctype_is_caught_after_parsing_without_expansion() -> None:
    data = EXTERNAL_FILE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>').decode().encode("utf-16")
    with pytest.raises(UnsafeInputError):
        read_source(data, "evil16.xml", MAX)


def test_oversized_file_is_refused() -> None:
    with pytest.raises(UnsafeInputError) as caught:
        read_source(b"<Invoice/>" + b" " * 2000, "big.xml", 1000)
    assert "at most 1000 bytes" in str(caught.value)


def test_malformed_xml_names_line_and_column() -> None:
    data = b'<?xml version="1.0"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">\n  <cbc:ID>1</Invoice>\n'
    with pytest.raises(SourceFileError) as caught:
        read_source(data, "broken.xml", MAX)
    assert caught.value.location is not None and caught.value.location.startswith("line 3")
    assert caught.value.expected == "a well-formed XML document"


def test_invoice_without_number_or_with_a_bad_amount_says_where() -> None:
    base = (SAMPLE_DIR / "transport" / "GB-202401.xml").read_bytes()
    no_id = base.replace(b"<cbc:ID>GB-202401</cbc:ID>", b"", 1)
    with pytest.raises(SourceFileError) as caught:
        read_source(no_id, "x.xml", MAX)
    assert caught.value.location == "/Invoice/cbc:ID"
    first_line_amount = base.index(b"<cbc:LineExtensionAmount", base.index(b"<cac:InvoiceLine>"))
    bad_amount = base[:first_line_amount] + base[first_line_amount:].replace(b">", b">12,5<!--", 1).replace(
        b"</cbc:LineExtensionAmount>", b"--></cbc:LineExtensionAmount>", 1
    )
    with pytest.raises(SourceFileError) as caught:
        read_source(bad_amount, "x.xml", MAX)
    assert caught.value.location is not None
    assert caught.value.location.endswith("/Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount")
    assert "'12,5' is not a number" in caught.value.message


def test_unknown_xml_and_unknown_text_are_named() -> None:
    with pytest.raises(UnknownFormatError) as caught:
        read_source(b"<Order xmlns='urn:x'/>", "order.xml", MAX)
    assert "Order" in str(caught.value)
    with pytest.raises(UnknownFormatError):
        read_source(b"hello,world\n1,2\n", "notes.csv", MAX)
    with pytest.raises(UnknownFormatError):
        read_source(b"\x00\xff\xfe binary", "blob.bin", MAX)


def _workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_macro_enabled_workbook_is_refused() -> None:
    book = Workbook()
    book.active.title = "Invoice"  # type: ignore[union-attr]
    book.create_sheet("Lines")
    buffer = io.BytesIO(_workbook_bytes(book))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    with pytest.raises(UnsafeInputError) as caught:
        read_source(buffer.getvalue(), "invoice.xlsm", MAX)
    assert "macros" in str(caught.value)


def test_zip_bomb_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (30 * 1024 * 1024))
    with pytest.raises(UnsafeInputError) as caught:
        read_source(buffer.getvalue(), "bomb.xlsx", MAX)
    assert "zip bomb" in str(caught.value)


def test_legacy_binary_office_file_is_refused() -> None:
    with pytest.raises(UnsafeInputError):
        read_source(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", MAX)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "1E+5", "12,5", "1.2.3"])
def test_amounts_must_be_plain_decimals(text: str) -> None:
    base = (SAMPLE_DIR / "transport" / "GB-202401.xml").read_bytes()
    start = base.index(b">", base.index(b"<cbc:PayableAmount")) + 1
    end = base.index(b"</cbc:PayableAmount>")
    with pytest.raises(SourceFileError) as caught:
        read_source(base[:start] + text.encode() + base[end:], "x.xml", MAX)
    assert caught.value.location is not None and caught.value.location.endswith(
        "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"
    )


def test_a_file_with_only_a_byte_order_mark_is_named_empty() -> None:
    # Found by the fuzz test: a BOM alone used to crash the format detection.
    with pytest.raises(UnknownFormatError) as caught:
        read_source(b"\xef\xbb\xbf \n", "bom.csv", MAX)
    assert "no content" in caught.value.message
