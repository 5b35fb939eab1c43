"""Driver-level bulk inserts store exactly what SQLAlchemy's own INSERT stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, create_engine, insert, select, text

from compliance.base.errors import SettingsError
from compliance.store.db import ids_by_key, insert_rows, json_text, make_engine, migrate_database, session_scope
from compliance.store.models import Invoice, InvoiceLine, SourceFile

POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.slow])])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)")
        url = POSTGRES_URL
        engine = make_engine(url)
        with engine.begin() as connection:  # start from an empty database
            metadata = MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'bulk.sqlite'}"
    migrate_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def source_row(digest: str) -> dict[str, Any]:
    return {
        "sha256": digest,
        "path": f"/inbox/{digest}.xml",
        "size_bytes": 10,
        "kind": "invoice",
        "format": "oioubl-2.1",
        "status": "ingested",
        "first_seen_at": NOW,
    }


def line_row(invoice_id: int, position: int) -> dict[str, Any]:
    """A line with every kind of column: exact decimals, a date, JSON lists, empty and None values."""
    return {
        "invoice_id": invoice_id,
        "position": position,
        "line_id": "7",
        "quantity": Decimal("-1.10"),
        "unit_code": "EA",
        "line_amount": Decimal("12345678901234.5600"),
        "name": "Kørsel med grønt køretøj",
        "description": None,
        "seller_item_id": "KOERSEL-GROEN",
        "standard_item_id": None,
        "classification_codes": [{"code": "78102203", "list_id": "UNSPSC"}],
        "labels": [],
        "properties": [{"name": "Registreringsnummer", "value": "EC 41 208"}],
        "notes": [],
        "delivery_date": date(2025, 6, 3),
        "allowance_charges": None,
        "source_line": 42,
        "path": "/Invoice/cac:InvoiceLine[2]",
    }


def stored_line(engine: Engine, position: int) -> dict[str, Any]:
    with session_scope(engine) as session:
        line = session.scalars(select(InvoiceLine).where(InvoiceLine.position == position)).one()
        return {column: getattr(line, column) for column in line_row(0, 0) if column not in ("invoice_id", "position")}


def test_insert_rows_stores_what_sqlalchemys_insert_stores(database: Engine) -> None:
    with session_scope(database) as session:
        connection = session.connection()
        insert_rows(connection, SourceFile, [source_row("a")])
        source_id = ids_by_key(connection, SourceFile, "sha256", ["a"])["a"]
        invoice_id = session.scalars(
            insert(Invoice).returning(Invoice.id),
            [
                {
                    "source_file_id": source_id,
                    "document_type": "invoice",
                    "format": "oioubl-2.1",
                    "number": "1",
                    "issue_date": date(2025, 6, 15),
                    "supplier_key": "38451236",
                    "contract_references": ["KK-2024-0117"],
                }
            ],
        ).one()
        session.execute(insert(InvoiceLine), [line_row(invoice_id, 1)])
        insert_rows(connection, InvoiceLine, [line_row(invoice_id, 2)])
    by_sqlalchemy, by_driver = stored_line(database, 1), stored_line(database, 2)
    assert by_driver == by_sqlalchemy
    assert by_driver["quantity"] == Decimal("-1.10") and str(by_driver["quantity"]) == "-1.10"  # exact, not a float
    assert by_driver["delivery_date"] == date(2025, 6, 3)
    assert by_driver["properties"] == [{"name": "Registreringsnummer", "value": "EC 41 208"}] and by_driver["labels"] == []
    with session_scope(database) as session:
        source = session.get(SourceFile, source_id)
        assert source is not None and source.first_seen_at.replace(tzinfo=UTC) == NOW


def test_ids_by_key_finds_every_row_across_chunks(database: Engine) -> None:
    digests = [f"file-{index:04d}" for index in range(2100)]
    with session_scope(database) as session:
        insert_rows(session.connection(), SourceFile, [source_row(digest) for digest in digests])
        ids = ids_by_key(session.connection(), SourceFile, "sha256", digests, chunk=900)
        by_orm = {digest: source_id for digest, source_id in session.execute(select(SourceFile.sha256, SourceFile.id))}
    assert len(ids) == 2100 and ids == by_orm


def test_insert_rows_refuses_a_row_without_a_column_the_first_row_has(database: Engine) -> None:
    incomplete = source_row("b")
    del incomplete["format"]
    with pytest.raises(KeyError, match="format"), session_scope(database) as session:
        insert_rows(session.connection(), SourceFile, [source_row("a"), incomplete])
    with session_scope(database) as session:
        assert session.scalars(select(SourceFile)).all() == []  # nothing half-written


def test_insert_rows_names_a_parameter_style_it_cannot_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'named.sqlite'}"
    migrate_database(url)
    engine = create_engine(url, paramstyle="named")
    with pytest.raises(SettingsError) as caught, engine.begin() as connection:
        insert_rows(connection, SourceFile, [source_row("a")])
    assert "'named' style" in str(caught.value) and "COMPLIANCE_DB_URL" in str(caught.value)
    engine.dispose()


@pytest.mark.parametrize(
    "value",
    [
        [],
        ["KK-2024-0117", 'Rammeaftale ø/æ/å "citat" \\ tab\t'],
        {"net": "100.00", "tax": "25.00", "payable": None},
        [{"code": "Svanemærket", "known": True, "type1": False, "licence": None, "count": 3, "share": 0.5}],
        {"nested": {"empty": [], "list": [1, 2.25, -3]}},
        "a text alone",
        None,
    ],
)
def test_json_columns_are_written_exactly_as_json_dumps_writes_them(value: Any) -> None:
    """json_text reuses the C encoder instead of building one per value: the text must not change, since stored
    JSON is compared with what earlier runs wrote (finding keys, quality records)."""
    assert json_text(value) == json.dumps(value)


def test_json_text_refuses_what_json_dumps_refuses() -> None:
    with pytest.raises(TypeError):
        json_text({"amount": Decimal("1.00")})
