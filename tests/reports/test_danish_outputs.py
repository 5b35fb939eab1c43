"""Danish from end to end (issue 19): every output of the demo, read as a Danish contract manager and
supplier read it, holds no English and every text comes from the Danish catalog; ``--lang en`` the
same in English.

The visible text of each HTML page (scripts, styles and ``<code>`` identifiers left out) and each PDF
(``pdftotext``) is checked against a list of English words that are no Danish words; identifiers
(``trips.trip_date_plausible``, ``compliance/quality.py``, ``green_vehicles.trip_lines``) are not words.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html

from compliance.base import i18n
from compliance.base.settings import Settings, load_settings
from compliance.cli import main
from compliance.pipeline import PipelineResult, run_pipeline
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR
from tests.reports.conftest import AS_OF

pytestmark = [pytest.mark.slow, pytest.mark.integration]

# English words a Danish text never holds (Danish homographs such as "for", "at", "by", "to", "have",
# "under", "over", "i", "den" and "fast" are left out on purpose).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "with",
        "without",
        "which",
        "is",
        "are",
        "was",
        "were",
        "not",
        "from",
        "this",
        "that",
        "these",
        "has",
        "invoice",
        "invoiced",
        "invoices",
        "trips",
        "trip",
        "green",
        "label",
        "labels",
        "vehicle",
        "vehicles",
        "register",
        "catalogue",
        "item",
        "items",
        "line",
        "lines",
        "contract",
        "contracts",
        "penalty",
        "share",
        "year",
        "years",
        "month",
        "months",
        "logged",
        "expected",
        "received",
        "none",
        "or",
        "no",
        "unknown",
        "deregistered",
        "evidence",
        "found",
        "should",
        "must",
        "been",
        "will",
        "every",
        "each",
        "other",
        "between",
        "level",
        "report",
        "supplier",
        "buyer",
        "comments",
        "deadline",
        "quantity",
        "amount",
        "shortfall",
        "hearing",
        "overview",
        "quality",
        "files",
        "rows",
        "checked",
        "rule",
        "rules",
        "failed",
        "name",
        "when",
        "who",
        "what",
        "why",
        "how",
        "their",
        "its",
        "in",
        "an",
        "than",
        "below",
        "above",
        "more",
        "less",
        "count",
        "counted",
        "counts",
        "seen",
        "applied",
        "listed",
        "never",
        "units",
        "excl",
        "qualifies",
        "accepted",
        "proposed",
        "decided",
        "shows",
        "show",
        "total",
        "all",
        "any",
        "only",
        "same",
        "day",
        "days",
        "until",
        "after",
        "before",
    ]
)
# A word: letters only, not part of an identifier (joined to a dot, slash, underscore or digit).
WORD = re.compile(r"(?<![\w./@-])[A-Za-zÆØÅæøå]+(?![\w./@]|-\w)")
# A server path (issue 19 item 4 names sources relative to the inbox; the `letters` branch builds it).
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:tmp|home|root|work|var|srv|opt|usr)/[\w./-]+")


def visible_text(path: Path, code: bool = False) -> str:
    """What a reader sees: the text of an HTML page without scripts and styles (and without ``<code>``
    identifiers unless ``code``), or a PDF's text."""
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    tree = html.fromstring(path.read_bytes())
    for hidden in tree.xpath("//script|//style|//title" if code else "//script|//style|//code|//title"):
        hidden.drop_tree()
    return " ".join(tree.itertext())


def english_words(text: str) -> list[str]:
    return [word for word in WORD.findall(text) if word.lower() in ENGLISH_WORDS]


