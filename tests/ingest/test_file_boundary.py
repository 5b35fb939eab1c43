"""The file boundary: whatever one file does to a reader stays with that file, and the inbox is the inbox."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

import compliance.intake.batch
from compliance.cli import main
from compliance.intake.batch import _read_to_end, ingest_paths
from compliance.intake.files import LINK_NOTE, InputFile, InputOpener, SkippedInput, list_input_files, open_input_file
from compliance.store.db import make_engine, session_scope
from compliance.store.models import SourceFile
from tests.conftest import SAMPLE_DIR
from tests.ingest.malformed_files import write_malformed_files

MAX = 5 * 1024 * 1024
SAMPLE_FILES = sorted(path.relative_to(SAMPLE_DIR) for path in SAMPLE_DIR.rglob("*") if path.is_file())


def stored(engine: Engine) -> dict[str, tuple[str, str | None, str]]:
    """Every source file row: path → (status, quarantine reason, sha256)."""
    with session_scope(engine) as session:
        return {row.path: (row.status, row.quarantine_reason, row.sha256) for row in session.scalars(select(SourceFile))}


def test_any_exception_in_a_reader_quarantines_only_its_file_and_logs_the_traceback(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("GB-202401.xml", "GB-202402.xml", "GB-202403.xml"):
        shutil.copy(SAMPLE_DIR / "transport" / name, inbox / name)
    real_read_source = compliance.intake.batch.read_source

    def read_source(data: bytes, file: str, *args: Any, **kwargs: Any) -> Any:
        if file.endswith("GB-202402.xml"):
            return {}["a key no reader ever expected"]  # an arbitrary exception, raised deep inside a reader
        return real_read_source(data, file, *args, **kwargs)

    monkeypatch.setattr(compliance.intake.batch, "read_source", read_source)
    with caplog.at_level(logging.ERROR, logger="compliance.intake.batch"):
        summary = ingest_paths(engine, [inbox], MAX)

    bad = str(inbox / "GB-202402.xml")
    assert summary.ingested == [str(inbox / "GB-202401.xml"), str(inbox / "GB-202403.xml")]
    ((path, reason),) = summary.quarantined
    assert path == bad
    # The file, what was expected and the exception's kind: enough to act on without the code.
    assert reason.startswith(f"{bad}: the file could not be read (KeyError: ")
    assert "expected a well-formed OIOUBL/Peppol/UBL XML document" in reason
    # The traceback is in the log, for the data team.
    (record,) = [r for r in caplog.records if r.name == "compliance.intake.batch"]
    assert record.levelno == logging.ERROR and bad in record.getMessage()
    assert "Traceback (most recent call last)" in record.getMessage() and "a key no reader ever expected" in record.getMessage()
    # Recorded by content hash, quarantined with the reason; the next run does not fail on it either.
    status, stored_reason, _digest = stored(engine)[bad]
    assert (status, stored_reason) == ("quarantined", reason)
    again = ingest_paths(engine, [inbox], MAX)
    assert sorted(again.duplicates) == [str(inbox / "GB-202401.xml"), str(inbox / "GB-202403.xml")]
    assert [path for path, _ in again.quarantined] == [bad]


def test_malformed_files_in_one_inbox_with_the_samples_are_quarantined_and_every_sample_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_DIR, inbox)
    kinds = write_malformed_files(inbox / "malformed")
    files = [name for name in kinds if not name.startswith("loop-")]
    assert len(files) == 9

    summary = ingest_paths(engine, [inbox], MAX)

    assert sorted(summary.ingested) == sorted(str(inbox / name) for name in SAMPLE_FILES)
    assert len(summary.ingested) == 41
    reasons = dict(summary.quarantined)
    assert sorted(reasons) == sorted(str(inbox / "malformed" / name) for name in files)
    for name in files:
        reason = reasons[str(inbox / "malformed" / name)]
        assert reason.startswith(str(inbox / "malformed" / name) + ": ") and "(expected " in reason, reason
    # The loop is a link: skipped with a note, never opened.
    assert summary.skipped == [
        (
            str(inbox / "malformed" / name),
            "a symbolic link: links are not followed (put the file itself in the inbox, or name the file itself)",
        )
        for name in ("loop-a.xml", "loop-b.xml")
    ]
    rows = stored(engine)
    assert all(rows[str(inbox / "malformed" / name)][0] == "quarantined" for name in files)
    # The next run: the samples are duplicates, the same files quarantined again; nothing fails.
    again = ingest_paths(engine, [inbox], MAX)
    assert len(again.duplicates) == 41 and sorted(dict(again.quarantined)) == sorted(reasons) and not again.ingested


# -- the inbox is the inbox ---------------------------------------------------------------------------

_OPENED: list[str] | None = None


def _record_opens(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event in {"open", "os.scandir", "os.listdir"} and args and isinstance(args[0], str | bytes | Path):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_record_opens)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path opened or listed while the test runs (relative names included, as the calls give them)."""
    global _OPENED
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


