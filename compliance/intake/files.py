"""Which files ingest reads: the files under the paths named, those not seen unchanged, in batches."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from compliance.base.errors import SourceFileError
from compliance.store.db import session_scope
from compliance.store.sources import first_seen_by_path


def unseen_files(engine: Engine, files: Sequence[Path], chunk: int = 500) -> list[Path]:
    """The files ingest has not seen unchanged, found without reading them.

    A file is skipped when a file at the same path, of the same size, was first seen after this one
    was last modified; anything else (new, grown, shrunk, touched since) is returned. The inbox
    watchers use it so that a large inbox is not reread every few minutes; a full run reads everything.
    """
    seen: dict[str, list[tuple[int, datetime]]] = {}
    with session_scope(engine) as session:
        for start in range(0, len(files), chunk):
            for name, sizes in first_seen_by_path(session, [str(path) for path in files[start : start + chunk]]).items():
                seen.setdefault(name, []).extend(sizes)
    unseen = []
    for path in files:
        status = path.stat()
        modified = datetime.fromtimestamp(status.st_mtime, UTC)
        if not any(size == status.st_size and modified < first_seen for size, first_seen in seen.get(str(path), [])):
            unseen.append(path)
    return unseen


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (sorted by path parts, hidden files and folders
    skipped, symbolic links to folders not followed)."""
    for path in paths:
        if path.is_dir():
            yield from (found for _, found in sorted(_files_under(path), key=lambda pair: pair[0]))
        else:
            yield path


def _files_under(folder: Path) -> list[tuple[tuple[str, ...], Path]]:
    """Every regular file under ``folder`` with its path parts below it, in one scan per folder.

    ``os.scandir`` knows from the directory entry whether a name is a folder or a file, so a
    large inbox is listed without a ``stat`` per file. A subfolder that cannot be listed is
    skipped, as ``Path.rglob`` skips it; the folder named itself must be listable.
    """
    found: list[tuple[tuple[str, ...], Path]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(str(folder), ())]
    while pending:
        directory, parts = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, (*parts, entry.name)))
                    elif entry.is_file():
                        found.append(((*parts, entry.name), Path(entry.path)))
        except PermissionError as exc:
            if not parts:
                raise SourceFileError(
                    f"cannot list the folder: {exc.strerror}", file=str(folder), expected="a folder this user can read"
                ) from None
    return found


def file_batches(files: Sequence[Path], batch_size: int, batch_bytes: int) -> Iterator[list[Path]]:
    """``files`` in order, in batches of at most ``batch_size`` files and, unless one file is
    larger on its own, at most ``batch_bytes`` bytes (sizes from the file system, not read)."""
    batch: list[Path] = []
    batch_total = 0
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # unreadable: reading it quarantines it with the reason
        if batch and (len(batch) >= batch_size or batch_total + size > batch_bytes):
            yield batch
            batch, batch_total = [], 0
        batch.append(path)
        batch_total += size
    if batch:
        yield batch
