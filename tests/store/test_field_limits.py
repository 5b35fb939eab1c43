"""SQLite ≡ PostgreSQL (issue 16, item 7): field sizes, NUL and control characters are enforced by the
application, so one hostile batch leaves the same rows on both databases.

SQLite stores a 300-character invoice number in a ``VARCHAR(200)`` and a NUL byte; PostgreSQL refuses
both. The application refuses them first: the file is quarantined with its place, the field and what
was expected, whichever database is behind it.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text

from compliance.assessment.hearing import HearingError, propose_penalty, record_comment
from compliance.base.errors import ContractTermsError
from compliance.intake.batch import ingest_paths
from compliance.intake.vehicles import import_dmr
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import Base, SourceFile, Vehicle
from tests.builders import contract
from tests.conftest import SAMPLE_DIR

MAX = 5 * 1024 * 1024
POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")
INVOICE = (SAMPLE_DIR / "transport" / "GB-202506.xml").read_text(encoding="utf-8")
CATALOGUE = (SAMPLE_DIR / "office" / "katalog-2025.xml").read_text(encoding="utf-8")
LOG_HEADER = "trip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr;contract_reference\n"


def hostile_batch(folder: Path) -> dict[str, str]:
    """Files whose values fit SQLite but not the declared column sizes (or hold a NUL), and clean ones
    beside them; returns each hostile file's name and a part of the reason it must be quarantined with."""
    folder.mkdir()
    long_number = "GB-" + "9" * 297
    (folder / "long-number.xml").write_text(INVOICE.replace("<cbc:ID>GB-202506</cbc:ID>", f"<cbc:ID>{long_number}</cbc:ID>"))
    (folder / "long-endpoint.xml").write_text(
        INVOICE.replace("<cbc:ID>GB-202506</cbc:ID>", "<cbc:ID>GB-LONG-ENDPOINT</cbc:ID>").replace(
            '<cbc:EndpointID schemeAgencyID="9" schemeID="GLN">5798000000014</cbc:EndpointID>',
            f'<cbc:EndpointID schemeAgencyID="9" schemeID="GLN">{"5" * 250}</cbc:EndpointID>',
        )
    )
    (folder / "long-item.xml").write_text(
        INVOICE.replace("<cbc:ID>GB-202506</cbc:ID>", "<cbc:ID>GB-LONG-ITEM</cbc:ID>").replace(
            "<cbc:ID>KOERSEL-KONV</cbc:ID>", f"<cbc:ID>{'K' * 201}</cbc:ID>"
        )
    )
    (folder / "long-catalogue-item.xml").write_text(
        CATALOGUE.replace("<cbc:ID>NK-KAT-2025</cbc:ID>", "<cbc:ID>XX-KAT</cbc:ID>").replace(
            "<cbc:ID>KOP-A4-SV</cbc:ID>", f"<cbc:ID>{'A' * 300}</cbc:ID>"
        )
    )
    (folder / "fits.xml").write_text(INVOICE.replace("<cbc:ID>GB-202506</cbc:ID>", f"<cbc:ID>{'F' * 200}</cbc:ID>"))
    (folder / "long-reference.csv").write_text(LOG_HEADER + f"02-06-2025;EC 52 117;;12,0;;38451236;{'R' * 81}\n")
    (folder / "long-fuel.csv").write_text(LOG_HEADER + f"02-06-2025;EC 52 117;;12,0;{'D' * 41};38451236;\n")
    (folder / "nul.csv").write_text(LOG_HEADER + "02-06-2025;EC 52 117;;12,0;HVO\x00100;38451236;\n")
    (folder / "clean.csv").write_text(LOG_HEADER + "03-06-2025;EC 52 117;;12,0;;38451236;KK-2024-0117\n")
    return {
        "long-number.xml": "invoice.number is 300 characters long (expected at most 200 characters",
        "long-endpoint.xml": "invoice.customer_endpoint_id is 250 characters long",
        "long-item.xml": "invoice_line.seller_item_id is 201 characters long",
        "long-catalogue-item.xml": "catalogue_item.seller_item_id is 300 characters long",
        "long-reference.csv": "row 2: trip.contract_reference is 81 characters long (expected at most 80 characters",
        "long-fuel.csv": "row 2: trip.fuel is 41 characters long",
        "nul.csv": "control character U+0000",
    }


