"""Recognise a supplier file by its content (never its name) and hand it to the right reader."""

from __future__ import annotations

import re
from typing import Any

from compliance.base.documents import SourceDocument
from compliance.base.errors import UnknownFormatError, UnsafeInputError
from compliance.base.text import C1_IN_UTF8
from compliance.ingest.csv_text import CsvText
from compliance.ingest.driving_log import LogOptions, detect_log_mapping, read_driving_log_rows
from compliance.ingest.ecolabel_registry import (
    is_eu_ecolabel_export,
    is_nordic_swan_export,
    read_eu_ecolabel_export,
    read_nordic_swan_export,
)
from compliance.ingest.excel_catalogue import is_excel_catalogue, read_excel_catalogue
from compliance.ingest.excel_invoice import is_excel_invoice, read_excel_invoice
from compliance.ingest.mistakes import content_and_name_disagree, refuse_documents_that_are_no_e_invoice
from compliance.ingest.safe_xml import parse_xml
from compliance.ingest.tabular import is_vehicle_register, read_vehicle_register
from compliance.ingest.ubl import CATALOGUE_ROOTS, INVOICE_ROOTS, read_ubl_catalogue, read_ubl_invoice, ubl_root_name
from compliance.ingest.workbook import CheckedWorkbook, open_workbook

ZIP_MAGIC = b"PK\x03\x04"
_XML_START = re.compile(rb"[\xef\xbb\xbf \t\r\n]*<")  # BOM and blanks, then markup (looks at the start only)
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls/.xlsm containers
EXPECTED_FORMATS = (
    "an OIOUBL/Peppol/UBL invoice, credit note or catalogue (XML), the Excel invoice or catalogue template (.xlsx), "
    "a driving log (CSV or XLSX: generic, Webfleet, Geotab or a --log-mapping), a vehicle register CSV "
    "or an eco-label registry export (EU Ecolabel or Nordic Swan CSV)"
)


def _cell_text(cell: Any) -> str:
    return "" if cell is None else (cell.isoformat() if hasattr(cell, "isoformat") else str(cell))


def _read_workbook(workbook: CheckedWorkbook, options: LogOptions) -> SourceDocument:
    """A template by its sheet names, else a driving log in the first sheet (streamed, formulas not evaluated)."""
    sheets = workbook.sheet_names
    if is_excel_invoice(sheets):
        return read_excel_invoice(workbook)
    if is_excel_catalogue(sheets):
        return read_excel_catalogue(workbook)
    first = workbook.first_sheet_name()
    rows = iter(workbook.rows(first) if first is not None else ())
    header = [_cell_text(cell).strip().lower() for cell in next(rows, ())]
    mapping = options.mapping or detect_log_mapping(header)
    if mapping is not None:
        return read_driving_log_rows(
            header, ([_cell_text(cell) for cell in row] for row in rows), workbook.file, mapping, options.supplier_cvr
        )
    if (misnamed := content_and_name_disagree(workbook.file, "workbook")) is not None:
        raise misnamed
    raise UnknownFormatError(
        f"a workbook with sheets {sheets}",
        file=workbook.file,
        expected="the invoice template's sheets 'Invoice' and 'Lines', the catalogue template's 'Catalogue' and 'Items', "
        "or a driving log (generic, Webfleet or Geotab columns)",
    )


def xml_without_control_characters(data: bytes) -> bool:
    """True when ``data``, a file :func:`read_source` read as XML, cannot have given its document a text with
    a control character, so the document need not be searched (``compliance.base.text``'s search costs
    about a tenth of reading an invoice). The safe parser refuses every C0 control character but tab
    and line breaks, raw or as a reference; what XML 1.0 allows and we do not is DEL and the C1
    characters. So: XML in UTF-8 (no NUL byte, which UTF-16 and UTF-32 have, and no other encoding
    declared) without a DEL byte, a C1 character or any character reference (``&#…;`` may name one).
    Anything else is searched."""
    if not _XML_START.match(data) or b"\x00" in data or b"\x7f" in data:
        return False
    # One byte is searched with memchr; a two-byte needle walks the file at about a byte a
    # nanosecond (a tenth of an invoice's parse), so "&#" is looked for only where "#" is.
    if b"#" in data and b"&#" in data:
        return False
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<?xml"):
        declaration = start[: start.find(b"?>") + 2].lower()
        if b"encoding" in declaration and b"utf-8" not in declaration and b"utf8" not in declaration:
            return False
    return not (b"\xc2" in data and C1_IN_UTF8.search(data))


def read_source(data: bytes, file: str, max_bytes: int, log_options: LogOptions | None = None) -> SourceDocument:
    """Parse ``data`` into its normalised document, or raise an error a person can act on.

    ``log_options`` gives a driving log's column mapping and supplier when the file cannot.
    """
    options = log_options or LogOptions()
    if len(data) > max_bytes:
        raise UnsafeInputError(
            f"the file is {len(data)} bytes", file=file, expected=f"at most {max_bytes} bytes (COMPLIANCE_MAX_FILE_MB)"
        )
    if not data or data.isspace():
        raise UnknownFormatError("the file is empty", file=file, expected=EXPECTED_FORMATS)
    refuse_documents_that_are_no_e_invoice(data, file)
    if data.startswith(ZIP_MAGIC):
        with open_workbook(data, file) as workbook:
            return _read_workbook(workbook, options)
    if data.startswith(OLE_MAGIC):
        raise UnsafeInputError(
            "a legacy binary Office file (.xls/.xlsm container)", file=file, expected="an .xlsx workbook without macros"
        )
    if _XML_START.match(data) or data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-8, or UTF-16 with BOM
        root = parse_xml(data, file)
        name = ubl_root_name(root)
        if name in INVOICE_ROOTS:
            return read_ubl_invoice(root, file)
        if name in CATALOGUE_ROOTS:
            return read_ubl_catalogue(root, file)
        if (misnamed := content_and_name_disagree(file, "xml")) is not None:
            raise misnamed
        raise UnknownFormatError(
            f"XML with root element {root.tag}", file=file, expected="a UBL 2 Invoice, CreditNote or Catalogue"
        )
    text = CsvText(data, file, EXPECTED_FORMATS)  # streamed: the decoded text is never held whole
    header, rows = text.header, text.rows()
    if is_vehicle_register(header):
        return read_vehicle_register(header, rows, file)
    if is_eu_ecolabel_export(header):
        return read_eu_ecolabel_export(header, rows, file)
    if is_nordic_swan_export(header):
        return read_nordic_swan_export(header, rows, file)
    mapping = options.mapping or detect_log_mapping(header)
    if mapping is not None:
        return read_driving_log_rows(header, rows, file, mapping, options.supplier_cvr)
    if (misnamed := content_and_name_disagree(file, "text")) is not None:
        raise misnamed
    raise UnknownFormatError(f"text whose first line is {text.first_line!r}", file=file, expected=EXPECTED_FORMATS)