@pytest.fixture
def hostile_inbox(tmp_path: Path) -> tuple[Path, Path]:
    """An inbox with one invoice and, beside it, links out (a secret, an invoice, a folder), a loop, a FIFO and a socket."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0:SECRET-FIRST-LINE:/root:/bin/bash\n", encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202402.xml", outside / "invoice.xml")
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202403.xml", outside / "folder" / "GB-202403.xml")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_DIR / "transport" / "GB-202401.xml", inbox / "GB-202401.xml")
    (inbox / "passwd.csv").symlink_to(outside / "passwd")
    (inbox / "etc-passwd.csv").symlink_to("/etc/passwd")
    (inbox / "invoice.xml").symlink_to(outside / "invoice.xml")
    (inbox / "folder").symlink_to(outside / "folder", target_is_directory=True)
    (inbox / "loop.xml").symlink_to(inbox / "loop.xml")
    os.mkfifo(inbox / "pipe.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(inbox / "socket.xml"))
    server.close()
    return inbox, outside


def test_links_loops_pipes_and_sockets_in_the_inbox_are_skipped_with_a_note_and_never_opened(
    engine: Engine, hostile_inbox: tuple[Path, Path], opened: list[str]
) -> None:
    inbox, outside = hostile_inbox
    summary = ingest_paths(engine, [inbox], MAX)

    assert summary.ingested == [str(inbox / "GB-202401.xml")] and not summary.quarantined
    link = "a symbolic link: links are not followed (put the file itself in the inbox, or name the file itself)"
    assert dict(summary.skipped) == {
        str(inbox / "etc-passwd.csv"): link,
        str(inbox / "folder"): link,
        str(inbox / "invoice.xml"): link,
        str(inbox / "loop.xml"): link,
        str(inbox / "passwd.csv"): link,
        str(inbox / "pipe.csv"): "a named pipe (FIFO), not a file",
        str(inbox / "socket.xml"): "a socket, not a file",
    }
    # Nothing outside the inbox was opened or listed; nothing of it reached the database.
    assert opened and not [path for path in opened if str(outside) in path or path.startswith("/etc")]
    assert not [name for name in opened if name in {"passwd.csv", "invoice.xml", "folder", "pipe.csv", "socket.xml"}]
    rows = stored(engine)
    assert list(rows) == [str(inbox / "GB-202401.xml")]
    assert "SECRET" not in repr(summary) and "root:" not in repr(summary)


def test_a_named_link_is_refused_and_the_cli_says_so(
    engine: Engine, hostile_inbox: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, _outside = hostile_inbox
    summary = ingest_paths(engine, [inbox / "invoice.xml", inbox / "etc-passwd.csv", inbox / "pipe.csv"], MAX)
    assert not summary.ingested and not summary.quarantined
    assert [path for path, _ in summary.skipped] == [str(inbox / name) for name in ("invoice.xml", "etc-passwd.csv", "pipe.csv")]

    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    result = CliRunner().invoke(main, ["ingest", str(inbox / "invoice.xml")])
    inspected = CliRunner().invoke(main, ["inspect", str(inbox / "etc-passwd.csv")])
    assert result.exit_code == 1, result.output
    assert "indlæst 0, dubletter 0, i karantæne 0, sprunget over 1" in result.output
    assert f"sprunget over: {inbox / 'invoice.xml'}: et symbolsk link: links følges ikke" in result.output
    assert inspected.exit_code == 1 and "Fejl: " in inspected.output and "et symbolsk link: links følges ikke" in inspected.output
    assert "root:" not in inspected.output


def test_a_file_swapped_for_a_link_or_a_pipe_after_the_listing_is_not_opened(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / "a.xml").write_text("<a/>", encoding="utf-8")
    (inbox / "b.xml").write_text("<b/>", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "a.xml").write_text("secret", encoding="utf-8")
    listed = {file.parts: file for file in list_input_files([inbox]).files}
    assert set(listed) == {("sub", "a.xml"), ("b.xml",)}
    # The folder becomes a link to another with the same file name; the file becomes a pipe.
    shutil.rmtree(inbox / "sub")
    (inbox / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    (inbox / "b.xml").unlink()
    os.mkfifo(inbox / "b.xml")
    with pytest.raises(SkippedInput, match="symbolic link"):
        open_input_file(listed[("sub", "a.xml")])
    with pytest.raises(SkippedInput, match="named pipe"):
        open_input_file(listed[("b.xml",)])  # O_NONBLOCK: opening the pipe does not wait for a writer


def test_an_inbox_named_by_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.xml").write_text("<a/>", encoding="utf-8")
    (tmp_path / "inbox").symlink_to(tmp_path / "real", target_is_directory=True)
    listing = list_input_files([tmp_path / "inbox"])
    assert not listing.files and [path for path, _ in listing.skipped] == [str(tmp_path / "inbox")]
    # A file named directly may sit below a linked folder: only the name itself must not be a link.
    (file,) = list_input_files([tmp_path / "inbox" / "a.xml"]).files
    assert file == InputFile(tmp_path / "inbox", ("a.xml",), 4, file.modified, named_folder=False)
    os.close(open_input_file(file))


def test_a_file_name_that_is_not_utf8_is_skipped_and_shown_escaped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / os.fsdecode(b"caf\xe9.xml")).write_text("<a/>", encoding="utf-8")
    listing = list_input_files([inbox])
    assert not listing.files
    assert listing.skipped == [(f"{inbox}/caf\\xe9.xml", "the file name is not valid UTF-8: rename the file")]


def test_a_database_fault_is_not_blamed_on_the_file(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a value the database refuses quarantines a file; a disk fault or a timeout stops the batch,
    and the supplier's file stays unjudged for the next run."""

    def disk_fault(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("INSERT INTO invoice …", {}, Exception("disk I/O error"))

    monkeypatch.setattr(compliance.intake.batch, "store_prepared", disk_fault)
    with pytest.raises(OperationalError):
        ingest_paths(engine, [SAMPLE_DIR / "transport" / "GB-202401.xml"], 10**7)
    with session_scope(engine) as session:
        assert session.scalars(select(SourceFile).where(SourceFile.status == "quarantined")).all() == []


def test_a_batch_keeps_one_folder_open_and_never_reads_through_a_folder_swapped_for_a_link(tmp_path: Path) -> None:
    """The opener opens each folder once for the files that follow in it and holds one folder at a time
    (a batch of files in a thousand folders must not run out of descriptors); a folder replaced by a
    link after its first file was read is not followed for the next."""
    inbox = tmp_path / "inbox"
    for index in range(30):
        (inbox / f"f{index:02d}").mkdir(parents=True)
        (inbox / f"f{index:02d}" / "a.xml").write_text(f"<a>{index}</a>", encoding="utf-8")
    (inbox / "f00" / "b.xml").write_text("<b/>", encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "b.xml").write_text("secret", encoding="utf-8")
    listed = list_input_files([inbox]).files
    open_before = len(os.listdir("/proc/self/fd"))
    with InputOpener() as opener:
        for file in listed[2:]:
            os.close(opener.open(file)[0])
            assert len(os.listdir("/proc/self/fd")) <= open_before + 1
        first, second = listed[0], listed[1]
        assert (first.parts, second.parts) == (("f00", "a.xml"), ("f00", "b.xml"))
        descriptor, _status = opener.open(first)
        os.close(descriptor)
        shutil.rmtree(inbox / "f00")
        (inbox / "f00").symlink_to(tmp_path / "outside", target_is_directory=True)
        with pytest.raises(FileNotFoundError):  # the folder opened is gone; the link is not looked at
            opener.open(second)
    assert len(os.listdir("/proc/self/fd")) == open_before
    summary = ingest_paths(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"), [second], MAX)
    assert summary.skipped == [(str(second.path), LINK_NOTE)]  # opened afresh: the link is refused


def test_a_file_that_grows_while_it_is_read_is_read_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "growing.csv"
    path.write_bytes(b"0123456789")
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert _read_to_end(descriptor, 4, MAX) == b"0123456789"  # the size seen at open was 4
        os.lseek(descriptor, 0, os.SEEK_SET)
        assert _read_to_end(descriptor, 4, 6) == b"0123456"  # never more than the limit and one byte
    finally:
        os.close(descriptor)


def test_a_file_that_grows_past_the_limit_while_it_is_read_is_quarantined(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size is taken when the file is opened; a supplier's upload still being written past
    COMPLIANCE_MAX_FILE_MB is read up to the limit, not whole, and quarantined with a reason."""
    path = tmp_path / "upload.xml"
    path.write_bytes(b"<a/>")
    real_open = InputOpener.open

    def open_then_grow(self: InputOpener, file: InputFile) -> tuple[int, os.stat_result]:
        opened = real_open(self, file)
        with path.open("ab") as growing:
            growing.write(b" " * 5000)
        return opened

    monkeypatch.setattr(InputOpener, "open", open_then_grow)
    summary = ingest_paths(engine, [path], 1000)
    ((name, reason),) = summary.quarantined
    assert name == str(path) and "the file grew to more than 1000 bytes while it was read" in reason
    assert not summary.ingested
