"""Zip containers (xlsx workbooks, zipped DMR extracts) unpacked without trusting them.

A zip says how large each member unpacks; a zip bomb lies about it or tells the truth about a
thousandfold. So a container is checked three times: the number of entries before the
directory is read, the declared sizes and compression ratio before anything is inflated, and the
bytes actually inflated, member by member, while they stream through a bounded buffer. A damaged
member (bad CRC, broken deflate stream, unknown method, encryption) is refused naming the member.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from compliance.base.errors import SourceFileError, UnsafeInputError

INFLATE_CHUNK = 1 << 20  # bytes inflated per read: the buffer every member streams through
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
# What unpacking a damaged or unsupported member raises (zipfile and zlib do not wrap their errors).
UNPACK_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


@dataclass(frozen=True)
class ZipLimits:
    """What one kind of container may hold; ``what`` names it in messages."""

    what: str
    max_entries: int
    max_unzipped_bytes: int
    max_ratio: int

    def describe(self) -> str:
        return (
            f"at most {self.max_entries:,} entries, {_size(self.max_unzipped_bytes)} unpacked "
            f"and a compression ratio under {self.max_ratio}:1"
        )


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


def entry_count(handle: IO[bytes]) -> int | None:
    """The number of entries the end-of-central-directory record declares (None if it cannot be found).

    Read before :class:`zipfile.ZipFile` builds an object per entry: a few megabytes of tiny
    entries would otherwise cost hundreds of megabytes before any other check runs.
    """
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    tail_length = min(size, 22 + 65535 + 20)
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        (record_offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        if record_offset + 56 <= size:
            handle.seek(record_offset)
            record = handle.read(56)
            if record[:4] == _ZIP64_EOCD:
                (entries,) = struct.unpack("<Q", record[32:40])
    return int(entries)


def open_zip(source: bytes | Path, file: str, limits: ZipLimits, expected: str) -> zipfile.ZipFile:
    """The archive, once its entry count is within ``limits``; a damaged directory is a :class:`SourceFileError`."""
    handle: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    try:
        entries = entry_count(handle)
        if entries is not None and entries > limits.max_entries:
            raise UnsafeInputError(f"the {limits.what} holds {entries:,} zip entries", file=file, expected=limits.describe())
        handle.seek(0)
        return zipfile.ZipFile(handle)
    except SourceFileError:
        handle.close()
        raise
    except (*UNPACK_ERRORS, struct.error) as exc:
        handle.close()
        raise SourceFileError(f"damaged zip/xlsx container: {exc}", file=file, expected=expected) from exc


class InflateBudget:
    """The bytes one archive may inflate, checked as they stream (the declared sizes may lie).

    A member read twice counts once: what counts is how far into each member anything has read.
    """

    def __init__(self, archive: zipfile.ZipFile, file: str, limits: ZipLimits) -> None:
        self.file = file
        self.limits = limits
        self.compressed = max(1, sum(info.compress_size for info in archive.infolist()))
        self.inflated = 0
        self._reached: dict[int, int] = {}  # by the member's offset: two members may share a name

    def check_declared(self, archive: zipfile.ZipFile) -> None:
        """Before inflating: the declared total and ratio within the limits (a zip bomb that tells the truth)."""
        declared = sum(info.file_size for info in archive.infolist())
        if declared > self.limits.max_unzipped_bytes or declared / self.compressed > self.limits.max_ratio:
            raise UnsafeInputError(
                f"the {self.limits.what} unpacks to {declared} bytes from {self.compressed} (a zip bomb?)",
                file=self.file,
                expected=self.limits.describe(),
            )

    def reached(self, info: zipfile.ZipInfo, position: int) -> None:
        """``position`` bytes of ``info`` are inflated; refuse the archive once it passes a limit."""
        if position > info.file_size:
            raise UnsafeInputError(
                f"the member {info.filename} unpacks to more than the {info.file_size} bytes it declares",
                file=self.file,
                location=f"zip member {info.filename}",
                expected=f"a {self.limits.what} whose members unpack to their declared sizes",
            )
        before = self._reached.get(info.header_offset, 0)
        if position <= before:
            return
        self._reached[info.header_offset] = position
        self.inflated += position - before
        if self.inflated > self.limits.max_unzipped_bytes or self.inflated > self.limits.max_ratio * self.compressed:
            raise UnsafeInputError(
                f"the {self.limits.what} unpacks to more than {self.inflated} bytes from {self.compressed} (a zip bomb?)",
                file=self.file,
                location=f"zip member {info.filename}",
                expected=self.limits.describe(),
            )


def unpack_error(file: str, member: str, exc: BaseException, expected: str) -> SourceFileError:
    """The error a person reads when a member cannot be unpacked: which member, and what went wrong."""
    return SourceFileError(
        f"the member {member} cannot be unpacked ({type(exc).__name__}: {exc})",
        file=file,
        location=f"zip member {member}",
        expected=expected,
    )


class MemberStream(io.RawIOBase):
    """One member, inflated :data:`INFLATE_CHUNK` bytes at a time against the archive's budget.

    A damaged member is a :class:`SourceFileError` naming it, unless ``raw_errors``: then what
    zipfile and zlib raise (:data:`UNPACK_ERRORS`) is passed on, for a caller that says where in
    its own terms (the DMR reader: after how many records). Passing a limit is always refused here.
    """

    def __init__(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        budget: InflateBudget,
        expected: str,
        owns_archive: bool = False,
        raw_errors: bool = False,
    ) -> None:
        super().__init__()
        self.archive = archive if owns_archive else None  # closed with the stream
        self.info = info
        self.budget = budget
        self.expected = expected
        self.raw_errors = raw_errors
        self.inflated = 0
        try:
            self._stream: Any = archive.open(info)
        except UNPACK_ERRORS as exc:
            if raw_errors:
                raise
            raise unpack_error(budget.file, info.filename, exc, expected) from exc

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = INFLATE_CHUNK if size is None or size < 0 else min(size, INFLATE_CHUNK)
        try:
            data: bytes = self._stream.read(wanted)
        except UNPACK_ERRORS as exc:
            if self.raw_errors:
                raise
            raise unpack_error(self.budget.file, self.info.filename, exc, self.expected) from exc
        self.inflated += len(data)
        self.budget.reached(self.info, self.inflated)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def chunks(self) -> Iterator[bytes]:
        """The member's bytes in bounded chunks, to the end (where the CRC is checked)."""
        while chunk := self.read(INFLATE_CHUNK):
            yield chunk

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            if self.archive is not None:
                self.archive.close()
        super().close()