@pytest.fixture(scope="module")
def danish_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, PipelineResult, dict[str, str]]:
    """The demo in Danish, with the catalog's misses recorded from the start, and the CLI's hearing output."""
    i18n.MISSING.clear()
    root = tmp_path_factory.mktemp("danish-run")
    settings = replace(
        load_settings(),
        db_url=f"sqlite:///{root / 'compliance.sqlite'}",
        inbox=SAMPLE_DIR,
        contracts_dir=CONTRACTS_DIR,
        reports_dir=root / "reports",
        report_language="da",
    )
    result = run_pipeline(settings, as_of=AS_OF)
    env = {
        "COMPLIANCE_DB_URL": settings.db_url,
        "COMPLIANCE_CONTRACTS_DIR": str(CONTRACTS_DIR),
        "COMPLIANCE_INBOX": str(SAMPLE_DIR),
        "COMPLIANCE_REPORTS_DIR": str(settings.reports_dir),
        "COMPLIANCE_REPORT_LANGUAGE": "da",
    }
    runner = CliRunner()
    cli = {
        "hearing list": runner.invoke(main, ["hearing", "list"], env=env).output,
        "hearing show": runner.invoke(main, ["hearing", "show", "--contract", "KK-2024-0117", "--year", "2"], env=env).output,
    }
    return settings, result, cli


def _outputs(settings: Settings) -> list[Path]:
    outputs = sorted(p for p in settings.reports_dir.rglob("*") if p.suffix in {".html", ".pdf"})
    if not shutil.which("pdftotext"):
        outputs = [p for p in outputs if p.suffix != ".pdf"]
    return outputs


def test_every_text_of_the_danish_demo_is_in_the_danish_catalog(
    danish_run: tuple[Settings, PipelineResult, dict[str, str]],
) -> None:
    settings, _result, _cli = danish_run
    assert any(p.name == "index.html" for p in _outputs(settings))
    missing = sorted(text for lang, text in i18n.MISSING if lang == "da")
    assert not missing, f"texts the Danish catalog lacks: {missing}"


def test_a_danish_reader_finds_no_english_in_the_demo(danish_run: tuple[Settings, PipelineResult, dict[str, str]]) -> None:
    settings, result, cli = danish_run
    assert len(result.reports.annual) == 5
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDFs cannot be read; the HTML is checked by the next test")
    found = {
        str(path.relative_to(settings.reports_dir)): words
        for path in _outputs(settings)
        if (words := english_words(visible_text(path)))
    }
    found |= {f"compliance {name}": words for name, text in cli.items() if (words := english_words(text))}
    assert not found, f"English in Danish outputs: {found}"


def test_the_danish_html_holds_no_english(danish_run: tuple[Settings, PipelineResult, dict[str, str]]) -> None:
    settings, _result, _cli = danish_run
    found = {
        str(path.relative_to(settings.reports_dir)): words
        for path in _outputs(settings)
        if path.suffix == ".html" and (words := english_words(visible_text(path)))
    }
    assert not found, f"English in Danish HTML: {found}"


def test_no_danish_output_names_a_server_path(danish_run: tuple[Settings, PipelineResult, dict[str, str]]) -> None:
    settings, _result, _cli = danish_run
    found = {
        str(path.relative_to(settings.reports_dir)): paths
        for path in _outputs(settings)
        if (paths := ABSOLUTE_PATH.findall(visible_text(path, code=True)))
    }
    assert not found, f"server paths in Danish outputs: {found}"


def test_english_on_request_is_complete(tmp_path: Path) -> None:
    """``--lang en``: every text the English outputs show is in the English catalog."""
    i18n.MISSING.clear()
    settings = replace(
        load_settings(),
        db_url=f"sqlite:///{tmp_path / 'compliance.sqlite'}",
        inbox=SAMPLE_DIR,
        contracts_dir=CONTRACTS_DIR,
        reports_dir=tmp_path / "reports",
        report_language="en",
    )
    run_pipeline(settings, as_of=AS_OF)
    missing = sorted(text for lang, text in i18n.MISSING if lang == "en")
    assert not missing, f"texts the English catalog lacks: {missing}"
    overview = visible_text(settings.reports_dir / "index.html")
    assert "Contract overview" in overview and "Oversigt over kontrakter" not in overview
