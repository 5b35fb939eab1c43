"""The data team's page: what the data-quality suites checked at ingest, what failed, and the suites themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from compliance.quality import quality_rules
from compliance.store.models import DataQualityFailure, DataQualityRun, SourceFile

RECENT_RUNS = 50
PAGE_NAME = "data-quality.html"


@dataclass(frozen=True)
class FailureRow:
    """A failing row as the page shows it, with the file it came from and what happened to it."""

    path: str
    place: str
    dataset: str
    rule: str
    expectation: str
    columns: str
    value: str
    expected: str
    more_rows: int
    quarantined: bool


def failure_rows(session: Session) -> list[FailureRow]:
    """Every current data-quality failure, by file and place."""
    rows = session.execute(
        select(DataQualityFailure, SourceFile)
        .join(SourceFile, SourceFile.id == DataQualityFailure.source_file_id)
        .order_by(SourceFile.path, DataQualityFailure.id)
    ).all()
    return [
        FailureRow(
            source.path,
            failure.place,
            failure.dataset,
            failure.rule,
            failure.expectation,
            failure.columns,
            failure.value,
            failure.expected,
            failure.more_rows,
            source.status == "quarantined",
        )
        for failure, source in rows
    ]


def write_data_quality_page(environment: Environment, session: Session, out_dir: Path, generated: datetime) -> Path:
    """Write ``data-quality.html``: latest run per suite, failing rows, other quarantined files, the suites, recent runs."""
    latest_ids = select(func.max(DataQualityRun.id)).group_by(DataQualityRun.dataset)
    latest = session.scalars(
        select(DataQualityRun).where(DataQualityRun.id.in_(latest_ids)).order_by(DataQualityRun.dataset)
    ).all()
    recent = session.scalars(select(DataQualityRun).order_by(DataQualityRun.id.desc()).limit(RECENT_RUNS)).all()
    failures = failure_rows(session)
    with_failures = select(DataQualityFailure.source_file_id)
    other = session.scalars(
        select(SourceFile)
        .where(SourceFile.status == "quarantined", SourceFile.id.not_in(with_failures))
        .order_by(SourceFile.path)
    ).all()
    page = environment.get_template("data_quality.html.j2").render(
        latest=latest,
        failures=failures,
        other_quarantined=other,
        rules=quality_rules(generated.date()),
        recent=recent,
        generated=generated,
    )
    path = out_dir / PAGE_NAME
    path.write_text(page, encoding="utf-8")
    return path
