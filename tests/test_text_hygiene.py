"""Text hygiene at the boundary: control characters refused when read, ASCII digits only, every output
survives any stored text, and file names with control characters are shown escaped."""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import fields, is_dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from compliance.base.documents import DocumentLine, DrivingLogDocument, Label, TripRecord, VehicleRecord
from compliance.base.errors import SourceFileError
from compliance.base.text import find_control_character, shown, shown_in_cells, shown_lines
from compliance.base.texts import render_note, render_reason
from compliance.cli import main
from compliance.ingest.detect import read_source, xml_without_control_characters
from compliance.ingest.driving_log import TripTable
from compliance.ingest.tabular import parse_date, parse_decimal
from compliance.ingest.ubl import normalise_cvr
from compliance.intake.batch import ingest_paths
from compliance.reports.language import language
from compliance.reports.views import report_environment
from compliance.reports.workbook import Sheet, write_csv, write_workbook
from compliance.store.db import make_engine, migrate_database, session_scope
from compliance.store.models import SourceFile, Trip
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR
from tests.test_postgres import empty_database

MAX = 5 * 1024 * 1024
LOG_HEADER = "trip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr\n"
HOSTILE_NAME = "bad\x1b[31mred\x07\nname.csv"


def test_shown_escapes_what_a_terminal_would_act_on() -> None:
    assert shown("a\x00b\x1b[31mc\x07\n\t\r\x9b\u202ed") == "a\\x00b\\x1b[31mc\\x07\\n\\t\\r\\x9b\\u202ed"
    assert shown_lines("line 1\n\tline 2\x1b\r") == "line 1\n\tline 2\\x1b\\r"
    assert shown_in_cells("\rx\x00") == "\rx\\x00"
    assert shown("caf\udce9.xml") == "caf\\xe9.xml"  # the byte of a file name that is not UTF-8
    assert shown("Køretøj 12 – æøå") == "Køretøj 12 – æøå"
    assert shown(shown("\x1b")) == shown("\x1b")  # showing twice changes nothing more


def test_a_control_character_is_found_with_its_place_tab_and_line_breaks_are_text() -> None:
    trips = [
        TripRecord(2, date(2025, 1, 2), "EC52117", None, Decimal(1)),
        TripRecord(3, date(2025, 1, 3), "EC\x0041209", None, None),
    ]
    fault = find_control_character(DrivingLogDocument("driving_log", "generic", "38451236", trips))
    assert fault is not None and (fault.location, fault.field, fault.character) == ("row 3", "trips.registration", "\x00")
    assert fault.message == "trips.registration contains the control character U+0000"
    line = DocumentLine(
        1,
        "1",
        None,
        None,
        None,
        "Kopipapir\nA4, 80 g\t500 ark",
        notes=["første\r\nanden"],
        source_line=40,
        path="cac:InvoiceLine[1]",
    )
    assert find_control_character(line) is None
    for character in ("\x1b", "\x7f", "\x85", "\x9b"):  # ESC, DEL, NEL and CSI (C1) are no line breaks
        line.labels = [Label("SVANEN", f"Svanen{character}", True, True, "certificate")]
        fault = find_control_character(line)
        assert fault is not None and (fault.location, fault.field, fault.character) == (
            "line 40, cac:InvoiceLine[1]",
            "labels.raw",
            character,
        )


def _text_places(value: Any) -> list[tuple[Any, str, int | None]]:
    """Every text a document holds, as (record, field name, index in a list of texts or None)."""
    places: list[tuple[Any, str, int | None]] = []
    if is_dataclass(value) and not isinstance(value, type):
        for member in fields(value):
            item = getattr(value, member.name)
            if isinstance(item, str):
                places.append((value, member.name, None))
            elif isinstance(item, list):
                places += [(value, member.name, index) for index, entry in enumerate(item) if isinstance(entry, str)]
                for entry in item:
                    places += _text_places(entry)
            else:
                places += _text_places(item)
    return places