def quarantined(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(select(SourceFile.path, SourceFile.quarantine_reason).where(SourceFile.status == "quarantined"))
        return {Path(path).name: reason for path, reason in rows}


def test_a_value_longer_than_its_column_is_quarantined_on_sqlite_too(engine: Engine, tmp_path: Path) -> None:
    expected = hostile_batch(tmp_path / "hostile")
    summary = ingest_paths(engine, [tmp_path / "hostile"], MAX)
    reasons = quarantined(engine)
    assert sorted(reasons) == sorted(expected)
    for name, part in expected.items():
        assert part in reasons[name], reasons[name]
    assert "long-number.xml: document header: invoice.number" in reasons["long-number.xml"]
    assert "long-item.xml: line" in reasons["long-item.xml"]  # the invoice line's place in the file
    assert sorted(Path(name).name for name in summary.ingested) == ["clean.csv", "fits.xml"]


def every_table(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, without the columns that hold the time of the run."""
    engine = make_engine(db_url)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if c.name not in {"seconds"} and not c.type.python_type in (datetime,)  # noqa: E713
            ]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            tables[table.name] = [tuple(_comparable(value) for value in row) for row in rows]
    engine.dispose()
    return tables


def _comparable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _empty(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.mark.skipif(
    not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
)
@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.integration
def test_one_hostile_batch_leaves_the_same_rows_on_sqlite_and_postgresql(engine: Engine, tmp_path: Path) -> None:
    assert POSTGRES_URL is not None
    expected = hostile_batch(tmp_path / "hostile")
    batch = [SAMPLE_DIR, tmp_path / "hostile"]
    ingest_paths(engine, batch, MAX)
    _empty(POSTGRES_URL)
    migrate_database(POSTGRES_URL)
    postgres = make_engine(POSTGRES_URL)
    ingest_paths(postgres, batch, MAX)
    on_postgres = quarantined(postgres)
    postgres.dispose()
    assert sorted(on_postgres) == sorted(expected) == sorted(quarantined(engine))
    sqlite_tables = every_table(str(engine.url))
    postgres_tables = every_table(POSTGRES_URL)
    for name, rows in sqlite_tables.items():
        assert postgres_tables[name] == rows, name
    assert len(sqlite_tables["invoice"]) == 25 + 11 + 1 + 1  # the samples (24 + credit note, 11 + Excel) and fits.xml


def test_a_dmr_record_whose_id_does_not_fit_is_left_out_on_every_database(engine: Engine, tmp_path: Path) -> None:
    from tests.ingest.test_dmr import record, write_extract

    good = record("EC41208", "3", "4", "1", 3500, "Registreret", "2023-05-01T10:00:00.000+02:00")
    long_id = record("EC41209", "3", "4", "1", 3500, "Registreret", "2023-05-01T10:00:00.000+02:00").replace(
        "<ns:KoeretoejIdent>", "<ns:KoeretoejIdent>123456789012345"
    )
    nul_id = record("EC41210", "3", "4", "1", 3500, "Registreret", "2023-05-01T10:00:00.000+02:00").replace(
        "<ns:KoeretoejIdent>", "<ns:KoeretoejIdent>1\x00"
    )
    summary = import_dmr(engine, write_extract(tmp_path / "dmr.xml", [good, long_id, nul_id]))
    assert (summary.records, summary.vehicles, summary.left_out_by_quality) == (3, 1, 2)
    with engine.connect() as connection:
        assert connection.execute(select(Vehicle.registration)).scalars().all() == ["EC41208"]


def test_what_a_person_types_into_a_hearing_is_checked_like_a_supplier_file(engine: Engine) -> None:
    with session_scope(engine) as session:
        propose_penalty(session, "KK-2024-0117", 2, "38451236", Decimal("41500.00"), 14, date(2026, 11, 22))
    with session_scope(engine) as session, pytest.raises(HearingError) as nul:
        record_comment(session, "KK-2024-0117", 2, "see attached\x00", "kl")
    assert "the text contains the control character U+0000" in str(nul.value)
    with session_scope(engine) as session, pytest.raises(HearingError) as long_name:
        record_comment(session, "KK-2024-0117", 2, "see attached", "k" * 201)
    assert "the name (--by) is 201 characters long (expected at most 200 characters)" in str(long_name.value)
    with session_scope(engine) as session:
        record_comment(session, "KK-2024-0117", 2, "line one\nline two\twith a tab", "k" * 200)


def test_a_contract_text_with_a_control_character_is_refused_with_its_field() -> None:
    with pytest.raises(ContractTermsError) as caught:
        contract(name="Kurér\x1b[31m")
    assert caught.value.location == "name" and "U+001B" in str(caught.value)
    with pytest.raises(ContractTermsError) as nested:
        contract(supplier={"name": "Grøn\x00Bud", "cvr": "38451236"})
    assert nested.value.location == "supplier.name"
