"""
### Annual assessment, reports and supplier notices

On 15 January at 06:00 (two weeks after the year ends, so late invoices and driving logs are
in) every contract is assessed for each contract year, the annual reports and penalty
statements are written, and a discrepancy notice per contract year and supplier is written
(HTML, PDF) — not sent: a contract manager reads them and sends them with the
`compliance_send_notices` DAG or `compliance notices`.

A scheduled run that starts more than two days late (Airflow was down, the DAG paused) is
skipped with a warning rather than assessing a past January and writing notices out of season;
trigger the DAG by hand if that assessment is still wanted.

**Manual runs** (Trigger DAG w/ config): `contract` limits the run to one contract id,
`year` to one contract year (1 = the first year of the contract). Both empty = everything.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task

from compliance.orchestration import (
    ANNUAL_RUN_GRACE,
    CHECKED_CONTRACTS,
    DEFAULT_ARGS,
    PAUSED_AT_CREATION,
    START_DATE,
    TAGS,
    contract_year_params,
    fail_at_once_on_terminal_errors,
)


@dag(
    dag_id="compliance_annual_assessment",
    schedule="0 6 15 1 *",
    start_date=START_DATE,
    # An assessment covers every year the database holds; a missed January is not rerun (catchup off),
    # nor the latest missed one on unpausing (scheduled_date_not_missed).
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=PAUSED_AT_CREATION,
    dagrun_timeout=timedelta(hours=12),
    params=contract_year_params(),
    tags=[*TAGS, "annual", "reports"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def compliance_annual_assessment() -> None:
    @task.short_circuit
    def scheduled_date_not_missed(dag_run: Any = None, logical_date: Any = None) -> bool:
        """False (the rest of the run is skipped) for a scheduled run that starts days after its
        15 January: Airflow runs the latest missed date once when the DAG is unpaused or comes back."""
        import logging

        import pendulum

        from compliance.orchestration import missed_scheduled_run

        run_type = getattr(dag_run, "run_type", None)
        if missed_scheduled_run(run_type, logical_date, pendulum.now("UTC"), ANNUAL_RUN_GRACE):
            logging.getLogger(__name__).warning(
                "the assessment scheduled for %s was missed (Airflow was down or the DAG paused); it is not run now. "
                "Trigger the DAG by hand if that year's assessment and notices are still wanted.",
                logical_date,
            )
            return False
        return True

    @task
    @fail_at_once_on_terminal_errors
    def contracts_to_assess(params: dict[str, Any] | None = None) -> list[list[str]]:
        """The contract ids to assess, in batches (``COMPLIANCE_CONTRACTS_PER_TASK``): the ``contract``
        param, or every valid contract."""
        from compliance.context import open_context
        from compliance.pipeline import contract_batches, contract_ids, prepare_contract_checks

        with open_context() as context:  # one engine and one read of the contracts for the task
            prepare_contract_checks(context)
            ids = contract_ids(context, (params or {}).get("contract") or None)
            return contract_batches(ids, context.settings.contracts_per_task)

    @task(max_active_tis_per_dagrun=4)
    @fail_at_once_on_terminal_errors
    def assess_contracts(contract_ids: list[str], params: dict[str, Any] | None = None) -> list[dict[str, object]]:
        """Assess a batch of contracts (all years, or the ``year`` param) and write their reports and
        statements; a failed contract fails the task once the others are done."""
        from compliance.base.settings import load_settings
        from compliance.pipeline import batch_failure, check_and_report_contracts

        batch = check_and_report_contracts(load_settings(), contract_ids, (params or {}).get("year"))
        error = batch_failure(batch)
        if error is not None:
            raise error
        return [run.as_json() for run in batch.runs]

    @task(trigger_rule="all_done", outlets=[CHECKED_CONTRACTS])
    @fail_at_once_on_terminal_errors
    def write_overview_and_notices(batches: list[list[dict[str, Any]] | None], params: dict[str, Any] | None = None) -> list[str]:
        """The overview pages, then the supplier notices of the assessed contracts (written, not sent)."""
        import logging

        from compliance.context import open_context
        from compliance.pipeline import write_contract_reports, write_supplier_notices

        with open_context() as context:  # one engine and one read of the contracts for the task
            chosen = params or {}
            for run in (run for batch in batches if batch for run in batch):  # a failed batch: in its own log
                if run["shortfalls"]:
                    logging.getLogger(__name__).warning("shortfalls of %s: %s", run["contract_id"], run["shortfalls"])
            written = write_contract_reports(context, contract_years=False)
            notices = write_supplier_notices(context, chosen.get("contract") or None, chosen.get("year"))
            return [str(written.index), *(str(notice.pdf or notice.html) for notice in notices)]

    contracts = contracts_to_assess()
    scheduled_date_not_missed() >> contracts
    write_overview_and_notices(assess_contracts.expand(contract_ids=contracts))


compliance_annual_assessment()
