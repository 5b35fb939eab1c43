"""Which files ingest reads: the regular files under the paths named, those not seen unchanged, in batches.

The inbox is the inbox: below a folder named, no symbolic link is followed (to a file or a folder),
and named pipes, sockets and devices are skipped; each is noted with the reason, never opened. A
file named directly that is itself a link is refused the same way. Folders are listed and files
opened one name at a time from the folder named (``openat`` with ``O_NOFOLLOW``), so a folder
swapped for a link between listing and reading is not followed either: nothing outside the
paths named is ever opened.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine

from compliance.base.errors import SourceFileError
from compliance.base.i18n import N_
from compliance.base.text import shown
from compliance.store.db import session_scope
from compliance.store.sources import first_seen_by_path, settled_digests

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
# O_NONBLOCK: a FIFO swapped in after listing must not block the open; O_NOCTTY: a terminal never becomes ours.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
LINK_NOTE = N_("a symbolic link: links are not followed (put the file itself in the inbox, or name the file itself)")


class SkippedInput(Exception):
    """A path that is not a regular file of its own (a link, a pipe, a device): skipped, never read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InputFile:
    """A regular file to read: the folder it was found under (``root``), its names below that folder,
    and its size and modification time when listed (the file's own, never a link target's).

    ``named_folder``: the root is a folder the caller named (opened without following a link);
    otherwise the file itself was named and the root is its parent, taken as given.
    """

    root: Path
    parts: tuple[str, ...]
    size: int
    modified: float
    named_folder: bool = True

    @property
    def path(self) -> Path:
        return self.root.joinpath(*self.parts)


@dataclass
class InputListing:
    """The files found under the paths named, and what was skipped with why (path as shown, reason)."""

    files: list[InputFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, path: Path, reason: str) -> None:
        self.skipped.append((shown(str(path)), reason))


