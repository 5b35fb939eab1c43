"""
### Green procurement compliance pipeline

Ingests the inbox (OIOUBL/Peppol invoices, Excel invoices, catalogues, driving logs, vehicle
registers), checks every contract's green terms, and writes the annual reports — the same
functions as `compliance run`. A file that cannot be read is quarantined with a reason and
the rest of the batch goes on; see the overview page in the reports folder.

Settings come from the environment (`COMPLIANCE_DB_URL`, `COMPLIANCE_INBOX`, …).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import dag, task

# Heavy imports (lxml, SQLAlchemy models, openpyxl) happen inside the tasks, so the
# dag-processor parses this file in milliseconds.


@dag(
    dag_id="compliance_pipeline",
    schedule="0 5 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Copenhagen"),
    catchup=False,  # each run processes the whole inbox; past dates have nothing of their own
    max_active_runs=1,
    tags=["compliance", "green-procurement"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    doc_md=__doc__,
)
def compliance_pipeline() -> None:
    @task
    def migrate_database() -> str:
        """Create or migrate the compliance database."""
        from compliance.pipeline import initialise_database
        from compliance.settings import load_settings

        settings = load_settings()
        initialise_database(settings)
        return settings.db_url.split("@")[-1]

    @task
    def ingest_inbox() -> dict[str, Any]:
        """Ingest the inbox; quarantined files are logged with their reasons, not fatal."""
        import logging

        from compliance.pipeline import ingest_files
        from compliance.settings import load_settings

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
        return {"ingested": len(summary.ingested), "duplicates": len(summary.duplicates), "quarantined": len(summary.quarantined)}

    @task
    def check_contracts() -> dict[str, Any]:
        """Run every check; rejected contract files are logged with file, field and expectation."""
        import logging

        from compliance.pipeline import check_contracts as run_checks
        from compliance.settings import load_settings

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
    def write_reports() -> list[str]:
        """Write the annual reports (HTML, PDF, XLSX), statements, the overview and the supplier notices
        (written, not sent: a contract manager sends them with `compliance notices`); returns their paths."""
        import logging

        from compliance.pipeline import write_contract_reports, write_supplier_notices
        from compliance.settings import load_settings

        settings = load_settings()
        written = write_contract_reports(settings)
        if written.pdf_skipped:
            logging.getLogger(__name__).warning("PDF not written: %s", written.pdf_skipped)
        notices = write_supplier_notices(settings)
        return [str(written.index), *map(str, written.annual), *map(str, written.pdf), *(str(n.pdf or n.html) for n in notices)]

    migrate_database() >> ingest_inbox() >> check_contracts() >> write_reports()


compliance_pipeline()
