"""What the reader fuzz tests share: their settings, the property every reader must keep, and mutations.

The property (issue 18, item 6): a reader given any mutation of a real file either returns a
normalised document that passes ``normalized-document.schema.json`` or raises
:class:`SourceFileError` with a reason — never another exception, never a hang, never a memory spike.

Mutations work at two levels: the structure of the format (XML elements, text and attributes;
workbook cells, sheets and zip parts; CSV rows, fields, separators and encodings; DMR records and
zip members) and plain bytes (truncate, overwrite, duplicate, insert hostile tokens).

``COMPLIANCE_FUZZ_EXAMPLES`` sets the examples per reader (500 when unset: the CI run, derandomised
so that it is reproducible); set it, e.g. to 10000, for a longer, randomly seeded run by hand.
"""

from __future__ import annotations

import copy
import io
import os
import re
import signal
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TypeVar

import jsonschema
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from lxml import etree

from compliance.base.documents import (
    DrivingLogDocument,
    InvoiceDocument,
    SourceDocument,
    VehicleRegisterDocument,
    document_as_json,
)
from compliance.base.errors import SourceFileError
from compliance.base.package_data import load_package_json
from tests.conftest import REFERENCE_DIR

FUZZ_EXAMPLES = int(os.environ.get("COMPLIANCE_FUZZ_EXAMPLES") or 500)
BY_HAND = bool(os.environ.get("COMPLIANCE_FUZZ_EXAMPLES"))
# In CI the reference files beside the project must be there: a missing ../shared fails, never skips.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"} or os.environ.get("COMPLIANCE_REQUIRE_DEBIAN_TOOLS") == "1"
MAX_BYTES = 5 * 1024 * 1024  # the default COMPLIANCE_MAX_FILE_MB
HANG_SECONDS = 20  # one small file read for longer than this is a hang
DEADLINE = timedelta(seconds=5)  # Hypothesis reports a slower example (2 cores shared with other work: generous)
MEMORY_BOUND = 128 * 1024 * 1024  # peak RSS above the level before the read; the inputs are at most a few hundred KB

SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(
    load_package_json("normalized-document.schema.json"), format_checker=jsonschema.FormatChecker()
)

T = TypeVar("T")


