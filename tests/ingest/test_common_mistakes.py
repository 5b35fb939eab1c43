"""Ingest messages for the common mistakes (issue 19 item 6): a PDF or a picture instead of an
e-invoice, a name that says another format than the content, the blank template sent back unfilled;
each told in a sentence a person can act on, in Danish where outputs show it."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.base.errors import SourceFileError, UnknownFormatError
from compliance.base.texts import render_reason
from compliance.ingest.detect import read_source
from compliance.ingest.excel_catalogue import write_blank_catalogue_template
from compliance.ingest.excel_invoice import write_blank_template
from tests.conftest import SAMPLE_DIR

LIMIT = 10**7


def _refused(data: bytes, name: str) -> SourceFileError:
    with pytest.raises(SourceFileError) as caught:
        read_source(data, name, LIMIT)
    return caught.value


def test_a_pdf_is_no_e_invoice_and_the_supplier_is_asked_for_oioubl_or_peppol() -> None:
    error = _refused(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n", "inbox/faktura-1044.pdf")
    assert isinstance(error, UnknownFormatError)
    assert error.message.startswith("a PDF is not an e-invoice") and "byte" not in error.message
    danish = render_reason(str(error), "da")
    assert danish.startswith(
        "inbox/faktura-1044.pdf: en PDF er ikke en e-faktura: bed leverandøren sende OIOUBL eller Peppol via NemHandel"
    )
    assert "expected" not in danish


def test_a_picture_is_no_e_invoice() -> None:
    assert "a picture (scan or photo)" in _refused(b"\x89PNG\r\n\x1a\n....", "scan.png").message


def test_a_csv_named_xlsx_is_told_so_briefly() -> None:
    error = _refused(b"dato;nummerplade;km\n2025-01-02;AB12345;12\n", "koerebog.xlsx")
    assert error.message.startswith("the file is named .xlsx but holds text (CSV)")
    assert len(str(error)) < 250  # not the list of every format
    assert "filen hedder .xlsx, men indeholder tekst (CSV)" in render_reason(str(error), "da")


def test_a_workbook_named_csv_and_text_named_xml_are_told_so() -> None:
    workbook = (SAMPLE_DIR / "transport").glob("*.xlsx")
    data = next(iter(workbook), None)
    if data is not None:
        broken = data.read_bytes()
        assert read_source(broken, "ok.xlsx", LIMIT) is not None  # the content decides, never the name
    assert _refused(b"just some words\n", "faktura.xml").message.startswith("the file is named .xml but holds no XML")


@pytest.mark.parametrize("write", [write_blank_template, write_blank_catalogue_template])
def test_the_blank_template_sent_back_unfilled(tmp_path: Path, write: object) -> None:
    path = tmp_path / "template.xlsx"
    write(path)  # type: ignore[operator]
    error = _refused(path.read_bytes(), str(path))
    assert "the blank template came back unfilled" in error.message
    assert "den tomme skabelon er sendt tilbage uudfyldt" in render_reason(str(error), "da")


def test_an_unknown_reason_is_shown_as_recorded() -> None:
    text = "inbox/x.xml: line 3: an odd problem (expected something)"
    assert render_reason(text, "da") == text
