"""Typed settings from the environment (``COMPLIANCE_*``) with defaults that make a fresh clone work.

In a source checkout the default folders are the checkout's ``var/``, ``sample_invoices/`` and
``contracts/``; installed from a wheel (site-packages) they are ``var/``, ``inbox/`` and
``contracts/`` under the current working directory, never inside site-packages.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from compliance.base.errors import SettingsError
from compliance.base.i18n import N_

# The folder holding the ``compliance`` package: the repository root in a source checkout (also an
# editable install), site-packages when installed from a wheel.
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# The inbox folders the Airflow watchers ingest from, one per source kind: <inbox>/<kind>/.
INBOX_KINDS = ("invoices", "catalogues", "driving-logs", "vehicles")
DEFAULT_INGEST_BATCH_FILES = 2000
DEFAULT_CONTRACTS_PER_TASK = 10


@dataclass(frozen=True)
class Settings:
    """Where data comes from and goes to.

    Attributes:
        db_url: SQLAlchemy URL of the compliance database (``COMPLIANCE_DB_URL``);
            default: a SQLite file under ``var/``. PostgreSQL: ``postgresql+psycopg://…``.
        inbox: folder ``compliance run`` ingests (``COMPLIANCE_INBOX``); default ``sample_invoices/``
            in a source checkout, ``./inbox`` when installed.
        contracts_dir: folder of contract terms YAML files (``COMPLIANCE_CONTRACTS_DIR``); default
            ``contracts/`` (of the checkout, else of the working directory).
        reports_dir: where reports are written (``COMPLIANCE_REPORTS_DIR``); default ``var/reports``.
        max_file_bytes: supplier files larger than this are quarantined (``COMPLIANCE_MAX_FILE_MB``).
        report_language: ``da`` (default) or ``en`` for reports, statements and notices
            (``COMPLIANCE_REPORT_LANGUAGE``).
        ingest_batch_files: files parsed, checked and stored per transaction
            (``COMPLIANCE_INGEST_BATCH_FILES``, default 2,000): fewer use less memory, more
            spread the data-quality suites' fixed cost (see benchmarks/README.md).
        report_workers: processes that render a report run's PDFs side by side
            (``COMPLIANCE_REPORT_WORKERS``, default: the cores this process may use).
        contracts_per_task: contracts one Airflow task checks and reports on in one process
            (``COMPLIANCE_CONTRACTS_PER_TASK``, default 10): a task's start-up (3–6 s) is paid once
            per batch; a failing contract does not stop the others in its batch.
        ingest_workers: processes that read and parse files while ingest stores them
            (``COMPLIANCE_INGEST_WORKERS``, default 1: parsed by the process that stores;
            each worker holds a database connection, and two batches are in memory at a time).
    """

    db_url: str
    inbox: Path
    contracts_dir: Path
    reports_dir: Path
    max_file_bytes: int
    report_language: str = "da"
    ingest_batch_files: int = DEFAULT_INGEST_BATCH_FILES
    report_workers: int = 1
    ingest_workers: int = 1
    contracts_per_task: int = DEFAULT_CONTRACTS_PER_TASK


@dataclass(frozen=True)
class DefaultFolders:
    """Where var/, the inbox and the contracts are when no ``COMPLIANCE_*`` variable says otherwise."""

    var_dir: Path
    inbox: Path
    contracts_dir: Path


def in_source_checkout() -> bool:
    """True when the package is imported from the repository (this project's ``pyproject.toml``
    beside it), not from an installed wheel in site-packages."""
    pyproject = PROJECT_ROOT / "pyproject.toml"
    return pyproject.is_file() and 'name = "green-procurement-compliance"' in pyproject.read_text(encoding="utf-8")


def default_folders() -> DefaultFolders:
    """The checkout's own folders (the demo works from a fresh clone); installed, the working
    directory's ``var/``, ``inbox/`` and ``contracts/``, so nothing is written into site-packages."""
    if in_source_checkout():
        return DefaultFolders(PROJECT_ROOT / "var", PROJECT_ROOT / "sample_invoices", PROJECT_ROOT / "contracts")
    here = Path.cwd()
    return DefaultFolders(here / "var", here / "inbox", here / "contracts")


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def load_settings() -> Settings:
    """Read settings from the environment, falling back to the embedded defaults."""
    defaults = default_folders()
    var_dir = _path("COMPLIANCE_VAR_DIR", defaults.var_dir)
    default_db = f"sqlite:///{var_dir / 'compliance.sqlite'}"
    raw_mb = os.environ.get("COMPLIANCE_MAX_FILE_MB", "50")
    try:
        max_mb = float(raw_mb)
    except ValueError as exc:
        raise SettingsError(
            N_("{name} is {value}"),
            expected=N_("a number of megabytes"),
            values={"name": "COMPLIANCE_MAX_FILE_MB", "value": repr(raw_mb)},
        ) from exc
    # "nan", "inf" and "1e400" are floats too; a limit under a byte or beyond a terabyte is no file size.
    if not (math.isfinite(max_mb) and 1 <= max_mb * 1024 * 1024 <= 1024**4):
        raise SettingsError(
            N_("{name} is {value}"),
            expected=N_("a number of megabytes from 0.000001 to 1048576"),
            values={"name": "COMPLIANCE_MAX_FILE_MB", "value": repr(raw_mb)},
        )
    report_language = os.environ.get("COMPLIANCE_REPORT_LANGUAGE", "da").strip().lower() or "da"
    if report_language not in ("da", "en"):
        raise SettingsError(
            N_("{name} is {value}"),
            expected=N_("da or en"),
            values={"name": "COMPLIANCE_REPORT_LANGUAGE", "value": repr(report_language)},
        )
    raw_batch = os.environ.get("COMPLIANCE_INGEST_BATCH_FILES", str(DEFAULT_INGEST_BATCH_FILES)).strip()
    if not raw_batch.isdigit() or int(raw_batch) < 1:
        raise SettingsError(
            N_("{name} is {value}"),
            expected=N_("a whole number of files, 1 or more"),
            values={"name": "COMPLIANCE_INGEST_BATCH_FILES", "value": repr(raw_batch)},
        )
    report_workers = _workers("COMPLIANCE_REPORT_WORKERS")
    ingest_workers = _workers("COMPLIANCE_INGEST_WORKERS", default=1)
    contracts_per_task = _workers("COMPLIANCE_CONTRACTS_PER_TASK", default=DEFAULT_CONTRACTS_PER_TASK)
    return Settings(
        db_url=os.environ.get("COMPLIANCE_DB_URL") or default_db,
        inbox=_path("COMPLIANCE_INBOX", defaults.inbox),
        contracts_dir=_path("COMPLIANCE_CONTRACTS_DIR", defaults.contracts_dir),
        reports_dir=_path("COMPLIANCE_REPORTS_DIR", var_dir / "reports"),
        max_file_bytes=int(max_mb * 1024 * 1024),
        report_language=report_language,
        ingest_batch_files=int(raw_batch),
        report_workers=report_workers,
        ingest_workers=ingest_workers,
        contracts_per_task=contracts_per_task,
    )


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _workers(name: str, default: int | None = None) -> int:
    """A positive whole number (of processes, of contracts) from ``name``; unset or empty: ``default``, else the usable cores."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default or usable_cores()
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(
            N_("{name} is {value}"), expected=N_("a whole number, 1 or more"), values={"name": name, "value": repr(raw)}
        )
    return int(raw)
