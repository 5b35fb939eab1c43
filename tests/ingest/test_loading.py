"""Ingest into the database: idempotent, quarantine with reasons, the batch goes on, credit notes signed."""

from __future__ import annotations

import gc
import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from compliance.base.errors import SourceFileError
from compliance.intake import files
from compliance.intake.batch import ingest_paths
from compliance.intake.files import file_batches, iter_input_files, list_input_files
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import CatalogueItem, Finding, Invoice, InvoiceLine, SourceFile, Trip, Vehicle
from tests.conftest import SAMPLE_DIR

MAX = 5 * 1024 * 1024


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (SourceFile, Invoice, InvoiceLine, CatalogueItem, Trip, Vehicle)
        }


def test_ingesting_the_same_files_twice_changes_nothing(engine: Engine) -> None:
    first = ingest_paths(engine, [SAMPLE_DIR], MAX)
    assert len(first.ingested) == 41 and not first.quarantined and not first.duplicates
    before = counts(engine)
    assert before["invoice"] == 37 and before["vehicle"] == 8 and before["catalogue_item"] == 9
    second = ingest_paths(engine, [SAMPLE_DIR], MAX)
    assert len(second.duplicates) == 41 and not second.ingested
    assert counts(engine) == before


def test_small_batches_store_what_one_batch_stores_and_leave_the_collector_as_found(engine: Engine, tmp_path: Path) -> None:
    gc.disable()
    try:
        summary = ingest_paths(engine, [SAMPLE_DIR], MAX, batch_size=7)  # 41 files: 6 batches, the last short
        assert not gc.isenabled()  # a caller that turned the collector off keeps it off
    finally:
        gc.enable()
    assert len(summary.ingested) == 41 and not summary.quarantined
    assert counts(engine)["invoice"] == 37 and counts(engine)["invoice_line"] > 0
    other = make_engine(f"sqlite:///{tmp_path / 'one-batch.sqlite'}")
    migrate_database(f"sqlite:///{tmp_path / 'one-batch.sqlite'}")
    ingest_paths(other, [SAMPLE_DIR], MAX, batch_size=1000)
    assert gc.isenabled()
    assert counts(other) == counts(engine)
    other.dispose()


