"""What fuzzing the readers found, each as the smallest input that showed it (issue 18, item 6).

Before the fixes these raised something other than SourceFileError (so one file stopped a whole
ingest), read a file wrongly, or took seconds and gigabytes for a file of a few KB.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from compliance.base.documents import DrivingLogDocument, InvoiceDocument, VehicleRegisterDocument
from compliance.base.errors import SourceFileError
from compliance.ingest.detect import read_source
from compliance.ingest.dmr import is_dmr_extract, read_dmr, read_dmr_fast
from tests.conftest import SAMPLE_DIR
from tests.ingest.fuzzing import hang_guard, memory_guard

MAX = 5 * 1024 * 1024
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*")  # damaged workbooks make it warn
EXCEL_INVOICE = (SAMPLE_DIR / "office" / "NK-2025-0012.xlsx").read_bytes()


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The archive with each member passed through ``change`` (None drops the member)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression=compression) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info.filename, content)
    return out.getvalue()


def refused(data: bytes, name: str) -> SourceFileError:
    with pytest.raises(SourceFileError) as caught, hang_guard(10), memory_guard(64 * 1024 * 1024):
        read_source(data, name, MAX)
    assert caught.value.file is not None and caught.value.file.startswith(name) and caught.value.message
    return caught.value


# --- CSV (compliance/ingest/tabular.py) -------------------------------------------------------------


def test_lines_ending_in_a_lone_cr_are_read() -> None:
    """Was ``_csv.Error: new-line character seen in unquoted field``: old Mac line ends stopped the ingest."""
    document = read_source(b"registration,kind,fuel\rAB 12 345,van,electric\rCD67890,truck,diesel\r", "biler.csv", MAX)
    assert isinstance(document, VehicleRegisterDocument)
    assert [v.registration for v in document.vehicles] == ["AB12345", "CD67890"]


def test_a_plate_of_separators_only_is_no_plate() -> None:
    """Was a vehicle, or a motorised trip, with the registration "" (tabular.py, driving_log.py)."""
    error = refused(b"registration,kind,fuel\n-,van,electric\n", "biler.csv")
    assert error.location == "row 2" and "no registration" in error.message
    error = refused(b"trip_date;registration;vehicle_type;distance_km\n02-01-2025;-;;12\n", "log.csv")
    assert error.location == "row 2" and "no registration" in error.message
    bike = read_source(b"trip_date;registration;vehicle_type;distance_km\n02-01-2025; - ;cargo_bike;4\n", "log.csv", MAX)
    assert isinstance(bike, DrivingLogDocument) and bike.trips[0].registration is None


def test_a_weight_of_thousands_of_digits_is_refused() -> None:
    """Was ``ValueError: Exceeds the limit (4300 digits) for integer string conversion`` (tabular.py)."""
    error = refused(b"registration,kind,fuel,total_weight_kg\nAB12345,van,electric," + b"1" * 5000 + b"\n", "biler.csv")
    assert error.location == "row 2, total_weight_kg" and len(str(error)) < 400


def test_a_field_over_the_csv_limit_is_refused_with_its_line() -> None:
    """Was ``_csv.Error: field larger than field limit (131072)``."""
    data = b"trip_date;registration;distance_km\n02-01-2025;AB12345;12\n02-01-2025;" + b"x" * 140_000 + b";1\n"
    error = refused(data, "log.csv")
    assert error.location == "line 3" and "131072" in str(error)


# --- workbooks (compliance/ingest/detect.py, excel_invoice.py) -------------------------------------


def test_a_bad_crc_in_the_workbook_part_is_refused() -> None:
    """Was ``zipfile.BadZipFile: Bad CRC-32 for file 'xl/workbook.xml'`` (detect.py)."""
    stored = rezip(EXCEL_INVOICE, lambda _name, content: content, zipfile.ZIP_STORED)
    at = stored.index(b"<workbookPr/>")
    damaged = stored[:at] + b"<workbookPX/>" + stored[at + len(b"<workbookPX/>") :]
    assert "Bad CRC-32" in str(refused(damaged, "faktura.xlsx"))


@pytest.mark.parametrize(
    ("case", "change", "was", "reason"),
    [
        (
            "no content types",
            lambda name, c: None if name == "[Content_Types].xml" else c,
            "KeyError",
            "the workbook has no [Content_Types].xml part",
        ),
        (
            "a sheet not well-formed",
            lambda name, c: c[:-20] if name == "xl/worksheets/sheet2.xml" else c,
            "ParseError",
            "not well-formed XML",
        ),
        (
            "a number cell holding text",
            lambda name, c: c.replace(b'<c r="D2" t="n"><v>60<', b'<c r="D2" t="n"><v>x<'),
            "ValueError",
            "(ValueError: invalid literal for int()",
        ),
        (
            "a sheet without its part",
            lambda name, c: None if name == "xl/worksheets/sheet2.xml" else c,
            "KeyError",
            "the sheet 'Lines' in the part xl/worksheets/sheet2.xml, which the file does not contain",
        ),
        (
            "a relationship without a type",
            lambda name, c: c.replace(b' Type="', b' X="') if name.endswith(".rels") else c,
            "KeyError",
            "a relationship in _rels/.rels has no Type",
        ),
    ],
)
def test_a_damaged_workbook_is_refused_with_the_kind_of_fault(
    case: str, change: Callable[[str, bytes], bytes | None], was: str, reason: str
) -> None:
    """Each was this uncaught exception (``was``) from openpyxl (excel_invoice.open_template); now the
    workbook's package is checked before openpyxl reads it, and the reason names the fault and its part."""
    error = refused(rezip(EXCEL_INVOICE, change), "faktura.xlsx")
    assert reason in error.message and error.location and error.expected, (case, was, error)


