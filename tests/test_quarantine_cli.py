"""`compliance quarantine list | release | dismiss` (issue 20): the data team acts on quarantined files,
with a reason, and every action is recorded with who and when."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from compliance.base.settings import load_settings
from compliance.cli import main
from compliance.store.db import make_engine, session_scope
from compliance.store.models import QuarantineAction, SourceFile
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    monkeypatch.setenv("COMPLIANCE_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(CONTRACTS_DIR))
    monkeypatch.setenv("COMPLIANCE_USER", "data-team-anna")
    folder = tmp_path / "inbox" / "invoices"
    folder.mkdir(parents=True)
    (folder / "bad.xml").write_text("<Invoice>", encoding="utf-8")
    (folder / "worse.xml").write_text("<Invoice><", encoding="utf-8")
    (folder / "GB-202401.xml").write_bytes((SAMPLE_DIR / "transport" / "GB-202401.xml").read_bytes())
    return folder


pytestmark = [pytest.mark.slow, pytest.mark.integration]  # the watcher's ingest imports Great Expectations


def _ids(output: str) -> dict[str, int]:
    return {line.split("\t")[2].rsplit("/", 1)[-1]: int(line.split("\t")[0]) for line in output.splitlines() if "\t" in line}


def _watch() -> None:
    """What the invoices watcher does every 15 minutes."""
    from compliance.pipeline import ingest_inbox_folder, initialise_database

    settings = load_settings()
    initialise_database(settings)
    ingest_inbox_folder(settings, "invoices")


def test_list_release_and_dismiss_quarantined_files(inbox: Path) -> None:
    runner = CliRunner()
    _watch()
    listed = runner.invoke(main, ["quarantine", "list"])
    assert listed.exit_code == 0, listed.output
    ids = _ids(listed.output)
    assert sorted(ids) == ["bad.xml", "worse.xml"]
    assert "i karantæne" in listed.output

    refused = runner.invoke(main, ["quarantine", "dismiss", str(ids["bad.xml"]), "--reason", "  "])
    assert refused.exit_code != 0 and "Fejl: der skal angives en begrundelse" in refused.output
    unknown = runner.invoke(main, ["quarantine", "release", "99999", "--reason", "x"])
    assert (
        unknown.exit_code != 0
        and "Fejl: fil 99999 findes ikke (forventet: et id fra `compliance quarantine list`)" in unknown.output
    )

    dismissed = runner.invoke(
        main, ["quarantine", "dismiss", str(ids["worse.xml"]), "--reason", "supplier sends a corrected file"]
    )
    assert dismissed.exit_code == 0, dismissed.output
    assert sorted(_ids(runner.invoke(main, ["quarantine", "list"]).output)) == ["bad.xml"]  # dismissed: no longer open
    everything = runner.invoke(main, ["quarantine", "list", "--all"]).output
    assert "afvis af data-team-anna" in everything and "supplier sends a corrected file" in everything

    # Released: the watcher, which skips files seen unchanged, reads it again; fixed meanwhile, it is stored.
    released = runner.invoke(main, ["quarantine", "release", str(ids["bad.xml"]), "--reason", "fixed by hand", "--by", "bo"])
    assert released.exit_code == 0 and "næste indlæsning læser den igen" in released.output
    twice = runner.invoke(main, ["quarantine", "release", str(ids["bad.xml"]), "--reason", "again"])
    assert twice.exit_code != 0 and "er frigivet, ikke i karantæne" in twice.output
    _watch()
    assert "bad.xml" in runner.invoke(main, ["quarantine", "list"]).output  # read again, still broken: open again

    engine = make_engine(load_settings().db_url)
    with session_scope(engine) as session:
        actions = [
            (a.action, a.actor, a.reason, a.source_file_id)
            for a in session.scalars(select(QuarantineAction).order_by(QuarantineAction.id))
        ]
        statuses = {row.path.rsplit("/", 1)[-1]: row.status for row in session.scalars(select(SourceFile))}
    engine.dispose()
    assert actions == [
        ("dismiss", "data-team-anna", "supplier sends a corrected file", ids["worse.xml"]),
        ("release", "bo", "fixed by hand", ids["bad.xml"]),
    ]
    assert statuses == {"bad.xml": "quarantined", "worse.xml": "quarantined", "GB-202401.xml": "ingested"}
