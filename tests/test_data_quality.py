"""Data quality at ingest: the Great Expectations suites quarantine failing files, record why, and let the rest go on."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from compliance.base.documents import CatalogueDocument
from compliance.base.settings import Settings
from compliance.context import Context
from compliance.ingest.detect import read_source
from compliance.intake.batch import ingest_paths
from compliance.intake.vehicles import import_dmr
from compliance.pipeline import write_reports
from compliance.quality import DATASETS, quality_rules, validate_dataset, validate_documents
from compliance.reports.language import language
from compliance.store.db import session_scope
from compliance.store.models import DataQualityFailure, DataQualityRun, SourceFile, Trip, Vehicle
from tests.conftest import SAMPLE_DIR
from tests.ingest.test_dmr import RECORDS, record, write_extract

MAX = 5 * 1024 * 1024
GOOD_LOG = "trip_date;registration;vehicle_type;distance_km\n2025-03-01;AB12345;van;12,5\n2025-03-02;CD23456;truck;40\n"
BAD_LOG = (
    "trip_date;registration;vehicle_type;distance_km\n"
    "2025-03-01;AB12345;van;12,5\n"
    "2025-03-02;AB12345;van;-4\n"  # row 3: a negative distance
    "2099-01-01;CD23456;truck;30\n"  # row 4: a trip that has not happened
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def invoice_with_two_lines_called_1(folder: Path) -> Path:
    """A sample invoice (under a new number) whose second line reuses the first line's ID."""
    text = (SAMPLE_DIR / "office" / "NK-2025-0001.xml").read_text(encoding="utf-8")
    second_line = "<cac:InvoiceLine>\n    <cbc:ID>2</cbc:ID>"
    assert second_line in text
    text = text.replace(second_line, "<cac:InvoiceLine>\n    <cbc:ID>1</cbc:ID>").replace("NK-2025-0001", "NK-2025-9001")
    return write(folder, "twice-line-1.xml", text)


def test_a_failing_file_is_quarantined_with_the_expectation_row_and_value_and_the_rest_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "good-log.csv", GOOD_LOG)
    write(inbox, "bad-log.csv", BAD_LOG)
    invoice_with_two_lines_called_1(inbox)
    shutil.copy(SAMPLE_DIR / "office" / "NK-2025-0002.xml", inbox / "fine-invoice.xml")

    summary = ingest_paths(engine, [inbox], MAX)

    assert sorted(Path(name).name for name in summary.ingested) == ["fine-invoice.xml", "good-log.csv"]
    assert sorted(Path(name).name for name in summary.quality_quarantined) == ["bad-log.csv", "twice-line-1.xml"]
    reasons = dict(summary.quarantined)
    bad_log = reasons[str(inbox / "bad-log.csv")]
    assert "row 3: distance_km is -4" in bad_log and "trips.distance_plausible" in bad_log
    assert "row 4: trip_date is 2099-01-01" in bad_log and "trips.trip_date_plausible" in bad_log
    assert "invoice_lines.line_id_unique" in reasons[str(inbox / "twice-line-1.xml")]
    assert {run.dataset for run in summary.quality_runs} == {"trips", "invoice_lines"}
    with session_scope(engine) as session:
        # Only the good log's two trips: none of the bad log's rows, not even its good first row.
        assert session.scalar(select(func.count()).select_from(Trip)) == 2
        failures = session.execute(
            select(
                DataQualityFailure.rule, DataQualityFailure.place, DataQualityFailure.value, SourceFile.path, SourceFile.status
            )
            .join(SourceFile)
            .order_by(DataQualityFailure.id)
        ).all()
        assert ("distance_plausible", "row 3", "-4", str(inbox / "bad-log.csv"), "quarantined") in failures
        assert ("trip_date_plausible", "row 4", "2099-01-01", str(inbox / "bad-log.csv"), "quarantined") in failures
        runs = session.scalars(select(DataQualityRun).where(DataQualityRun.dataset == "trips")).all()
        assert [(run.files, run.rows, run.failing_files) for run in runs] == [(2, 5, 1)]
        assert sorted(runs[0].failed_expectations) == ["distance_plausible", "trip_date_plausible"]


def test_checking_a_quarantined_file_again_lists_its_failures_once(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "bad-log.csv", BAD_LOG)
    ingest_paths(engine, [inbox], MAX)
    again = ingest_paths(engine, [inbox], MAX)
    assert [Path(name).name for name in again.quality_quarantined] == ["bad-log.csv"]
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(DataQualityFailure)) == 2
        assert session.scalar(select(func.count()).select_from(DataQualityRun)) == 2  # a run is an event: both kept


def test_a_corrected_file_is_stored_and_the_old_failures_stay_with_the_old_file(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    bad = write(inbox, "bad-log.csv", BAD_LOG)
    ingest_paths(engine, [inbox], MAX)
    bad.write_text(BAD_LOG.replace(";-4", ";4").replace("2099-01-01", "2025-03-03"), encoding="utf-8")
    corrected = ingest_paths(engine, [inbox], MAX)
    assert [Path(name).name for name in corrected.ingested] == ["bad-log.csv"] and not corrected.quality_quarantined
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Trip)) == 3


