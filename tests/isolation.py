"""Keeps the test run out of the user's folders: the repository's ``contracts/`` and ``var/``, the
folders the user's ``COMPLIANCE_*`` variables name, and (for writing) ``sample_invoices/``.

Two layers, both set up by ``tests/conftest.py`` for the whole session:

- ``isolated_environment`` replaces every ``COMPLIANCE_*`` setting with throw-away folders, so a
  ``load_settings()`` a test forgets to override, and every subprocess a test starts, works on
  those; the user's database URL, inbox, contracts and reports are never seen.
- ``FolderGuard`` is a Python audit hook: opening, listing, creating or removing anything in a
  guarded folder fails the test at once (``pytest.fail`` raises no ``Exception``, so no
  ``except Exception`` in the code under test hides it) and is recorded, so that a violation on
  another thread fails the test too. Subprocesses are not watched; they inherit the variables.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Variables that configure the test run itself; every other COMPLIANCE_* variable is the user's.
TEST_RUN_VARIABLES = ("COMPLIANCE_TEST_POSTGRES_URL", "COMPLIANCE_REQUIRE_DEBIAN_TOOLS", "COMPLIANCE_FUZZ_EXAMPLES")
# Where the user's folders may be configured (Settings in compliance/base/settings.py).
FOLDER_VARIABLES = ("COMPLIANCE_VAR_DIR", "COMPLIANCE_INBOX", "COMPLIANCE_CONTRACTS_DIR", "COMPLIANCE_REPORTS_DIR")

# Audit events that list a folder (argument 0), and events that change paths (the arguments listed).
_LISTING = {"os.listdir", "os.scandir"}
_CHANGING = {
    "os.mkdir": (0,),
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.rename": (0, 1),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.chmod": (0,),
    "os.symlink": (1,),
    "os.link": (1,),
    "shutil.copyfile": (1,),
    "shutil.rmtree": (0,),
    "sqlite3.connect": (0,),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _absolute(path: object) -> str | None:
    """The absolute form of an audited path argument; None for file descriptors and the like."""
    if isinstance(path, (str, bytes, os.PathLike)):
        text = os.fsdecode(path)
        return os.path.abspath(text) if text else None
    return None


def _inside(path: str, roots: Iterable[str]) -> str | None:
    return next((root for root in roots if path == root or path.startswith(root + os.sep)), None)


@dataclass
class FolderGuard:
    """An audit hook that fails a test touching a guarded folder (see the module docstring)."""

    unreadable: tuple[str, ...]  # neither read nor written: the user's contracts, var, inbox, reports
    unwritable: tuple[str, ...]  # read, never written: the repository's sample data
    active: bool = False
    violations: list[str] = field(default_factory=list)

    @classmethod
    def around(cls, unreadable: Iterable[Path], unwritable: Iterable[Path]) -> FolderGuard:
        return cls(tuple(os.path.abspath(p) for p in unreadable), tuple(os.path.abspath(p) for p in unwritable))

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active:
            return
        if event == "open":  # (path, mode, flags): builtins.open, io.open_code and os.open all give the flags
            flags = args[2]
            self._check(event, [args[0]], writes=isinstance(flags, int) and bool(flags & _WRITE_FLAGS))
        elif event in _LISTING:
            self._check(event, [args[0]], writes=False)
        elif event in _CHANGING:
            self._check(event, [args[i] for i in _CHANGING[event] if i < len(args)], writes=True)

    def _check(self, event: str, paths: list[object], writes: bool) -> None:
        for raw in paths:
            path = _absolute(raw)
            if path is None:
                continue
            root = _inside(path, self.unreadable) or (_inside(path, self.unwritable) if writes else None)
            if root is not None:
                action = "changed" if writes else "read"
                message = f"a test {action} {path} ({event}): {root} is the user's folder, not the tests'"
                self.violations.append(message)
                pytest.fail(message)


def user_folders(environ: Mapping[str, str], project_root: Path, sample_dir: Path) -> list[Path]:
    """The repository's contracts/ and var/, and the folders the user's variables name.

    A configured folder that holds the project or the temporary folder, or lies in the sample
    data, is left out: guarding it would stop the tests themselves.
    """
    folders = [project_root / "contracts", project_root / "var"]
    temp = Path(tempfile.gettempdir()).resolve()
    for name in FOLDER_VARIABLES:
        if environ.get(name):
            folder = Path(environ[name]).expanduser().resolve()
            if not (project_root.is_relative_to(folder) or temp.is_relative_to(folder) or folder.is_relative_to(sample_dir)):
                folders.append(folder)
    return folders


@contextmanager
def isolated_environment(contracts: Path) -> Iterator[Path]:
    """Replaces the user's COMPLIANCE_* variables with throw-away folders while the block runs.

    The variables name a fresh ``var/`` (the reports and the SQLite file go there, as by default),
    an empty inbox and a copy of ``contracts`` (the tests' own contracts) under one temporary
    folder, which is removed afterwards. The other settings take their defaults.
    """
    saved = dict(os.environ)
    root = Path(tempfile.mkdtemp(prefix="compliance-tests-"))
    try:
        for name in [n for n in os.environ if n.startswith("COMPLIANCE_") and n not in TEST_RUN_VARIABLES]:
            del os.environ[name]
        shutil.copytree(contracts, root / "contracts")
        (root / "inbox").mkdir()
        os.environ.update(
            COMPLIANCE_VAR_DIR=str(root / "var"),
            COMPLIANCE_INBOX=str(root / "inbox"),
            COMPLIANCE_CONTRACTS_DIR=str(root / "contracts"),
        )
        yield root
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(root, ignore_errors=True)


def install(guard: FolderGuard) -> None:
    """Adds the guard as an audit hook (a hook cannot be removed; ``active`` switches it off)."""
    sys.addaudithook(guard)
