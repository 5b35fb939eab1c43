"""
### Annual assessment, reports and supplier notices

On 15 January at 06:00 (two weeks after the year ends, so late invoices and driving logs are
in) every contract is assessed for each contract year, the annual reports and penalty
statements are written, and a discrepancy notice per contract year and supplier is written
(HTML, PDF) — not sent: a contract manager reads them and sends them with the
`compliance_send_notices` DAG or `compliance notices`.

**Manual runs** (Trigger DAG w/ config): `contract` limits the run to one contract id,
`year` to one contract year (1 = the first year of the contract). Both empty = everything.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import dag, task

from compliance.orchestration import (
    CHECKED_CONTRACTS,
    DEFAULT_ARGS,
    START_DATE,
    TAGS,
    contract_year_params,
    fail_at_once_on_terminal_errors,
)


@dag(
    dag_id="compliance_annual_assessment",
    schedule="0 6 15 1 *",
    start_date=START_DATE,
    catchup=False,  # an assessment covers every year the database holds; a missed January is not rerun
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=12),
    params=contract_year_params(),
    tags=[*TAGS, "annual", "reports"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def compliance_annual_assessment() -> None:
    @task
    @fail_at_once_on_terminal_errors
    def contracts_to_assess(params: dict[str, Any] | None = None) -> list[str]:
        """The contract ids to assess: the ``contract`` param, or every valid contract."""
        from compliance.context import open_context
        from compliance.pipeline import contract_ids, initialise_database

        with open_context() as context:  # one engine and one read of the contracts for the task
            initialise_database(context)
            return contract_ids(context, (params or {}).get("contract") or None)

    @task(max_active_tis_per_dagrun=4)
    @fail_at_once_on_terminal_errors
    def assess_contract(contract_id: str, params: dict[str, Any] | None = None) -> dict[str, object]:
        """Assess one contract (all years, or the ``year`` param) and write its reports and statements."""
        from compliance.base.settings import load_settings
        from compliance.pipeline import check_and_report_contract

        return check_and_report_contract(load_settings(), contract_id, (params or {}).get("year")).as_json()

    @task(trigger_rule="all_done", outlets=[CHECKED_CONTRACTS])
    @fail_at_once_on_terminal_errors
    def write_overview_and_notices(runs: list[dict[str, Any]], params: dict[str, Any] | None = None) -> list[str]:
        """The overview pages, then the supplier notices of the assessed contracts (written, not sent)."""
        import logging

        from compliance.context import open_context
        from compliance.pipeline import write_contract_reports, write_supplier_notices

        with open_context() as context:  # one engine and one read of the contracts for the task
            chosen = params or {}
            for run in runs:
                if run and run["shortfalls"]:
                    logging.getLogger(__name__).warning("shortfalls of %s: %s", run["contract_id"], run["shortfalls"])
            written = write_contract_reports(context, contract_years=False)
            notices = write_supplier_notices(context, chosen.get("contract") or None, chosen.get("year"))
            return [str(written.index), *(str(notice.pdf or notice.html) for notice in notices)]

    write_overview_and_notices(assess_contract.expand(contract_id=contracts_to_assess()))


compliance_annual_assessment()
