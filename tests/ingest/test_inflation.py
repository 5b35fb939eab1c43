"""Limits on everything that inflates (issue 18, items 3 and 5): zip members, workbook parts, CSV fields,
driving logs in memory, and the national register imported in constant memory."""

from __future__ import annotations

import io
import random
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from sqlalchemy import Engine, select

from compliance.base.documents import DrivingLogDocument, InvoiceDocument, TripRecord, document_as_json
from compliance.base.errors import SourceFileError, UnknownFormatError, UnsafeInputError
from compliance.ingest import dmr as dmr_module
from compliance.ingest.detect import read_source
from compliance.ingest.dmr import open_dmr, read_dmr, read_dmr_fast
from compliance.intake import vehicles as intake_vehicles
from compliance.intake.batch import IngestSummary
from compliance.intake.vehicles import import_dmr, import_vehicle_file
from compliance.store.db import session_scope
from compliance.store.models import DataQualityFailure, SourceFile, Vehicle
from tests.ingest.fuzzing import hang_guard, memory_guard
from tests.ingest.test_dmr import RECORDS, record, write_extract

MAX = 50 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
DECLARATION = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'


# -- building workbooks ------------------------------------------------------------------------------


def template_bytes() -> bytes:
    """A small valid invoice template."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Invoice"
    for row in [
        ("field", "value"),
        ("document_type", "invoice"),
        ("invoice_number", "X-1"),
        ("issue_date", "2025-03-31"),
        ("supplier_cvr", "27614590"),
    ]:
        sheet.append(row)
    lines = book.create_sheet("Lines")
    lines.append(["line_id", "name", "quantity", "line_amount"])
    lines.append([1, "Kaffe", 2, 10])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def log_workbook_bytes(rows: int = 2, seed: int = 0) -> bytes:
    """A generic driving log as Excel saves it: a fleet of 400 vehicles, dates and distances as numbers."""
    generator = random.Random(seed)
    fleet = [f"{generator.choice('ABCDEFGHKLMNPRSTUVXYZ')}{generator.choice('ABCDEFGHKLMNPRSTUVXYZ')}{n:05d}" for n in range(400)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["trip_date", "registration", "distance_km"])
    for _ in range(rows):
        day = date(2025, 1, 1) + timedelta(days=generator.randrange(365))
        sheet.append([day, generator.choice(fleet), round(generator.uniform(0.5, 400), 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes,
    change: dict[str, Callable[[bytes], bytes]] | None = None,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = source.read(info.filename)
            if change and info.filename in change:
                content = change[info.filename](content)
            archive.writestr(info.filename, content)
        for name, content in (add or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def with_content_type(data: bytes, part: str, content_type: str) -> bytes:
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'.encode()
    return rezip(data, change={"[Content_Types].xml": lambda c: c.replace(b"</Types>", override)})


def patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """The member's uncompressed size in both headers set to ``size``: a zip that lies about it."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(member)
    patched = bytearray(data)
    struct.pack_into("<I", patched, info.header_offset + 22, size)  # local header
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (name_length,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46 : at + 46 + name_length] == member.encode():
            struct.pack_into("<I", patched, at + 24, size)  # central directory
        at = data.find(b"PK\x01\x02", at + 46)
    return bytes(patched)


# -- zip members: damage and lies ----------------------------------------------------------------------


def test_a_damaged_member_is_refused_naming_the_part() -> None:
    data = bytearray(template_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + 5] ^= 0xFF  # inside the deflate stream
    with pytest.raises(SourceFileError) as caught:
        read_source(bytes(data), "crc.xlsx", MAX)
    assert SHEET in str(caught.value) and caught.value.expected


def test_a_member_with_a_wrong_crc_is_refused_naming_the_part() -> None:
    data = bytearray(template_bytes())
    at = bytes(data).index(b"PK\x01\x02")
    while True:
        (name_length,) = struct.unpack_from("<H", data, at + 28)
        if bytes(data[at + 46 : at + 46 + name_length]) == SHEET.encode():
            break
        at = bytes(data).index(b"PK\x01\x02", at + 46)
    (crc,) = struct.unpack_from("<I", data, at + 16)
    struct.pack_into("<I", data, at + 16, crc ^ 1)
    with pytest.raises(SourceFileError) as caught:
        read_source(bytes(data), "crc.xlsx", MAX)
    assert SHEET in str(caught.value) and "CRC" in str(caught.value)


