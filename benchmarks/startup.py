"""Start-up and the sample run, by CPU time of child processes, against baselines measured in the same run.

Each figure is the CPU time (user + system, from ``os.wait4``'s resource usage) of one fresh Python
process, repeated ``--rounds`` times with the command and its baseline alternating, so that a busy
machine slows both; min / median / max are printed, and the ratio (or difference) round by round:

- ``compliance --help`` against ``python -c "import click"`` (target: ≤ 5×);
- an ingest task's fixed start-up: ``import airflow.sdk``, then what the ``ingest_invoices`` task does
  (open the context, check the schema, ingest its folder) with one new invoice in the folder, against
  ``import airflow.sdk`` alone (target: ≤ +1 s). Also shown against ``import airflow.sdk`` plus
  Airflow's own ``import_all_models()``, which Airflow runs in any process the first time an ORM
  mapper is configured, whoever's mapper it is (an Airflow event hook);
- with ``--before REV``: ``compliance run`` on the sample data with this checkout against the same
  command with the code of ``REV`` (``git archive``, run with this environment's packages), each in a
  fresh database (target: ≤ 60 %), and the two figures above for ``REV`` too.

Usage (from the repository root):
    .venv/bin/python benchmarks/startup.py [--rounds 5] [--before 4d3ceba] [--run-rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CLI = "import sys; from compliance.cli import main; sys.argv[0] = 'compliance'; main()"

INGEST_TASK = """
import airflow.sdk  # the task process has Airflow loaded before the task runs
from compliance.context import open_context
from compliance.pipeline import ingest_inbox_folder, initialise_database
with open_context() as context:
    initialise_database(context)
    summary = ingest_inbox_folder(context, "invoices")
assert len(summary.ingested) == 1, summary
"""

AIRFLOW_WITH_MODELS = "import airflow.sdk\nfrom airflow.models import import_all_models\nimport_all_models()"


def cpu_seconds(command: Sequence[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one child process; a failing command stops the benchmark."""
    # Run from a folder without code: ``python -c`` puts the working folder first on the path.
    process = subprocess.Popen(command, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # `compliance run` exits 1 when a contract file is rejected
        raise SystemExit(f"{' '.join(command[:4])}… failed ({process.returncode}):\n{errors.decode()[-2000:]}")
    return usage.ru_utime + usage.ru_stime


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f} {unit}".strip()


class Code:
    """A checkout's code, run with this environment's packages (``PYTHONPATH`` before the editable install)."""

    def __init__(self, name: str, root: Path, work: Path) -> None:
        self.name, self.root, self.work = name, root, work
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLIANCE_")}
        self.env.update(PYTHONPATH=str(root), AIRFLOW_HOME=str(work / "airflow"), PYTHONHASHSEED="0")
        self.env["COMPLIANCE_CONTRACTS_DIR"] = str(root / "contracts")
        self.env["COMPLIANCE_INBOX"] = str(root / "sample_invoices")
        self.env["COMPLIANCE_VAR_DIR"] = str(work / "var")
        self.migrated = work / "migrated.sqlite"
        self.inbox = work / "inbox"
        (self.inbox / "invoices").mkdir(parents=True)
        shutil.copy(root / "sample_invoices" / "office" / "NK-2025-0001.xml", self.inbox / "invoices")
        env = {**self.env, "COMPLIANCE_DB_URL": f"sqlite:///{self.migrated}"}
        subprocess.run([sys.executable, "-c", CLI, "init"], env=env, cwd=work, check=True, capture_output=True)
        imported = subprocess.run(
            [sys.executable, "-c", "import compliance; print(compliance.__file__)"],
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
        )
        assert imported.stdout.startswith(str(root)), imported.stdout  # this code, not the installed one

    def help(self) -> float:
        return cpu_seconds([sys.executable, "-c", CLI, "--help"], self.env)

    def ingest_task(self) -> float:
        database = self.work / "task.sqlite"
        shutil.copyfile(self.migrated, database)  # at head, the invoice new: as in a task that finds one file
        env = {**self.env, "COMPLIANCE_DB_URL": f"sqlite:///{database}", "COMPLIANCE_INBOX": str(self.inbox)}
        return cpu_seconds([sys.executable, "-c", INGEST_TASK], env)

    def run(self) -> float:
        var = self.work / "run-var"
        shutil.rmtree(var, ignore_errors=True)
        return cpu_seconds([sys.executable, "-c", CLI, "run"], {**self.env, "COMPLIANCE_VAR_DIR": str(var)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--run-rounds", type=int, default=3)
    parser.add_argument("--before", help="a commit to compare with (its code is taken with git archive)")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        codes = [Code("this checkout", ROOT, work / "now")]
        if args.before:
            before_root = work / "before-code"
            before_root.mkdir()
            archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(before_root)], input=archive, check=True)
            codes.append(Code(f"before ({args.before})", before_root, work / "before"))
        baseline_env = {**codes[0].env, "PYTHONPATH": ""}
        click: list[float] = []
        airflow: list[float] = []
        airflow_models: list[float] = []
        helps: dict[str, list[float]] = {code.name: [] for code in codes}
        tasks: dict[str, list[float]] = {code.name: [] for code in codes}
        for _round in range(args.rounds):
            for code in codes:
                click.append(cpu_seconds([sys.executable, "-c", "import click"], baseline_env))
                helps[code.name].append(code.help())
                airflow.append(cpu_seconds([sys.executable, "-c", "import airflow.sdk"], baseline_env))
                tasks[code.name].append(code.ingest_task())
                airflow_models.append(cpu_seconds([sys.executable, "-c", AIRFLOW_WITH_MODELS], baseline_env))
        print(f"python -c 'import click': {spread(click)}")
        print(f"python -c 'import airflow.sdk': {spread(airflow)}")
        print(f"import airflow.sdk + import_all_models(): {spread(airflow_models)}")
        for code in codes:
            pairs = len(codes)
            ratios = [h / c for h, c in zip(helps[code.name], click[codes.index(code) :: pairs], strict=True)]
            extra = [t - a for t, a in zip(tasks[code.name], airflow[codes.index(code) :: pairs], strict=True)]
            extra_models = [t - a for t, a in zip(tasks[code.name], airflow_models[codes.index(code) :: pairs], strict=True)]
            print(f"{code.name}:")
            print(f"  compliance --help: {spread(helps[code.name])}; / import click: {spread(ratios, '×', 1)} (target ≤ 5×)")
            print(f"  ingest task (one invoice): {spread(tasks[code.name])}")
            print(f"    minus import airflow.sdk: {spread(extra)} (target ≤ 1 s)")
            print(f"    minus import airflow.sdk and Airflow's models: {spread(extra_models)}")
        if len(codes) == 2:
            now: list[float] = []
            before: list[float] = []
            for _round in range(args.run_rounds):
                before.append(codes[1].run())
                now.append(codes[0].run())
            ratios = [n / b for n, b in zip(now, before, strict=True)]
            print(f"compliance run on the sample, {args.run_rounds} rounds:")
            print(f"  {codes[1].name}: {spread(before)}")
            print(f"  this checkout: {spread(now)}")
            print(f"  ratio: {spread([r * 100 for r in ratios], '%', 0)} (target ≤ 60 %)")


if __name__ == "__main__":
    main()
