"""The common mistakes a supplier file makes, each told in a sentence a person can act on (issue 19
item 6): a PDF or a picture instead of an e-invoice, a name whose extension says one format while the
content is another, and the project's own blank template sent back unfilled.

The sentences are English source texts marked with ``N_()``; the catalogs hold the Danish, and outputs
translate a quarantine reason made of them (``compliance.base.texts.render_reason``). The file is
always recognised by its content: the name is only used to explain what went wrong.
"""

from __future__ import annotations

from pathlib import PurePath

from compliance.base.errors import UnknownFormatError
from compliance.base.i18n import N_

PDF_MAGIC = b"%PDF-"
PICTURE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")

PDF = N_("a PDF is not an e-invoice: ask the supplier to send OIOUBL or Peppol through NemHandel")
PICTURE = N_("a picture (scan or photo) is not an e-invoice: ask the supplier to send OIOUBL or Peppol through NemHandel")
E_INVOICE = N_("an OIOUBL or Peppol e-invoice (XML) sent through NemHandel")
TEXT_NAMED_WORKBOOK = N_(
    "the file is named .xlsx but holds text (CSV): save it as .csv, or save it from Excel as a workbook (.xlsx)"
)
WORKBOOK_NAMED_TEXT = N_("the file is named .csv but is an Excel workbook: name it .xlsx, or save it from Excel as CSV")
XML_NAMED_OTHER = N_("the file holds XML although its name says otherwise: name it .xml")
NAMED_XML_NOT_XML = N_("the file is named .xml but holds no XML: ask the supplier for the XML file itself")
KNOWN_FORMAT = N_("one of the formats the README lists under 'Input formats'")
UNFILLED_TEMPLATE = N_(
    "the blank template came back unfilled: fill in the header fields and at least one line, then send it again"
)
FILLED_TEMPLATE = N_("the template with its header fields and lines filled in")


def refuse_documents_that_are_no_e_invoice(data: bytes, file: str) -> None:
    """A PDF or a picture: the most common thing sent instead of an e-invoice."""
    if data.startswith(PDF_MAGIC):
        raise UnknownFormatError(PDF, file=file, expected=E_INVOICE)
    if data.startswith(PICTURE_MAGICS):
        raise UnknownFormatError(PICTURE, file=file, expected=E_INVOICE)


def _extension(file: str) -> str:
    return PurePath(file).suffix.lower()


def content_and_name_disagree(file: str, content: str) -> UnknownFormatError | None:
    """The error to raise when a file no reader recognised also has a name that says another format
    (``content``: ``"text"``, ``"workbook"`` or ``"xml"``), or ``None``."""
    extension = _extension(file)
    if content == "text" and extension in {".xlsx", ".xls", ".xlsm"}:
        return UnknownFormatError(TEXT_NAMED_WORKBOOK, file=file, expected=KNOWN_FORMAT)
    if content == "workbook" and extension in {".csv", ".txt"}:
        return UnknownFormatError(WORKBOOK_NAMED_TEXT, file=file, expected=KNOWN_FORMAT)
    if content == "xml" and extension in {".csv", ".xlsx", ".txt"}:
        return UnknownFormatError(XML_NAMED_OTHER, file=file, expected=KNOWN_FORMAT)
    if content == "text" and extension == ".xml":
        return UnknownFormatError(NAMED_XML_NOT_XML, file=file, expected=E_INVOICE)
    return None
