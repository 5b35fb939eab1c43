"""A corpus of malformed supplier files, each of a kind that once escaped the readers as an uncaught exception.

Built from a small, valid driving-log workbook so that each file differs from a readable one in one
way only. ``write_malformed_files`` writes them into a folder and returns, per file name, the kind of
exception the readers raised before the file boundary existed (for the record; the boundary must
quarantine each whatever the readers raise now).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def log_workbook() -> bytes:
    """A generic driving log with one trip, as an .xlsx file."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["trip_date", "registration", "vehicle_type", "distance_km", "fuel", "supplier_cvr"])
    sheet.append(["02-01-2025", "EC 52 117", "", "22,0", "", "38451236"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """``data`` (a zip) written again with each member's content passed through ``change`` (None drops it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
    return out.getvalue()


def _member(data: bytes, name: str, change: Callable[[bytes], bytes | None]) -> bytes:
    return rezipped(data, lambda member, content: change(content) if member == name else content)


def with_bad_crc(data: bytes, name: str = SHEET) -> bytes:
    """The member's stored CRC-32 flipped in its local header and in the central directory."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    damaged = bytearray(data)
    damaged[info.header_offset + 14] ^= 0xFF
    position = data.find(b"PK\x01\x02")
    while position != -1:
        length = int.from_bytes(data[position + 28 : position + 30], "little")
        if data[position + 46 : position + 46 + length] == name.encode():
            damaged[position + 16] ^= 0xFF
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(damaged)


def with_bad_deflate(data: bytes, name: str = SHEET) -> bytes:
    """The member's compressed bytes overwritten, so that inflating it fails."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    damaged = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged[start + 2 : start + 12] = b"\xff" * 10
    return bytes(damaged)


def malformed_files() -> dict[str, tuple[bytes, str]]:
    """File name → (content, the exception the readers let escape before the file boundary)."""
    workbook = log_workbook()
    entity = b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet'
    return {
        "field-over-the-csv-limit.csv": (
            ("trip_date;registration;distance_km\n02-01-2025;" + "A" * 200_000 + ";1\n").encode(),
            "_csv.Error",
        ),
        "bad-crc.xlsx": (with_bad_crc(workbook), "zipfile.BadZipFile"),
        "bad-deflate.xlsx": (with_bad_deflate(workbook), "zlib.error"),
        "sheet-not-well-formed.xlsx": (_member(workbook, SHEET, lambda _: b"<worksheet><sheetData><row>"), "ParseError"),
        "sheet-missing.xlsx": (_member(workbook, SHEET, lambda _: None), "IndexError"),
        "relationships-missing.xlsx": (_member(workbook, "xl/_rels/workbook.xml.rels", lambda _: None), "KeyError"),
        "bogus-content-type.xlsx": (
            _member(workbook, "[Content_Types].xml", lambda c: c.replace(b"spreadsheetml.sheet.main+xml", b"bogus+xml")),
            "OSError",
        ),
        "entity-in-the-sheet.xlsx": (
            _member(workbook, SHEET, lambda c: c.replace(b"<worksheet", entity, 1).replace(b"<t>EC", b"<t>&e;EC", 1)),
            "ParseError",
        ),
        "styles-not-well-formed.xlsx": (_member(workbook, "xl/styles.xml", lambda _: b"<styleSheet"), "XMLSyntaxError"),
    }


def write_malformed_files(folder: Path) -> dict[str, str]:
    """Write the corpus and a symbolic-link loop into ``folder``; file name → the exception it once raised."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = {}
    for name, (content, kind) in malformed_files().items():
        (folder / name).write_bytes(content)
        kinds[name] = kind
    os.symlink("loop-b.xml", folder / "loop-a.xml")
    os.symlink("loop-a.xml", folder / "loop-b.xml")
    kinds["loop-a.xml"] = kinds["loop-b.xml"] = "OSError (ELOOP)"
    return kinds
