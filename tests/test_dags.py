"""The Airflow DAGs: every file imports cleanly, and the pipeline DAG runs end to end with dag.test()."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from compliance import pipeline
from compliance.base.errors import DatabaseUnavailableError, TerminalError, TransientError
from compliance.base.settings import PROJECT_ROOT, Settings
from compliance.pipeline import batch_failure, check_and_report_contracts, contract_batches, ingest_files, initialise_database
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

DAGS_DIR = PROJECT_ROOT / "dags"

# Each test starts Airflow in a subprocess (a DagBag, dag.test()) on the tests' contracts.
pytestmark = [pytest.mark.slow, pytest.mark.integration]


def airflow_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "COMPLIANCE_"))}
    env.update(
        AIRFLOW_HOME=str(tmp_path / "airflow"),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp_path / 'airflow.db'}",
        COMPLIANCE_VAR_DIR=str(tmp_path / "var"),
        COMPLIANCE_INBOX=str(SAMPLE_DIR),  # read, never written
        COMPLIANCE_CONTRACTS_DIR=str(CONTRACTS_DIR),
    )
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("airflow")
    env = airflow_env(tmp_path)
    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return env


DAGBAG = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r})
def info(d):
    return {{
        "tags": sorted(d.tags),
        "retries": d.default_args.get("retries"),
        "tasks": sorted(d.task_ids),
        "doc_md": bool(d.doc_md),
        "catchup": d.catchup,
        "max_active_runs": d.max_active_runs,
        "schedule": type(d.timetable).__name__,
        "assets": sorted(a.name for a in d.timetable.asset_condition.objects) if getattr(d.timetable, "asset_condition", None) is not None else [],
        "outlets": sorted(o.name for t in d.tasks for o in t.outlets),
        "mapped": sorted(t.task_id for t in d.tasks if t.is_mapped),
        "params": sorted(d.params.keys()),
        "paused_at_creation": d.is_paused_upon_creation,
        "upstream": {{t.task_id: sorted(t.upstream_task_ids) for t in d.tasks}},
        "sensors": sorted(t.task_id for t in d.tasks if getattr(t, "mode", None) == "reschedule"),
    }}
print("RESULT " + json.dumps({{"errors": {{k: str(v) for k, v in bag.import_errors.items()}},
    "dags": {{d.dag_id: info(d) for d in bag.dags.values()}}}}))
"""