def fuzz_settings(examples: int = FUZZ_EXAMPLES) -> settings:
    """500 derandomised examples per reader in CI; ``COMPLIANCE_FUZZ_EXAMPLES`` many, randomly seeded, by hand."""
    return settings(
        max_examples=examples,
        deadline=DEADLINE,
        derandomize=not BY_HAND,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


def reference_files(pattern: str) -> list[Path]:
    """Files under ``../shared/reference`` (none on a plain clone; the seed test says so, or fails in CI)."""
    return sorted(REFERENCE_DIR.glob(pattern)) if REFERENCE_DIR.is_dir() else []


def need_reference() -> None:
    """Skip with the reason on a plain clone; in CI the reference files must be there."""
    if not REFERENCE_DIR.is_dir():
        message = f"reference files not available: {REFERENCE_DIR} is absent (a plain clone has no ../shared)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message + "; the fuzz tests ran on the project's own samples only")


# --- the property --------------------------------------------------------------------------------


class _Hang(BaseException):
    """Raised by the alarm inside a reader; a BaseException so that no ``except Exception`` hides it."""


@contextmanager
def hang_guard(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail when the block runs longer than ``seconds`` (SIGALRM; the main thread on POSIX only)."""

    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise _Hang

    if not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Hang:
        raise AssertionError(f"the reader ran for more than {seconds} s (a hang)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _status_kb(field: str) -> int | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux ``clear_refs`` 5); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def memory_guard(bound: int = MEMORY_BOUND) -> Iterator[None]:
    """Fail when the block's peak resident memory rises more than ``bound`` bytes above where it started.

    Cheap enough for every example (two reads of /proc): the peak is reset before the block and read
    after it. Where the peak cannot be reset (not Linux), nothing is checked.
    """
    before = _status_kb("VmRSS")
    if before is None or not _reset_peak():
        yield
        return
    yield
    peak = _status_kb("VmHWM")
    if peak is not None:
        rise = (peak - before) * 1024
        assert rise <= bound, f"the reader's peak memory rose by {rise // (1024 * 1024)} MB (bound {bound // (1024 * 1024)} MB)"


def check_document(document: SourceDocument) -> None:
    """A read document passes the published JSON schema, and what the schema cannot say holds too:
    plates are never empty strings, rows and positions go up, amounts are finite."""
    errors = sorted(SCHEMA_VALIDATOR.iter_errors(document_as_json(document)), key=lambda error: list(error.absolute_path))
    assert not errors, "the document does not match normalized-document.schema.json: " + "; ".join(
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors[:5]
    )
    if isinstance(document, DrivingLogDocument):
        assert all(trip.registration is None or trip.registration for trip in document.trips), "a trip with an empty plate"
        assert [trip.row for trip in document.trips] == sorted({trip.row for trip in document.trips})
    elif isinstance(document, VehicleRegisterDocument):
        assert all(vehicle.registration for vehicle in document.vehicles), "a vehicle with an empty plate"
    elif isinstance(document, InvoiceDocument):
        assert [line.position for line in document.lines] == list(range(1, len(document.lines) + 1))
        amounts = [
            document.totals.payable,
            *(line.line_amount for line in document.lines),
            *(line.quantity for line in document.lines),
        ]
        assert all(amount is None or amount.is_finite() for amount in amounts), "an amount that is not finite"


def read_or_refuse(read: Callable[[], T], file: str) -> T | SourceFileError:
    """Run one reader under the hang and memory guards: its result, or the SourceFileError it raised.

    Any other exception propagates, and Hypothesis reports (and shrinks) the input that caused it.
    """
    with hang_guard(), memory_guard():
        try:
            outcome = read()
        except SourceFileError as refusal:
            assert refusal.message.strip(), f"a refusal without a reason: {refusal!r}"
            # The file, or the file and the part of it (``book.xlsx!xl/workbook.xml``).
            assert (refusal.file or "").startswith(file), f"the refusal names {refusal.file!r}, not the file {file!r}"
            _event("refused", type(refusal).__name__)
            return refusal
    _event("read", type(outcome).__name__)
    return outcome


def _event(what: str, kind: str) -> None:
    """Count outcomes for ``--hypothesis-show-statistics`` (outside a Hypothesis test there is nothing to count)."""
    if currently_in_test_context():
        event(what, kind)


def read_document_or_refuse(read: Callable[[], SourceDocument], file: str) -> SourceDocument | SourceFileError:
    """:func:`read_or_refuse` for the readers of normalised documents: a document must pass the schema."""
    outcome = read_or_refuse(read, file)
    if not isinstance(outcome, SourceFileError):
        check_document(outcome)
    return outcome


# --- values worth trying -------------------------------------------------------------------------

TRICKY_VALUES = [
    "",
    " ",
    "NaN",
    "-Infinity",
    "inf",
    "1E+999999",
    "1e309",
    "-0",
    "0.0000000001",
    "9" * 400,
    "12,5",
    "1.234,50",
    "1,234.50",
    "12.500",
    ".5",
    "5.",
    "+",
    "-",
    "１２",  # full-width digits
    "١٢",  # Arabic-Indic digits
    "2025-02-30",
    "2025-13-01",
    "31-12-2025",
    "31.12.2025 23:59:59",
    "2025-01-02T08:15:00Z",
    "0000-01-01",
    "9999-12-31",
    "99999-01-01",
    "DK12345678",
    "DK 12 34 56 78",
    "DK1234567",
    "5790000000000",
    "AB 12 345",
    "true",
    "FALSE",
    "Svanemærket",
    "EU Ecolabel, Svanemærket, ",
    "TCO Certified",
    "ÆØÅ æøå",
    "\u202eevil",  # right-to-left override
    "\u2028\u00a0",
    "=1+1",
    "@SUM(A1)",
    "x" * 5000,
]
XML_TEXT = st.one_of(
    st.sampled_from(TRICKY_VALUES),
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n\r"), max_size=40),
)
# Text a CSV field or a workbook cell may hold but XML cannot: NUL, ESC, BEL and other control characters.
RAW_TEXT = st.one_of(XML_TEXT, st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
HOSTILE_TOKENS = [
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xc3\x28",  # invalid UTF-8
    b"\xe2\x80",  # a cut multi-byte character
    b"\r",
    b"\x1b[31m",
    b"\x07",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"<!ENTITY a SYSTEM 'file:///etc/passwd'>",
    b"&a;",
    b"&#0;",
    b"&#x1F600;",
    b"]]>",
    b"<![CDATA[",
    b"<?pi x?>",
    b"<!--",
    b"PK\x03\x04",
    "１２".encode(),
    b"9" * 300,
    b'"',
    b";",
    b",",
    b"\n",
]


def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    """One byte-level change: truncate, overwrite, duplicate, delete, insert a hostile token, or flip a bit."""
    kind = draw(st.sampled_from(["truncate", "overwrite", "duplicate", "delete", "insert", "flip"]))
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 200)))
    if kind == "truncate":
        return data[:start]
    if kind == "overwrite":
        return data[:start] + draw(st.binary(max_size=60)) + data[end:]
    if kind == "duplicate":
        return data[:end] + data[start:end] + data[end:]
    if kind == "delete":
        return data[:start] + data[end:]
    if kind == "insert":
        return data[:start] + draw(st.sampled_from(HOSTILE_TOKENS)) + data[start:]
    if not data:
        return data
    at = min(start, len(data) - 1)
    return data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]


# --- XML -----------------------------------------------------------------------------------------

_OWN_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
KNOWN_ATTRIBUTES = ["schemeID", "unitCode", "listID", "currencyID", "languageID", "r", "t", "s", "name", "sheetId", "Target"]


def _elements(root: etree._Element) -> list[etree._Element]:
    return [element for element in root.iter() if isinstance(element.tag, str)]  # no comments or PIs


def xml_mutation(draw: st.DrawFn, root: etree._Element, scope: etree._Element | None = None) -> None:
    """One structural change to the tree under ``root`` (inside ``scope`` when given), in place."""
    elements = _elements(scope if scope is not None else root)
    target = elements[draw(st.integers(0, len(elements) - 1))]
    parent = target.getparent()
    kinds = ["text", "attribute", "drop attribute", "rename", "namespace", "empty", "comment", "cdata"]
    if parent is not None:
        kinds += ["drop", "duplicate", "move", "swap"]
    kind = draw(st.sampled_from(kinds))
    try:
        if kind == "text":
            target.text = draw(XML_TEXT)
        elif kind == "cdata":
            target.text = etree.CDATA(draw(XML_TEXT).replace("]]>", ""))
        elif kind == "attribute":
            names = sorted({name for element in elements for name in element.attrib} | set(KNOWN_ATTRIBUTES))
            target.set(draw(st.sampled_from(names)), draw(XML_TEXT))
        elif kind == "drop attribute":
            if target.attrib:
                del target.attrib[draw(st.sampled_from(sorted(target.attrib)))]
        elif kind == "rename":  # to another tag of the same document: a field where another belongs
            target.tag = draw(st.sampled_from(sorted({element.tag for element in elements})))
        elif kind == "namespace":
            local = etree.QName(target).localname
            namespace = draw(st.sampled_from(["", "urn:x", *sorted({etree.QName(e).namespace or "" for e in elements})]))
            target.tag = f"{{{namespace}}}{local}" if namespace else local
        elif kind == "empty":
            for child in list(target):
                target.remove(child)
            target.text = None
        elif kind == "comment":
            target.insert(
                draw(st.integers(0, len(target))), etree.Comment(draw(st.sampled_from(["x", " <a/> ", "-"])).strip("-"))
            )
        elif kind == "drop":
            assert parent is not None
            parent.remove(target)
        elif kind == "duplicate":
            assert parent is not None
            parent.insert(parent.index(target) + 1, copy.deepcopy(target))
        elif kind == "move":  # under another element (not one of its own descendants)
            assert parent is not None
            hosts = [element for element in elements if element is not target and target not in element.iterancestors()]
            if hosts:
                host = hosts[draw(st.integers(0, len(hosts) - 1))]
                parent.remove(target)
                host.append(target)
        elif kind == "swap":
            assert parent is not None
            siblings = [child for child in parent if isinstance(child.tag, str)]
            other = siblings[draw(st.integers(0, len(siblings) - 1))]
            if other is not target:
                a, b = parent.index(target), parent.index(other)
                parent.remove(target)
                parent.insert(b, target)
                parent.remove(other)
                parent.insert(a, other)
    except ValueError:
        pass  # lxml refused the value (not XML-compatible): no change


def serialise_xml(draw: st.DrawFn, root: etree._Element) -> bytes:
    """The tree as bytes in one of the encodings a supplier might use, with or without a declaration."""
    encoding = draw(st.sampled_from(["UTF-8", "UTF-8", "UTF-8", "UTF-16", "ISO-8859-1", "windows-1252"]))
    declaration = encoding != "UTF-8" or draw(st.booleans())
    return bytes(etree.tostring(root, encoding=encoding, xml_declaration=declaration))


def parse_own_xml(data: bytes) -> etree._Element | None:
    """Parse a mutation's own intermediate XML (None when an earlier byte change broke it)."""
    try:
        return etree.fromstring(data, parser=_OWN_XML)
    except etree.XMLSyntaxError:
        return None


@st.composite
def mutated_xml(draw: st.DrawFn, data: bytes, max_steps: int = 3) -> bytes:
    """Up to ``max_steps`` structural or byte changes to an XML document."""
    for _ in range(draw(st.integers(0, max_steps))):
        root = parse_own_xml(data) if draw(st.integers(0, 3)) else None
        if root is not None:
            xml_mutation(draw, root)
            data = serialise_xml(draw, root)
        else:
            data = byte_mutation(draw, data)
    return data


# --- CSV -----------------------------------------------------------------------------------------


def csv_rows(text: str) -> list[list[str]]:
    """A seed's rows (seeds are well-formed; the separator is whichever the header uses more)."""
    import csv

    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)]