@pytest.mark.parametrize(
    "name",
    [
        "office/NK-2025-0001.xml",
        "office/NK-2025-0012.xlsx",
        "office/katalog-2025.xml",
        "transport/koerselslog-2025.csv",
        "transport/koeretoejer.csv",
    ],
)
def test_a_nul_in_any_text_of_any_document_is_found(name: str) -> None:
    document = read_source((SAMPLE_DIR / name).read_bytes(), name, MAX)
    assert find_control_character(document) is None
    if isinstance(document, DrivingLogDocument):
        # The reader keeps trips by column (TripTable), handing out copies: change them as records,
        # and look for the fault both in the records and in the table the reader would build of them.
        document = replace(document, trips=list(document.trips))
    places = _text_places(document)
    assert len(places) > 10
    for record, field, index in places[:: max(1, len(places) // 300)]:
        if isinstance(record, TripRecord | VehicleRecord) and record.row > 6:
            continue
        original = getattr(record, field)
        changed = (
            original[:index] + [original[index] + "\x00"] + original[index + 1 :] if index is not None else original + "\x00"
        )
        object.__setattr__(record, field, changed)
        fault = find_control_character(document)
        as_table = (
            find_control_character(replace(document, trips=TripTable(document.trips)))
            if isinstance(document, DrivingLogDocument)
            else fault
        )
        object.__setattr__(record, field, original)
        assert fault is not None and fault.field.endswith(field) and fault.character == "\x00", (name, field)
        assert as_table is not None and as_table.field.endswith(field) and as_table.location == fault.location, (name, field)


@pytest.mark.parametrize(
    ("plate", "code"), [("EC 52\x00 117", "U+0000"), ("EC\x1b[31m 52 117", "U+001B"), ("EC 52 117\x9b", "U+009B")]
)
def test_a_driving_log_with_a_control_character_in_a_plate_is_quarantined_with_the_row(
    engine: Engine, tmp_path: Path, plate: str, code: str
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        LOG_HEADER + "02-01-2025;EC 41 209;;36,1;;38451236\n" + f"03-01-2025;{plate};;22,0;;38451236\n", encoding="utf-8"
    )
    summary = ingest_paths(engine, [log], MAX)
    assert not summary.ingested
    ((_path, reason),) = summary.quarantined
    assert reason.startswith(f"{log}: row 3: trips.registration contains the control character {code} (expected text without")
    with session_scope(engine) as session:
        assert session.scalars(select(Trip)).all() == []  # the same on SQLite and PostgreSQL: nothing stored


def test_numbers_and_dates_accept_ascii_digits_only() -> None:
    with pytest.raises(SourceFileError, match="distance is '１２'"):
        parse_decimal("１２", "log.csv", "row 2", "distance")
    with pytest.raises(SourceFileError, match="expected a date"):
        parse_date("０２-01-2025", "log.csv", "row 2", "trip_date")
    assert parse_decimal("12,5", "log.csv", "row 2", "distance") == Decimal("12.5")
    assert normalise_cvr("３８４５１２３６") is None and normalise_cvr("DK 38 45 12 36") == "38451236"
    invoice = (SAMPLE_DIR / "transport" / "GB-202401.xml").read_text(encoding="utf-8")
    amount = invoice.index('<cbc:LineExtensionAmount currencyID="DKK">') + len('<cbc:LineExtensionAmount currencyID="DKK">')
    wide = invoice[:amount] + "１２" + invoice[amount:].lstrip("0123456789")
    with pytest.raises(SourceFileError, match="'１２.* is not a number") as caught:
        read_source(wide.encode(), "wide.xml", MAX)
    assert "expected a decimal number such as 1234.50" in str(caught.value)


def test_full_width_digits_in_a_driving_log_are_refused_with_a_clear_reason(engine: Engine, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(LOG_HEADER + "02-01-2025;EC 41 209;;１２;;38451236\n", encoding="utf-8")
    ((_path, reason),) = ingest_paths(engine, [log], MAX).quarantined
    assert "'１２'" in reason and "expected a number such as 12.5 or 12,5" in reason


def test_every_writer_survives_stored_control_characters(tmp_path: Path) -> None:
    hostile = "EC52\x00117\x1b[31m\x07\x0b\x9b"
    book = write_workbook(tmp_path / "t.xlsx", [Sheet("S", ["plate", "file"], [[hostile, "=" + hostile]])])
    sheet = load_workbook(book)["S"]
    assert sheet["A2"].value == "EC52\\x00117\\x1b[31m\\x07\\x0b\\x9b" and sheet["B2"].value.startswith("'=EC52\\x00")
    written = write_csv(tmp_path / "t.csv", ["plate"], [[hostile]])
    assert list(csv.reader(written.open(encoding="utf-8-sig"))) == [["plate"], ["EC52\\x00117\\x1b[31m\\x07\\x0b\\x9b"]]
    page = (
        report_environment(language("en")).from_string("<p>{{ plate }}</p><p>{{ note }}</p>").render(plate=hostile, note="a\nb")
    )
    assert page == "<p>EC52\\x00117\\x1b[31m\\x07\\x0b\\x9b</p><p>a\nb</p>"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    monkeypatch.delenv("COMPLIANCE_REPORTS_DIR", raising=False)
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(CONTRACTS_DIR))
    return tmp_path


def test_a_file_name_with_control_characters_is_shown_escaped_in_the_cli_and_stored_escaped(cli_env: Path) -> None:
    inbox = cli_env / "inbox"
    inbox.mkdir()
    (inbox / HOSTILE_NAME).write_text(LOG_HEADER + "02-01-2025;;;-4;;38451236\n", encoding="utf-8")
    (inbox / "notes\x1b]0;title\x07.txt").write_text("just notes\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(inbox)])
    assert result.exit_code == 1, result.output
    assert not any(character in result.output for character in "\x1b\x07\x00"), result.output
    assert f"i karantæne: {inbox}/bad\\x1b[31mred\\x07\\nname.csv: " in result.output
    assert f"i karantæne: {inbox}/notes\\x1b]0;title\\x07.txt: " in result.output
    engine = make_engine(f"sqlite:///{cli_env / 'var' / 'compliance.sqlite'}")
    with session_scope(engine) as session:
        paths = session.scalars(select(SourceFile.path)).all()
    engine.dispose()
    assert sorted(paths) == [f"{inbox}/bad\\x1b[31mred\\x07\\nname.csv", f"{inbox}/notes\\x1b]0;title\\x07.txt"]


@pytest.mark.slow
@pytest.mark.integration
def test_the_reports_are_written_whatever_text_is_stored(cli_env: Path) -> None:
    inbox = cli_env / "inbox"
    shutil.copytree(SAMPLE_DIR / "transport", inbox)
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(inbox)]).exit_code == 0
    # Text stored before the boundary refused it (or by any other way in): a NUL and escapes in plates, a file name with ESC.
    engine = make_engine(f"sqlite:///{cli_env / 'var' / 'compliance.sqlite'}")
    with session_scope(engine) as session:
        session.execute(update(Trip).where(Trip.row == 2).values(registration="EC52\x00117"))
        session.execute(update(Trip).where(Trip.row == 3).values(registration="EC\x1b[31m41209\x07"))
        session.execute(
            update(SourceFile).where(SourceFile.path.endswith("koerselslog-2025.csv")).values(path=f"{inbox}/log\x1b[2J\n.csv")
        )
    engine.dispose()
    assert runner.invoke(main, ["check"]).exit_code == 0
    out = cli_env / "out"
    reported = runner.invoke(main, ["report", "--contract", "KK-2024-0117", "--out", str(out)])
    assert reported.exit_code == 0, reported.output
    workbooks = sorted((out / "KK-2024-0117").glob("*.xlsx"))
    assert workbooks
    texts = []
    for path in workbooks:
        book = load_workbook(path, read_only=True)
        texts += [str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row if value]
        book.close()
    # The file is named relative to the inbox (issue 19 item 4), its control characters escaped.
    assert "EC52\\x00117" in texts and "log\\x1b[2J\\n.csv" in texts
    pages = [*out.glob("*.html"), *(out / "KK-2024-0117").glob("*.html"), out / "findings.csv"]
    assert (out / "index.html").is_file() and (out / "data-quality.html").is_file()
    for page in pages:
        text = page.read_text(encoding="utf-8-sig")
        assert not any(character in text for character in "\x00\x1b\x07"), page


POSTGRES_URL = os.environ.get("COMPLIANCE_TEST_POSTGRES_URL")


@pytest.mark.skipif(
    not POSTGRES_URL, reason="COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)"
)
@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.integration
def test_control_characters_are_refused_the_same_on_postgresql_and_sqlite(engine: Engine, tmp_path: Path) -> None:
    assert POSTGRES_URL is not None
    empty_database(POSTGRES_URL)
    migrate_database(POSTGRES_URL)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "nul.csv").write_text(LOG_HEADER + "03-01-2025;EC 52\x00 117;;22,0;;38451236\n", encoding="utf-8")
    (inbox / "esc.csv").write_text(LOG_HEADER + "04-01-2025;EC 41\x1b 209;;12,0;;38451236\n", encoding="utf-8")
    (inbox / "clean.csv").write_text(LOG_HEADER + "05-01-2025;EC 41 209;;12,0;;38451236\n", encoding="utf-8")
    postgres = make_engine(POSTGRES_URL)
    try:
        outcomes = [ingest_paths(database, [inbox], MAX) for database in (engine, postgres)]
        rows = []
        for database in (engine, postgres):
            with session_scope(database) as session:
                rows.append(sorted((t.registration, t.row) for t in session.scalars(select(Trip))))
    finally:
        postgres.dispose()
    on_sqlite, on_postgres = outcomes
    assert on_sqlite.ingested == on_postgres.ingested == [str(inbox / "clean.csv")]
    assert on_sqlite.quarantined == on_postgres.quarantined
    assert sorted(path for path, _ in on_postgres.quarantined) == [str(inbox / "esc.csv"), str(inbox / "nul.csv")]
    assert rows[0] == rows[1] == [("EC41209", 2)]