def result_of(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    return dict(json.loads(lines[-1][len("RESULT ") :]))


INBOX_ASSETS = [f"compliance_inbox_{kind}" for kind in ("catalogues", "driving_logs", "invoices", "vehicles")]


def test_every_dag_file_imports_without_errors_and_is_configured_deliberately(migrated: dict[str, str]) -> None:
    result = result_of(run_python(DAGBAG.format(folder=str(DAGS_DIR)), migrated))
    assert result["errors"] == {}
    dags = result["dags"]
    assert isinstance(dags, dict)
    assert sorted(dags) == sorted(
        [
            "compliance_annual_assessment",
            "compliance_checks",
            "compliance_pipeline",
            "compliance_send_notices",
            "ingest_catalogues",
            "ingest_driving_logs",
            "ingest_invoices",
            "ingest_vehicles",
        ]
    )
    for dag_id, info in dags.items():
        assert "compliance" in info["tags"], f"{dag_id} has no tags"
        assert info["doc_md"], f"{dag_id} has no doc_md"
        assert info["catchup"] is False, f"{dag_id} catches up"
        assert info["max_active_runs"] == 1, dag_id
        assert info["paused_at_creation"] is False, f"{dag_id} would wait for someone to unpause it"
        if dag_id != "compliance_send_notices":  # sending is never retried without a person looking
            assert info["retries"], f"{dag_id} has no retries"
    # The watchers emit one asset each; the checks run on any of them or monthly.
    assert sorted(o for d in dags.values() for o in d["outlets"] if o.startswith("compliance_inbox")) == INBOX_ASSETS
    assert dags["compliance_checks"]["schedule"] == "AssetOrTimeSchedule"
    assert dags["compliance_checks"]["assets"] == INBOX_ASSETS
    # Per-contract work is mapped, so that a Celery cluster spreads it.
    assert dags["compliance_checks"]["mapped"] == ["check_contracts"]
    # The checks wait for a settled inbox (no partial ingest) without holding a worker slot.
    assert dags["compliance_checks"]["sensors"] == ["inbox_settled"]
    assert dags["compliance_checks"]["upstream"]["check_contracts"] == ["inbox_settled", "migrate_and_list_contracts"]
    # A missed 15 January is skipped before anything is assessed.
    assert dags["compliance_annual_assessment"]["upstream"]["contracts_to_assess"] == ["scheduled_date_not_missed"]
    assert dags["compliance_annual_assessment"]["mapped"] == ["assess_contracts"]
    assert dags["compliance_annual_assessment"]["params"] == ["contract", "year"]
    assert dags["compliance_send_notices"]["params"] == ["contract", "dry_run", "resend", "year"]
    assert dags["compliance_send_notices"]["schedule"] == "NullTimetable"
    assert dags["compliance_pipeline"]["tasks"] == [
        "check_contracts",
        "ingest_inbox",
        "migrate_database",
        "scheduled_time_not_missed",
        "write_reports",
    ]


def test_dag_files_import_nothing_heavy_at_module_level(migrated: dict[str, str]) -> None:
    code = (
        "import sys, runpy, glob\n"
        f"for path in sorted(glob.glob({str(DAGS_DIR / '*.py')!r})):\n"
        "    runpy.run_path(path)\n"
        "heavy = [m for m in ('lxml', 'great_expectations', 'openpyxl', 'weasyprint', 'pandas', 'compliance.store.models') if m in sys.modules]\n"
        "print('RESULT ' + __import__('json').dumps({'heavy': heavy}))\n"
    )
    assert result_of(run_python(code, migrated)) == {"heavy": []}


DAG_TEST = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r})
run = bag.get_dag("compliance_pipeline").test()
print("RESULT " + json.dumps({{"state": str(run.state), "tasks": {{ti.task_id: str(ti.state) for ti in run.get_task_instances()}}}}))
"""


def test_pipeline_dag_runs_every_task_and_writes_the_reports(migrated: dict[str, str]) -> None:
    result = result_of(run_python(DAG_TEST.format(folder=str(DAGS_DIR)), migrated))
    assert result["state"] == "success"
    assert result["tasks"] == {
        name: "success"
        for name in ("scheduled_time_not_missed", "migrate_database", "ingest_inbox", "check_contracts", "write_reports")
    }
    reports = Path(migrated["COMPLIANCE_VAR_DIR"]) / "reports"
    assert (reports / "index.html").is_file()
    assert (reports / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").is_file()


SCENARIO = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r})

def states(dag_id, conf=None):
    run = bag.get_dag(dag_id).test(run_conf=conf)
    tis = run.get_task_instances()
    return {{"state": str(run.state), "tasks": sorted((ti.task_id, ti.map_index, str(ti.state)) for ti in tis)}}

def tries(dag_id, conf=None):
    run = bag.get_dag(dag_id).test(run_conf=conf)
    return sorted((ti.task_id, ti.map_index, str(ti.state), ti.try_number) for ti in run.get_task_instances())

result = {{
    "first_ingest": states("ingest_invoices"),
    "second_ingest": states("ingest_invoices"),
    "logs": states("ingest_driving_logs"),
    "vehicles": states("ingest_vehicles"),
    "quarantined": tries("ingest_catalogues"),
    "checks": states("compliance_checks"),
    "annual": states("compliance_annual_assessment", {{"contract": "KK-2024-0117", "year": 2}}),
    "send": states("compliance_send_notices", {{"dry_run": True}}),
    "no_such_year": tries("compliance_annual_assessment", {{"contract": "KK-2024-0117", "year": 99}}),
}}
print("RESULT " + json.dumps(result))
"""


