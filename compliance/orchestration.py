"""What the Airflow DAGs share: the assets (one per inbox folder kind), the default task arguments
and how a task's errors decide between failing at once and retrying.

Kept light on purpose: the dag-processor imports it with every DAG file, so it imports only
``airflow.sdk``, the settings and errors modules, never lxml, SQLAlchemy models or Great Expectations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import pendulum
from airflow.sdk import Asset, Param

from compliance.base.errors import ComplianceError
from compliance.base.settings import INBOX_KINDS

P = ParamSpec("P")
R = TypeVar("R")

START_DATE = pendulum.datetime(2026, 1, 1, tz="Europe/Copenhagen")
TAGS = ["compliance", "green-procurement"]
# Two retries five minutes apart ride out a locked, restarting or unreachable database; a bad
# input file never fails a task (it is quarantined), and a terminal error (a broken contract file,
# a wrong setting) fails at once through fail_at_once_on_terminal_errors, so retries never repeat it.
DEFAULT_ARGS: dict[str, Any] = {"retries": 2, "retry_delay": timedelta(minutes=5), "owner": "data-team"}
# Every DAG is active from the moment the dag-processor first sees it ("within 15 minutes the files
# are ingested" must hold on a fresh installation without anyone unpausing eight DAGs by hand). This is
# safe: the watchers and the checks only read what is there, sending notices is manual (schedule None),
# and the annual assessment skips a missed date (missed_scheduled_run).
PAUSED_AT_CREATION = False


def fail_at_once_on_terminal_errors(task_body: Callable[P, R]) -> Callable[P, R]:
    """Wrap a DAG task body (under ``@task``) so that a terminal :class:`ComplianceError` fails the
    task without retries (Airflow's ``AirflowFailException``, with the error's text and the error
    chained), while a transient one, and any other exception, is raised as is and retried."""

    @functools.wraps(task_body)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return task_body(*args, **kwargs)
        except ComplianceError as error:
            if error.transient:
                raise
            # Imported here: the dag-processor never needs it when it only parses the DAG files.
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(f"{type(error).__name__}: {error}") from error

    return run


# A scheduled annual run that starts more than this after its date was missed (Airflow down, the DAG
# paused): with catchup off Airflow still runs the latest missed date once on unpausing, and in
# November that would assess last January again and write supplier notices nobody asked for.
ANNUAL_RUN_GRACE = timedelta(days=2)
# The weekly full sweep runs at night, when nobody waits for the database; one missed (the DAG just
# created or unpaused, Airflow down on Sunday night) is not run in the middle of a working day.
SWEEP_RUN_GRACE = timedelta(hours=6)


def missed_scheduled_run(run_type: str | None, scheduled_for: datetime | None, now: datetime, grace: timedelta) -> bool:
    """Whether a run is a *scheduled* run starting more than ``grace`` after the time it was scheduled
    for; manual and asset-triggered runs are never missed."""
    if str(run_type or "").rsplit(".", 1)[-1].lower() != "scheduled" or scheduled_for is None:
        return False
    return now - scheduled_for > grace


def inbox_asset(kind: str) -> Asset:
    """The asset updated when files in ``<inbox>/<kind>`` are ingested."""
    return Asset(name=f"compliance_inbox_{kind.replace('-', '_')}", uri=f"compliance://inbox/{kind}", group="compliance-inbox")


INBOX_ASSETS = {kind: inbox_asset(kind) for kind in INBOX_KINDS}
CHECKED_CONTRACTS = Asset(name="compliance_checked_contracts", uri="compliance://checks", group="compliance")


def contract_year_params() -> dict[str, Param]:
    """The ``contract`` and ``year`` params of the manual runs (fresh objects for each DAG)."""
    return {
        "contract": Param("", type="string", title="Contract id", description="One contract (e.g. KK-2024-0117); empty = all."),
        "year": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            title="Contract year",
            description="One contract year (1 = the contract's first year); empty = every year.",
        ),
    }
