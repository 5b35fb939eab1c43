"""Migration 0010: findings stored with the message in their identity get the new identity, and no
supplier's notice deadline moves and no notice is sent again because of it."""

from __future__ import annotations

import hashlib
import json
import socket
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from compliance.base.settings import Settings
from compliance.pipeline import check_contracts, ingest_files, initialise_database, send_supplier_notices, write_supplier_notices
from compliance.reports.notices import SmtpSettings
from compliance.reports.pdf import pdf_available
from compliance.store.db import alembic_config, make_engine
from tests.conftest import need_tool
from tests.test_postgres import POSTGRES_URL, empty_database

pytestmark = [pytest.mark.slow, pytest.mark.integration]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# KK-2024-0117's year 2 (2025) is running and heading short: an early warning whose text holds the run date.
FIRST_RUN = date(2025, 10, 15)
NEXT_RUN = date(2025, 10, 16)


def _old_fingerprint(row: Any) -> str:
    """How revision 0009's code identified a finding: its English message was part of it."""
    key = [row.rule_id, row.contract_id, row.contract_year, row.source_file_id, row.location, row.message]
    return hashlib.sha256(json.dumps(key, default=str).encode()).hexdigest()


def _notice_hash(fingerprints: list[str], penalty: str) -> str:
    digest = hashlib.sha256()
    for fingerprint in sorted(fingerprints):
        digest.update(fingerprint.encode())
    digest.update(penalty.encode())
    return digest.hexdigest()


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)))


def _notices(engine: Engine) -> dict[tuple[str, int], tuple[int, date, str]]:
    rows = _rows(
        engine, "SELECT id, contract_id, contract_year, deadline, content_sha256 FROM notice WHERE kind = 'discrepancies'"
    )
    return {(r.contract_id, r.contract_year): (r.id, date.fromisoformat(str(r.deadline)), r.content_sha256) for r in rows}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_findings_and_sent_notices_from_before_keep_their_deadlines_and_are_not_sent_again(
    settings: Settings, backend: str
) -> None:
    need_tool(pdf_available())  # delivery attaches the PDF
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)")
        empty_database(POSTGRES_URL)
        settings = replace(settings, db_url=POSTGRES_URL)
    initialise_database(settings)
    ingest_files(settings)
    check_contracts(settings, as_of=FIRST_RUN)
    recipients = {n.notice_id: n.recipient for n in write_supplier_notices(settings, today=FIRST_RUN)}
    engine = make_engine(settings.db_url)
    identities = {r.fingerprint for r in _rows(engine, "SELECT fingerprint FROM finding")}
    notices = _notices(engine)
    assert len(notices) == 3 and all(recipients.values())  # KK-2025-0042's year 2 has not started
    with engine.begin() as connection:  # every notice was e-mailed, as deliver_notices records it
        for notice_id, _, content in notices.values():
            connection.execute(
                text(
                    "INSERT INTO notice_delivery (notice_id, attempted_at, recipient, sender, smtp_host, message_id, "
                    "attachment_name, attachment_sha256, content_sha256, status) VALUES (:id, :at, :to, 'indkob@kk.example', "
                    "'mail:587', '<m@kk.example>', 'notice.pdf', :sha, :content, 'sent')"
                ),
                {"id": notice_id, "at": "2025-10-15 12:00:00.000000", "to": recipients[notice_id], "sha": "0" * 64,
                 "content": content},
            )  # fmt: skip

    # The database as revision 0009's code leaves it: fingerprints and notice contents over the message text.
    command.downgrade(alembic_config(settings.db_url), "0009")
    assert {"subject", "message_key", "message_params"}.isdisjoint(c["name"] for c in inspect(engine).get_columns("finding"))
    findings = _rows(engine, "SELECT * FROM finding")
    assert all(row.fingerprint == _old_fingerprint(row) for row in findings)
    warnings = [row for row in findings if row.rule_id == "green_vehicles.early_warning@1"]
    assert len(warnings) == 1 and "– 2025-10-15)" in warnings[0].message  # the old identity held the run date
    penalties = {
        (r.contract_id, r.contract_year): r.penalty_total
        for r in _rows(engine, "SELECT * FROM assessment WHERE rule_id = 'green_vehicles.share@1' AND status = 'short'")
    }
    old_notices = _notices(engine)
    for (contract_id, year), (_, deadline, content) in old_notices.items():
        held = [r.fingerprint for r in findings if (r.contract_id, r.contract_year) == (contract_id, year)]
        assert content == _notice_hash(held, str(penalties.get((contract_id, year))))
        assert deadline == notices[(contract_id, year)][1]
    deliveries = {r.notice_id: r.content_sha256 for r in _rows(engine, "SELECT * FROM notice_delivery")}
    assert deliveries == {notice_id: content for notice_id, _, content in old_notices.values()}

    # Upgrade: the identities the checks give now, and the notices' contents over them.
    command.upgrade(alembic_config(settings.db_url), "head")
    assert {r.fingerprint for r in _rows(engine, "SELECT fingerprint FROM finding")} == identities
    assert _notices(engine) == notices
    deliveries = {r.notice_id: r.content_sha256 for r in _rows(engine, "SELECT * FROM notice_delivery")}
    assert deliveries == {notice_id: content for notice_id, _, content in notices.values()}
    assert {r.message_key for r in _rows(engine, "SELECT message_key FROM finding")} == {"legacy.recorded_text"}

    # The next day's run: the early warning's text says the new date, but it is the same finding, the
    # notices keep their identity and deadline, and none is sent again.
    check_contracts(settings, as_of=NEXT_RUN)
    written = write_supplier_notices(settings, today=NEXT_RUN)
    findings = _rows(engine, "SELECT * FROM finding")
    assert {r.fingerprint for r in findings} == identities
    warning = next(r for r in findings if r.rule_id == "green_vehicles.early_warning@1")
    assert "– 2025-10-16)" in warning.message and warning.message_key == "green_vehicles.early_warning"
    assert warning.created_at == warnings[0].created_at  # the same row, first seen on the first run
    assert _notices(engine) == notices
    assert {(n.contract_id, n.contract_year): (n.notice_id, n.deadline, n.content_sha256) for n in written} == notices
    assert {deadline - FIRST_RUN for _, deadline, _ in notices.values()} == {timedelta(days=14), timedelta(days=21)}
    smtp = SmtpSettings(host="127.0.0.1", port=_closed_port(), sender="indkob@kk.example", starttls=False, timeout_seconds=2)
    outcomes = send_supplier_notices(settings, written, smtp=smtp)
    assert [o.outcome for o in outcomes] == ["already_sent"] * 3
    engine.dispose()