def test_watchers_checks_annual_and_notice_dags_run_on_an_inbox(migrated: dict[str, str], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for kind in ("invoices", "catalogues", "driving-logs", "vehicles"):
        (inbox / kind).mkdir(parents=True)
    for name in sorted((SAMPLE_DIR / "transport").glob("GB-*.xml")):
        shutil.copy(name, inbox / "invoices" / name.name)
    shutil.copy(SAMPLE_DIR / "transport" / "koerselslog-2025.csv", inbox / "driving-logs")
    shutil.copy(SAMPLE_DIR / "transport" / "koeretoejer.csv", inbox / "vehicles")
    (inbox / "catalogues" / "not-a-catalogue.xlsx").write_bytes(b"not a workbook")
    env = {**migrated, "COMPLIANCE_INBOX": str(inbox), "COMPLIANCE_VAR_DIR": str(tmp_path / "var")}

    result = result_of(run_python(SCENARIO.format(folder=str(DAGS_DIR)), env))

    assert result["first_ingest"] == {
        "state": "success",
        "tasks": [["ingest_invoices", -1, "success"], ["quarantine_review_invoices", -1, "success"]],
    }
    # Nothing new: skipped, so no asset event and no checks run for it.
    assert result["second_ingest"]["tasks"] == [["ingest_invoices", -1, "skipped"], ["quarantine_review_invoices", -1, "skipped"]]
    assert result["logs"]["tasks"][0] == ["ingest_driving_logs", -1, "success"]
    assert result["vehicles"]["tasks"][0] == ["ingest_vehicles", -1, "success"]
    # A quarantined file: the ingest succeeds (asset event), the review task fails at once for the data team.
    assert result["quarantined"] == [
        ["ingest_catalogues", -1, "success", 1],
        ["quarantine_review_catalogues", -1, "failed", 1],
    ]
    checks = result["checks"]
    assert checks["state"] == "success"
    # Both contracts in one batch (COMPLIANCE_CONTRACTS_PER_TASK, default 10): one task, one start-up.
    assert [t for t in checks["tasks"] if t[0] == "check_contracts"] == [["check_contracts", 0, "success"]]
    annual = result["annual"]
    assert annual["state"] == "success"
    assert [t for t in annual["tasks"] if t[0] == "assess_contracts"] == [["assess_contracts", 0, "success"]]
    assert result["send"] == {"state": "success", "tasks": [["send_notices", -1, "success"]]}
    # A year the contract does not have is a terminal error: the task fails on its first try, no retries
    # (with the DAG's two retries five minutes apart, dag.test() would otherwise wait ten minutes).
    assert [t for t in result["no_such_year"] if t[0] == "assess_contracts"] == [["assess_contracts", 0, "failed", 1]]
    reports = tmp_path / "var" / "reports"
    assert (reports / "index.html").is_file() and (reports / "data-quality.html").is_file()
    assert (reports / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").is_file()
    assert sorted(p.name for p in (reports / "notices").glob("notice-KK-2024-0117-2-*.html"))


def test_a_batch_of_contracts_goes_on_past_a_failing_one(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The mapped tasks take contracts in batches (one start-up per batch); a contract that fails is
    recorded and the others in its batch are still checked and reported on; the task then fails,
    at once for a terminal error, to be tried again for a transient one."""
    assert contract_batches(["a", "b", "c"], 2) == [["a", "b"], ["c"]] and contract_batches([], 10) == []
    initialise_database(settings)
    ingest_files(settings)
    real = pipeline.check_and_report_contract

    def failing(source: object, contract_id: str, *args: object) -> pipeline.ContractRun:
        if contract_id == "BROKEN":
            raise TerminalError("cannot check", contract=contract_id)
        if contract_id == "BUSY":
            raise DatabaseUnavailableError("the database is locked")
        return real(source, contract_id, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "check_and_report_contract", failing)
    batch = check_and_report_contracts(settings, ["BROKEN", "KK-2024-0117", "BUSY", "KK-2025-0042"], as_of=date(2026, 11, 22))
    assert [run.contract_id for run in batch.runs] == ["KK-2024-0117", "KK-2025-0042"]
    assert (settings.reports_dir / "KK-2025-0042" / "annual-report-KK-2025-0042-year-1.html").is_file()
    assert [(f.contract_id, f.transient) for f in batch.failures] == [("BROKEN", False), ("BUSY", True)]
    error = batch_failure(batch)
    assert isinstance(error, TerminalError) and "2 of 4 contracts failed" in str(error) and "BROKEN" in str(error)
    batch.failures = batch.failures[1:]
    assert isinstance(batch_failure(batch), TransientError)
    batch.failures = []
    assert batch_failure(batch) is None
