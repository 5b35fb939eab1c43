"""The DAGs' scheduling rules, without Airflow running (issue 20)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from compliance.orchestration import ANNUAL_RUN_GRACE, PAUSED_AT_CREATION, SWEEP_RUN_GRACE, missed_scheduled_run

JANUARY_15 = datetime(2026, 1, 15, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("run_type", "now", "missed"),
    [
        # Unpaused in November: Airflow runs the latest missed 15 January once; it is skipped.
        ("scheduled", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), True),
        ("DagRunType.SCHEDULED", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), True),
        # On the day, or after a short outage: it runs.
        ("scheduled", JANUARY_15 + timedelta(minutes=1), False),
        ("scheduled", JANUARY_15 + timedelta(days=1), False),
        # A person (or an asset) asked for it: always runs.
        ("manual", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), False),
        ("asset_triggered", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), False),
        (None, datetime(2026, 11, 20, 9, 0, tzinfo=UTC), False),
    ],
)
def test_a_missed_annual_date_is_not_run_on_unpausing(run_type: str | None, now: datetime, missed: bool) -> None:
    assert missed_scheduled_run(run_type, JANUARY_15, now, ANNUAL_RUN_GRACE) is missed


def test_a_manual_run_without_a_logical_date_is_never_missed() -> None:
    assert missed_scheduled_run("manual", None, datetime(2026, 11, 20, tzinfo=UTC), ANNUAL_RUN_GRACE) is False


def test_the_dags_are_active_from_creation() -> None:
    """A fresh installation ingests what is dropped without anyone unpausing eight DAGs (README, production)."""
    assert PAUSED_AT_CREATION is False


def test_a_missed_weekly_sweep_is_not_run_during_the_day() -> None:
    sunday_night = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert missed_scheduled_run("scheduled", sunday_night, sunday_night + timedelta(minutes=5), SWEEP_RUN_GRACE) is False
    assert missed_scheduled_run("scheduled", sunday_night, datetime(2026, 11, 25, 20, 35, tzinfo=UTC), SWEEP_RUN_GRACE) is True