def _kind_of(mode: int) -> str:
    """What a path that is neither a regular file, a folder nor a link is, in words."""
    if stat.S_ISFIFO(mode):
        return N_("a named pipe (FIFO), not a file")
    if stat.S_ISSOCK(mode):
        return N_("a socket, not a file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return N_("a device, not a file")
    return N_("not a regular file")


def _utf8_name(name: str) -> bool:
    """Whether a file name is valid UTF-8 (Python keeps the bytes of one that is not as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_NOT_UTF8 = N_("the file name is not valid UTF-8: rename the file")


def list_input_files(paths: Iterable[Path | InputFile]) -> InputListing:
    """Regular files named, and regular files under folders named (sorted by path parts; hidden files
    and folders skipped silently; links, pipes, sockets and devices skipped with a note)."""
    listing = InputListing()
    for path in paths:
        if isinstance(path, InputFile):
            listing.files.append(path)
            continue
        try:
            status = os.lstat(path)
        except OSError as exc:
            listing.skip(path, f"cannot be looked at: {exc.strerror}")
            continue
        if stat.S_ISLNK(status.st_mode):
            listing.skip(path, LINK_NOTE)
        elif stat.S_ISDIR(status.st_mode):
            skipped = len(listing.skipped)
            found = _files_under(path, listing)
            listing.files += sorted(found, key=lambda file: file.parts)
            listing.skipped[skipped:] = sorted(listing.skipped[skipped:])
        elif not stat.S_ISREG(status.st_mode):
            listing.skip(path, _kind_of(status.st_mode))
        elif not _utf8_name(str(path)):
            listing.skip(path, _NOT_UTF8)
        else:
            listing.files.append(InputFile(path.parent, (path.name,), status.st_size, status.st_mtime, named_folder=False))
    return listing


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The paths of :func:`list_input_files` (what was skipped is left out)."""
    yield from (file.path for file in list_input_files(paths).files)


def _open_folder(root: Path, parts: Sequence[str], follow_root: bool = False) -> int:
    """A descriptor of ``root/parts…``, opened one name at a time without following a link."""
    folder = os.open(root, _FOLDER_FLAGS if follow_root else _FOLDER_FLAGS | os.O_NOFOLLOW)
    try:
        for part in parts:
            inner = os.open(part, _FOLDER_FLAGS | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder


class InputOpener:
    """Opens the files of a batch without following a link anywhere below their root, each folder once
    for the files that follow in it (a batch is sorted by path, so those are consecutive): one
    descriptor of the last folder is kept, and closed with the opener (a context manager)."""

    def __init__(self) -> None:
        self._folder: tuple[tuple[Path, tuple[str, ...], bool], int] | None = None

    def __enter__(self) -> InputOpener:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._folder is not None:
            os.close(self._folder[1])
            self._folder = None

    def open(self, file: InputFile) -> tuple[int, os.stat_result]:
        """A descriptor of ``file``, a regular file, and its status; :class:`SkippedInput` when the name is
        (now) a link, a pipe or a device."""
        key = (file.root, file.parts[:-1], file.named_folder)
        try:
            if self._folder is None or self._folder[0] != key:
                self.close()
                self._folder = (key, _open_folder(file.root, file.parts[:-1], follow_root=not file.named_folder))
            descriptor = os.open(file.parts[-1], _FILE_FLAGS, dir_fd=self._folder[1])
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise SkippedInput(LINK_NOTE) from None
            raise
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            os.close(descriptor)
            raise SkippedInput(_kind_of(status.st_mode))
        return descriptor, status


def open_input_file(file: InputFile) -> int:
    """Open ``file`` for reading without following a link anywhere below its root; a descriptor of a
    regular file, or :class:`SkippedInput` when the name is (now) a link, a pipe or a device."""
    with InputOpener() as opener:
        return opener.open(file)[0]


def _files_under(folder: Path, listing: InputListing) -> list[InputFile]:
    """Every regular file under ``folder``, one scan per folder, each folder opened from ``folder``
    name by name (a link is never followed); what is not a regular file is noted in ``listing``.

    ``os.scandir`` knows from the directory entry whether a name is a folder, a file or a link; the
    one ``lstat`` per file gives the size and time the batches and the inbox watchers need. A
    subfolder that cannot be listed is noted and skipped; the folder named itself must be listable.
    """
    found: list[InputFile] = []
    pending: list[tuple[str, ...]] = [()]
    while pending:
        parts = pending.pop()
        try:
            descriptor = _open_folder(folder, parts)
        except OSError as exc:
            if not parts:
                raise SourceFileError(
                    f"cannot list the folder: {exc.strerror}", file=shown(str(folder)), expected="a folder this user can read"
                ) from None
            listing.skip(
                folder.joinpath(*parts),
                LINK_NOTE if exc.errno in (errno.ELOOP, errno.ENOTDIR) else f"cannot list the folder: {exc.strerror}",
            )
            continue
        try:
            with os.scandir(descriptor) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    inner = (*parts, entry.name)
                    try:
                        if entry.is_symlink():
                            listing.skip(folder.joinpath(*inner), LINK_NOTE)
                        elif entry.is_dir(follow_symlinks=False):
                            pending.append(inner)
                        else:
                            status = entry.stat(follow_symlinks=False)
                            if not stat.S_ISREG(status.st_mode):
                                listing.skip(folder.joinpath(*inner), _kind_of(status.st_mode))
                            elif not _utf8_name(entry.name):
                                listing.skip(folder.joinpath(*inner), _NOT_UTF8)
                            else:
                                found.append(InputFile(folder, inner, status.st_size, status.st_mtime))
                    except OSError as exc:  # gone between the listing and the look
                        listing.skip(folder.joinpath(*inner), f"cannot be looked at: {exc.strerror}")
        finally:
            os.close(descriptor)
    return found


Listed = TypeVar("Listed", Path, InputFile)


def _size_and_time(file: Path | InputFile) -> tuple[int, float] | None:
    """Size and modification time of a listed file (its own, not a link's target); None when it is gone."""
    if isinstance(file, InputFile):
        return file.size, file.modified
    try:
        status = os.lstat(file)
    except OSError:
        return None
    return status.st_size, status.st_mtime


def _path_of(file: Path | InputFile) -> Path:
    return file.path if isinstance(file, InputFile) else file


def unseen_files(engine: Engine, files: Sequence[Listed], chunk: int = 500) -> list[Listed]:
    """The files ingest has not seen unchanged, found without reading them.

    A file is skipped when a file at the same path, of the same size, was first seen after this one
    was last modified; anything else (new, grown, shrunk, touched since) is returned. The inbox
    watchers use it so that a large inbox is not reread every few minutes; a full run reads everything.
    Paths are compared as stored (shown: control characters escaped).
    """
    seen: dict[str, list[tuple[int, datetime]]] = {}
    with session_scope(engine) as session:
        for start in range(0, len(files), chunk):
            names = [shown(str(_path_of(file))) for file in files[start : start + chunk]]
            for name, sizes in first_seen_by_path(session, names).items():
                seen.setdefault(name, []).extend(sizes)
    unseen = []
    for file in files:
        looked = _size_and_time(file)
        if looked is None:
            unseen.append(file)  # gone: reading it says so
            continue
        size, modified = looked[0], datetime.fromtimestamp(looked[1], UTC)
        if not any(
            size == seen_size and modified < first_seen for seen_size, first_seen in seen.get(shown(str(_path_of(file))), [])
        ):
            unseen.append(file)
    return unseen


def unstored_files(engine: Engine, files: Sequence[InputFile]) -> list[InputFile]:
    """The ``files`` whose content the database holds neither ingested nor quarantined: what an ingest
    has still to read.

    Files seen unchanged at their path are settled without being read (:func:`unseen_files`); the
    rest are hashed, so a copy of a stored file under a new name (a duplicate, which ingest does not
    record again) is settled too. A file that cannot be opened (gone, unreadable, a link swapped in)
    is not waited for: ingest can only note it, never store it.
    """
    candidates: dict[str, InputFile] = {}
    for file in unseen_files(engine, files):
        try:
            with open(open_input_file(file), "rb", buffering=0) as handle:
                candidates.setdefault(hashlib.file_digest(handle, "sha256").hexdigest(), file)
        except (SkippedInput, OSError):
            continue
    if not candidates:
        return []
    digests = list(candidates)
    stored: set[str] = set()
    with session_scope(engine) as session:
        for start in range(0, len(digests), 500):
            stored |= settled_digests(session, digests[start : start + 500])
    return [file for digest, file in candidates.items() if digest not in stored]


def file_batches(files: Sequence[Listed], batch_size: int, batch_bytes: int) -> Iterator[list[Listed]]:
    """``files`` in order, in batches of at most ``batch_size`` files and, unless one file is
    larger on its own, at most ``batch_bytes`` bytes (sizes from the listing, not read)."""
    batch: list[Listed] = []
    batch_total = 0
    for file in files:
        looked = _size_and_time(file)
        size = looked[0] if looked else 0  # gone: reading it says so
        if batch and (len(batch) >= batch_size or batch_total + size > batch_bytes):
            yield batch
            batch, batch_total = [], 0
        batch.append(file)
        batch_total += size
    if batch:
        yield batch