def test_a_member_that_inflates_past_its_declared_size_is_refused() -> None:
    sheet = zipfile.ZipFile(io.BytesIO(template_bytes())).read(SHEET)
    lying = patch_declared_size(template_bytes(), SHEET, len(sheet) // 2)
    with pytest.raises(SourceFileError) as caught:
        read_source(lying, "lies.xlsx", MAX)
    assert SHEET in str(caught.value)


def test_the_inflated_bytes_are_counted_while_they_stream() -> None:
    from compliance.ingest.safe_zip import InflateBudget, MemberStream, ZipLimits

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.xml", b" " * (4 << 20))
    archive = zipfile.ZipFile(buffer)
    budget = InflateBudget(archive, "f.zip", ZipLimits("test", 10, max_unzipped_bytes=1 << 20, max_ratio=10**6))
    with pytest.raises(UnsafeInputError) as caught, MemberStream(archive, archive.getinfo("big.xml"), budget, "x") as stream:
        for _chunk in stream.chunks():
            pass
    assert "zip bomb" in str(caught.value) and caught.value.location == "zip member big.xml"
    assert budget.inflated <= 2 << 20  # stopped after one bounded chunk past the limit


def test_a_zip_with_too_many_entries_is_refused_before_its_directory_is_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_bytes())) as source, zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        for number in range(10_001):
            archive.writestr(f"x/{number}", b"")
    with pytest.raises(UnsafeInputError) as caught:
        read_source(buffer.getvalue(), "many.xlsx", MAX)
    assert "10,0" in str(caught.value)


# -- workbook structure --------------------------------------------------------------------------------


def test_a_missing_sheet_part_is_refused_naming_it() -> None:
    with pytest.raises(SourceFileError) as caught:
        read_source(rezip(template_bytes(), drop=("xl/worksheets/sheet2.xml",)), "missing.xlsx", MAX)
    assert "xl/worksheets/sheet2.xml" in str(caught.value) and "'Lines'" in str(caught.value)
    assert caught.value.expected


def test_a_malformed_sheet_part_is_refused_naming_it() -> None:
    broken = rezip(template_bytes(), change={"xl/worksheets/sheet2.xml": lambda content: content[:-20]})
    with pytest.raises(SourceFileError) as caught:
        read_source(broken, "malformed.xlsx", MAX)
    assert caught.value.location is not None and caught.value.location.startswith("part xl/worksheets/sheet2.xml, line 1")
    assert caught.value.expected == "a well-formed XML document"


def test_a_bogus_workbook_content_type_is_refused() -> None:
    bogus = rezip(
        template_bytes(),
        change={"[Content_Types].xml": lambda c: c.replace(b"spreadsheetml.sheet.main+xml", b"bogus+xml")},
    )
    with pytest.raises(SourceFileError) as caught:
        read_source(bogus, "bogus.xlsx", MAX)
    assert "bogus+xml" in str(caught.value) and "xl/workbook.xml" in str(caught.value)
    assert caught.value.expected is not None and "spreadsheetml.sheet.main+xml" in caught.value.expected


def test_a_docx_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", b"<document/>")
    with pytest.raises(UnknownFormatError):
        read_source(buffer.getvalue(), "letter.docx", MAX)


@pytest.mark.parametrize(
    "part",
    [
        SHEET,
        "xl/worksheets/sheet2.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "_rels/.rels",
        "[Content_Types].xml",
        "docProps/core.xml",
        "xl/theme/theme1.xml",
    ],
)
def test_a_doctype_or_entity_in_any_workbook_part_is_refused(part: str) -> None:
    hostile = rezip(template_bytes(), change={part: lambda content: DECLARATION + content.split(b"?>", 1)[-1]})
    with pytest.raises(UnsafeInputError) as caught:
        read_source(hostile, "entities.xlsx", MAX)
    assert "DOCTYPE" in str(caught.value)


