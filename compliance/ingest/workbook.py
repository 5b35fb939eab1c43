"""An .xlsx workbook opened once, read-only, after every part has been checked.

openpyxl parses a workbook's parts with parsers we do not configure (the worksheets and shared
strings with the standard library's expat, which expands internal entities), reads members
without looking at their sizes and raises whatever its libraries raise on a damaged file. So
before openpyxl sees a workbook, :func:`open_workbook` checks the package itself:

- the zip: entry count, declared and inflated sizes and ratio (:mod:`compliance.ingest.safe_zip`),
  every member inflated once through a bounded buffer, so a bad CRC is found here;
- macros: a ``vbaProject`` part under any name, a macro-enabled content type (e.g.
  ``application/vnd.ms-excel.sheet.macroEnabled.main+xml``) or a ``vbaProject`` relationship;
- every XML part through the invoices' safe parser (no DOCTYPE, no entities, well-formed),
  streamed, building no tree;
- the workbook part found by its content type, and every sheet it lists present.

Then the workbook is opened once, read-only and with stored values (formulas are never
evaluated): openpyxl reads the shared strings and styles, and its sheet parser turns each row into
values as the sheet streams through the bounded buffer, each row dropped once read. Which cells hold a formula
without a stored value is noted in the same pass, for the templates that must name such a cell.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, overload
from xml.etree.ElementTree import ParseError, iterparse

from lxml import etree

from compliance.base.errors import SourceFileError, UnknownFormatError, UnsafeInputError
from compliance.ingest.safe_xml import DeclarationScan, check_xml_stream, parse_xml
from compliance.ingest.safe_zip import UNPACK_ERRORS, InflateBudget, MemberStream, ZipLimits, open_zip

# openpyxl warns about workbook features it leaves out ("Workbook contains no default style", data
# validation): nothing a person can act on, and printed with the library's path on the server.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?\Z")

if TYPE_CHECKING:
    from openpyxl.formula.translate import Translator

# openpyxl (and numpy, which it loads) is imported only when a workbook is read: an ingest of e-invoices
# never pays for it (issue 21 item 2).

# A workbook that unpacks to more than this, or more than this many times its size, is refused.
WORKBOOK_LIMITS = ZipLimits("workbook", max_entries=10_000, max_unzipped_bytes=200 * 1024 * 1024, max_ratio=200)
MAX_ROWS = 1_048_576  # Excel's grid
MAX_STRUCTURE_PART_BYTES = 16 * 1024 * 1024  # content types, workbook and relationship parts are read whole
EXPECTED_WORKBOOK = "a plain .xlsx workbook as Excel or LibreOffice saves it"
NOT_A_WORKBOOK = "a zip archive that is not an Excel workbook"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
CONTENT_TYPES_PART = "[Content_Types].xml"
_ROW_TAG = f"{{{MAIN_NS}}}row"
_FORMULA_TAG = f"{{{MAIN_NS}}}f"
_STRING_TAG = f"{{{MAIN_NS}}}si"
_MACRO = re.compile(r"macroenabled|vbaproject", re.IGNORECASE)


def _openpyxl_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl raises on a package it cannot make sense of (after the checks here, rarely)."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (*UNPACK_ERRORS, KeyError, IndexError, TypeError, AttributeError, ParseError, InvalidFileException)


def _macro_error(file: str, what: str) -> UnsafeInputError:
    return UnsafeInputError(
        f"the workbook contains macros ({what}); macro-enabled files are refused",
        file=file,
        expected="a plain .xlsx workbook without macros",
    )


def _is_xml(name: str, content_type: str) -> bool:
    lowered = name.lower()
    return lowered.endswith((".xml", ".rels")) or content_type.endswith("+xml") or content_type in ("application/xml", "text/xml")


class _SharedStrings(Sequence[str]):
    """A workbook's shared strings as a few long strings with the offsets where each string ends:
    about 4 bytes a string beyond its text, where a list of strings costs ~60 (a table of a million
    one-letter strings is a few megabytes zipped)."""

    BLOCK = 4096

    def __init__(self) -> None:
        self._blocks: list[str] = []
        self._ends: list[array[int]] = []
        self._pending: list[str] = []
        self._count = 0

    def append(self, text: str) -> None:
        self._pending.append(text)
        self._count += 1
        if len(self._pending) == self.BLOCK:
            self.close()

    def close(self) -> None:
        """Join the strings appended since the last block into one."""
        if self._pending:
            ends: array[int] = array("L")
            position = 0
            for text in self._pending:
                position += len(text)
                ends.append(position)
            self._blocks.append("".join(self._pending))
            self._ends.append(ends)
            self._pending = []

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        if not 0 <= index < self._count:
            raise IndexError(f"shared string {index} of {self._count}")
        block, at = divmod(index, self.BLOCK)
        if block == len(self._blocks):
            return self._pending[at]
        ends = self._ends[block]
        return self._blocks[block][ends[at - 1] if at else 0 : ends[at]]


@dataclass(frozen=True)
class _CellContext:
    shared_strings: _SharedStrings
    epoch: Any
    date_formats: Any
    timedelta_formats: Any


class CheckedWorkbook:
    """A workbook whose package passed :func:`open_workbook`; sheets are read from it with openpyxl."""

    def __init__(self, data: bytes, file: str, archive: zipfile.ZipFile, budget: InflateBudget) -> None:
        self.data = data
        self.file = file
        self.archive = archive
        self.budget = budget
        self.sheet_names: list[str] = []
        self.sheet_parts: dict[str, str] = {}
        self.sheet_kinds: dict[str, str] = {}  # the relationship type: worksheet or chart sheet
        self.checked_xml: set[str] = set()  # the parts that passed the safe parser
        self._context: _CellContext | None = None

    # -- the package checks ------------------------------------------------------------------------

    def _stream(self, name: str) -> MemberStream:
        return MemberStream(self.archive, self.archive.getinfo(name), self.budget, EXPECTED_WORKBOOK)

    def _structure_part(self, name: str) -> etree._Element:
        """A small part read whole through the bounded stream and the safe parser."""
        info = self.archive.getinfo(name)
        if info.file_size > MAX_STRUCTURE_PART_BYTES:
            raise UnsafeInputError(
                f"the part {name} is {info.file_size} bytes",
                file=self.file,
                location=f"zip member {name}",
                expected=f"at most {MAX_STRUCTURE_PART_BYTES // (1024 * 1024)} MiB for a workbook's structure parts",
            )
        with self._stream(name) as stream:
            data = b"".join(stream.chunks())
        root = parse_xml(data, f"{self.file}!{name}")
        self.checked_xml.add(name)
        return root

    def _check_xml_part(self, name: str) -> None:
        """Stream a part through the safe parser (no DOCTYPE, no entities, well-formed), once."""
        if name in self.checked_xml:
            return
        with self._stream(name) as stream:
            check_xml_stream(stream.chunks(), self.file, f"part {name}, ")
        self.checked_xml.add(name)

    def _check(self) -> None:
        names = self.archive.namelist()
        if macro := next((name for name in names if "vbaproject" in name.lower()), None):
            raise _macro_error(self.file, macro)
        self.budget.check_declared(self.archive)
        if CONTENT_TYPES_PART not in names:
            if "xl/workbook.xml" in names:
                raise SourceFileError(
                    f"the workbook has no {CONTENT_TYPES_PART} part, which says what each part holds",
                    file=self.file,
                    location=CONTENT_TYPES_PART,
                    expected=f"{EXPECTED_WORKBOOK} (with its {CONTENT_TYPES_PART})",
                )
            raise UnknownFormatError(NOT_A_WORKBOOK, file=self.file, expected=EXPECTED_WORKBOOK)
        types = self._structure_part(CONTENT_TYPES_PART)
        defaults = {
            (item.get("Extension") or "").lower(): item.get("ContentType") or "" for item in types.iter(f"{_CT_NS}Default")
        }
        overrides = {
            (item.get("PartName") or "").lstrip("/"): item.get("ContentType") or "" for item in types.iter(f"{_CT_NS}Override")
        }
        for content_type in [*defaults.values(), *overrides.values()]:
            if _MACRO.search(content_type):
                raise _macro_error(self.file, f"content type {content_type}")
        workbook_part = next((part for part, kind in overrides.items() if kind in WORKBOOK_TYPES), None)
        if workbook_part is None and set(defaults.values()) & set(WORKBOOK_TYPES):
            workbook_part = "xl/workbook.xml"
        if workbook_part is None or workbook_part not in names:
            if "xl/workbook.xml" not in names:
                raise UnknownFormatError(NOT_A_WORKBOOK, file=self.file, expected=EXPECTED_WORKBOOK)
            declared = overrides.get("xl/workbook.xml") or defaults.get("xml") or "none"
            raise SourceFileError(
                f"the workbook part xl/workbook.xml has the content type {declared}",
                file=self.file,
                location=CONTENT_TYPES_PART,
                expected=f"the content type {WORKBOOK_TYPES[0]} (a plain .xlsx workbook)",
            )

        # Every member inflated once, bounded; every XML part through the safe parser.
        for info in self.archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            content_type = overrides.get(name) or defaults.get(posixpath.splitext(name)[1].lstrip(".").lower(), "")
            if _is_xml(name, content_type):
                self._check_xml_part(name)
                continue
            with self._stream(name) as stream:
                # Any other part (an image, printer settings, legacy VML, which is not always
                # well-formed) is inflated to its end, where the CRC is checked, and scanned for a
                # declaration; a part read as XML below is parsed as well, whatever its name or type.
                scan = DeclarationScan(self.file, f"part {name}, ")
                for chunk in stream.chunks():
                    scan.feed(chunk)
        for name in names:
            if name.lower().endswith(".rels"):
                for relation in self._structure_part(name).iter(f"{_PKG_REL_NS}Relationship"):
                    missing = [attribute for attribute in ("Id", "Type", "Target") if not relation.get(attribute)]
                    if missing:
                        raise SourceFileError(
                            f"a relationship in {name} has no {' or '.join(missing)}",
                            file=self.file,
                            location=f"part {name}",
                            expected="relationships with an Id, a Type and a Target each (a plain .xlsx workbook)",
                        )
                    if _MACRO.search(relation.get("Type") or ""):
                        raise _macro_error(self.file, f"a vbaProject relationship in {name}")

        # The sheets the workbook lists, each with its part.
        workbook = self._structure_part(workbook_part)
        folder, leaf = posixpath.split(workbook_part)
        rels_name = posixpath.join(folder, "_rels", f"{leaf}.rels")
        targets: dict[str, tuple[str, str]] = {}
        if rels_name in names:
            for relation in self._structure_part(rels_name).iter(f"{_PKG_REL_NS}Relationship"):
                target = relation.get("Target") or ""
                if relation.get("TargetMode") == "External":
                    continue
                path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                targets[relation.get("Id") or ""] = (path, relation.get("Type") or "")
        for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
            title = sheet.get("name", "")
            self.sheet_names.append(title)
            part, kind = targets.get(sheet.get(_OFFICE_REL_ID) or "", (None, ""))
            self.sheet_kinds[title] = kind
            if part is None or part not in names:
                raise SourceFileError(
                    f"the workbook lists the sheet {title!r}"
                    + (f" in the part {part}, which the file does not contain" if part else " without a part"),
                    file=self.file,
                    location=f"part {workbook_part}",
                    expected="a complete workbook: every sheet it lists present",
                )
            self.sheet_parts[title] = part
            self._check_xml_part(part)  # read as XML below, whatever the package calls it

    # -- reading -----------------------------------------------------------------------------------

    def _openpyxl_error(self, exc: BaseException, where: str) -> SourceFileError:
        return SourceFileError(
            f"the spreadsheet reader cannot read {where} ({type(exc).__name__}: {exc})",
            file=self.file,
            location=where,
            expected=EXPECTED_WORKBOOK,
        )

    def _cell_context(self) -> _CellContext:
        """What turns stored cells into values (shared strings, date formats, the date epoch), read
        once by openpyxl's reader, read-only. Not openpyxl's read-only workbook: it parses each whole
        sheet up front when the sheet does not state its size first, holding every row at once."""
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import SHARED_STRINGS

        if self._context is None:
            try:
                reader = ExcelReader(io.BytesIO(self.data), read_only=True, keep_vba=False, data_only=True, keep_links=False)
                try:
                    reader.read_manifest()
                    reader.read_workbook()
                    apply_stylesheet(reader.archive, reader.wb)
                    strings_part = reader.package.find(SHARED_STRINGS)
                finally:
                    reader.archive.close()
            except _openpyxl_errors() as exc:
                raise self._openpyxl_error(exc, "the workbook") from exc
            book = reader.wb
            strings = self._shared_strings(strings_part.PartName[1:]) if strings_part is not None else _SharedStrings()
            self._context = _CellContext(strings, book.epoch, book._date_formats, book._timedelta_formats)
        return self._context

    def _shared_strings(self, part: str) -> _SharedStrings:
        """The shared-string table as openpyxl reads it (``read_string_table``), streamed and kept compact."""
        from openpyxl.cell.text import Text

        strings = _SharedStrings()
        if part not in self.archive.namelist():
            raise SourceFileError(
                f"the content types name the shared strings part {part}, which the file does not contain",
                file=self.file,
                location=CONTENT_TYPES_PART,
                expected="a complete workbook: every part it names present",
            )
        self._check_xml_part(part)
        with self._stream(part) as stream:
            open_elements: list[Any] = []
            try:
                for event, element in iterparse(stream, events=("start", "end")):
                    if event == "start":
                        open_elements.append(element)
                        continue
                    open_elements.pop()
                    if element.tag == _STRING_TAG:
                        strings.append(Text.from_tree(element).content.replace("x005F_", ""))
                    elif any(parent.tag == _STRING_TAG for parent in open_elements):
                        continue  # part of a string: read with it
                    if open_elements:
                        open_elements[-1].remove(element)
            except _openpyxl_errors() as exc:
                raise self._openpyxl_error(exc, f"the shared strings (part {part})") from exc
        strings.close()
        return strings

    def first_sheet_name(self) -> str | None:
        """The first sheet that is a worksheet (not a chart sheet), as openpyxl's ``worksheets[0]``."""
        return next((title for title in self.sheet_names if "chartsheet" not in self.sheet_kinds.get(title, "")), None)

    def rows(self, title: str) -> Iterator[tuple[Any, ...]]:
        """The sheet's rows in order from row 1, as openpyxl's read-only mode gives them with stored
        values (a missing row is an empty tuple; a row's cells are placed by column, in the row the
        ``<row>`` element names), streamed from the checked part through the bounded buffer. The
        sheet's dimension record is not trusted."""
        next_row = 1
        for number, cells in self._parsed_rows(title, None):
            while next_row < number:
                next_row += 1
                yield ()
            next_row += 1
            yield _row_values(cells)

    def cells(self, title: str, formulas: dict[tuple[int, int], str]) -> Iterator[tuple[int, int, Any]]:
        """(row, column, stored value) of each cell that holds a value, placed by the cell's own
        reference, as openpyxl's full mode places it (the templates' field/value and line sheets).

        ``formulas`` receives (row, column) → formula of each cell that holds a formula and no
        stored value, as openpyxl would show the formula (shared ones translated; array and
        data-table formulas left out).
        """
        for _number, cells in self._parsed_rows(title, formulas):
            for cell in cells:
                if cell["value"] is not None:
                    yield cell["row"], cell["column"], cell["value"]

    def _parsed_rows(self, title: str, formulas: dict[tuple[int, int], str] | None) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """Each ``<row>`` of the sheet as openpyxl's sheet parser reads it (its number and its cells),
        streamed; each finished row is dropped from the parse tree (openpyxl's own loop keeps an
        empty element per row: ~80 bytes a row)."""
        from openpyxl.worksheet._reader import WorkSheetParser

        context = self._cell_context()
        part = self.sheet_parts.get(title)
        where = f"sheet {title!r} (part {part})"
        if part is None:
            raise self._openpyxl_error(KeyError(title), where)
        self._check_xml_part(part)
        parser = WorkSheetParser(
            None,
            context.shared_strings,
            data_only=True,
            epoch=context.epoch,
            date_formats=context.date_formats,
            timedelta_formats=context.timedelta_formats,
        )
        shared: dict[str, Translator] = {}
        last_row = 0
        with self._stream(part) as stream:
            # The part has passed check_xml_stream: it declares no DOCTYPE, so expat expands nothing.
            open_elements: list[tuple[Any, bool]] = []  # (element, inside a row)
            try:
                for event, element in iterparse(stream, events=("start", "end")):
                    if event == "start":
                        inside = bool(open_elements) and (open_elements[-1][1] or open_elements[-1][0].tag == _ROW_TAG)
                        open_elements.append((element, inside))
                        continue
                    _element, inside_row = open_elements.pop()
                    if inside_row:
                        continue  # a cell and what it holds: read with its row
                    if element.tag == _ROW_TAG:
                        number, cells = parser.parse_row(element)
                        self._check_row(number, last_row, where)
                        last_row = number
                        if formulas is not None:
                            _note_formulas(element, cells, formulas, shared)
                        yield number, cells
                    if open_elements:
                        open_elements[-1][0].remove(element)  # finished: every earlier sibling is gone already
            except _openpyxl_errors() as exc:
                raise self._openpyxl_error(exc, where) from exc

    def _check_row(self, number: int, last_row: int, where: str) -> None:
        """A row where Excel would put it: within the grid and after the rows before it. Otherwise a
        row number of 10^12 would stand for that many empty rows before it, and a row that comes
        after a later one would be dropped without a word (as openpyxl's read-only mode does)."""
        if not 1 <= number <= MAX_ROWS or number <= last_row:
            raise SourceFileError(
                f"row {number} "
                + ("is outside the sheet's grid" if not 1 <= number <= MAX_ROWS else f"comes after row {last_row}"),
                file=self.file,
                location=where,
                expected=f"rows numbered 1 to {MAX_ROWS:,}, in order",
            )

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> CheckedWorkbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


