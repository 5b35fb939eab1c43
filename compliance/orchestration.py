"""What the Airflow DAGs share: the assets (one per inbox folder kind) and the default task arguments.

Kept light on purpose: the dag-processor imports it with every DAG file, so it imports only
``airflow.sdk`` and the settings module, never lxml, SQLAlchemy models or Great Expectations.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param

from compliance.base.settings import INBOX_KINDS

START_DATE = pendulum.datetime(2026, 1, 1, tz="Europe/Copenhagen")
TAGS = ["compliance", "green-procurement"]
# Two retries five minutes apart ride out a database restart or a full disk being cleared;
# a bad input file never fails a task (it is quarantined), so retries never repeat a data error.
DEFAULT_ARGS: dict[str, Any] = {"retries": 2, "retry_delay": timedelta(minutes=5), "owner": "data-team"}


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