def test_a_doctype_in_a_log_workbooks_shared_strings_is_refused() -> None:
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + DECLARATION
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&a;</t></si></sst>'
    )
    data = with_content_type(
        rezip(log_workbook_bytes(), add={"xl/sharedStrings.xml": strings}),
        "xl/sharedStrings.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    )
    with pytest.raises(UnsafeInputError) as caught:
        read_source(data, "log.xlsx", MAX)
    assert caught.value.location == "part xl/sharedStrings.xml, line 2"


def test_a_doctype_in_a_utf16_part_is_refused() -> None:
    def to_utf16(content: bytes) -> bytes:
        body = content.decode("utf-8").split("?>", 1)[-1]
        return ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE worksheet>' + body).encode("utf-16")

    with pytest.raises(UnsafeInputError) as caught:
        read_source(rezip(template_bytes(), change={SHEET: to_utf16}), "utf16.xlsx", MAX)
    assert caught.value.location == f"part {SHEET}, prolog"


def renamed_sheet(data: bytes, content: Callable[[bytes], bytes], name: str, content_type: str | None) -> bytes:
    """The template with its lines sheet moved to ``name`` (the relationship pointed at it, and a
    content type given when not None): a part the package does not call XML, that is read as XML."""
    lines = "xl/worksheets/sheet2.xml"
    moved = rezip(
        data,
        change={"xl/_rels/workbook.xml.rels": lambda c: c.replace(b"worksheets/sheet2.xml", name.removeprefix("xl/").encode())},
        add={name: content(zipfile.ZipFile(io.BytesIO(data)).read(lines))},
        drop=(lines,),
    )
    moved = rezip(
        moved, change={"[Content_Types].xml": lambda c: c.replace(b'<Override PartName="/xl/worksheets/sheet2.xml"', b"<Ignored")}
    )
    return with_content_type(moved, name, content_type) if content_type is not None else moved


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("xl/worksheets/sheet2.bin", "application/octet-stream"),
        ("xl/worksheets/sheet2", None),
        ("xl/media/image1.png", "image/png"),
    ],
)
def test_an_entity_in_a_sheet_part_the_package_does_not_call_xml_is_refused(name: str, content_type: str | None) -> None:
    """The sheet is found through its relationship, whatever its name and content type, and read as
    XML: it goes through the safe parser like every other part (expat, which reads sheets, expands
    internal entities)."""

    def hostile(content: bytes) -> bytes:
        body = content.split(b"?>", 1)[-1].replace(b"<v>Kaffe</v>", b"<v>&a;</v>")
        body = re.sub(
            rb'<c r="B2" t="inlineStr"><is><t>Kaffe</t></is></c>', b'<c r="B2" t="inlineStr"><is><t>&a;</t></is></c>', body
        )
        return DECLARATION + body

    plain = renamed_sheet(template_bytes(), lambda content: content, name, content_type)
    document = read_source(plain, "renamed.xlsx", MAX)  # the renamed sheet is read as before
    assert isinstance(document, InvoiceDocument) and document.lines[0].name == "Kaffe"
    with pytest.raises(UnsafeInputError) as caught:
        read_source(renamed_sheet(template_bytes(), hostile, name, content_type), "entities.xlsx", MAX)
    assert "DOCTYPE" in str(caught.value) and name in str(caught.value)


