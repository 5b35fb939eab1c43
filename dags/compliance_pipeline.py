"""
### Full sweep: the whole pipeline, weekly

Reads the whole inbox again (OIOUBL/Peppol invoices, Excel invoices, catalogues, driving logs,
vehicle registers) — also files the 15-minute watchers skip as already seen, and quarantined
files, in case a newer version of this tool reads them — checks every contract's green terms,
writes the reports and the supplier notices (not sent). The same functions as `compliance run`.
Sunday 03:00, when nobody waits for the database (a scheduled sweep that starts more than six
hours late — the DAG just created or unpaused, Airflow down that night — is skipped, not run
during the day); trigger it by hand after an upgrade.

Settings come from the environment (`COMPLIANCE_DB_URL`, `COMPLIANCE_INBOX`, …).
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, task

from compliance.orchestration import (
    DEFAULT_ARGS,
    PAUSED_AT_CREATION,
    START_DATE,
    SWEEP_RUN_GRACE,
    TAGS,
    fail_at_once_on_terminal_errors,
)

# Heavy imports (lxml, SQLAlchemy models, openpyxl) happen inside the tasks, so the
# dag-processor parses this file in milliseconds.


@dag(
    dag_id="compliance_pipeline",
    schedule="0 3 * * 0",
    start_date=START_DATE,
    catchup=False,  # each run processes the whole inbox; past weeks have nothing of their own
    max_active_runs=1,
    is_paused_upon_creation=PAUSED_AT_CREATION,
    tags=[*TAGS, "full-sweep"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def compliance_pipeline() -> None:
    @task.short_circuit
    def scheduled_time_not_missed(dag_run: Any = None, logical_date: Any = None) -> bool:
        """False (the run is skipped) for a scheduled sweep starting hours after its Sunday 03:00: with
        catchup off Airflow runs the latest missed date once when the DAG appears or is unpaused."""
        import logging

        import pendulum

        from compliance.orchestration import missed_scheduled_run

        if missed_scheduled_run(getattr(dag_run, "run_type", None), logical_date, pendulum.now("UTC"), SWEEP_RUN_GRACE):
            logging.getLogger(__name__).warning(
                "the sweep scheduled for %s was missed; the next one runs next Sunday night", logical_date
            )
            return False
        return True

    @task
    @fail_at_once_on_terminal_errors
    def migrate_database() -> str:
        """Create or migrate the compliance database."""
        from compliance.context import open_context
        from compliance.pipeline import initialise_database

        with open_context() as context:  # one engine and one read of the contracts for the task
            initialise_database(context)
            return context.settings.db_url.split("@")[-1]

    @task
    @fail_at_once_on_terminal_errors
    def ingest_inbox() -> dict[str, Any]:
        """Ingest the inbox; quarantined files are logged with their reasons, not fatal."""
        import logging

        from compliance.base.settings import load_settings
        from compliance.pipeline import ingest_files

        log = logging.getLogger(__name__)
        summary = ingest_files(load_settings())
        log.info(
            "ingest: %d ingested, %d duplicates, %d quarantined",
            len(summary.ingested),
            len(summary.duplicates),
            len(summary.quarantined),
        )
        for _path, reason in summary.quarantined:
            log.warning("quarantined: %s", reason)
        for path, reason in summary.skipped:
            log.warning("skipped: %s: %s", path, reason)
        return {"ingested": len(summary.ingested), "duplicates": len(summary.duplicates), "quarantined": len(summary.quarantined)}

    @task
    @fail_at_once_on_terminal_errors
    def check_contracts() -> dict[str, Any]:
        """Run every check; rejected contract files are logged with file, field and expectation."""
        import logging

        from compliance.base.settings import load_settings
        from compliance.pipeline import check_contracts as run_checks

        summary, errors = run_checks(load_settings())
        for error in errors:
            logging.getLogger(__name__).error("contract rejected: %s", error)
        return {
            "findings": summary.findings,
            "years": summary.years,
            "shortfalls": summary.shortfalls,
            "rejected_contracts": len(errors),
        }

    @task
    @fail_at_once_on_terminal_errors
    def write_reports() -> list[str]:
        """Write the annual reports (HTML, PDF, XLSX), statements, the overview and the supplier notices
        (written, not sent: a contract manager sends them with `compliance notices`); returns their paths."""
        import logging

        from compliance.context import open_context
        from compliance.pipeline import write_contract_reports, write_supplier_notices

        with open_context() as context:  # one engine and one read of the contracts for the task
            written = write_contract_reports(context)
            if written.pdf_skipped:
                logging.getLogger(__name__).warning("PDF not written: %s", written.pdf_skipped)
            notices = write_supplier_notices(context)
            return [
                str(written.index),
                *map(str, written.annual),
                *map(str, written.pdf),
                *(str(n.pdf or n.html) for n in notices),
            ]

    scheduled_time_not_missed() >> migrate_database() >> ingest_inbox() >> check_contracts() >> write_reports()


compliance_pipeline()
