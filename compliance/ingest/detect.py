"""Recognise a supplier file by its content (never its name) and hand it to the right reader."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook

from compliance.base.documents import SourceDocument
from compliance.base.errors import SourceFileError, UnknownFormatError, UnsafeInputError
from compliance.ingest.driving_log import LogOptions, detect_log_mapping, read_driving_log_rows
from compliance.ingest.ecolabel_registry import (
    is_eu_ecolabel_export,
    is_nordic_swan_export,
    read_eu_ecolabel_export,
    read_nordic_swan_export,
)
from compliance.ingest.excel_catalogue import is_excel_catalogue, read_excel_catalogue
from compliance.ingest.excel_invoice import DAMAGED_WORKBOOK_ERRORS, damaged_workbook, is_excel_invoice, read_excel_invoice
from compliance.ingest.mistakes import content_and_name_disagree, refuse_documents_that_are_no_e_invoice
from compliance.ingest.safe_xml import parse_xml
from compliance.ingest.tabular import is_vehicle_register, read_csv_rows, read_vehicle_register
from compliance.ingest.ubl import CATALOGUE_ROOTS, INVOICE_ROOTS, read_ubl_catalogue, read_ubl_invoice, ubl_root_name

ZIP_MAGIC = b"PK\x03\x04"
_XML_START = re.compile(rb"[\xef\xbb\xbf \t\r\n]*<")  # BOM and blanks, then markup (looks at the start only)
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls/.xlsm containers
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
EXPECTED_FORMATS = (
    "an OIOUBL/Peppol/UBL invoice, credit note or catalogue (XML), the Excel invoice or catalogue template (.xlsx), "
    "a driving log (CSV or XLSX: generic, Webfleet, Geotab or a --log-mapping), a vehicle register CSV "
    "or an eco-label registry export (EU Ecolabel or Nordic Swan CSV)"
)


def _check_workbook_archive(data: bytes, file: str) -> list[str]:
    """Refuse macro-enabled and zip-bomb workbooks; return the sheet names of a safe one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SourceFileError(f"damaged zip/xlsx container: {exc}", file=file, expected="a valid .xlsx workbook") from exc
    names = archive.namelist()
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UnsafeInputError(
            "the workbook contains macros (vbaProject.bin); macro-enabled files are refused",
            file=file,
            expected="a plain .xlsx workbook without macros",
        )
    unzipped = sum(info.file_size for info in archive.infolist())
    compressed = max(1, sum(info.compress_size for info in archive.infolist()))
    if unzipped > MAX_UNZIPPED_BYTES or unzipped / compressed > MAX_ZIP_RATIO:
        raise UnsafeInputError(
            f"the workbook unpacks to {unzipped} bytes from {compressed} (a zip bomb?)",
            file=file,
            expected=f"at most {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB unpacked and a ratio under {MAX_ZIP_RATIO}:1",
        )
    if "xl/workbook.xml" not in names:
        raise UnknownFormatError("a zip archive that is not an Excel workbook", file=file, expected=EXPECTED_FORMATS)
    try:
        workbook_part = archive.read("xl/workbook.xml")
    except DAMAGED_WORKBOOK_ERRORS as exc:  # a bad CRC or deflate stream
        raise damaged_workbook(exc, file) from exc
    workbook = parse_xml(workbook_part, f"{file}!xl/workbook.xml")
    namespace = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return [sheet.get("name", "") for sheet in workbook.iter(f"{namespace}sheet")]


def _first_sheet_rows(data: bytes, file: str) -> tuple[list[str], list[list[str]]]:
    """Header (lower-cased) and rows of a workbook's first sheet, as text; formulas are not evaluated.

    The sheet's stored dimension is not trusted: rows and columns outside it would be dropped without
    a word, and a dimension up to XFD1048576 would pad every row to 16,384 cells.
    """
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not book.worksheets:
            raise SourceFileError("the workbook has no worksheet", file=file, expected="a driving log on the first sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        rows = [
            ["" if cell is None else (cell.isoformat() if hasattr(cell, "isoformat") else str(cell)) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
    except DAMAGED_WORKBOOK_ERRORS as exc:
        raise damaged_workbook(exc, file) from exc
    if not rows:
        return [], []
    return [column.strip().lower() for column in rows[0]], rows[1:]


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
        sheets = _check_workbook_archive(data, file)
        if is_excel_invoice(sheets):
            return read_excel_invoice(data, file)
        if is_excel_catalogue(sheets):
            return read_excel_catalogue(data, file)
        header, rows = _first_sheet_rows(data, file)
        mapping = options.mapping or detect_log_mapping(header)
        if mapping is not None:
            return read_driving_log_rows(header, rows, file, mapping, options.supplier_cvr)
        if (misnamed := content_and_name_disagree(file, "workbook")) is not None:
            raise misnamed
        raise UnknownFormatError(
            f"a workbook with sheets {sheets}",
            file=file,
            expected="the invoice template's sheets 'Invoice' and 'Lines', the catalogue template's 'Catalogue' and 'Items', "
            "or a driving log (generic, Webfleet or Geotab columns)",
        )
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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnknownFormatError(
            f"neither XML, a workbook nor UTF-8 text (byte {exc.start})", file=file, expected=EXPECTED_FORMATS
        ) from exc
    if not text.strip():
        raise UnknownFormatError(
            "the file has no content but a byte-order mark or white space", file=file, expected=EXPECTED_FORMATS
        )
    header, rows = read_csv_rows(text, file)
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
    raise UnknownFormatError(f"text whose first line is {text.splitlines()[0][:120]!r}", file=file, expected=EXPECTED_FORMATS)
