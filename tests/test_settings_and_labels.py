"""Settings from the environment and the shared label vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.base import settings as settings_module
from compliance.base.errors import SettingsError
from compliance.base.settings import PROJECT_ROOT, load_settings
from compliance.labels import normalise_label


def test_defaults_make_a_fresh_clone_work(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "COMPLIANCE_DB_URL",
        "COMPLIANCE_VAR_DIR",
        "COMPLIANCE_INBOX",
        "COMPLIANCE_CONTRACTS_DIR",
        "COMPLIANCE_REPORTS_DIR",
        "COMPLIANCE_MAX_FILE_MB",
        "COMPLIANCE_INGEST_BATCH_FILES",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.db_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'compliance.sqlite'}"
    assert settings.inbox == PROJECT_ROOT / "sample_invoices"
    assert settings.contracts_dir == PROJECT_ROOT / "contracts"
    assert settings.reports_dir == PROJECT_ROOT / "var" / "reports"
    assert settings.max_file_bytes == 50 * 1024 * 1024
    assert settings.ingest_batch_files == 2000


def test_installed_outside_a_checkout_the_default_folders_are_under_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (
        "COMPLIANCE_DB_URL",
        "COMPLIANCE_VAR_DIR",
        "COMPLIANCE_INBOX",
        "COMPLIANCE_CONTRACTS_DIR",
        "COMPLIANCE_REPORTS_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    site_packages = tmp_path / "site-packages"  # where a wheel puts the package; another project's file is no checkout
    site_packages.mkdir()
    (site_packages / "pyproject.toml").write_text('[project]\nname = "someone-else"\n', encoding="utf-8")
    monkeypatch.setattr(settings_module, "PROJECT_ROOT", site_packages)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert not settings_module.in_source_checkout()
    settings = load_settings()
    assert settings.db_url == f"sqlite:///{work / 'var' / 'compliance.sqlite'}"
    assert (settings.inbox, settings.contracts_dir, settings.reports_dir) == (
        work / "inbox",
        work / "contracts",
        work / "var" / "reports",
    )


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPLIANCE_DB_URL", "postgresql+psycopg://u@127.0.0.1/db")
    monkeypatch.setenv("COMPLIANCE_INBOX", str(tmp_path))
    monkeypatch.setenv("COMPLIANCE_MAX_FILE_MB", "0.5")
    settings = load_settings()
    assert settings.db_url == "postgresql+psycopg://u@127.0.0.1/db"
    assert settings.inbox == tmp_path
    assert settings.max_file_bytes == 512 * 1024
    monkeypatch.setenv("COMPLIANCE_MAX_FILE_MB", "lots")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "COMPLIANCE_MAX_FILE_MB is 'lots'" in str(caught.value) and "megabytes" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "valid"), [("500", True), (" 1 ", True), ("0", False), ("-5", False), ("2k", False), ("", False)]
)
def test_ingest_batch_size_from_the_environment(monkeypatch: pytest.MonkeyPatch, raw: str, valid: bool) -> None:
    monkeypatch.setenv("COMPLIANCE_INGEST_BATCH_FILES", raw)
    if valid:
        assert load_settings().ingest_batch_files == int(raw)
        return
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert f"COMPLIANCE_INGEST_BATCH_FILES is {raw.strip()!r}" in str(caught.value) and "1 or more" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "code", "type1"),
    [
        ("Svanemærket", "SVANEN", True),
        ("NEO", "SVANEN", True),
        ("EU-Blomsten", "EU_ECO_LABEL", True),
        ("eu_eco_label", "EU_ECO_LABEL", True),
        ("TCO Certified", "TCO_DEVELOPMENT", True),
        ("DOM", "DK_ECO", False),
        ("Fairtrade", "FAIR_TRADE_MARK", False),
        ("ENERGY_STAR", "ENERGY_STAR", False),
    ],
)
def test_label_spellings_map_to_one_code(raw: str, code: str, type1: bool) -> None:
    label = normalise_label(raw, "certificate")
    assert label is not None
    assert (label.code, label.type1, label.known, label.raw) == (code, type1, True, raw)


def test_unknown_labels_are_kept_and_placeholders_dropped() -> None:
    unknown = normalise_label("Grønt Punkt 2030", "property")
    assert unknown is not None and (unknown.code, unknown.known, unknown.type1) == ("GRØNT_PUNKT_2030", False, False)
    assert normalise_label("NA", "certificate") is None
    assert normalise_label("  ", "certificate") is None