def _csv_text(draw: st.DrawFn, rows: list[list[str]]) -> str:
    """Rows written with a drawn separator, quoting and line end."""
    import csv

    delimiter = draw(st.sampled_from([";", ";", ";", ";", ",", ",", ",", ",", "\t", "|"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, escapechar="\\", lineterminator=terminator)
    try:
        writer.writerows(rows)
    except csv.Error:  # QUOTE_NONE cannot write every row (a single empty field): quote them all
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator=terminator).writerows(rows)
    return out.getvalue()


def _encode(draw: st.DrawFn, text: str) -> bytes:
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
    )
    return text.encode(encoding, errors="replace")


@st.composite
def mutated_csv(draw: st.DrawFn, rows: list[list[str]], values: list[str], max_steps: int = 4, window: int = 60) -> bytes:
    """A CSV seed (header and rows) changed at the level of rows, fields, columns, separators and encoding.

    ``values`` are field values the reader knows (column names, kinds, fuels …), tried beside the tricky ones;
    a long seed is cut to a window of ``window`` rows after its header, so that each example stays small.
    """
    header, body = rows[0], rows[1:]
    if len(body) > window:
        start = draw(st.integers(0, len(body) - window))
        body = body[start : start + draw(st.integers(1, window))]
    table = [list(header), *(list(row) for row in body)]
    field = st.one_of(st.sampled_from(values), st.sampled_from(TRICKY_VALUES), RAW_TEXT)
    for _ in range(draw(st.integers(0, max_steps))):
        kind = draw(
            st.sampled_from(
                ["field", "field", "field", "header", "drop row", "duplicate row", "swap rows", "drop column",
                 "swap columns", "add column", "short row", "long row", "blank row", "huge field"]
            )
        )  # fmt: skip
        row = draw(st.integers(0, len(table) - 1))
        width = max(len(r) for r in table) or 1
        column = draw(st.integers(0, width - 1))
        if kind == "field" and column < len(table[row]):
            table[row][column] = draw(field)
        elif kind == "header" and column < len(table[0]):
            name = draw(st.sampled_from([*values, *header]))
            table[0][column] = draw(st.sampled_from([name, name.upper(), f"  {name} ", name + "\u00a0", ""]))
        elif kind == "drop row" and len(table) > 1:
            del table[row]
        elif kind == "duplicate row":
            table.insert(row, list(table[row]))
        elif kind == "swap rows":
            other = draw(st.integers(0, len(table) - 1))
            table[row], table[other] = table[other], table[row]
        elif kind == "drop column":
            for cells in table:
                if column < len(cells):
                    del cells[column]
        elif kind == "swap columns":
            other = draw(st.integers(0, width - 1))
            for cells in table:
                if column < len(cells) and other < len(cells):
                    cells[column], cells[other] = cells[other], cells[column]
        elif kind == "add column":
            for cells in table:
                cells.insert(min(column, len(cells)), draw(field))
        elif kind == "short row":
            table[row] = table[row][:column]
        elif kind == "long row":
            table[row] = table[row] + [draw(field) for _ in range(draw(st.integers(1, 5)))]
        elif kind == "blank row":
            table.insert(row, [""] * draw(st.integers(0, width)))
        elif kind == "huge field" and column < len(table[row]):
            table[row][column] = draw(st.sampled_from(["x", "1", ";"])) * draw(st.sampled_from([70_000, 140_000]))
    data = _encode(draw, _csv_text(draw, table))
    for _ in range(draw(st.integers(0, 1))):
        data = byte_mutation(draw, data)
    return data


