"""The overview says "ikke relevant" where spend cannot carry eco-labels, and why a contract is "i risiko"
(issue 19 item 7)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace
from typing import cast

import pytest

from compliance.assessment.overview import StatusReason, contract_status, status_reason
from compliance.assessment.portfolio import SpendShare, labels_can_apply
from compliance.assessment.results import AssessedYear
from compliance.base.settings import Settings
from compliance.contracts import load_contract
from compliance.pipeline import PipelineResult
from compliance.reports.language import language
from compliance.reports.overview import reason_text
from tests.conftest import CONTRACTS_DIR

Run = tuple[Settings, PipelineResult]


def _year(number: int, green: str | None = None, shares: Sequence[str] = (), high: int = 0) -> AssessedYear:
    """A stand-in for an assessed year with just what the overview's state reads."""
    outcome = None if green is None else SimpleNamespace(status=green, share=Decimal("0.40"), level_percent=Decimal(55))
    share_outcomes = tuple(
        SimpleNamespace(status=s, description="kaffe og te", share=Decimal("0.30"), level_percent=Decimal(50)) for s in shares
    )
    return cast(
        AssessedYear, SimpleNamespace(number=number, green=outcome, shares=share_outcomes, hearing=None, high_findings=high)
    )


def test_an_at_risk_contract_says_why() -> None:
    # A running year below its level so far: the share and the level.
    running = [_year(1, "compliant"), _year(2, "at_risk")]
    assert contract_status(running) == "at_risk"
    reason = status_reason(running)
    assert reason == StatusReason("reason_forecast_green", {"year": 2, "share": Decimal("0.40"), "level": Decimal(55)})
    assert reason_text(reason, language("da")) == (
        "kontraktår 2 kører, og andelen af grønne ture (40,00 %) ligger indtil videre under niveauet (55,00 %)"
    )
    # A purchase share running below its level.
    assert status_reason([_year(1, None, ["at_risk"])]) == StatusReason(
        "reason_forecast_share", {"year": 1, "rule": "kaffe og te", "share": Decimal("0.30"), "level": Decimal(50)}
    )
    # Compliant figures but high-severity findings in the latest year: the findings, counted.
    findings = [_year(1, None, ["compliant"]), _year(2, None, ["compliant"], high=3)]
    assert contract_status(findings) == "at_risk"
    assert reason_text(status_reason(findings), language("da")) == "3 alvorlige fund i kontraktår 2"
    assert reason_text(status_reason(findings), language("en")) == "3 high-severity finding(s) in contract year 2"
    # Any other state has no reason to give.
    assert status_reason([_year(1, "compliant")]) is None and status_reason([_year(1, "short")]) is None


def test_courier_spend_cannot_carry_labels_office_spend_can() -> None:
    transport = load_contract(CONTRACTS_DIR / "KK-2024-0117.yaml")
    office = load_contract(CONTRACTS_DIR / "KK-2025-0042.yaml")
    assert not labels_can_apply(transport) and labels_can_apply(office)
    assert labels_can_apply(replace(transport, purchase_shares=office.purchase_shares))
    courier = SpendShare("5798000000014", "Økonomiforvaltningen", "", spend=Decimal("385505.00"))
    assert not courier.labels_apply and replace(courier, label_spend=Decimal(1)).labels_apply


def _visible(page: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.slow
@pytest.mark.integration
def test_the_overview_shows_not_relevant_and_the_reason(sample_run: Run) -> None:
    settings, _ = sample_run
    text = _visible((settings.reports_dir / "index.html").read_text(encoding="utf-8"))
    # Økonomiforvaltningen buys only courier transport (no label terms): its share is not 0 %, it is not relevant.
    assert re.search(r"Økonomiforvaltningen [\d.,]+ kr\. 0,00 kr\. ikke relevant", text)
    assert re.search(r"Koncernindkøb [\d.,]+ kr\. [\d.,]+ kr\. \d+,\d\d %", text)
    # The office contract is at risk because of year 2's high-severity findings (its catalogue facts).
    assert "I risiko 3 alvorlige fund i kontraktår 2" in text
    portfolio = _visible((settings.reports_dir / "portfolio-2025.html").read_text(encoding="utf-8"))
    assert "ikke relevant" in portfolio
