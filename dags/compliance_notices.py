"""
### Send the supplier discrepancy notices

Manual only: sending a notice starts a legal deadline, so a contract manager triggers it after
reading the notices the annual DAG wrote. Writes the notices again from the stored findings
(the deadline stays unless the findings changed), then e-mails each PDF through the Airflow
connection `compliance_smtp` (type SMTP: host, port, login, password; extra
`{"from": "groen-indkoeb@kk.dk", "starttls": true}`). Every attempt is recorded in the
compliance database; the same content is never sent twice to the same address unless
`resend` is set. `dry_run` writes the files and logs who would get them.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Param, dag, task

from compliance.orchestration import (
    DEFAULT_ARGS,
    PAUSED_AT_CREATION,
    START_DATE,
    TAGS,
    contract_year_params,
    fail_at_once_on_terminal_errors,
)

SMTP_CONNECTION_ID = "compliance_smtp"


@dag(
    dag_id="compliance_send_notices",
    schedule=None,  # a person decides when a notice goes out
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=PAUSED_AT_CREATION,
    params={
        **contract_year_params(),
        "dry_run": Param(True, type="boolean", title="Dry run", description="Write the notices, send nothing."),
        "resend": Param(False, type="boolean", title="Resend", description="Send again what was already sent."),
    },
    tags=[*TAGS, "notices"],
    # No retries, not even after a temporary SMTP failure (a 4xx reply, a refused connection): every
    # attempt is recorded and fails the task, and a person looks before sending again.
    default_args={**DEFAULT_ARGS, "retries": 0},
    doc_md=__doc__,
)
def compliance_send_notices() -> None:
    @task
    @fail_at_once_on_terminal_errors
    def send_notices(params: dict[str, Any] | None = None) -> list[dict[str, str]]:
        """Write and send the notices; fails (after trying every notice) if any send failed."""
        import logging

        from airflow.sdk import BaseHook

        from compliance.context import open_context
        from compliance.pipeline import initialise_database, send_supplier_notices, write_supplier_notices
        from compliance.reports.notices import delivery_error, smtp_settings_from_connection

        chosen = params or {}
        with open_context() as context:  # one engine and one read of the contracts for the task
            initialise_database(context)
            notices = write_supplier_notices(context, chosen.get("contract") or None, chosen.get("year"))
            smtp = None
            if not chosen.get("dry_run", True):
                connection = BaseHook.get_connection(SMTP_CONNECTION_ID)
                smtp = smtp_settings_from_connection(
                    connection.host, connection.port, connection.login, connection.password, connection.extra_dejson
                )
            outcomes = send_supplier_notices(
                context, notices, dry_run=bool(chosen.get("dry_run", True)), resend=bool(chosen.get("resend")), smtp=smtp
            )
            log = logging.getLogger(__name__)
            for outcome in outcomes:
                log.info(
                    "%s: %s year %s — %s",
                    outcome.outcome,
                    outcome.notice.contract_id,
                    outcome.notice.contract_year,
                    outcome.detail,
                )
            if (error := delivery_error(outcomes)) is not None:
                raise error  # transient when every failure was temporary (4xx, refused connection, timeout)
            return [
                {"contract": o.notice.contract_id, "year": str(o.notice.contract_year), "outcome": o.outcome} for o in outcomes
            ]

    send_notices()


compliance_send_notices()