# --- zip archives (workbooks, DMR extracts) --------------------------------------------------------


def zip_members(data: bytes) -> list[tuple[str, bytes]]:
    """A seed archive's members, in order (seeds are well-formed)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_zip(members: list[tuple[str, bytes]], compression: int) -> bytes:
    """The members zipped with a fixed timestamp, so that the same example gives the same bytes in every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members:
            if name in archive.NameToInfo:
                # Duplicate names are what a hostile archive may hold; zipfile only warns about them.
                archive.NameToInfo.pop(name)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), content, compress_type=compression)
    return buffer.getvalue()


def stable_workbook(data: bytes) -> bytes:
    """A workbook openpyxl saved, with its save time and zip timestamps fixed (reproducible seeds)."""
    members = [
        (name, re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", content))
        for name, content in zip_members(data)
    ]
    return write_zip(members, zipfile.ZIP_DEFLATED)


def corrupt_member(draw: st.DrawFn, archive: bytes) -> bytes:
    """Flip one byte inside a member's stored data, so that its CRC (or its deflate stream) no longer holds."""
    with zipfile.ZipFile(io.BytesIO(archive)) as reader:
        infos = [info for info in reader.infolist() if info.compress_size > 0]
    if not infos:
        return archive
    info = infos[draw(st.integers(0, len(infos) - 1))]
    # The local header is 30 bytes plus the name and the extra field.
    name_length = int.from_bytes(archive[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(archive[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    at = start + draw(st.integers(0, info.compress_size - 1))
    return archive[:at] + bytes([archive[at] ^ 0xFF]) + archive[at + 1 :]


COMPRESSIONS = [zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]


def pick(draw: st.DrawFn, items: list[T]) -> T:
    """One of ``items`` (which are built at run time, so ``sampled_from`` at import is not possible)."""
    return items[draw(st.integers(0, len(items) - 1))]


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_TYPES = ["s", "n", "b", "str", "inlineStr", "e", "d", "", "bogus"]
CELL_VALUES = [
    *TRICKY_VALUES,
    "0",
    "1",
    "-1",
    "2",
    "999999",
    "1.5",
    "45000",
    "2958466",
    "-700000",
    "#DIV/0!",
    "2025-01-01T00:00:00",
]
CELL_REFERENCES = ["A1", "B2", "A0", "0A", "", "ZZZZ1", "XFD1048576", "A1048577", "B99999999", "a1", "$B$2", "A1:B2"]
ADDED_PARTS = [
    ("xl/vbaProject.bin", b"\x00macro"),
    ("xl/media/vbaproject.BIN", b"\x00macro"),
    ("customXml/item1.xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"),
    ("xl/worksheets/sheet9.xml", b"<worksheet/>"),
    ("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    ("../../evil.xml", b"<x/>"),
]


def cell_mutation(draw: st.DrawFn, root: etree._Element) -> None:
    """One change to a worksheet's cells: a cell's type, value, formula or reference; a cell or row dropped or repeated."""
    cells = root.findall(f".//{MAIN_NS}c")
    if not cells:
        xml_mutation(draw, root)
        return
    cell = pick(draw, cells)
    kind = draw(st.sampled_from(["type", "value", "value", "formula", "reference", "inline", "drop", "duplicate", "row", "tree"]))
    value = cell.find(f"{MAIN_NS}v")
    if kind == "type":
        cell.set("t", draw(st.sampled_from(CELL_TYPES)))
    elif kind == "value":
        if value is None:
            value = etree.SubElement(cell, f"{MAIN_NS}v")
        value.text = draw(st.one_of(st.sampled_from(CELL_VALUES), XML_TEXT))
        if draw(st.booleans()):
            cell.set("t", draw(st.sampled_from(CELL_TYPES)))
    elif kind == "formula":  # a formula with no stored value, or beside one
        formula = etree.Element(f"{MAIN_NS}f")
        formula.text = draw(st.sampled_from(["SUM(A1:A3)", "1/0", 'WEBSERVICE("http://x")', "", "A1"]))
        cell.insert(0, formula)
        if value is not None and draw(st.booleans()):
            cell.remove(value)
    elif kind == "reference":
        cell.set("r", draw(st.sampled_from(CELL_REFERENCES)))
    elif kind == "inline":
        for child in list(cell):
            cell.remove(child)
        cell.set("t", "inlineStr")
        text = etree.SubElement(etree.SubElement(cell, f"{MAIN_NS}is"), f"{MAIN_NS}t")
        with suppress(ValueError):
            text.text = draw(XML_TEXT)
    elif kind == "drop":
        parent = cell.getparent()
        assert parent is not None
        parent.remove(cell)
    elif kind == "duplicate":
        parent = cell.getparent()
        assert parent is not None
        parent.insert(parent.index(cell) + 1, copy.deepcopy(cell))
    elif kind == "row":
        row = cell.getparent()
        assert row is not None
        row.set("r", draw(st.sampled_from(["0", "1", "2", "-1", "1048577", "x", ""])))
    else:
        xml_mutation(draw, root, cell.getparent())


@st.composite
def mutated_workbook(draw: st.DrawFn, data: bytes, max_steps: int = 3) -> bytes:
    """An .xlsx seed changed in its cells, its XML parts, its zip members and its bytes."""
    members = zip_members(data)
    compression = zipfile.ZIP_DEFLATED
    for _ in range(draw(st.integers(0, max_steps))):
        kind = draw(
            st.sampled_from(
                ["cells", "cells", "cells", "strings", "part xml", "part xml", "part bytes", "drop part", "duplicate part",
                 "add part", "rename part", "declaration", "compression"]
            )
        )  # fmt: skip
        index = draw(st.integers(0, len(members) - 1)) if members else 0
        if kind in {"cells", "strings"}:
            wanted = "xl/worksheets/" if kind == "cells" else "xl/sharedStrings"
            candidates = [i for i, (name, _content) in enumerate(members) if name.startswith(wanted)]
            if candidates:
                index = pick(draw, candidates)
        if kind in {"cells", "strings", "part xml"} and members:
            name, content = members[index]
            root = parse_own_xml(content)
            if root is None:
                continue
            if kind == "cells":
                cell_mutation(draw, root)
            else:
                xml_mutation(draw, root)
            members[index] = (name, serialise_xml(draw, root))
        elif kind == "part bytes" and members:
            members[index] = (members[index][0], byte_mutation(draw, members[index][1]))
        elif kind == "drop part" and members:
            del members[index]
        elif kind == "duplicate part" and members:
            members.insert(index, members[index])
        elif kind == "add part":
            members.insert(index, draw(st.sampled_from(ADDED_PARTS)))
        elif kind == "rename part" and members:
            other = members[draw(st.integers(0, len(members) - 1))][0]
            members[index] = (
                draw(st.sampled_from([other, members[index][0].upper(), "xl/x.xml", "xl/worksheets/"])),
                members[index][1],
            )
        elif kind == "declaration" and members:  # a DOCTYPE or an entity inside a workbook part
            name, content = members[index]
            members[index] = (name, b"<!DOCTYPE x [<!ENTITY e 'entity'>]>" + content.split(b"?>", 1)[-1])
        elif kind == "compression":
            compression = draw(st.sampled_from(COMPRESSIONS))
    archive = write_zip(members, compression)
    if draw(st.integers(0, 7)) == 0:
        archive = corrupt_member(draw, archive)
    if draw(st.integers(0, 7)) == 0:
        archive = byte_mutation(draw, archive)
    return archive
