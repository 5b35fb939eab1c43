"""The ``compliance`` command as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from compliance.base.package_data import load_package_json
from compliance.cli import main
from tests.conftest import CONTRACTS_DIR, SAMPLE_DIR

COMMANDS = [
    [],
    ["init"],
    ["ingest"],
    ["check"],
    ["report"],
    ["run"],
    ["inspect"],
    ["contracts"],
    ["contracts", "validate"],
    ["contracts", "list"],
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMPLIANCE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COMPLIANCE_DB_URL", raising=False)
    monkeypatch.setenv("COMPLIANCE_INBOX", str(SAMPLE_DIR))
    monkeypatch.setenv("COMPLIANCE_CONTRACTS_DIR", str(CONTRACTS_DIR))
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "compliance")
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: main" in result.output or "Usage:" in result.output


@pytest.mark.slow
@pytest.mark.integration
def test_run_prints_where_the_reports_are(env: Path) -> None:
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 0, result.output
    # Danish by default, as everything a contract manager reads.
    assert "indlæst 41, dubletter 0, i karantæne 0" in result.output
    assert "kontrolleret 2 kontrakt(er), 5 kontraktår: 25 forhold" in result.output
    assert "manko: KK-2024-0117 år 2: bod 45.100,00 kr., høring foreslået" in result.output
    assert f"åbn oversigten: {env / 'var' / 'reports' / 'index.html'}" in result.output
    assert (env / "var" / "compliance.sqlite").is_file()
    english = CliRunner().invoke(main, ["check"], env={"COMPLIANCE_REPORT_LANGUAGE": "en"})
    assert english.exit_code == 0, english.output
    assert "checked 2 contract(s), 5 contract year(s): 25 finding(s)" in english.output
    assert "shortfall: KK-2024-0117 year 2: penalty DKK 45,100.00, hearing proposed" in english.output
    # --lang on the command does the same, for its lines and its refusals.
    asked = CliRunner().invoke(main, ["check", "--lang", "en"])
    assert "checked 2 contract(s), 5 contract year(s): 25 finding(s)" in asked.output
    refused = CliRunner().invoke(
        main,
        [
            "hearing",
            "decide",
            "--contract",
            "KK-2024-0117",
            "--year",
            "9",
            "--decision",
            "confirm",
            "--reason",
            "r",
            "--lang",
            "en",
        ],
    )
    assert refused.exit_code == 1 and refused.output.startswith("Error: contract KK-2024-0117 year 9 has no proposed penalty")


def test_ingest_exits_non_zero_and_names_the_quarantined_file(env: Path) -> None:
    bad = env / "bad.xml"
    bad.write_text("<Invoice>", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(SAMPLE_DIR / "transport" / "GB-202401.xml"), str(bad)])
    assert result.exit_code == 1
    assert "indlæst 1, dubletter 0, i karantæne 1" in result.output
    assert f"i karantæne: {bad}: line 1" in result.output  # the prefix in the report language (Danish by default)


@pytest.mark.slow
@pytest.mark.integration
def test_check_and_report_for_one_contract_year(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SAMPLE_DIR)]).exit_code == 0
    checked = runner.invoke(main, ["check", "--contract", "KK-2024-0117", "--year", "2"])
    assert checked.exit_code == 0, checked.output
    assert "kontrolleret 1 kontrakt(er), 1 kontraktår" in checked.output
    out = env / "out"
    reported = runner.invoke(main, ["report", "--contract", "KK-2024-0117", "--year", "2", "--out", str(out)])
    assert reported.exit_code == 0, reported.output
    assert (out / "KK-2024-0117" / "annual-report-KK-2024-0117-year-2.html").is_file()
    assert not (out / "KK-2024-0117" / "annual-report-KK-2024-0117-year-1.html").exists()
    unknown = runner.invoke(main, ["check", "--contract", "NOPE"])
    assert unknown.exit_code == 1 and "Fejl: ingen kontrakt 'NOPE' (forventet: én af KK-" in unknown.output


def test_inspect_prints_the_published_shape(reference_dir: Path) -> None:
    schema = load_package_json("normalized-document.schema.json")
    result = CliRunner().invoke(
        main, ["inspect", str(reference_dir / "invoices/peppol-dk/BIS3_Invoice_Example_DK_Supplier_Master.xml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    jsonschema.validate(document, schema)
    assert document["document_type"] == "invoice" and document["issue_date"] == "2018-04-01"
    assert document["supplier"] == {
        **document["supplier"],
        "endpoint_id": "5798009811578",
        "endpoint_scheme": "0088",
        "cvr": "32081330",
    }
    assert document["contract_references"] == ["Contract-1223456"]
    assert all({"code", "raw"} <= set(label) for line in document["lines"] for label in line["labels"])


def test_inspect_of_a_sample_trip_invoice_shows_plates_as_properties() -> None:
    result = CliRunner().invoke(main, ["inspect", str(SAMPLE_DIR / "transport" / "GB-202401.xml"), "--json"])
    document = json.loads(result.output)
    first = document["lines"][0]
    assert first["seller_item_id"] in {"KOERSEL-GROEN", "KOERSEL-KONV"}
    assert {"name": "Registreringsnummer"}.items() <= first["properties"][0].items()
    assert document["totals"]["line_extension"].count(".") == 1


def test_inspect_of_a_broken_file_says_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "x.xml"
    bad.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><x/>', encoding="utf-8")
    result = CliRunner().invoke(main, ["inspect", str(bad), "--json"])
    assert result.exit_code == 1 and "DOCTYPE" in result.output and "line 2" in result.output


def test_contracts_validate(tmp_path: Path) -> None:
    good = CliRunner().invoke(main, ["contracts", "validate", str(CONTRACTS_DIR / "KK-2024-0117.yaml")])
    assert good.exit_code == 0 and "gyldig:" in good.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (CONTRACTS_DIR / "KK-2024-0117.yaml").read_text(encoding="utf-8").replace("model: per_trip", "model: per_day"),
        encoding="utf-8",
    )
    bad = CliRunner().invoke(main, ["contracts", "validate", str(broken)])
    assert bad.exit_code == 1
    assert f"ugyldig: {broken} (1 fejl)" in bad.output
    line = next(n for n, text in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if "per_day" in text)
    assert f"{broken}:{line}:" in bad.output and "green_vehicles.penalty.model: 'per_day' er ikke én af" in bad.output
    assert "(mente du 'per_trip'?)" in bad.output or "(mente du 'per_km'?)" in bad.output
    english = CliRunner().invoke(main, ["contracts", "validate", "--lang", "en", str(broken)])
    assert "green_vehicles.penalty.model: 'per_day' is not one of" in english.output


def test_blank_invoice_template_is_refused_empty_and_reads_once_filled_in(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from compliance.base.documents import InvoiceDocument
    from compliance.base.errors import SourceFileError
    from compliance.ingest.detect import read_source

    path = tmp_path / "faktura.xlsx"
    result = CliRunner().invoke(main, ["template", "invoice", "--out", str(path)])
    assert result.exit_code == 0 and path.is_file()
    with pytest.raises(SourceFileError) as caught:
        read_source(path.read_bytes(), str(path), 10**7)
    assert "the blank template came back unfilled" in caught.value.message
    book = load_workbook(path)
    values = {"document_type": "invoice", "invoice_number": "T-1", "issue_date": "2025-05-01", "supplier_cvr": "38451236"}
    for row in book["Invoice"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    book["Lines"].append(
        [1, "KOERSEL-GROEN", "Kørsel, el-varebil", 4, "EA", 1540.0, None, None, None, "EC 41 208", "2025-04-30", None]
    )
    book.save(path)
    document = read_source(path.read_bytes(), str(path), 10**7)
    assert isinstance(document, InvoiceDocument)
    assert (document.id, document.supplier.cvr, len(document.lines)) == ("T-1", "38451236", 1)
    assert document.lines[0].properties[0].value == "EC 41 208"


def test_progress_line_on_a_terminal_only() -> None:
    import io

    from compliance.cli import TerminalProgress
    from compliance.intake.batch import IngestProgress, IngestSummary

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    show = TerminalProgress(terminal)
    summary = IngestSummary(ingested=["a", "b"], duplicates=["c"])
    show(IngestProgress(3, 3, summary, 1.5))
    assert terminal.getvalue() == "\r3/3 filer, 2 filer/s · indlæst 2, dubletter 1, i karantæne 0\n"
    piped = io.StringIO()
    TerminalProgress(piped)(IngestProgress(3, 3, summary, 1.5))
    assert piped.getvalue() == ""


@pytest.mark.parametrize("command", [["check"], ["report"], ["hearing", "list"], ["portfolio"], ["ingest", "."]])
def test_a_setting_error_is_a_message_not_a_traceback(command: list[str], env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_DB_URL", "nosuchdb://somewhere/db")
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and result.output.startswith("Fejl: "), result.output
    assert "COMPLIANCE_DB_URL angiver databasetypen 'nosuchdb', som der ikke er en driver til her" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, ValueError | KeyError)
