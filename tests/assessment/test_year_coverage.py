"""A contract year is judged on all its evidence: Euro 6 over the whole year, silent months and
unrecognised trip lines reported (handbook §2.1, §2.6; issue 17 items 3 and 4).

The sample transport invoices name a Euro 5 truck (TR 75 021) every month; the contract is written
out inline (``tests.builders``), never read from contracts/.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from compliance.assessment.contract_year import run_checks
from compliance.assessment.trip_lines import count_trips, windows_of
from compliance.checks.completeness import RULE_SILENT_MONTHS, RULE_UNRECOGNISED_TRIP_LINE
from compliance.checks.euro_norm import RULE_NOT_EURO6
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import Finding
from tests.builders import green_vehicle_terms, transport_contract
from tests.conftest import SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]

MAX = 5 * 1024 * 1024
TRANSPORT_INBOX = SAMPLE_DIR / "transport"


def _findings(engine: Engine, rule_id: str) -> list[Finding]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Finding).where(Finding.rule_id == rule_id).order_by(Finding.contract_year)).all()
        session.expunge_all()
        return list(rows)


def test_a_euro5_truck_used_only_in_the_transition_months_is_reported(engine: Engine, tmp_path: Path) -> None:
    """§2.6 has no transition: year 1's first three months (cut from the §2.1 share) still count for Euro 6."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("GB-202401.xml", "GB-202402.xml", "GB-202403.xml", "koeretoejer.csv"):
        shutil.copy(TRANSPORT_INBOX / name, inbox / name)
    ingest_paths(engine, [inbox], MAX)
    run_checks(engine, [transport_contract()], as_of=date(2025, 2, 15))
    findings = _findings(engine, RULE_NOT_EURO6)
    assert [(f.contract_year, f.evidence["registration"], f.received) for f in findings] == [(1, "TR75021", "Euro 5")]


def test_silent_months_of_a_running_and_an_ended_year(engine: Engine) -> None:
    """The sample invoices stop after December 2025: year 3 (2026) is silent. As of 25 November 2026 the
    months due (ended more than 30 days ago) are January–September; once the year has ended, all twelve."""
    ingest_paths(engine, [TRANSPORT_INBOX], MAX)
    contracts = [transport_contract()]
    run_checks(engine, contracts, as_of=date(2026, 11, 25))
    running = _findings(engine, RULE_SILENT_MONTHS)
    assert [(f.contract_year, f.severity, f.evidence["months"]) for f in running] == [
        (3, "medium", [f"2026-{month:02d}" for month in range(1, 10)])
    ]
    assert running[0].message == (
        "No invoice for 9 month(s) of contract year 3: 2026-01, 2026-02, 2026-03, 2026-04, 2026-05, 2026-06, "
        "2026-07, 2026-08, 2026-09"
    )
    run_checks(engine, contracts, as_of=date(2028, 2, 1))
    ended = _findings(engine, RULE_SILENT_MONTHS)
    assert [(f.contract_year, f.severity, len(f.evidence["months"])) for f in ended] == [(3, "high", 12), (4, "high", 12)]
    assert ended[0].fingerprint == running[0].fingerprint  # one finding per year: more silent months keep its identity


def test_a_transport_line_matching_neither_pattern_is_listed_not_dropped(engine: Engine, tmp_path: Path) -> None:
    """A conventional trip line relabelled with another item id leaves the count; it must not leave unseen."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (TRANSPORT_INBOX / "GB-202502.xml").read_text(encoding="utf-8")
    (inbox / "GB-202502.xml").write_text(text.replace("KOERSEL-KONV", "KOERSEL-EKSPRES", 1), encoding="utf-8")
    ingest_paths(engine, [inbox], MAX)
    contracts = [transport_contract()]
    run_checks(engine, contracts, as_of=date(2025, 3, 20))
    findings = _findings(engine, RULE_UNRECOGNISED_TRIP_LINE)
    assert [(f.contract_year, f.severity, f.evidence["invoice"]) for f in findings] == [(2, "medium", "GB-202502")]
    assert "is neither a green nor a conventional trip line and is not counted" in findings[0].message
    assert findings[0].location is not None
    # A contract that lists the item as no trip (a fee, a surcharge) is not told about it again.
    trip_lines = green_vehicle_terms()["trip_lines"] | {"not_trips": {"seller_item_ids": ["KOERSEL-EKSPRES"]}}
    fee_aware = [transport_contract(green_vehicles=green_vehicle_terms(trip_lines=trip_lines))]
    run_checks(engine, fee_aware, as_of=date(2025, 3, 20))
    assert _findings(engine, RULE_UNRECOGNISED_TRIP_LINE) == []
    with session_scope(engine) as session:
        assert ("KK-2024-0117", 2) in count_trips(session, windows_of(fee_aware, date(2025, 3, 20)))
