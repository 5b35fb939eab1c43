"""Text hygiene at both ends: control characters are refused when a file is read and escaped when text is shown.

A NUL or an escape sequence has no place in an invoice, a catalogue, a driving log or a register
(tab, line feed and carriage return do: notes and descriptions run over lines). Refusing them when a
file is read keeps the database the same on SQLite (which stores a NUL) and PostgreSQL (which
refuses it). Whatever is stored all the same — text from before this check, a file name — every
output escapes control characters when it shows text, so a file name with ESC cannot drive a
terminal and a stored NUL cannot stop a workbook (openpyxl refuses it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from itertools import chain
from operator import attrgetter
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

# What no text read from a file may hold: C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What a terminal, a log line or a report must not show raw: Cc, the bidirectional overrides that
# reorder what is shown (U+061C, U+200E/F, U+202A–E, U+2066–9) and lone surrogates (the bytes of a
# file name that is not UTF-8, as Python decodes it).
_NOT_SHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NOT_SHOWN_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NOT_SHOWN_IN_CELLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    if character in _ESCAPES:
        return _ESCAPES[character]
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` on one line, safe for a terminal, a log or a report: control characters (tab and line
    breaks too), bidirectional overrides and undecodable bytes are written as ``\\x1b``, ``\\n``, ``\\u202e``."""
    return _NOT_SHOWN.sub(_escape, text) if _NOT_SHOWN.search(text) else text


def shown_lines(text: str) -> str:
    """Like :func:`shown`, but tab and line feed stay: for text printed over several lines on purpose."""
    return _NOT_SHOWN_IN_LINES.sub(_escape, text) if _NOT_SHOWN_IN_LINES.search(text) else text


def shown_in_cells(text: str) -> str:
    """Like :func:`shown_lines`, but a carriage return stays too: for spreadsheet and CSV cells, where
    it is text (and a formula trigger the writer neutralises), never a command."""
    return _NOT_SHOWN_IN_CELLS.sub(_escape, text) if _NOT_SHOWN_IN_CELLS.search(text) else text


def control_character(text: str) -> str | None:
    """The first character of ``text`` no stored text may hold (tab and line breaks aside), or None."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def character_code(character: str) -> str:
    """``U+001B`` for ESC: how a reason names a character a person cannot see."""
    return f"U+{ord(character):04X}"


@dataclass(frozen=True)
class TextFault:
    """The first control character found in a document: where (row or line, field) and which."""

    location: str
    field: str
    character: str

    @property
    def message(self) -> str:
        return f"{self.field} contains the control character {character_code(self.character)}"


def find_control_character(document: Any) -> TextFault | None:
    """The first text field of a normalised document holding a control character other than tab, line
    feed and carriage return, or None when the document is clean.

    Every text is gathered first and looked at once, as UTF-8 bytes (a regular expression over
    the text would cost a tenth of reading an invoice); only a document with a fault is walked
    field by field to say where it is.
    """
    texts: list[str | None] = []
    _gather(document, texts)
    data = " ".join(filter(None, texts)).encode("utf-8", "surrogatepass")
    if data.translate(None, _HARMLESS_BYTES) or (b"\xc2" in data and C1_IN_UTF8.search(data)):
        return _search(document, "", "document")
    return None


# The bytes that are not (the UTF-8 of) a forbidden character on their own: all but C0 (less tab, LF, CR) and DEL.
_HARMLESS_BYTES = bytes(byte for byte in range(256) if not ((byte < 0x20 and byte not in b"\t\n\r") or byte == 0x7F))
C1_IN_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")  # a C1 control character, as UTF-8


@dataclass(frozen=True)
class _Layout:
    """Which fields of a record type hold text, lists of text, or other records (``flat``: only text)."""

    texts: Callable[[Any], tuple[Any, ...]] | None
    text_lists: tuple[str, ...]
    records: tuple[str, ...]

    @property
    def flat(self) -> bool:
        return not self.text_lists and not self.records


_LAYOUTS: dict[type, _Layout] = {}


def _layout(kind: type) -> _Layout:
    """The layout of a record type, worked out from its type hints once."""
    layout = _LAYOUTS.get(kind)
    if layout is not None:
        return layout
    hints = get_type_hints(kind)
    texts: list[str] = []
    text_lists: list[str] = []
    records: list[str] = []
    for member in fields(kind):
        hint = hints[member.name]
        inner = get_args(hint) if get_origin(hint) in (list, Sequence) else ()
        options = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
        if inner and inner[0] is str:
            text_lists.append(member.name)
        elif (inner and is_dataclass(inner[0])) or any(is_dataclass(option) for option in options):
            records.append(member.name)
        elif str in options or any(get_origin(option) is Literal for option in options):
            texts.append(member.name)
    getter: Callable[[Any], tuple[Any, ...]] | None = None
    if len(texts) == 1:
        single = attrgetter(texts[0])
        getter = lambda record: (single(record),)  # noqa: E731 - a tuple, as attrgetter of several names gives
    elif texts:
        getter = attrgetter(*texts)
    layout = _LAYOUTS[kind] = _Layout(getter, tuple(text_lists), tuple(records))
    return layout


def _gather(record: Any, texts: list[str | None]) -> None:
    """Append every text of ``record`` and of the records it holds to ``texts``."""
    layout = _layout(type(record))
    if layout.texts is not None:
        texts.extend(layout.texts(record))
    for name in layout.text_lists:
        texts.extend(getattr(record, name))
    for name in layout.records:
        inner = getattr(record, name)
        if hasattr(inner, "column_texts"):  # records kept by column (a driving log's trips): each distinct text once
            texts.extend(inner.column_texts())
        elif inner.__class__ is not list:
            if inner is not None:
                _gather(inner, texts)
        elif inner:
            inner_layout = _layout(type(inner[0]))
            if inner_layout.flat:  # a list of one record type (trips, labels): one sweep
                if inner_layout.texts is not None:
                    texts.extend(chain.from_iterable(map(inner_layout.texts, inner)))
            else:
                for item in inner:
                    _gather(item, texts)


def _search(value: Any, field: str, location: str) -> TextFault | None:
    """The slow walk, for a document known to hold a fault: the first text with one, and its place."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return TextFault(location, field, found.group()) if found else None
    if isinstance(value, Sequence):  # a list, or records kept by column
        for item in value:
            if fault := _search(item, field, location):
                return fault
        return None
    if is_dataclass(value) and not isinstance(value, type):
        location = _record_place(value) or location
        for member in fields(value):
            item = getattr(value, member.name)
            name = f"{field}.{member.name}" if field else member.name
            if (isinstance(item, str | Sequence) or is_dataclass(item)) and (fault := _search(item, name, location)):
                return fault
    return None


def _record_place(record: Any) -> str | None:
    """Where a record sits in its file, as the readers number it (row, source line, element path)."""
    row = getattr(record, "row", None)
    if isinstance(row, int):
        return f"row {row}"
    line = getattr(record, "source_line", None)
    path = getattr(record, "path", None)
    if isinstance(line, int):
        return f"line {line}, {path}" if isinstance(path, str) else f"line {line}"
    position = getattr(record, "position", None)
    return f"item {position}" if isinstance(position, int) else None