@pytest.mark.parametrize(
    ("name", "text_in_a_name", "encoding"),
    [
        ("del-as-reference", "Kopi&#127;papir", "utf-8"),
        ("c1-as-reference", "Kopi&#x85;papir", "utf-8"),
        ("c1-as-utf8", "Kopi\x85papir", "utf-8"),
        ("c1-in-latin-1", "Kopi\x85papir", "iso-8859-1"),  # the byte 0x85 is NEL in ISO-8859-1
        ("del-as-utf8", "Kopi\x7fpapir", "utf-8"),
        ("c1-in-utf-16", "Kopi\x85papir", "utf-16"),  # NEL is the bytes 85 00: no C1 sequence of UTF-8
    ],
)
def test_an_xml_invoice_skips_the_search_only_when_its_bytes_cannot_hold_a_control_character(
    engine: Engine, tmp_path: Path, name: str, text_in_a_name: str, encoding: str
) -> None:
    """A clean UTF-8 XML file is not searched field by field (xml_without_control_characters: the parser
    refuses C0 characters itself); DEL or a C1 character, raw, by a character reference or through
    another encoding, is still found."""
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    assert xml_without_control_characters(text.encode("utf-8"))
    first_name = text.index("<cbc:Name>") + len("<cbc:Name>")
    bad = text[:first_name] + text_in_a_name + text[first_name:]
    if encoding != "utf-8":
        bad = bad.replace("encoding='UTF-8'", f"encoding='{encoding.upper()}'", 1)
        assert f"encoding='{encoding.upper()}'" in bad
    data = bad.encode(encoding)
    assert not xml_without_control_characters(data)
    (tmp_path / f"{name}.xml").write_bytes(data)
    summary = ingest_paths(engine, [tmp_path / f"{name}.xml"], MAX)
    assert summary.ingested == [] and len(summary.quarantined) == 1
    assert "control character U+00" in summary.quarantined[0][1]