@pytest.mark.parametrize("kind", ["template", "log", "shared strings", "renamed sheet"])
def test_every_part_read_as_xml_has_passed_the_safe_parser_first(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What openpyxl or the sheet reader opens after the package check is a part the safe parser has read."""
    from compliance.ingest import workbook

    data = {
        "template": template_bytes,
        "log": lambda: log_workbook_bytes(5),
        "shared strings": lambda: with_shared_strings(template_bytes()),
        "renamed sheet": lambda: renamed_sheet(template_bytes(), lambda content: content, "xl/sheet.bin", "application/x-bin"),
    }[kind]()
    opened_after_check: list[str] = []
    checked: list[set[str]] = []
    check, open_member = workbook.CheckedWorkbook._check, zipfile.ZipFile.open

    def checking(self: workbook.CheckedWorkbook) -> None:
        check(self)
        checked.append(self.checked_xml)

    def opening(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        if checked:
            opened_after_check.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return open_member(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workbook.CheckedWorkbook, "_check", checking)
    monkeypatch.setattr(zipfile.ZipFile, "open", opening)
    read_source(data, f"{kind}.xlsx", MAX)
    assert opened_after_check and set(opened_after_check) <= checked[0], set(opened_after_check) - checked[0]


def with_shared_strings(data: bytes, extra: list[bytes] | None = None) -> bytes:
    """The workbook with its inline strings moved to a shared-string table, as Excel writes them
    (``extra`` strings appended to the table, used by no cell)."""
    inline = re.compile(rb'<c([^>]*?) t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(3))
        return b"<c" + match.group(1) + b' t="s"' + match.group(2) + b"><v>%d</v></c>" % (len(strings) - 1)

    sheets = {
        name: (lambda c: inline.sub(shared, c)) for name in zipfile.ZipFile(io.BytesIO(data)).namelist() if "worksheets/" in name
    }
    moved = rezip(data, change=sheets)
    relation = b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    table = b"".join(b"<si><t>%s</t></si>" % text for text in [*strings, *(extra or [])])
    moved = rezip(
        moved,
        change={"xl/_rels/workbook.xml.rels": lambda c: c.replace(b"</Relationships>", relation + b"</Relationships>")},
        add={
            "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + table + b"</sst>"
        },
    )
    return with_content_type(
        moved, "xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    )


@pytest.mark.parametrize("block", [4096, 2])
def test_a_shared_string_table_reads_as_inline_strings(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.ingest import workbook

    monkeypatch.setattr(workbook._SharedStrings, "BLOCK", block)
    for data in (template_bytes(), log_workbook_bytes(40)):
        assert repr(read_source(with_shared_strings(data), "shared.xlsx", MAX)) == repr(read_source(data, "shared.xlsx", MAX))


def test_a_shared_string_index_out_of_range_is_an_error() -> None:
    data = with_shared_strings(log_workbook_bytes(3))
    broken = rezip(data, change={SHEET: lambda c: c.replace(b"<v>1</v>", b"<v>99</v>", 1)})
    with pytest.raises(SourceFileError) as caught:
        read_source(broken, "log.xlsx", MAX)
    assert "IndexError" in str(caught.value) and SHEET in str(caught.value)


@pytest.mark.slow
def test_a_huge_shared_string_table_is_held_compactly() -> None:
    generator = random.Random(7)
    extra = [bytes(generator.choices(b"abcdefghijklmnopqrstuvwxyz0123456789", k=3)) for _ in range(150_000)]
    data = with_shared_strings(log_workbook_bytes(3), extra)
    peak = _peak_traced(lambda: read_source(data, "log.xlsx", MAX))
    assert peak < 5 << 20, f"{peak / (1 << 20):.1f} MiB"  # a list of 150,000 strings alone is ~9 MiB


# -- macros ---------------------------------------------------------------------------------------------


def test_a_macro_enabled_workbook_content_type_is_refused() -> None:
    macro = rezip(
        template_bytes(),
        change={
            "[Content_Types].xml": lambda c: c.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
    )
    with pytest.raises(UnsafeInputError) as caught:
        read_source(macro, "invoice.xlsx", MAX)
    assert "macros" in str(caught.value) and "macroEnabled" in str(caught.value)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.ms-office.vbaProject",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
    ],
)
def test_a_macro_part_under_another_name_is_refused(content_type: str) -> None:
    renamed = with_content_type(
        rezip(template_bytes(), add={"xl/media/image9.dat": b"\x00macro"}), "xl/media/image9.dat", content_type
    )
    with pytest.raises(UnsafeInputError) as caught:
        read_source(renamed, "invoice.xlsx", MAX)
    assert "macros" in str(caught.value) and content_type in str(caught.value)


@pytest.mark.parametrize("name", ["xl/VBAPROJECT.dat", "xl/vbaProject1.bin.x", "customUI/vbaproject"])
def test_a_vba_project_part_is_refused_whatever_its_name(name: str) -> None:
    with pytest.raises(UnsafeInputError) as caught:
        read_source(rezip(template_bytes(), add={name: b"\x00macro"}), "invoice.xlsx", MAX)
    assert "macros" in str(caught.value)


def test_a_vba_project_relationship_is_refused() -> None:
    relation = b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="x.bin"/></Relationships>'
    hostile = rezip(
        template_bytes(),
        change={"xl/_rels/workbook.xml.rels": lambda c: c.replace(b"</Relationships>", relation)},
        add={"xl/x.bin": b"\x00"},
    )
    with pytest.raises(UnsafeInputError):
        read_source(hostile, "invoice.xlsx", MAX)


# -- one read-only load -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["template", "log"])
def test_a_workbook_is_loaded_once_and_read_only(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[bool] = []
    original = ExcelReader.__init__

    def counting(self: ExcelReader, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        loads.append(self.read_only)

    monkeypatch.setattr(ExcelReader, "__init__", counting)
    document = read_source(template_bytes() if kind == "template" else log_workbook_bytes(), f"{kind}.xlsx", MAX)
    assert isinstance(document, InvoiceDocument if kind == "template" else DrivingLogDocument)
    assert loads == [True]


def test_a_sheet_with_a_wrong_dimension_is_read_whole() -> None:
    wrong = rezip(
        log_workbook_bytes(5),
        change={SHEET: lambda c: c.replace(b"<sheetViews>", b'<dimension ref="A1:C2"/><sheetViews>')},
    )
    document = read_source(wrong, "log.xlsx", MAX)
    assert isinstance(document, DrivingLogDocument) and len(document.trips) == 5


def test_a_formula_without_a_stored_value_outside_the_values_is_still_named() -> None:
    lines_part = "xl/worksheets/sheet2.xml"
    formula = b'<row r="9"><c r="D9"><f>B2*3</f></c></row></sheetData>'
    data = rezip(template_bytes(), change={lines_part: lambda c: c.replace(b"</sheetData>", formula)})
    with pytest.raises(SourceFileError) as caught:
        read_source(data, "f.xlsx", MAX)
    assert caught.value.location == "sheet 'Lines', cell D9" and "'=B2*3'" in caught.value.message


# -- CSV ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quoted", [False, True])
def test_a_csv_field_over_the_limit_is_an_error_naming_the_line(quoted: bool) -> None:
    field = b"A" * 200_000
    data = (
        b"trip_date;registration;distance_km\n2025-01-02;AB1;1\n2025-01-03;"
        + (b'"' + field + b'"' if quoted else field)
        + b";12\n"
    )
    with pytest.raises(SourceFileError) as caught:
        read_source(data, "log.csv", MAX)
    assert caught.value.location == "line 3" and "row 3" in caught.value.message
    assert "limit of 131072 characters" in str(caught.value) and "fields of at most 131072 characters" in str(caught.value)


def test_an_unclosed_quote_is_an_error_not_a_crash() -> None:
    data = b'trip_date;registration;distance_km\n2025-01-02;"AB1;1\n' + b"x" * 140_000 + b"\n"
    with pytest.raises(SourceFileError) as caught:
        read_source(data, "log.csv", MAX)
    assert "is a quote left open?" in str(caught.value)


def test_a_log_with_carriage_returns_only_is_read() -> None:
    document = read_source(b"trip_date;registration;distance_km\r2025-01-02;AB1;1\r2025-01-03;AB2;2,5\r", "log.csv", MAX)
    assert isinstance(document, DrivingLogDocument)
    assert [(t.row, t.registration, t.distance_km) for t in document.trips] == [
        (2, "AB1", Decimal("1")),
        (3, "AB2", Decimal("2.5")),
    ]


def test_bad_utf8_is_named_by_its_byte_after_a_byte_order_mark() -> None:
    with pytest.raises(UnknownFormatError) as caught:
        read_source(b"\xef\xbb\xbfabc" + b"x" * (3 << 20) + b"\xe9", "log.csv", MAX)
    assert f"(byte {3 + (3 << 20)})" in str(caught.value)


# -- driving logs in memory --------------------------------------------------------------------------


@pytest.mark.parametrize("distinct", [65_535, 2])
def test_a_trip_table_gives_back_exactly_what_was_put_in(distinct: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.ingest.driving_log import TripTable, _TextColumn

    monkeypatch.setattr(_TextColumn, "MAX_DISTINCT", distinct)  # past it, text is stored end to end
    trips = [
        TripRecord(2, date(2025, 1, 2), "EC41208", None, Decimal("22.50"), "KK-1", "electric"),
        TripRecord(3, date(2025, 1, 3), None, "cargo_bike", None),
        TripRecord(5, date(2025, 1, 4), "", None, Decimal("-0.0")),
        TripRecord(6, date(2025, 1, 5), "ÆØÅ1", "van", Decimal("12345678901234567890.5")),
        TripRecord(7, date(2025, 1, 6), "AB1", None, Decimal("0.001")),
        TripRecord(8, date(2025, 1, 7), "AB1", None, Decimal("22500") / Decimal(1000)),
        TripRecord(2**33, date(2025, 1, 8), "AB2", None, Decimal("-12345678901.25")),
        *(TripRecord(10 + n, date(2025, 2, 1), f"P{n}", None, Decimal(n)) for n in range(300)),
    ]
    table = TripTable(trips)
    assert list(table) == trips and table == trips and len(table) == len(trips)
    assert [str(t.distance_km) for t in table] == [str(t.distance_km) for t in trips]
    assert table[-1] == trips[-1] and table[1:3] == trips[1:3] and repr(table) == repr(trips)
    document = DrivingLogDocument("driving_log", "driving-log-generic", None, table)
    assert document_as_json(document)["trips"][0] == {
        "row": 2,
        "trip_date": "2025-01-02",
        "registration": "EC41208",
        "vehicle_type": None,
        "distance_km": "22.50",
        "contract_reference": "KK-1",
        "fuel": "electric",
    }


def _peak_traced(function: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_reading_a_csv_log_takes_at_most_three_times_its_size() -> None:
    rows = "".join(
        f"{1 + n % 28:02d}-{1 + n % 12:02d}-2025;EC {n % 90 + 10} {n % 900 + 100};;{n % 50},{n % 10};;38451236\n"
        for n in range(100_000)
    )
    data = ("trip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr\n" + rows).encode()
    peak = _peak_traced(lambda: read_source(data, "log.csv", MAX))
    assert peak < 2 * len(data), f"{peak / len(data):.1f}x the file"  # the file itself is held by the caller


@pytest.mark.slow
def test_reading_an_xlsx_log_takes_at_most_three_times_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the reader adds per row, against what a row adds to the file; the fixed costs (a
    # megabyte of inflate buffer) are made small, or they would dominate files this small.
    from compliance.ingest import safe_zip

    monkeypatch.setattr(safe_zip, "INFLATE_CHUNK", 1 << 16)
    small, large = log_workbook_bytes(10_000, seed=1), log_workbook_bytes(60_000, seed=2)
    peaks = [_peak_traced(lambda data=data: read_source(data, "log.xlsx", MAX)) for data in (small, large)]  # type: ignore[misc]
    assert peaks[1] - peaks[0] < 2 * (len(large) - len(small)), f"{(peaks[1] - peaks[0]) / (len(large) - len(small)):.1f}x"


# -- the DMR extract --------------------------------------------------------------------------------------


def dmr_zip(path: Path, xml: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dmr.xml", xml)
    return path


def bomb_xml() -> bytes:
    """One record, then 64 MiB of blanks: about 64 KiB zipped."""
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ns:ESStatistikListeModtag_I xmlns:ns="http://skat.dk/dmr/2007/05/31/">'
        "<ns:StatistikSamling>\n" + RECORDS[0]
    )
    return text.encode() + b" " * (64 << 20)


def test_a_dmr_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = dmr_zip(tmp_path / "dmr.zip", bomb_xml())
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UnsafeInputError) as caught:
        open_dmr(path)
    assert "zip bomb" in str(caught.value)
    with pytest.raises(UnsafeInputError):
        read_dmr_fast(path)


def test_a_dmr_zip_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    xml = write_extract(tmp_path / "dmr.xml").read_bytes()
    path = tmp_path / "dmr.zip"
    path.write_bytes(patch_declared_size(dmr_zip(tmp_path / "honest.zip", xml).read_bytes(), "dmr.xml", len(xml) // 3))
    with pytest.raises(SourceFileError) as caught:
        read_dmr_fast(path)
    assert "dmr.xml" in str(caught.value) and "CRC" in str(caught.value)


@pytest.mark.parametrize("declared", [5 << 20, 1 << 10])
def test_a_dmr_zip_bomb_that_lies_about_its_size_is_refused_while_inflating_in_bounded_memory(
    tmp_path: Path, declared: int
) -> None:
    """64 MiB of blanks in a 64 KiB zip, declaring a size that passes the ratio check: the member is
    inflated through the bounded buffer and refused at its declared end (nothing past it is inflated)."""
    path = tmp_path / "dmr.zip"
    path.write_bytes(patch_declared_size(dmr_zip(tmp_path / "honest.zip", bomb_xml()).read_bytes(), "dmr.xml", declared))
    with pytest.raises(SourceFileError) as caught, hang_guard(20), memory_guard(48 << 20):
        read_dmr_fast(path)
    assert "the zip is damaged" in caught.value.message and "dmr.xml" in caught.value.message


def test_a_workbook_bomb_that_lies_about_its_size_is_refused_while_inflating_in_bounded_memory() -> None:
    """A sheet of 64 MiB of blanks declaring 2 MiB (under the ratio limit): refused naming the part,
    without inflating past what it declares or holding it."""
    bomb = rezip(
        template_bytes(), change={SHEET: lambda content: content.replace(b"<sheetData>", b" " * (64 << 20) + b"<sheetData>")}
    )
    lying = patch_declared_size(bomb, SHEET, 2 << 20)
    with pytest.raises(SourceFileError) as caught, hang_guard(20), memory_guard(48 << 20):
        read_source(lying, "bomb.xlsx", MAX)
    assert SHEET in str(caught.value)


def test_a_dmr_zip_bomb_is_quarantined_by_the_import(engine: Engine, tmp_path: Path) -> None:
    path = dmr_zip(tmp_path / "dmr.zip", bomb_xml())
    summary = import_vehicle_file(engine, path, MAX)
    assert isinstance(summary, IngestSummary)
    assert [file for file, _ in summary.quarantined] == [str(path)] and "zip bomb" in summary.quarantined[0][1]
    with session_scope(engine) as session:
        (source,) = session.scalars(select(SourceFile)).all()
        assert source.status == "quarantined" and "zip bomb" in (source.quarantine_reason or "")


def test_a_dmr_record_longer_than_the_limit_stops_the_read_keeping_the_records_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dmr_module, "MAX_RECORD_BYTES", 20_000)
    monkeypatch.setattr(dmr_module, "CHUNK", 4096)
    huge = "<ns:Statistik><ns:RegistreringNummerNummer>ZZ1</ns:RegistreringNummerNummer>" + " " * 50_000
    path = write_extract(tmp_path / "dmr.xml", [*RECORDS[:3], huge, *RECORDS[3:]])
    result = read_dmr_fast(path)
    assert result.records == 3 and set(result.vehicles) == {"EC41208", "TR75021", "BG22519"}
    assert result.error is not None and "record 4 is longer than 20000 bytes" in str(result.error)
    assert result.sha256 is not None


def test_junk_between_dmr_records_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dmr_module, "MAX_RECORD_BYTES", 20_000)
    monkeypatch.setattr(dmr_module, "CHUNK", 4096)
    path = write_extract(tmp_path / "dmr.xml", [*RECORDS[:3], " " * 100_000, *RECORDS[3:]])
    result = read_dmr_fast(path)
    assert result.error is None and result.records == 7
    assert result.vehicles == read_dmr(path).vehicles


def test_a_file_without_records_in_its_first_megabyte_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dmr_module, "MAX_RECORD_BYTES", 20_000)
    monkeypatch.setattr(dmr_module, "CHUNK", 4096)
    path = write_extract(tmp_path / "dmr.xml", [" " * 100_000, *RECORDS])
    result = read_dmr_fast(path)
    assert result.records == 0 and result.error is not None and "no record in the first" in str(result.error)


@pytest.mark.slow
def test_the_dmr_import_picks_each_plates_current_record_across_chunks(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_vehicles, "STAGE_CHUNK", 2)
    monkeypatch.setattr(intake_vehicles, "STORE_CHUNK", 2)
    heavy = [record(f"HV{n}", "4", "2", "49", 999_999, "Registreret", "2024-01-01T00:00:00") for n in range(25)]
    later_deregistered = record("EC41208", "3", "2", "1", 3500, "Afmeldt", "2025-05-01T10:00:00.000+02:00")
    path = write_extract(tmp_path / "dmr.xml", [*RECORDS, *heavy, later_deregistered])
    summary = import_dmr(engine, path)
    assert (summary.records, summary.vehicles, summary.left_out_by_quality) == (33, 4, 25)
    expected = read_dmr_fast(path).vehicles
    with session_scope(engine) as session:
        stored = {v.registration: v for v in session.scalars(select(Vehicle).order_by(Vehicle.id))}
        failures = session.scalars(select(DataQualityFailure)).all()
    assert list(stored) == ["EC41208", "TR75021", "BG22519", "AB12345"]  # the order plates first occur in
    for plate, vehicle in stored.items():
        current = expected[plate]
        assert (vehicle.fuel, vehicle.registered, vehicle.row, vehicle.total_weight_kg) == (
            current.fuel,
            current.registered,
            current.record,
            current.total_weight_kg,
        )
    assert stored["EC41208"].registered and stored["AB12345"].fuel == "electric"
    assert len(failures) == 20 and failures[-1].more_rows == 5  # listed as one run would list them


def test_the_dmr_import_holds_one_chunk_of_records_at_a_time(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constant memory by construction: the records are staged as they are read (never a list of
    the extract), and checked and stored a chunk at a time. The peak memory per size itself is
    measured by ``benchmarks/dmr_import.py --memory-sizes`` (peak RSS, 100k to 10M records)."""
    monkeypatch.setattr(intake_vehicles, "STAGE_CHUNK", 3)
    monkeypatch.setattr(intake_vehicles, "STORE_CHUNK", 2)
    events: list[tuple[str, int]] = []
    reading = dmr_module.iter_dmr_records

    def iter_records(*args: object, **kwargs: object) -> object:
        for vehicle in reading(*args, **kwargs):  # type: ignore[arg-type]
            events.append(("read", 1))
            yield vehicle

    add, store = intake_vehicles.DmrStaging.add, intake_vehicles.store_register_vehicles
    monkeypatch.setattr(intake_vehicles, "iter_dmr_records", iter_records)
    monkeypatch.setattr(
        intake_vehicles.DmrStaging,
        "add",
        lambda staging, records: (events.append(("stage", len(records))), add(staging, records)),
    )
    monkeypatch.setattr(
        intake_vehicles,
        "store_register_vehicles",
        lambda session, source, records, earlier: (
            events.append(("store", len(records))),
            store(session, source, records, earlier),
        ),
    )
    summary = import_dmr(engine, write_extract(tmp_path / "dmr.xml"))
    assert summary.vehicles == 4
    staged = [count for kind, count in events if kind == "stage"]
    assert staged == [3, 3] and max(count for kind, count in events if kind == "store") <= 2
    # Each chunk is staged as soon as it is read: never more than one chunk read ahead.
    pending = 0
    for kind, count in events:
        pending += count if kind == "read" else -count if kind == "stage" else 0
        assert pending <= 3


def test_the_chunked_import_stores_every_records_period_as_the_reader_keeps_them(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The register's validity periods (issue 16 item 6) come from all the records of a plate: the
    chunked import finds a plate's other records in the staging table, and stores the same periods
    as the in-memory reader's current and earlier records give."""
    from compliance.store.models import VehiclePeriod
    from compliance.store.vehicles import dmr_periods

    monkeypatch.setattr(intake_vehicles, "STAGE_CHUNK", 2)
    monkeypatch.setattr(intake_vehicles, "STORE_CHUNK", 2)
    extra = [
        record("TR75021", "3", "2", "47", 3500, "Afmeldt", "2019-03-01T10:00:00.000+01:00"),
        record("EC41208", "3", "4", "1", 3500, "Afmeldt", "2020-05-01T10:00:00.000+02:00"),
    ]
    path = write_extract(tmp_path / "dmr.xml", [*RECORDS, *extra])
    summary = import_dmr(engine, path)
    assert summary.left_out_by_quality == 0
    result = read_dmr_fast(path)
    assert {plate: len(others) for plate, others in result.earlier.items()} == {"AB12345": 2, "TR75021": 1, "EC41208": 1}
    expected = sorted(
        (period["registration"], period["row"], period["valid_from"], period["valid_to"], period["kind"], period["fuel"])
        for vehicle in result.vehicles.values()
        for period in dmr_periods([vehicle, *result.earlier.get(vehicle.registration, [])])
    )
    with session_scope(engine) as session:
        stored = sorted(
            (p.registration, p.row, p.valid_from, p.valid_to, p.kind, p.fuel) for p in session.scalars(select(VehiclePeriod))
        )
    assert stored == expected and len(stored) >= 7


def test_iterating_dmr_records_yields_every_record_with_a_plate(tmp_path: Path) -> None:
    from compliance.ingest.dmr import iter_dmr_records

    path = write_extract(tmp_path / "dmr.xml")
    assert [v.registration for v in iter_dmr_records(path)] == ["EC41208", "TR75021", "BG22519", *["AB12345"] * 3]


def test_deflate_errors_are_wrapped_for_dmr_zips(tmp_path: Path) -> None:
    xml = write_extract(tmp_path / "dmr.xml").read_bytes()
    data = bytearray(dmr_zip(tmp_path / "ok.zip", xml).read_bytes())
    data[30 + len("dmr.xml") + 10] ^= 0xFF
    path = tmp_path / "broken.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(SourceFileError) as caught:
        read_dmr_fast(path)
    assert "the zip is damaged (error: Error -3 while decompressing" in caught.value.message
    assert caught.value.location == "after 0 record(s), about byte 0"
