"""After a decision every output shows the decided penalty: the notice becomes a decision letter (sent once,
its deadline kept), the overview and the run summary show the decision (issue 17 item 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.base.settings import Settings
from compliance.pipeline import PipelineResult, comment_on_hearing, decide_hearing, run_pipeline, write_supplier_notices
from tests.reports.conftest import AS_OF

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_a_decided_penalty_reaches_the_letter_the_overview_and_the_run_summary(
    sample_run: tuple[Settings, PipelineResult],
) -> None:
    settings, first = sample_run
    assert "KK-2024-0117 year 2: penalty 45.100,00 kr., hearing proposed" in first.checks.shortfalls
    proposal = {(n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, today=AS_OF)}
    before = proposal[("KK-2024-0117", 2)]
    proposal_letter = before.html.read_text(encoding="utf-8")
    assert "Den foreslåede bod er 45.100,00 kr." in proposal_letter

    comment_on_hearing(settings, "KK-2024-0117", 2, "Two electric vans were in repair", "Anna Jensen")
    decide_hearing(settings, "KK-2024-0117", 2, "reduce", "repairs documented", "Anna Jensen", AS_OF, Decimal("30000"))
    again = run_pipeline(settings, as_of=AS_OF)
    (summary,) = [line for line in again.checks.shortfalls if line.startswith("KK-2024-0117 year 2")]
    assert summary.startswith("KK-2024-0117 year 2: penalty 45.100,00 kr. proposed; reduced on ")
    assert summary.endswith(": 30.000,00 kr. imposed")

    decided = {(n.contract_id, n.contract_year): n for n in write_supplier_notices(settings, today=AS_OF)}
    after = decided[("KK-2024-0117", 2)]
    letter = after.html.read_text(encoding="utf-8")
    assert "boden er nedsat. Pålagt bod: 30.000,00 kr.<" in letter and "foreslåede bod" not in letter
    # The year's shortfall in the letter tells the decision, not the proposal it was stored with.
    assert "foreslået bod 45.100,00 kr." in proposal_letter and "foreslået bod" not in letter
    assert "efter leverandørens partshøring blev boden nedsat den" in letter and ": 30.000,00 kr." in letter
    assert "Pålagt bod: 30.000,00 kr." in after.body  # the e-mail says it too
    assert after.letter_sha256 != before.letter_sha256  # a new letter: sent once more, as a decision letter
    assert after.deadline == before.deadline  # the findings' deadline for comments is kept
    unchanged = decided[("KK-2024-0117", 1)]
    assert unchanged.letter_sha256 == proposal[("KK-2024-0117", 1)].letter_sha256

    overview = (settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert '30.000,00 kr.<br><span class="muted">nedsat' in overview
