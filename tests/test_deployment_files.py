"""docker-compose.yml and the Dockerfile are consistent with the project (no Docker engine here)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tomllib
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
    refused_without_secrets = subprocess.run(
        ["docker-compose", "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert refused_without_secrets.returncode != 0 and "AIRFLOW_JWT_SECRET" in refused_without_secrets.stderr
    generated = subprocess.run(["bash", "-c", generate_secrets_line()], capture_output=True, text=True, timeout=60, check=True)
    with (tmp_path / ".env").open("a", encoding="utf-8") as env:
        env.write(generated.stdout)
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "postgres-init.sh", tmp_path / "scripts")
    done = subprocess.run(["docker-compose", "config"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    worker = resolved["services"]["airflow-worker"]
    assert worker["environment"]["COMPLIANCE_DB_URL"] == "postgresql+psycopg://compliance:change-me-too@postgres/compliance"
    assert worker["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    secrets = dict(line.split("=", 1) for line in generated.stdout.splitlines())
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        environment = resolved["services"][name]["environment"]
        assert environment["AIRFLOW__API_AUTH__JWT_SECRET"] == secrets["AIRFLOW_JWT_SECRET"]
        assert environment["AIRFLOW__API__SECRET_KEY"] == secrets["AIRFLOW_API_SECRET_KEY"]
        assert environment["AIRFLOW__CORE__FERNET_KEY"] == secrets["AIRFLOW_FERNET_KEY"]
        assert resolved["services"][name]["user"] == "50000:0"
    # The api-server adds the admin password to the common settings, it does not replace them.
    api_server = resolved["services"]["airflow-apiserver"]["environment"]
    assert api_server["AIRFLOW_ADMIN_PASSWORD"] == secrets["AIRFLOW_ADMIN_PASSWORD"]
    assert api_server["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert resolved["services"]["airflow-init"]["user"] == "0:0"
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


def generate_secrets_line() -> str:
    """The README's one line that appends the shared Airflow secrets to .env (without ``>> .env``)."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in readme.splitlines() if "AIRFLOW_FERNET_KEY" in line and ">> .env" in line]
    assert len(lines) == 1, "the README shows one line that generates the Airflow secrets into .env"
    return lines[0].removesuffix(">> .env").strip()


def test_the_readme_line_generates_every_shared_secret_and_a_valid_fernet_key() -> None:
    done = subprocess.run(["bash", "-c", generate_secrets_line()], capture_output=True, text=True, timeout=60, check=True)
    secrets = dict(line.split("=", 1) for line in done.stdout.splitlines())
    assert set(secrets) == {"AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_FERNET_KEY", "AIRFLOW_ADMIN_PASSWORD"}
    assert all(len(value) >= 16 for value in secrets.values())
    assert len(base64.urlsafe_b64decode(secrets["AIRFLOW_FERNET_KEY"])) == 32  # what Fernet requires


def test_every_airflow_service_shares_the_secrets_runs_as_the_host_user_and_keeps_its_logs() -> None:
    """Issue 20: per-container secrets failed every task; root-owned folders stopped the init; no logs volume."""
    compose: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    common = compose["x-airflow-common"]
    assert common["user"] == "${AIRFLOW_UID:-50000}:0"
    for variable in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
        assert common["environment"][variable].startswith("${AIRFLOW_"), variable
        assert ":?" in common["environment"][variable], f"{variable} must be required, never generated per container"
    assert "./logs:/opt/airflow/logs" in common["volumes"]
    init = compose["services"]["airflow-init"]
    script = " ".join(init["command"])
    assert init["user"] == "0:0" and 'chown -R "${AIRFLOW_UID:-50000}:0"' in script
    assert script.index("compliance init") < script.index("chown")  # the folders init creates are handed over too
    assert "AIRFLOW_ADMIN_PASSWORD" in " ".join(compose["services"]["airflow-apiserver"]["command"])
    assert "AIRFLOW_UID" in (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")


def test_the_lock_and_the_image_carry_the_production_dependencies() -> None:
    """Issue 20: no Celery, Redis or psycopg2 in the image, so `airflow celery worker` and `airflow db check` failed."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    production = project["dependency-groups"]["production"]
    names = {requirement.split("==")[0] for requirement in production}
    assert {
        "apache-airflow-providers-celery",
        "apache-airflow-providers-postgres",
        "apache-airflow-providers-redis",
        "celery",
        "redis",
        "psycopg2-binary",
        "asyncpg",
    } <= names
    assert all("==" in requirement for requirement in production), "production dependencies are pinned"
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {package["name"]: package["version"] for package in lock["package"]}
    for requirement in production:
        name, version = requirement.split("==")
        assert locked.get(name) == version, f"{name} is not locked at {version}: run uv lock"
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "uv export --frozen --no-dev --group production" in dockerfile
    assert "uv build --wheel" in dockerfile and "--no-deps /tmp/dist/*.whl" in dockerfile