def test_a_failing_dmr_record_is_left_out_and_the_others_are_stored(engine: Engine, tmp_path: Path) -> None:
    heavy = record("ZZ99999", "4", "2", "49", 250_000, "Registreret", "2024-02-01T10:00:00.000+01:00")  # 250 t
    summary = import_dmr(engine, write_extract(tmp_path / "dmr.xml", [*RECORDS, heavy]))
    assert summary.left_out_by_quality == 1 and summary.vehicles == 4
    with session_scope(engine) as session:
        plates = set(session.scalars(select(Vehicle.registration)))
        assert "ZZ99999" not in plates and {"EC41208", "TR75021", "BG22519", "AB12345"} <= plates
        failure = session.scalars(select(DataQualityFailure)).one()
        assert (failure.rule, failure.value) == ("weight_plausible", "250000")
        assert failure.place.startswith("record ")
        assert session.get(SourceFile, failure.source_file_id).status == "ingested"  # type: ignore[union-attr]


def test_an_expectation_that_cannot_be_evaluated_fails_the_whole_batch() -> None:
    records = [{"file": "a.csv", "place": "row 2", "trip_date": None, "distance_km": "far", "registration": "AB12345"}]
    run, failures, failing_rows = validate_dataset("trips", records, date(2026, 1, 1))
    assert "distance_plausible" in run.failed_expectations
    assert failing_rows == {0}
    whole = [f for f in failures if f.place == "whole batch"]
    assert whole and {f.file for f in whole} == {"a.csv"}


def test_every_dataset_has_a_suite_with_reasons() -> None:
    rules = quality_rules(date(2026, 1, 1))
    assert {rule.dataset for rule in rules} == set(DATASETS)
    assert all(rule.expected and rule.why for rule in rules)
    assert len({rule.label for rule in rules}) == len(rules)


def test_every_official_example_passes_every_suite(engine: Engine, reference_dir: Path) -> None:
    summary = ingest_paths(engine, [reference_dir], 50 * 1024 * 1024)
    assert summary.quality_runs, "the suites ran"
    assert summary.quality_quarantined == []


def test_the_data_team_page_lists_failures_and_the_suites(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write(inbox, "bad-log.csv", BAD_LOG)
    write(inbox, "broken.xml", "<Invoice")
    ingest_paths(engine, [inbox], MAX)
    written = write_reports(Context(settings, engine, contracts=[]), tmp_path / "reports", lang=language("en"))
    assert written.data_quality is not None
    page = written.data_quality.read_text(encoding="utf-8")
    assert "bad-log.csv" in page and "trips.distance_plausible" in page and "row 3" in page
    assert "broken.xml" in page.split("Other quarantined files")[1].split("The suites")[0]
    assert "bad-log.csv" not in page.split("Other quarantined files")[1].split("The suites")[0]
    for rule in quality_rules(date.today()):
        assert rule.label in page
    assert 'href="data-quality.html"' in written.index.read_text(encoding="utf-8")


def test_every_failing_dmr_record_is_left_out_not_only_those_listed(engine: Engine, tmp_path: Path) -> None:
    """More failing records than the page lists one by one (20 per rule): all of them stay out."""
    heavy = [
        record(f"ZZ{number:05d}", "4", "2", "49", 250_000, "Registreret", "2024-02-01T10:00:00.000+01:00") for number in range(25)
    ]
    summary = import_dmr(engine, write_extract(tmp_path / "dmr.xml", [*RECORDS, *heavy]))
    assert summary.left_out_by_quality == 25 and summary.vehicles == 4
    with session_scope(engine) as session:
        assert not [plate for plate in session.scalars(select(Vehicle.registration)) if plate.startswith("ZZ")]
        listed = session.scalars(select(DataQualityFailure)).all()
        assert len(listed) == 20 and sum(f.more_rows for f in listed) == 5


@pytest.mark.parametrize(
    ("gtin", "refused"),
    [
        ("12345678", False),
        ("5701234567899", False),
        ("１２３４５６７８", True),  # full-width digits
        ("1234567８", True),
        ("٣٣٣٣٣٣٣٣", True),  # Arabic-Indic digits
        ("²²²²²²²²", True),  # superscripts: str.isdigit() says digits
        ("12345678\n", True),
        ("1234567", True),
        ("ABC-123", False),  # letters: another scheme's code, not a GTIN
    ],
)
def test_the_gtin_check_takes_ascii_digits_only(gtin: str, refused: bool) -> None:
    catalogue = read_source((SAMPLE_DIR / "office" / "katalog-2025.xml").read_bytes(), "katalog.xml", MAX)
    assert isinstance(catalogue, CatalogueDocument)
    line = replace(catalogue.lines[0], standard_item_id=gtin)
    result = validate_documents([("katalog.xml", replace(catalogue, lines=[line, *catalogue.lines[1:]]))], date(2026, 1, 1))
    failing = [failure for failure in result.failures if failure.rule.name == "gtin"]
    assert bool(failing) is refused, failing
    if refused:
        assert failing[0].file == "katalog.xml" and failing[0].value


def test_great_expectations_keeps_its_info_lines_out_of_the_task_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Issue 20: some 200 INFO lines of Great Expectations per ingest buried the ingest's own log lines."""
    caplog.set_level(logging.INFO)
    records = [{"file": "a.csv", "place": "row 2", "trip_date": None, "distance_km": 12, "registration": "AB12345"}]
    validate_dataset("trips", records, date(2026, 1, 1))
    assert logging.getLogger("great_expectations").getEffectiveLevel() == logging.WARNING
    assert [
        r.getMessage() for r in caplog.records if r.name.startswith("great_expectations") and r.levelno < logging.WARNING
    ] == []
