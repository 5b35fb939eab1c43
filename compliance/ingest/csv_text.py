"""A supplier's text file read as ``;`` or ``,`` separated rows, streamed from its bytes.

The decoded text is never held whole (a log of a million rows would be held twice: as text and
as rows); the bytes are checked to be UTF-8 once, then decoded a few kilobytes at a time as the
rows are read. A field may be at most :data:`MAX_FIELD_CHARS` characters (the ``csv`` module's
limit); a longer one, or anything else the ``csv`` module refuses, is an error naming the line and row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from compliance.base.errors import SourceFileError, UnknownFormatError

MAX_FIELD_CHARS = 131_072  # the csv module's own limit (csv.field_size_limit()), stated here
_CHUNK = 1 << 20
_BOM = codecs.BOM_UTF8


class CsvText:
    """A UTF-8 text file's first line and its rows (the header lower-cased and trimmed).

    Raises :class:`UnknownFormatError` for bytes that are not UTF-8 or hold only white space,
    the same checks (and messages) as decoding the whole text would give.
    """

    def __init__(self, data: bytes, file: str, expected: str) -> None:
        self.data = data
        self.file = file
        body = memoryview(data)[len(_BOM) :] if data.startswith(_BOM) else memoryview(data)
        decoder = codecs.getincrementaldecoder("utf-8")()
        blank = True
        first_text = ""
        before_newline: list[str] = []
        newline_seen = False
        for start in range(0, max(len(body), 1), _CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(body[start : start + _CHUNK], final=start + _CHUNK >= len(body))
            except UnicodeDecodeError as exc:
                raise UnknownFormatError(
                    f"neither XML, a workbook nor UTF-8 text (byte {start - pending + exc.start})", file=file, expected=expected
                ) from exc
            if not first_text:
                first_text = text
            if blank and text and not text.isspace():
                blank = False
            if not newline_seen:
                newline_seen = "\n" in text
                before_newline.append(text.split("\n", 1)[0])
        if blank:
            raise UnknownFormatError("the file has no content but a byte-order mark or white space", file=file, expected=expected)
        self.first_line = first_text.splitlines()[0][:120]
        up_to_newline = "".join(before_newline)
        self.delimiter = ";" if up_to_newline.count(";") >= up_to_newline.count(",") else ","
        self._text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        self._records = 0
        first = next(self._records_read(), None)
        self.header = [column.strip().lower() for column in first] if first is not None else []

    def _records_read(self) -> Iterator[list[str]]:
        while True:
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise self._csv_error(exc) from exc
            self._records += 1
            yield row

    def _csv_error(self, exc: csv.Error) -> SourceFileError:
        # The line the reader had reached (a quoted field may span lines), as a text editor counts them.
        where = f"line {self._reader.line_num}"
        if "field larger than field limit" in str(exc):
            return SourceFileError(
                f"a field is longer than the limit of {MAX_FIELD_CHARS} characters (row {self._records + 1})",
                file=self.file,
                location=where,
                expected=f"fields of at most {MAX_FIELD_CHARS} characters (is a quote left open?)",
            )
        return SourceFileError(
            f"the CSV cannot be split into fields: {exc} (row {self._records + 1})",
            file=self.file,
            location=where,
            expected="fields separated by ; or , with quotes closed",
        )

    def rows(self) -> Iterator[list[str]]:
        """The rows after the header, each read from the file as it is asked for (once)."""
        return self._records_read()