def _row_values(cells: list[dict[str, Any]]) -> tuple[Any, ...]:
    """A parsed row as read-only openpyxl gives it: values by column up to the last cell's column."""
    if not cells:
        return ()
    values: list[Any] = [None] * cells[-1]["column"]
    for cell in cells:
        if 1 <= cell["column"] <= len(values):
            values[cell["column"] - 1] = cell["value"]
    return tuple(values)


def _note_formulas(
    row: Any, cells: list[dict[str, Any]], formulas: dict[tuple[int, int], str], shared: dict[str, Translator]
) -> None:
    """Note the row's cells that hold a formula and no stored value (``cells`` parsed from ``row``'s children)."""
    from openpyxl.utils.cell import get_column_letter

    for element, cell in zip(row, cells, strict=False):
        formula = element.find(_FORMULA_TAG)
        if formula is None or cell["value"] is not None or element.get("t") == "inlineStr":
            continue
        reference = element.get("r") or f"{get_column_letter(cell['column'])}{cell['row']}"
        text = _formula_text(formula, reference, shared)
        if text is not None:
            formulas[(cell["row"], cell["column"])] = text


def _formula_text(formula: Any, reference: str, shared: dict[str, Translator]) -> str | None:
    """The formula as openpyxl shows it (``=`` + text), or None for array and data-table formulas."""
    from openpyxl.formula.translate import Translator

    kind = formula.get("t")
    text = "=" + (formula.text or "")
    if kind in ("array", "dataTable"):
        return None
    if kind == "shared":
        index = formula.get("si") or ""
        if index in shared:
            return str(shared[index].translate_formula(reference))
        if text != "=":
            shared[index] = Translator(text, reference)
    return text


def open_workbook(data: bytes, file: str) -> CheckedWorkbook:
    """Check a workbook's package (see the module) and return it ready to read; raise a
    :class:`SourceFileError` naming the part and what was expected, or an :class:`UnsafeInputError`."""
    archive = open_zip(data, file, WORKBOOK_LIMITS, "a valid .xlsx workbook")
    workbook = CheckedWorkbook(data, file, archive, InflateBudget(archive, file, WORKBOOK_LIMITS))
    try:
        workbook._check()
    except BaseException:
        workbook.close()
        raise
    return workbook
