"""Issue 16 item 10 end to end: an office invoice in EUR is counted apart from the §16 coffee share
with a finding, or converted at the rate the contract names — and the annual report says which."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from compliance.base.settings import Settings
from compliance.pipeline import run_pipeline
from tests.builders import write_contract
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

AS_OF = date(2026, 11, 22)
REPORT = "annual-report-KK-2025-0042-year-1.html"


def _office_inbox_with_one_invoice_in_euro(folder: Path) -> Path:
    folder.mkdir()
    for path in (SAMPLE_DIR / "office").iterdir():
        content = path.read_bytes()
        if path.name == "NK-2025-0001.xml":  # coffee, tea, paper and cleaning; lines 16.474,00
            content = content.replace(b'currencyID="DKK"', b'currencyID="EUR"').replace(b">DKK<", b">EUR<")
        (folder / path.name).write_bytes(content)
    return folder


def _contracts(folder: Path, rates: list[dict[str, str]] | None) -> Path:
    data = yaml.safe_load((CONTRACTS_DIR / "KK-2025-0042.yaml").read_text(encoding="utf-8"))
    data["period"] = {key: str(value) for key, value in data["period"].items()}
    if rates is not None:
        data["exchange_rates"] = rates
    write_contract(folder, data)
    return folder


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("rates", [None, [{"currency": "EUR", "dkk": "7.4604", "source": "kontraktens § 4.2"}]])
def test_an_invoice_in_euro_is_counted_apart_or_converted_and_the_report_says_so(
    settings: Settings, tmp_path: Path, rates: list[dict[str, str]] | None
) -> None:
    settings = replace(
        settings,
        inbox=_office_inbox_with_one_invoice_in_euro(tmp_path / "inbox"),
        contracts_dir=_contracts(tmp_path / "contracts", rates),
    )
    run_pipeline(settings, as_of=AS_OF)
    page = (settings.reports_dir / "KK-2025-0042" / REPORT).read_text(encoding="utf-8")
    if rates is None:
        # The three coffee and tea lines of NK-2025-0001 (3.180 + 1.920 + 445 = 5.545 EUR) are held out.
        assert "5.545,00 EUR i 3 linje(r) er holdt uden for andelen" in page
        assert "Beløb i anden valuta holdt uden for andelen" in page  # the finding's title
        assert "faktura NK-2025-0001 er i EUR: 3 linje(r) for 5.545,00 EUR tælles for sig" in page
    else:
        assert "EUR er omregnet til kroner med kontraktens kurs 7,4604 kr. pr. EUR (kontraktens § 4.2)" in page
        assert "holdt uden for andelen" not in page
