"""Stored trip lines: read once per rules version, never twice, and counted by SQL exactly as line by line.

These need the database (the trip-line store and its SQL aggregation), so they ingest the sample
transport invoices; the contract is written out inline (``tests.builders``), never read from contracts/.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from compliance.assessment.contract_year import run_checks
from compliance.assessment.trip_lines import count_trips, counted_trip_lines, windows_of
from compliance.intake.batch import ingest_paths
from compliance.store.db import session_scope
from compliance.store.models import Finding, TripLine, TripLineScan
from tests.builders import green_vehicle_terms, transport_contract
from tests.conftest import SAMPLE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.integration]

AS_OF = date(2026, 11, 22)
MAX = 5 * 1024 * 1024
TRANSPORT_INBOX = SAMPLE_DIR / "transport"


def _rows(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(TripLine)) or 0,
            session.scalar(select(func.count()).select_from(TripLineScan)) or 0,
        )


def test_sql_counts_equal_the_line_by_line_sums_for_every_window(engine: Engine) -> None:
    ingest_paths(engine, [TRANSPORT_INBOX], MAX)
    contracts = [transport_contract()]
    run_checks(engine, contracts, as_of=AS_OF)
    with session_scope(engine) as session:
        windows = windows_of(contracts, AS_OF)
        counts = count_trips(session, windows)
        assert [(w.contract_id, w.year) for w in windows] == [("KK-2024-0117", 1), ("KK-2024-0117", 2), ("KK-2024-0117", 3)]
        for window in windows:
            lines = counted_trip_lines(session, window.contract_id, window.start, window.end)
            count = counts.get((window.contract_id, window.year))
            green = sum((line.trips for line in lines if line.kind == "green"), Decimal(0))
            conventional = sum((line.trips for line in lines if line.kind == "conventional"), Decimal(0))
            counted = (count.green, count.conventional) if count else (Decimal(0), Decimal(0))
            assert counted == (green, conventional) and (count is not None) == bool(lines)
        # June 2025's two green lines naming the diesel van DX18336 (4 trips each) count as conventional.
        assert (counts[("KK-2024-0117", 2)].green, counts[("KK-2024-0117", 2)].conventional) == (Decimal(488), Decimal(541))


def test_invoices_are_read_once_and_again_only_when_the_rules_change(engine: Engine) -> None:
    ingest_paths(engine, [TRANSPORT_INBOX], MAX)
    contracts = [transport_contract()]
    run_checks(engine, contracts, as_of=AS_OF)
    first = _rows(engine)
    assert first[1] == 25  # 24 monthly invoices and the credit note
    with session_scope(engine) as session:
        before = dict(session.execute(select(TripLine.stated_kind, func.count()).group_by(TripLine.stated_kind)).all())
    assert sum(before.values()) == first[0] and before["green"] > 0
    run_checks(engine, contracts, as_of=AS_OF)
    assert _rows(engine) == first
    # The contract stops counting the green line by its item id: every invoice is read again.
    trip_lines = green_vehicle_terms()["trip_lines"] | {"green": {"seller_item_ids": ["NO-SUCH-ITEM"]}}
    changed = [transport_contract(green_vehicles=green_vehicle_terms(trip_lines=trip_lines))]
    run_checks(engine, changed, as_of=AS_OF)
    with session_scope(engine) as session:
        kinds = dict(session.execute(select(TripLine.kind, func.count()).group_by(TripLine.kind)).all())
        assert kinds == {"conventional": before["conventional"]}  # the green lines are no trip lines now; none kept
        assert session.scalar(select(func.count()).select_from(TripLineScan)) == 25


def test_a_quantity_that_is_no_number_of_trips_is_reported_not_counted(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (TRANSPORT_INBOX / "GB-202501.xml").read_text(encoding="utf-8")
    first_quantity = text.index("<cbc:InvoicedQuantity")
    end = text.index("</cbc:InvoicedQuantity>", first_quantity)
    start = text.index(">", first_quantity) + 1
    (inbox / "GB-202501.xml").write_text(text[:start] + "12.0005" + text[end:], encoding="utf-8")
    ingest_paths(engine, [inbox], MAX)
    contracts = [transport_contract()]
    run_checks(engine, contracts, as_of=AS_OF)
    with session_scope(engine) as session:
        messages = session.scalars(select(Finding.message).where(Finding.rule_id == "green_vehicles.ambiguous_trip_line@1")).all()
        assert len(messages) == 1 and "12.0005 is not a number of trips" in messages[0]
        count = count_trips(session, windows_of(contracts, AS_OF))[("KK-2024-0117", 2)]
        assert count.not_counted_lines == 1