def test_a_corrupt_lzma_workbook_is_refused() -> None:
    """Was ``_lzma.LZMAError: Corrupt input data`` (detect._first_sheet_rows)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["trip_date", "registration", "distance_km"])
    sheet.append(["02-01-2025", "AB12345", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    packed = rezip(buffer.getvalue(), lambda _name, content: content, zipfile.ZIP_LZMA)
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 12
    damaged = packed[:start] + bytes(b ^ 0x5A for b in packed[start : start + 8]) + packed[start + 8 :]
    refused(damaged, "log.xlsx")


@pytest.mark.parametrize("sheet", ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"])
def test_one_cell_at_the_last_row_costs_nothing(sheet: str) -> None:
    """One cell moved to row 1,048,576 made openpyxl create a cell for every row up to it:
    the header sheet took 7 s and 470 MB, the lines sheet 82 s and 5.6 GB, for a 6 KB file."""
    moved = b'<c r="K1048576"' if sheet.endswith("sheet2.xml") else b'<c r="A1048576"'
    original = b'<c r="K2"' if sheet.endswith("sheet2.xml") else b'<c r="A2"'
    data = rezip(EXCEL_INVOICE, lambda name, c: c.replace(original, moved, 1) if name == sheet else c)
    error = refused(data, "faktura.xlsx")
    assert "1048576" in str(error) or "document_type" in str(error)


def test_a_cell_below_the_grid_is_no_crash() -> None:
    """Was a minute of creating empty cells, then ``ValueError: Row numbers must be between 1 and 1048576``
    (excel_invoice.Cells.get)."""
    data = rezip(EXCEL_INVOICE, lambda name, c: c.replace(b'<c r="L1"', b'<c r="L1048577"') if name.endswith("sheet2.xml") else c)
    with hang_guard(10):
        try:
            document = read_source(data, "faktura.xlsx", MAX)
        except SourceFileError:
            return
    assert isinstance(document, InvoiceDocument)


def _log_workbook(dimension: str, last_row: int | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["trip_date", "registration", "distance_km"])
    for day in range(1, 6):
        sheet.append([f"0{day}-01-2025", "AB12345", 10 + day])
    buffer = io.BytesIO()
    book.save(buffer)

    def change(name: str, content: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return content
        content = content.replace(b'<dimension ref="A1:C6"/>', f'<dimension ref="{dimension}"/>'.encode())
        return content.replace(b'<row r="6"', f'<row r="{last_row}"'.encode()) if last_row else content

    return rezip(buffer.getvalue(), change)


def test_a_log_workbook_with_a_wrong_dimension_keeps_every_trip() -> None:
    """Read-only openpyxl trusts the stored dimension: rows and columns outside it were dropped without a word
    (with "A1" the header lost its columns and the log was refused as an unknown workbook)."""
    for dimension in ("A1", "A1:B3"):
        document = read_source(_log_workbook(dimension), "log.xlsx", MAX)
        assert isinstance(document, DrivingLogDocument)
        assert [(t.trip_date.day, t.registration, t.distance_km) for t in document.trips] == [
            (day, "AB12345", 10 + day) for day in range(1, 6)
        ], dimension


@pytest.mark.slow  # a second: the million empty rows up to the last one are still listed
def test_a_log_workbook_claiming_the_whole_grid_is_read_quickly() -> None:
    """Dimension A1:XFD1048576 and a row at 1,048,576: every row was padded to 16,384 cells (over 5 minutes)."""
    with hang_guard(10):
        document = read_source(_log_workbook("A1:XFD1048576", last_row=1048576), "log.xlsx", MAX)
    assert isinstance(document, DrivingLogDocument) and len(document.trips) == 5
    assert document.trips[-1].row == 1048576


# --- the DMR extract (compliance/ingest/dmr.py) ----------------------------------------------------

EXTRACT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<ns:ESStatistikListeModtag_I xmlns:ns="http://skat.dk/dmr/2007/05/31/">'
    b"<ns:StatistikSamling><ns:Statistik><ns:KoeretoejArtNummer>1</ns:KoeretoejArtNummer>"
    b"<ns:RegistreringNummerNummer>PLATE</ns:RegistreringNummerNummer>"
    b"<ns:KoeretoejRegistreringStatus>Registreret</ns:KoeretoejRegistreringStatus></ns:Statistik>"
    b"</ns:StatistikSamling></ns:ESStatistikListeModtag_I>\n"
)


def test_a_plate_of_separators_only_is_a_record_without_plate(tmp_path: Path) -> None:
    """Was a vehicle with the registration "" (both readers)."""
    path = tmp_path / "dmr.xml"
    path.write_bytes(EXTRACT.replace(b"PLATE", b" - "))
    for read in (read_dmr_fast, read_dmr):
        result = read(path)
        assert (result.records, result.vehicles, result.skipped_without_plate) == (1, {}, 1), read.__name__


def test_an_empty_fuel_code_element_keeps_its_fuel_block(tmp_path: Path) -> None:
    """The primary fuel block's code written as ``<ns:DrivkraftTypeNummer/>``: the fast reader missed the
    empty element, merged the two blocks and read "petrol" from the other one; the tree reader says "none"."""
    block = (
        "<ns:DrivmiddelStruktur><ns:DrivkraftTypeStruktur>{code}</ns:DrivkraftTypeStruktur>"
        "<ns:KoeretoejMotorDrivmiddelPrimaer>{primary}</ns:KoeretoejMotorDrivmiddelPrimaer></ns:DrivmiddelStruktur>"
    )
    fuel = block.format(code="<ns:DrivkraftTypeNummer>1</ns:DrivkraftTypeNummer>", primary="false") + block.format(
        code="<ns:DrivkraftTypeNummer/>", primary="true"
    )
    path = tmp_path / "dmr.xml"
    path.write_bytes(EXTRACT.replace(b"PLATE", b"EC41208").replace(b"</ns:Statistik>", fuel.encode() + b"</ns:Statistik>"))
    fast, tree = read_dmr_fast(path), read_dmr(path)
    assert fast.vehicles == tree.vehicles and fast.vehicles["EC41208"].fuel == "none"


def test_a_dmr_weight_of_thousands_of_digits_is_unknown(tmp_path: Path) -> None:
    """Was ``ValueError: Exceeds the limit (4300 digits)`` from both readers (dmr._number)."""
    weight = b"<ns:KoeretoejOplysningTotalVaegt>" + b"9" * 5000 + b"</ns:KoeretoejOplysningTotalVaegt>"
    path = tmp_path / "dmr.xml"
    path.write_bytes(EXTRACT.replace(b"PLATE", b"AB12345").replace(b"</ns:Statistik>", weight + b"</ns:Statistik>"))
    for read in (read_dmr_fast, read_dmr):
        assert read(path).vehicles["AB12345"].total_weight_kg is None, read.__name__


def test_a_dmr_zip_with_a_bad_crc_is_refused(tmp_path: Path) -> None:
    """Was ``zipfile.BadZipFile: Bad CRC-32`` from both readers and from ``is_dmr_extract``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("extract.xml", EXTRACT.replace(b"PLATE", b"AB12345"))
    path = tmp_path / "dmr.zip"
    path.write_bytes(buffer.getvalue().replace(b"AB12345", b"AB12346", 1))
    assert is_dmr_extract(path) is False  # then the ordinary ingest refuses it as a damaged zip
    for read in (read_dmr_fast, read_dmr):
        with pytest.raises(SourceFileError) as caught:
            read(path)
        assert "the zip is damaged" in caught.value.message and "Bad CRC-32" in caught.value.message


def test_a_dmr_zip_with_a_damaged_directory_is_refused(tmp_path: Path) -> None:
    """Was ``zipfile.BadZipFile: Bad magic number for central directory`` (``open_dmr``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("extract.xml", EXTRACT)
    data = buffer.getvalue()
    at = data.rindex(b"PK\x01\x02")
    path = tmp_path / "dmr.zip"
    path.write_bytes(data[:at] + b"PK\x01\x09" + data[at + 4 :])
    assert is_dmr_extract(path) is False
    with pytest.raises(SourceFileError) as caught:
        read_dmr_fast(path)
    assert caught.value.file == str(path)
