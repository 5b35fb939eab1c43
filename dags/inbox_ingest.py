"""
### Inbox watchers: one ingest DAG per source kind

Every 15 minutes each DAG ingests the new or changed files in its inbox folder —
`<COMPLIANCE_INBOX>/invoices`, `catalogues`, `driving-logs`, `vehicles` — and, when it stored
something, updates its Airflow asset; the checks DAG is scheduled on those assets. What a file
is comes from its content, not from the folder: an invoice dropped among catalogues is still
read as an invoice. A file that cannot be read or fails the data-quality suites is quarantined
with the reason (see `data-quality.html` in the reports folder); the rest of the folder goes on.
Nothing new: the task is skipped and no asset event is sent. When files were quarantined, the
second task, `quarantine_review_<kind>`, fails (no retries) and lists them, so the DAG run shows
red for the data team: `compliance quarantine list`, then `release` or `dismiss` each with a reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import Asset, dag, task

from compliance.orchestration import (
    DEFAULT_ARGS,
    INBOX_ASSETS,
    PAUSED_AT_CREATION,
    START_DATE,
    TAGS,
    fail_at_once_on_terminal_errors,
)

# Heavy imports (lxml, SQLAlchemy models, Great Expectations) happen inside the task, so the
# dag-processor parses this file in milliseconds.


def inbox_dag(kind: str, asset: Asset) -> None:
    """Build the watcher DAG of one inbox folder kind."""
    name = kind.replace("-", "_")

    @dag(
        dag_id=f"ingest_{name}",
        schedule=timedelta(minutes=15),
        start_date=START_DATE,
        catchup=False,  # a run ingests whatever is in the folder now; past intervals have nothing of their own
        is_paused_upon_creation=PAUSED_AT_CREATION,
        max_active_runs=1,  # two watchers of one folder would only wait for each other's lock
        dagrun_timeout=timedelta(hours=2),
        tags=[*TAGS, "ingest"],
        default_args=DEFAULT_ARGS,
        doc_md=__doc__,
    )
    def watcher() -> None:
        @task(task_id=f"ingest_{name}", outlets=[asset])
        @fail_at_once_on_terminal_errors
        def ingest_folder() -> dict[str, Any]:
            """Ingest new and changed files of the folder; skipped (no asset event) when nothing was stored or quarantined."""
            import logging

            from airflow.sdk.exceptions import AirflowSkipException

            from compliance.context import open_context
            from compliance.pipeline import ingest_inbox_folder, initialise_database

            log = logging.getLogger(__name__)
            with open_context() as context:  # one engine and one read of the contracts for the task
                initialise_database(context)
                summary = ingest_inbox_folder(context, kind)
                for _path, reason in summary.quarantined:
                    log.warning("quarantined: %s", reason)
                for path, reason in summary.skipped:
                    log.warning("skipped: %s: %s", path, reason)
                log.info(
                    "%s: %d ingested, %d duplicates, %d quarantined (%d by data quality), %d rows checked by the suites",
                    kind,
                    len(summary.ingested),
                    len(summary.duplicates),
                    len(summary.quarantined),
                    len(summary.quality_quarantined),
                    summary.quality_rows,
                )
                if not summary.ingested and not summary.quarantined:
                    raise AirflowSkipException(f"nothing new stored from {context.settings.inbox / kind}")
                return {
                    "ingested": len(summary.ingested),
                    "quarantined": len(summary.quarantined),
                    "quarantine_reasons": [reason for _path, reason in summary.quarantined][:20],
                }

        # No retries: the files stay quarantined whatever a retry does; a person has to look.
        @task(task_id=f"quarantine_review_{name}", retries=0)
        def quarantine_review(ingest: dict[str, Any]) -> None:
            """Fail (red in the UI, the DAG run failed) when the ingest quarantined files, so the data team
            notices; the files that were stored are in and the checks run on them all the same."""
            if not ingest["quarantined"]:
                return
            from airflow.sdk.exceptions import AirflowFailException

            reasons = "\n".join(f"  - {reason}" for reason in ingest["quarantine_reasons"])
            raise AirflowFailException(
                f"{ingest['quarantined']} file(s) quarantined in {kind}; see `compliance quarantine list` and data-quality.html, "
                f"then release or dismiss them (`compliance quarantine release|dismiss ID --reason …`):\n{reasons}"
            )

        quarantine_review(ingest_folder())

    watcher()


for _kind, _asset in INBOX_ASSETS.items():
    inbox_dag(_kind, _asset)
