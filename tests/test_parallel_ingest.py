"""Parse workers feeding one writer store exactly what one process stores (issue 21 item 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from compliance.intake.batch import IngestSummary
from compliance.intake.parallel import ingest_with_workers
from compliance.store.db import make_engine, migrate_database
from tests.conftest import SAMPLE_DIR
from tests.test_postgres import POSTGRES_URL, empty_database
from tests.test_postgres_copy import stored_rows

pytestmark = [pytest.mark.slow, pytest.mark.integration]
MAX = 50 * 1024 * 1024


def _line_id_twice(invoice: str) -> str:
    """The invoice with its second line numbered 1, like the first: a data-quality failure."""
    lines = invoice.split("<cac:InvoiceLine>")
    assert len(lines) > 2 and "<cbc:ID>1</cbc:ID>" in lines[1] and "<cbc:ID>2</cbc:ID>" in lines[2]
    second = lines[2].replace("<cbc:ID>2</cbc:ID>", "<cbc:ID>1</cbc:ID>", 1)
    return "<cac:InvoiceLine>".join([lines[0], lines[1], second, *lines[3:]])


def _inbox(tmp_path: Path) -> Path:
    """The sample inbox, a copy of one invoice under another name, a file that is not XML at all, and
    three invoices each bad in a way the writer, not the reader, used to decide: a line ID twice (a
    data-quality failure), a seller's item ID longer than its field, and a number used before with
    other content."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_DIR, inbox)
    first = sorted(inbox.rglob("*.xml"))[0]
    shutil.copyfile(first, inbox / "zz-same-content-again.xml")
    (inbox / "zz-broken.xml").write_bytes(b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><cbc:ID>")
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    renumbered = text.replace("<cbc:ID>NK-2025-0001</cbc:ID>", "<cbc:ID>NK-2099-0001</cbc:ID>", 1)
    assert renumbered != text
    (inbox / "zz-line-id-twice.xml").write_text(
        _line_id_twice(renumbered).replace("NK-2099-0001", "NK-2099-0002", 1), encoding="utf-8"
    )
    (inbox / "zz-item-id-too-long.xml").write_text(
        renumbered.replace("NK-2099-0001", "NK-2099-0003", 1).replace(
            "<cbc:ID>KOP-A4-SV</cbc:ID>", f"<cbc:ID>{'K' * 5000}</cbc:ID>", 1
        ),
        encoding="utf-8",
    )
    (inbox / "zz-number-again.xml").write_text(
        text.replace("<cbc:CopyIndicator>false", "<cbc:CopyIndicator>true", 1), encoding="utf-8"
    )
    return inbox


def _outcome(summary: IngestSummary) -> tuple[list[str], list[str], list[str]]:
    return sorted(summary.ingested), sorted(summary.duplicates), sorted(name for name, _ in summary.quarantined)


def _database(tmp_path: Path, name: str, migrated_database: Path) -> tuple[Engine, str]:
    path = tmp_path / f"{name}.sqlite"
    shutil.copyfile(migrated_database, path)
    url = f"sqlite:///{path}"
    return make_engine(url), url


def test_workers_store_what_one_process_stores(tmp_path: Path, migrated_database: Path) -> None:
    inbox = _inbox(tmp_path)
    results = {}
    for workers in (1, 2):
        engine, url = _database(tmp_path, f"w{workers}", migrated_database)
        try:
            # Small batches, so that the workers parse one batch while the writer stores the one before.
            first = ingest_with_workers(engine, [inbox], MAX, batch_size=7, workers=workers)
            again = ingest_with_workers(engine, [inbox], MAX, batch_size=7, workers=workers)
        finally:
            engine.dispose()
        results[workers] = (_outcome(first), _outcome(again), stored_rows(url))
    one, two = results[1], results[2]
    assert len(one[0][0]) > 30 and any("zz-broken" in name for name in one[0][2])
    assert any("zz-same-content-again" in name for name in one[0][1])
    quarantined = " ".join(one[0][2])
    for name in ("zz-line-id-twice", "zz-item-id-too-long", "zz-number-again"):
        assert name in quarantined, f"{name} quarantined"
    assert one[2]["data_quality_failure"], "the line ID twice is recorded as a data-quality failure"
    assert two[0] == one[0], "the same files ingested, duplicates and quarantined"
    assert two[1] == one[1], "a second run: everything already stored"
    assert two[2] == one[2], "the same rows stored"


def test_the_same_failing_content_in_two_chunks_is_judged_once(tmp_path: Path, migrated_database: Path) -> None:
    """Workers only see their own chunk: the same failing content parsed by both is quarantined once
    (the other is a duplicate) and the data-quality records count it once, as one process does. This
    raised a KeyError before."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    failing = _line_id_twice(text)
    (inbox / "a-line-id-twice.xml").write_text(failing, encoding="utf-8")
    (inbox / "d-line-id-twice-again.xml").write_text(failing, encoding="utf-8")
    for letter, number in zip("bcef", (2, 3, 4, 5), strict=True):
        shutil.copyfile(SAMPLE_DIR / "office" / f"NK-2025-000{number}.xml", inbox / f"{letter}-clean.xml")
    results = {}
    for workers in (1, 2):
        engine, url = _database(tmp_path, f"w{workers}", migrated_database)
        try:
            # Six files, one batch; with two workers the chunks are a-b-c and d-e-f.
            summary = ingest_with_workers(engine, [inbox], MAX, batch_size=6, workers=workers)
        finally:
            engine.dispose()
        results[workers] = (_outcome(summary), summary.quality_rows, stored_rows(url))
    one, two = results[1], results[2]
    assert [name.rsplit("/", 1)[-1] for name in one[0][2]] == ["a-line-id-twice.xml"]
    assert [name.rsplit("/", 1)[-1] for name in one[0][1]] == ["d-line-id-twice-again.xml"]
    assert two[0] == one[0] and two[1] == one[1]
    assert two[2] == one[2], "the same rows stored, data-quality runs and failures included"


def test_a_broken_content_in_two_chunks_is_quarantined_under_its_first_name(tmp_path: Path, migrated_database: Path) -> None:
    """The reason a worker writes names the file it read; when the same broken content is in two chunks,
    the reason kept is the first file's, as in one process, never the other file's name. (The later
    chunk's reason used to win: the summary and the stored row of a.csv named b.xml.)"""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_bytes(b"")
    (inbox / "b.xml").write_bytes(b"")
    results = {}
    for workers in (1, 2):
        engine, url = _database(tmp_path, f"w{workers}", migrated_database)
        try:
            summary = ingest_with_workers(engine, [inbox], MAX, batch_size=2, workers=workers)  # one file a chunk
        finally:
            engine.dispose()
        results[workers] = (summary.quarantined, summary.duplicates, stored_rows(url))
    ((name, reason),) = results[1][0]
    assert name == str(inbox / "a.csv") and reason.startswith(f"{inbox / 'a.csv'}: ")
    assert results[1][1] == [str(inbox / "b.xml")]
    assert results[2] == results[1], "the same reason, naming the same file, summarised and stored"


@pytest.mark.postgres
@pytest.mark.skipif(
    not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
)
def test_workers_store_on_postgresql_what_one_process_stores(tmp_path: Path) -> None:
    """On PostgreSQL the rows travel as psycopg's values and go in by COPY: the same stored rows either way."""
    assert POSTGRES_URL is not None
    inbox = _inbox(tmp_path)
    results = {}
    for workers in (1, 2):
        empty_database(POSTGRES_URL)
        migrate_database(POSTGRES_URL)
        engine = make_engine(POSTGRES_URL)
        try:
            summary = ingest_with_workers(engine, [inbox], MAX, batch_size=7, workers=workers)
        finally:
            engine.dispose()
        results[workers] = (_outcome(summary), stored_rows(POSTGRES_URL))
    assert len(results[1][0][0]) > 30 and len(results[1][0][2]) >= 4
    assert results[2] == results[1]