def _insert_finding(connection: Any, **values: Any) -> None:
    row = {
        "severity": "medium",
        "contract_id": "T-1",
        "contract_year": 2,
        "supplier_cvr": "12345678",
        "expected": None,
        "received": None,
        "source_file_id": None,
        "location": None,
        "evidence": "{}",
        "created_at": "2025-10-01 08:00:00.000000",
        **values,
    }
    row["fingerprint"] = _old_fingerprint(type("Row", (), row)())
    connection.execute(
        text(
            "INSERT INTO finding (fingerprint, rule_id, severity, contract_id, contract_year, supplier_cvr, message, expected, "
            "received, source_file_id, location, evidence, created_at) VALUES (:fingerprint, :rule_id, :severity, "
            ":contract_id, :contract_year, :supplier_cvr, :message, :expected, :received, :source_file_id, :location, "
            ":evidence, :created_at)"
        ),
        row,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_findings_that_differed_only_in_wording_become_one_and_stale_notices_keep_their_content(
    tmp_path: Any, backend: str
) -> None:
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)")
        db_url = POSTGRES_URL
        empty_database(db_url)
    else:
        db_url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    command.upgrade(alembic_config(db_url), "0009")
    engine = make_engine(db_url)
    mismatch = {"rule_id": "green_vehicles.log_mismatch@1", "evidence": json.dumps({"month": "2025-09"})}
    with engine.begin() as connection:
        # Revision 0009 kept one finding per text: the same month, reported with other figures by a later run.
        _insert_finding(
            connection, **mismatch, message="2025-09: 95 trips invoiced, 104 trips in the driving logs (tolerance 5 %)"
        )
        _insert_finding(
            connection, **mismatch, message="2025-09: 96 trips invoiced, 104 trips in the driving logs (tolerance 5 %)",
            created_at="2025-10-02 08:00:00.000000",
        )  # fmt: skip
        _insert_finding(connection, rule_id="retired.rule@1", message="a rule this version no longer has", contract_year=3)
        current = _notice_hash(
            [r.fingerprint for r in connection.execute(text("SELECT * FROM finding WHERE contract_year = 2"))], "None"
        )
        for year, content in ((2, current), (3, "f" * 64)):  # year 3's letter is out of date with its findings
            connection.execute(
                text(
                    "INSERT INTO notice (contract_id, contract_year, supplier_cvr, kind, status, deadline, created_at, "
                    "content_sha256) VALUES ('T-1', :year, '12345678', 'discrepancies', 'sent', '2025-10-15', :at, :content)"
                ),
                {"year": year, "at": "2025-10-01 08:00:00.000000", "content": content},
            )
    command.upgrade(alembic_config(db_url), "head")
    rows = _rows(engine, "SELECT * FROM finding ORDER BY contract_year")
    assert [(r.rule_id, r.subject) for r in rows] == [
        ("green_vehicles.log_mismatch@1", '{"month":"2025-09"}'),
        ("retired.rule@1", '{"message":"a rule this version no longer has"}'),
    ]
    assert "95 trips invoiced" in rows[0].message  # the first seen is kept
    params = rows[0].message_params if isinstance(rows[0].message_params, dict) else json.loads(rows[0].message_params)
    assert (rows[0].message_key, params) == ("legacy.recorded_text", {"text": rows[0].message})
    expected_fingerprint = hashlib.sha256(
        json.dumps(["green_vehicles.log_mismatch@1", "T-1", 2, None, None, '{"month":"2025-09"}']).encode()
    ).hexdigest()
    assert rows[0].fingerprint == expected_fingerprint
    contents = {r.contract_year: r.content_sha256 for r in _rows(engine, "SELECT * FROM notice")}
    assert contents == {2: _notice_hash([expected_fingerprint], "None"), 3: "f" * 64}
    # Downgrading gives revision 0009's identities back (one per text again, for the finding that is left).
    command.downgrade(alembic_config(db_url), "0009")
    rows = _rows(engine, "SELECT * FROM finding ORDER BY contract_year")
    assert [row.fingerprint == _old_fingerprint(row) for row in rows] == [True, True]
    assert {r.contract_year: r.content_sha256 for r in _rows(engine, "SELECT * FROM notice")} == {
        2: _notice_hash([rows[0].fingerprint], "None"),
        3: "f" * 64,
    }
    engine.dispose()