def test_inspect_refuses_a_document_with_a_control_character_in_the_readers_language(cli_env: Path) -> None:
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    first_name = text.index("<cbc:Name>") + len("<cbc:Name>")
    bad = cli_env / "bad.xml"
    bad.write_text(text[:first_name] + "Kopi\x7fpapir" + text[first_name:], encoding="utf-8")
    danish = CliRunner().invoke(main, ["inspect", str(bad)])
    assert danish.exit_code == 1 and danish.output.startswith(f"Fejl: {bad}: ")
    assert "indeholder kontroltegnet U+007F" in danish.output and "(forventet: tekst uden kontroltegn" in danish.output
    english = CliRunner().invoke(main, ["inspect", str(bad)], env={"COMPLIANCE_REPORT_LANGUAGE": "en"})
    assert "contains the control character U+007F" in english.output and english.output.startswith("Error: ")


def test_inspect_refuses_a_pipe_and_an_oversized_file_as_ingest_would(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """inspect reads the file as ingest does: a named pipe is not opened (it waited for a writer for
    ever), an oversized file is not read whole; the refusal reads in Danish."""
    pipe = cli_env / "pipe.xml"
    os.mkfifo(pipe)
    refused = CliRunner().invoke(main, ["inspect", str(pipe)])
    assert refused.exit_code == 1 and refused.output.strip() == f"Fejl: {pipe}: en navngivet pipe (FIFO), ikke en fil"
    huge = cli_env / "huge.xml"
    huge.write_bytes(b"<a>" + b"x" * 2_000_000 + b"</a>")
    monkeypatch.setenv("COMPLIANCE_MAX_FILE_MB", "1")
    oversized = CliRunner().invoke(main, ["inspect", str(huge)])
    assert oversized.exit_code == 1
    assert oversized.output.strip() == (
        f"Fejl: {huge}: filen er på 2000007 byte (forventet: højst 1048576 byte (COMPLIANCE_MAX_FILE_MB))"
    )


def test_ingests_notes_with_the_systems_error_read_in_danish() -> None:
    assert (
        render_note("cannot be looked at: No such file or directory", "da")
        == "kan ikke undersøges: filen eller mappen findes ikke"
    )
    assert render_note("cannot be looked at: Stale file handle", "da") == "kan ikke undersøges: Stale file handle"
    assert render_note("something else", "da") == "something else"
    reason = "/in/a.xml: cannot read the file: Permission denied"
    assert render_reason(reason, "da") == "/in/a.xml: filen kan ikke læses: adgang nægtet"
    assert render_reason(reason, "en") == reason
