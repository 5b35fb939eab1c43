"""Source files as people see them: the path relative to the inbox, never a path of the server.

The store keeps each ``SourceFile.path`` as the pipeline read it (an absolute path on the machine that
ran the ingest, or a path as typed on the command line). A contract manager or a supplier knows the
file by where it was dropped: ``invoices/GB-202506.xml`` below the inbox. Every output that names a
source file (pages, letters, workbooks, ``findings.csv``) passes it through :func:`shown_source`
(issue 19 item 4).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from compliance.base.errors import SettingsError
from compliance.base.settings import INBOX_KINDS, load_settings


@lru_cache(maxsize=8)
def _configured_inbox(_inbox_variable: str | None) -> Path | None:
    """The inbox of the current settings (cached per value of ``COMPLIANCE_INBOX``)."""
    try:
        return load_settings().inbox
    except SettingsError:
        return None


# The inbox of the run being reported on, set by the pipeline (compliance.context.context_for).
_RUN_INBOX: ContextVar[Path | None] = ContextVar("compliance_run_inbox", default=None)


@contextmanager
def inbox_shown_from(inbox: Path) -> Iterator[None]:
    """Within this block, paths are shown relative to ``inbox`` (the run's settings, not the environment's)."""
    token = _RUN_INBOX.set(inbox)
    try:
        yield
    finally:
        _RUN_INBOX.reset(token)


def configured_inbox() -> Path | None:
    """The run's inbox (:func:`inbox_shown_from`), else the inbox of the environment's settings
    (``COMPLIANCE_INBOX``, else the default); ``None`` if the settings are broken."""
    return _RUN_INBOX.get() or _configured_inbox(os.environ.get("COMPLIANCE_INBOX"))


def _pure(path: str) -> PurePath:
    # A path stored on Windows (a drive or backslashes) is read as one, so its name is still found.
    if "\\" in path and "/" not in path or (len(path) > 1 and path[1] == ":"):
        return PureWindowsPath(path)
    return PurePosixPath(path)


def shown_source(path: str | None, inbox: Path | None = None) -> str | None:
    """``path`` relative to the inbox (``office/NK-2025-0005.xml``), for people.

    A path below ``inbox`` (default: the configured inbox) is shown relative to it; else, below one
    of the inbox's kind folders (``invoices/``, ``catalogues/``, ``driving-logs/``, ``vehicles/``),
    from that folder on; else by its file name only. The result is never absolute and never climbs
    (``..``), so no server path and no typed path reaches an output.
    """
    if path is None or path == "":
        return None
    root = inbox if inbox is not None else configured_inbox()
    if root is not None:
        try:
            relative = Path(path).relative_to(root)
        except ValueError:
            try:
                relative = Path(path).resolve().relative_to(root.resolve())
            except (ValueError, OSError):
                relative = None
        if relative is not None and relative.parts and ".." not in relative.parts:
            return relative.as_posix()
    pure = _pure(path)
    if not pure.is_absolute() and ".." not in pure.parts and not pure.drive:
        return pure.as_posix()  # already relative to the inbox (shown twice is shown once)
    parts = pure.parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] in INBOX_KINDS:
            return "/".join(parts[index:])
    return pure.name or None
