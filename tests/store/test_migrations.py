"""The Alembic migrations build exactly the schema the models describe, and decimals stay exact."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from compliance.store.db import session_scope
from compliance.store.models import Base, SourceFile, Trip


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert {
        "source_file",
        "invoice",
        "invoice_line",
        "catalogue_item",
        "trip",
        "vehicle",
        "finding",
        "assessment",
        "notice",
        "contract",
    } <= set(inspect(engine).get_table_names())


def test_decimals_round_trip_without_loss(engine: Engine) -> None:
    with session_scope(engine) as session:
        source = SourceFile(
            sha256="a" * 64, path="x", size_bytes=1, kind="driving_log", status="ingested", first_seen_at=datetime.now(UTC)
        )
        session.add(source)
        session.flush()
        session.add(
            Trip(
                source_file_id=source.id,
                row=2,
                trip_date=datetime(2025, 1, 1).date(),
                distance_km=Decimal("0.1000000000000000055511"),
            )
        )
    with session_scope(engine) as session:
        assert session.scalars(select(Trip.distance_km)).one() == Decimal("0.1000000000000000055511")
