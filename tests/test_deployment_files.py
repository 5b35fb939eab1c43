"""docker-compose.yml and the Dockerfile are consistent with the project (no Docker engine here)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from compliance.base.settings import PROJECT_ROOT
from tests.conftest import need_tool

pytestmark = pytest.mark.production


def test_compose_file_parses_and_wires_existing_services_and_files() -> None:
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {
        "postgres",
        "redis",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    } <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown service {dependency}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./scripts"):
                assert (PROJECT_ROOT / source).is_file(), f"{name} mounts missing {source}"
    worker = services["airflow-worker"]
    assert worker["environment"]["COMPLIANCE_DB_URL"].startswith("postgresql+psycopg://")
    assert worker["env_file"] == ".env"
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "apache/airflow:3." in (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_compose_file_is_valid_against_the_compose_specification(reference_dir: Path) -> None:
    schema = json.loads((reference_dir / "compose" / "compose-spec.json").read_text(encoding="utf-8"))
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == []


def test_the_validator_refuses_a_broken_compose_file(reference_dir: Path) -> None:
    """The schema check above can fail: a misspelt key and a wrong type are caught."""
    schema = json.loads((reference_dir / "compose" / "compose-spec.json").read_text(encoding="utf-8"))
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    compose["services"]["redis"]["restrat"] = "always"
    compose["services"]["postgres"]["ports"] = "5432"
    messages = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(compose)]
    assert any("restrat" in m for m in messages) and any("5432" in m for m in messages)


@pytest.mark.slow
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    """Debian's docker-compose reads the file as an engine would (no engine needed for ``config``)."""
    need_tool(None if shutil.which("docker-compose") else "docker-compose is not installed")
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "postgres-init.sh", tmp_path / "scripts")
    done = subprocess.run(["docker-compose", "config"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    worker = resolved["services"]["airflow-worker"]
    assert worker["environment"]["COMPLIANCE_DB_URL"] == "postgresql+psycopg://compliance:change-me-too@postgres/compliance"
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    broken = (
        (tmp_path / "docker-compose.yml")
        .read_text(encoding="utf-8")
        .replace("    command: celery worker\n", "    command: [celery\n")
    )
    (tmp_path / "docker-compose.yml").write_text(broken, encoding="utf-8")
    refused = subprocess.run(["docker-compose", "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0


def test_the_image_leaves_secrets_and_local_data_out() -> None:
    ignored = (PROJECT_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "var", "inbox", "reports", ".git"} <= set(ignored)
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "libpango-1.0-0" in dockerfile  # PDFs in the workers
