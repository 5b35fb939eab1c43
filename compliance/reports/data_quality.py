"""The data team's page: what the data-quality suites checked at ingest, what failed, and the suites themselves."""

from __future__ import annotations

from pathlib import Path

from compliance.assessment.overview import DataQualityState
from compliance.quality import quality_rules
from compliance.reports.views import ReportRun

RECENT_RUNS = 50  # how many of the latest suite runs the page lists
PAGE_NAME = "data-quality.html"


def write_data_quality_page(run: ReportRun, state: DataQualityState) -> Path:
    """Write ``data-quality.html``: latest run per suite, failing rows, other quarantined files, the suites, recent runs."""
    page = run.environment.get_template("data_quality.html.j2").render(
        latest=state.latest,
        failures=state.failures,
        other_quarantined=state.other_quarantined,
        rules=quality_rules(run.generated.date()),
        recent=state.recent,
        generated=run.generated,
    )
    path = run.out_dir / PAGE_NAME
    path.write_text(page, encoding="utf-8")
    return path