def test_bad_file_is_quarantined_and_the_rest_of_the_batch_goes_on(engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "inbox"
    tmp_path.mkdir()
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202401.xml", tmp_path / "a.xml")
    (tmp_path / "b.xml").write_bytes(b"<Invoice><broken>")
    (tmp_path / "c.txt").write_text("just some notes\n", encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "transport" / "koeretoejer.csv", tmp_path / "d.csv")
    summary = ingest_paths(engine, [tmp_path], MAX)
    assert summary.ingested == [str(tmp_path / "a.xml"), str(tmp_path / "d.csv")]
    reasons = dict(summary.quarantined)
    assert "not well-formed XML" in reasons[str(tmp_path / "b.xml")]
    assert "line 1" in reasons[str(tmp_path / "b.xml")]
    assert "expected an OIOUBL/Peppol" in reasons[str(tmp_path / "c.txt")]
    with session_scope(engine) as session:
        statuses = {row.path: (row.status, row.kind) for row in session.scalars(select(SourceFile))}
    assert statuses[str(tmp_path / "b.xml")] == ("quarantined", "unknown")
    assert statuses[str(tmp_path / "a.xml")] == ("ingested", "invoice")


def test_oversized_file_is_quarantined_without_reading_it(engine: Engine, tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<Invoice/>" + b" " * 5000)
    summary = ingest_paths(engine, [big], 1000)
    assert len(summary.quarantined) == 1 and "at most 1000 bytes" in summary.quarantined[0][1]


def test_same_number_with_different_content_is_refused_not_overwritten(engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "inbox"
    tmp_path.mkdir()
    original = (SAMPLE_DIR / "transport" / "GB-202401.xml").read_bytes()
    (tmp_path / "first.xml").write_bytes(original)
    (tmp_path / "second.xml").write_bytes(original.replace(b"<cbc:CopyIndicator>false", b"<cbc:CopyIndicator>true"))
    summary = ingest_paths(engine, [tmp_path], MAX)
    assert summary.ingested == [str(tmp_path / "first.xml")]
    ((path, reason),) = summary.quarantined
    assert path == str(tmp_path / "second.xml")
    assert "duplicate invoice number 'GB-202401' from supplier 38451236 with different content" in reason
    assert "first.xml" in reason
    # It is also a finding for the supplier notice, recorded once however often the file comes back.
    ingest_paths(engine, [tmp_path / "second.xml"], MAX)
    with session_scope(engine) as session:
        (finding,) = session.scalars(select(Finding)).all()
        assert finding.rule_id == "invoice.duplicate_number@1" and finding.supplier_cvr == "38451236"
        assert finding.message.startswith("duplicate invoice number, different content: GB-202401")
        assert finding.evidence["first_file"] == str(tmp_path / "first.xml")
        # Both in one batch: the first file's content is named by its hash too (it was left empty).
        assert finding.evidence["first_sha256"] == hashlib.sha256(original).hexdigest()
        assert session.scalars(select(Invoice.number)).all() == ["GB-202401"]


def test_credit_note_lines_are_stored_negative(engine: Engine) -> None:
    ingest_paths(engine, [SAMPLE_DIR / "transport" / "GB-K-202511.xml"], MAX)
    with session_scope(engine) as session:
        line = session.scalars(select(InvoiceLine)).one()
        assert (line.quantity, line.line_amount) == (Decimal("-2"), Decimal("-770.00"))
        invoice = session.scalars(select(Invoice)).one()
        assert invoice.document_type == "credit_note" and invoice.line_extension_amount == Decimal("770.00")


def test_stored_totals_mean_the_same_for_oioubl_and_peppol(engine: Engine, reference_dir: Path) -> None:
    """Issue 16 item 9: the sample's OIOUBL 2.1 invoice writes its VAT (4.118,50) in TaxExclusiveAmount,
    the Peppol DK example its net amount (1.675,00); both are stored as net, tax and gross."""
    peppol = reference_dir / "invoices" / "peppol-dk" / "BIS3_Invoice_Example_DK_Supplier_Master.xml"
    ingest_paths(engine, [SAMPLE_DIR / "office" / "NK-2025-0001.xml", peppol], MAX)
    with session_scope(engine) as session:
        stored = {
            invoice.format: (invoice.net_amount, invoice.tax_amount, invoice.gross_amount, invoice.prepaid_amount,
                             invoice.rounding_amount, invoice.payable_amount, invoice.stated_totals["TaxExclusiveAmount"])
            for invoice in session.scalars(select(Invoice))
        }  # fmt: skip
    assert stored == {
        "oioubl-2.1": (Decimal("16474.00"), Decimal("4118.50"), Decimal("20592.50"), None, None, Decimal("20592.50"), "4118.50"),
        "peppol-bis3": (Decimal("1675.00"), Decimal("43.75"), Decimal("1718.75"), Decimal("100.00"), Decimal("0.25"),
                        Decimal("1619.00"), "1675.00"),
    }  # fmt: skip


def test_re_ingest_after_quarantine_succeeds_once_the_file_is_fixed(engine: Engine, tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    target.write_text("trip_date;registration;distance_km\n2025-01-02;;4\n", encoding="utf-8")
    assert ingest_paths(engine, [target], MAX).quarantined
    target.write_text("trip_date;registration;distance_km\n2025-01-02;AB12345;4\n", encoding="utf-8")
    assert ingest_paths(engine, [target], MAX).ingested == [str(target)]
    assert counts(engine)["trip"] == 1


def test_every_reference_invoice_ingests_and_reused_numbers_are_flagged_together(engine: Engine, reference_dir: Path) -> None:
    # The official examples are separate scenarios: several reuse the number A00095678 from the same
    # supplier with different content. Alone each ingests; together the reuse is a finding.
    files = sorted(reference_dir.glob("invoices/*/*.xml"))
    summary = ingest_paths(engine, files, MAX)
    assert len(summary.ingested) + len(summary.quarantined) == len(files) == 23
    assert all("duplicate" in reason and "different content" in reason for _path, reason in summary.quarantined)
    with session_scope(engine) as session:
        flagged = session.scalars(select(Finding).where(Finding.rule_id == "invoice.duplicate_number@1")).all()
        assert len(flagged) == len(summary.quarantined) > 0
        keys = session.execute(select(Invoice.supplier_key, Invoice.document_type, Invoice.number)).all()
        assert len(keys) == len(set(keys)) == len(summary.ingested)


@pytest.mark.slow
def test_each_reference_invoice_ingests_on_its_own(reference_dir: Path, tmp_path: Path) -> None:
    from compliance.store.db import make_engine, migrate_database

    for index, path in enumerate(sorted(reference_dir.glob("invoices/*/*.xml"))):
        url = f"sqlite:///{tmp_path / f'{index}.sqlite'}"
        migrate_database(url)
        engine = make_engine(url)
        assert ingest_paths(engine, [path], MAX).ingested == [str(path)]
        engine.dispose()


def test_stored_item_json_matches_the_normalised_document(engine: Engine) -> None:
    from dataclasses import asdict

    from compliance.base.documents import InvoiceDocument
    from compliance.ingest.detect import read_source

    path = SAMPLE_DIR / "office" / "NK-2025-0012.xlsx"
    document = read_source(path.read_bytes(), str(path), MAX)
    assert isinstance(document, InvoiceDocument)
    ingest_paths(engine, [path], MAX)
    with session_scope(engine) as session:
        stored = session.scalars(select(InvoiceLine).order_by(InvoiceLine.position)).all()
        assert len(stored) == len(document.lines)
        for row, line in zip(stored, document.lines, strict=True):
            assert row.labels == [asdict(label) for label in line.labels]
            assert row.classification_codes == [asdict(code) for code in line.classification_codes]
            assert row.properties == [asdict(prop) for prop in line.properties]


def test_batches_are_cut_by_file_count_and_by_bytes(tmp_path: Path) -> None:
    sizes = [40, 40, 40, 100, 10, 10, 10, 10, 10]
    files = []
    for index, size in enumerate(sizes):
        path = tmp_path / f"{index}.xml"
        path.write_bytes(b"x" * size)
        files.append(path)
    files.append(tmp_path / "vanished.xml")  # cannot be stat'ed: batched as 0 bytes, quarantined when read
    batches = list(file_batches(files, batch_size=4, batch_bytes=100))
    assert [[int(path.stem) if path.stem.isdigit() else path.stem for path in batch] for batch in batches] == [
        [0, 1],  # a third 40-byte file would pass 100 bytes
        [2],
        [3],  # larger than a batch on its own: alone
        [4, 5, 6, 7],  # four files: the count limit
        [8, "vanished"],
    ]
    assert [path for batch in batches for path in batch] == files  # every file once, in order


def test_folders_are_listed_in_path_order_without_hidden_files_or_links(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in ["b.xml", "a-b.xml", "a/b.xml", "a/c/d.xml", ".hidden.xml", ".git/config", "a/.cache/x.xml"]:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.xml").write_text("x")
    (inbox / "linked").symlink_to(outside, target_is_directory=True)
    (inbox / "linked-file.xml").symlink_to(outside / "elsewhere.xml")
    (inbox / "dangling.xml").symlink_to(tmp_path / "gone.xml")
    single = tmp_path / "named.xml"
    single.write_text("x")

    listing = list_input_files([inbox, single])
    listed = [str(file.path.relative_to(tmp_path)) for file in listing.files]

    # By path parts: the folder "a" before "a-b.xml" (a plain string sort puts "-" before "/").
    assert listed == ["inbox/a/b.xml", "inbox/a/c/d.xml", "inbox/a-b.xml", "inbox/b.xml", "named.xml"]
    assert [file.path for file in listing.files] == list(iter_input_files([inbox, single]))
    # Links (to a folder, to a file, dangling) are noted, not followed; hidden names are left out silently.
    assert sorted(str(Path(path).relative_to(tmp_path)) for path, _ in listing.skipped) == [
        "inbox/dangling.xml",
        "inbox/linked",
        "inbox/linked-file.xml",
    ]


def test_an_unreadable_inbox_is_an_error_naming_the_folder_and_an_unreadable_subfolder_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "locked"
    (inbox / "closed").mkdir(parents=True)
    (inbox / "open.xml").write_text("x")
    (inbox / "closed" / "inside.xml").write_text("x")
    real_open_folder = files._open_folder
    locked = {("closed",)}

    def open_folder(root: Path, parts: tuple[str, ...], follow_root: bool = False) -> int:
        if tuple(parts) in locked:  # the tests run as root, who can read a chmod 000 folder
            raise PermissionError(13, "Permission denied")
        return real_open_folder(root, parts, follow_root)

    monkeypatch.setattr(files, "_open_folder", open_folder)
    listing = list_input_files([inbox])
    assert [file.path.name for file in listing.files] == ["open.xml"]
    assert listing.skipped == [(str(inbox / "closed"), "cannot list the folder: Permission denied")]
    locked.add(())
    with pytest.raises(SourceFileError, match="locked: cannot list the folder: Permission denied"):
        list(iter_input_files([inbox]))
