"""
### Checks, early warnings and reports

Runs when new data arrives (any inbox asset: invoices, catalogues, driving logs, vehicles) and
on the 1st of every month at 06:00, so that the early-warning forecast of a running contract
year is refreshed even in a month without deliveries. It first waits until every file in the inbox
folders has been stored or quarantined (the other watchers may still be reading files dropped
together with those that started this run), so reports never come from a partial ingest. One mapped task per batch of
contracts (``COMPLIANCE_CONTRACTS_PER_TASK``, default 10: a task's start-up is paid once per batch)
checks each and writes its contract-year reports (HTML, PDF, XLSX), so a Celery cluster spreads
the batches over its workers; a contract that fails does not stop the others in its batch (the task
fails after them, naming it). Then the overview, the portfolio pages and the data-quality page are
written once, and the early warnings are logged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from compliance.orchestration import (
    CHECKED_CONTRACTS,
    DEFAULT_ARGS,
    INBOX_ASSETS,
    PAUSED_AT_CREATION,
    START_DATE,
    TAGS,
    fail_at_once_on_terminal_errors,
)

NEW_DATA = INBOX_ASSETS["invoices"] | INBOX_ASSETS["catalogues"] | INBOX_ASSETS["driving-logs"] | INBOX_ASSETS["vehicles"]


@dag(
    dag_id="compliance_checks",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("0 6 1 * *", timezone="Europe/Copenhagen"), assets=NEW_DATA),
    start_date=START_DATE,
    catchup=False,  # checks always read the whole database; a missed month is covered by the next run
    max_active_runs=1,
    is_paused_upon_creation=PAUSED_AT_CREATION,
    dagrun_timeout=timedelta(hours=6),
    tags=[*TAGS, "checks", "monthly"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def compliance_checks() -> None:
    @task
    @fail_at_once_on_terminal_errors
    def migrate_and_list_contracts() -> list[list[str]]:
        """Migrate the database and store the contract terms; the ids of the valid contracts in batches
        (rejected contract files are logged)."""
        import logging

        from compliance.context import open_context
        from compliance.pipeline import contract_batches, contract_ids, contract_terms, prepare_contract_checks

        with open_context() as context:  # one engine and one read of the contracts for the task
            prepare_contract_checks(context)
            for error in contract_terms(context)[1]:
                logging.getLogger(__name__).error("contract rejected: %s", error)
            return contract_batches(contract_ids(context), context.settings.contracts_per_task)

    @task.sensor(poke_interval=15, timeout=3600, mode="reschedule")
    def inbox_settled() -> bool:
        """Wait (without holding a worker slot) until every file in the inbox folders is stored or
        quarantined, so reports never come from a partial ingest: this run may have been started by the
        first watcher to finish while the others are still reading files dropped with its own."""
        import logging

        from compliance.context import open_context
        from compliance.pipeline import pending_inbox_files

        with open_context() as context:
            pending = pending_inbox_files(context)
        if pending:
            logging.getLogger(__name__).info("%d inbox files not yet ingested, e.g. %s", len(pending), pending[0])
        return not pending

    @task(max_active_tis_per_dagrun=4)
    @fail_at_once_on_terminal_errors
    def check_contracts(contract_ids: list[str], logical_date: Any = None) -> list[dict[str, object]]:
        """Check a batch of contracts as of the run's date and write their contract-year reports; the early
        warnings are logged here, and a failed contract fails the task once the others are done."""
        import logging
        from datetime import date

        from compliance.base.settings import load_settings
        from compliance.pipeline import batch_failure, check_and_report_contracts

        log = logging.getLogger(__name__)
        as_of = logical_date.date() if logical_date is not None else date.today()
        batch = check_and_report_contracts(load_settings(), contract_ids, as_of=as_of)
        for run in batch.runs:
            for warning in run.early_warnings:
                log.warning("early warning %s: %s", run.contract_id, warning)
            for shortfall in run.shortfalls:
                log.warning("shortfall: %s", shortfall)
        error = batch_failure(batch)
        if error is not None:
            raise error
        return [run.as_json() for run in batch.runs]

    @task(trigger_rule="all_done", outlets=[CHECKED_CONTRACTS])
    @fail_at_once_on_terminal_errors
    def write_overview(batches: list[list[dict[str, Any]] | None]) -> str:
        """The overview, portfolio and data-quality pages, once, after every batch (even if one failed)."""
        from compliance.base.settings import load_settings
        from compliance.pipeline import write_contract_reports

        written = write_contract_reports(load_settings(), contract_years=False)
        return str(written.index)

    contracts = migrate_and_list_contracts()
    checked = check_contracts.expand(contract_ids=contracts)
    contracts >> inbox_settled() >> checked
    write_overview(checked)


compliance_checks()
