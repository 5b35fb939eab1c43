"""docker-compose.yml and the Dockerfile are consistent with the project (no Docker engine here)."""

from __future__ import annotations

from typing import Any

import yaml

from compliance.settings import PROJECT_ROOT


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
