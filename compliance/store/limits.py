"""Field sizes enforced by the application, so SQLite and PostgreSQL store the same rows (issue 16, item 7).

SQLite keeps whatever text a ``VARCHAR(200)`` column is given and 64-bit integers in an ``INTEGER``;
PostgreSQL refuses a longer text and a number beyond 32 bits. So the same supplier file was stored by
one and quarantined by the other. Every row built from a supplier file is checked here against the
declared sizes of its table (read from the models, so a new column is covered without listing it),
before anything is inserted: a value that does not fit quarantines the file on every database, with
the place in the file, the field and what was expected. (Control characters are refused when a file
is read: ``compliance.base.text``.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, String

from compliance.base.errors import SourceFileError
from compliance.store.models import Base

INTEGER_MAX = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's is 64 bits


class OversizedValueError(Exception):
    """A value of a supplier file that does not fit its column."""

    def __init__(self, table: str, column: str, place: str, received: str, expected: str) -> None:
        super().__init__(f"{table}.{column} {received}")
        self.table = table
        self.column = column
        self.place = place
        self.received = received
        self.expected = expected

    def for_file(self, file: str) -> SourceFileError:
        """The quarantine reason, naming the file, the place in it, the field and what was expected."""
        return SourceFileError(
            f"{self.table}.{self.column} {self.received}", file=file, location=self.place, expected=self.expected
        )


@cache
def _limits(table: str) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    """The columns of ``table`` with a size: (text column, its length) and the 32-bit integer columns."""
    texts: list[tuple[str, int]] = []
    integers: list[str] = []
    for column in Base.metadata.tables[table].columns:
        kind = column.type
        if isinstance(kind, String) and kind.length:
            texts.append((column.name, kind.length))
        elif isinstance(kind, Integer) and not isinstance(kind, BigInteger):
            integers.append(column.name)
    return tuple(texts), tuple(integers)


def _place(row: Mapping[str, Any]) -> str:
    """Where the row's values are in their file, as the readers number it."""
    line, path = row.get("source_line"), row.get("path")
    if isinstance(line, int):
        return f"line {line}, {path}" if path else f"line {line}"
    if isinstance(row.get("row"), int) and "row" in row:
        return f"row {row['row']}"
    if isinstance(row.get("position"), int):
        return f"item {row['position']}"
    return "document header"


def check_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Raise :class:`OversizedValueError` for the first value of ``rows`` that ``table`` cannot hold the same
    way on SQLite and PostgreSQL: a text longer than its column, an integer beyond 32 bits."""
    texts, integers = _limits(table)
    for row in rows:
        for column, max_length in texts:
            value = row.get(column)
            if isinstance(value, str) and len(value) > max_length:
                raise OversizedValueError(
                    table,
                    column,
                    _place(row),
                    f"is {len(value)} characters long",
                    f"at most {max_length} characters, the size of the field in the database",
                )
        for column in integers:
            value = row.get(column)
            if isinstance(value, int) and not -INTEGER_MAX - 1 <= value <= INTEGER_MAX:
                raise OversizedValueError(
                    table,
                    column,
                    _place(row),
                    f"is {value}",
                    f"a whole number from {-INTEGER_MAX - 1} to {INTEGER_MAX}",
                )
