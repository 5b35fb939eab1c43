"""The Excel catalogue template: the blank download, a filled-in catalogue, and errors that name the cell."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from compliance.base.documents import CatalogueDocument, document_as_json
from compliance.base.errors import SourceFileError
from compliance.base.package_data import load_package_json
from compliance.base.settings import PROJECT_ROOT
from compliance.cli import main
from compliance.ingest.detect import read_source
from compliance.ingest.excel_catalogue import HEADER_FIELDS, ITEM_COLUMNS, write_blank_catalogue_template

MAX = 5 * 1024 * 1024


def filled_template(tmp_path: Path, items: list[list[object]], **header: object) -> bytes:
    path = tmp_path / "katalog.xlsx"
    write_blank_catalogue_template(path)
    book = load_workbook(path)
    values = {
        "document_type": "catalogue", "catalogue_id": "NK-XL-1", "issue_date": "2025-02-01", "supplier_cvr": "DK27614590",
        "contract_reference": "KK-2025-0042", "valid_from": date(2025, 3, 1), **header,
    }  # fmt: skip
    sheet = book["Catalogue"]
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row=row, column=1).value
        if name in values:
            sheet.cell(row=row, column=2).value = values[name]  # type: ignore[assignment]
    for item in items:
        book["Items"].append(item)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_blank_template_has_every_documented_field_and_column(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["template", "catalogue", "--out", str(tmp_path / "blank.xlsx")])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "blank.xlsx")
    assert book.sheetnames == ["Catalogue", "Items", "Help"]
    assert [c.value for c in book["Items"][1]] == list(ITEM_COLUMNS)
    assert [book["Catalogue"].cell(row=r, column=1).value for r in range(2, len(HEADER_FIELDS) + 2)] == list(HEADER_FIELDS)
    documented = (PROJECT_ROOT / "schemas" / "excel-catalogue.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in documented for name in [*HEADER_FIELDS, *ITEM_COLUMNS])


def test_a_filled_catalogue_reads_items_labels_and_licences(tmp_path: Path) -> None:
    data = filled_template(
        tmp_path,
        [
            [1, "add", "KOP-A4-SV", "5701234567892", "Kopipapir A4", "14111507", "Svanemærket, EU Ecolabel", "3041 0012, DK/011/004",
             "189,00", "PK"],
            [2, None, 4711.0, None, "Toner", 44103103, None, None, 689, "EA"],
            [None, None, None, None, None, None, None, None, None, None],
            [3, "Delete", "KAF-STD", None, None, None, None, None, None, None],
        ],
    )  # fmt: skip
    document = read_source(data, "katalog.xlsx", MAX)
    assert isinstance(document, CatalogueDocument)
    assert (document.format, document.id, document.issue_date, document.valid_from) == (
        "excel-catalogue-1",
        "NK-XL-1",
        date(2025, 2, 1),
        date(2025, 3, 1),
    )
    assert document.supplier.cvr == "27614590" and document.contract_references == ["KK-2025-0042"]
    paper, toner, deleted = document.lines
    assert [(label.code, label.licence, label.type1) for label in paper.labels] == [
        ("SVANEN", "3041 0012", True), ("EU_ECO_LABEL", "DK/011/004", True)
    ]  # fmt: skip
    assert paper.price == Decimal("189.00") and paper.standard_item_id == "5701234567892" and paper.action_code == "Add"
    assert toner.seller_item_id == "4711" and toner.classification_codes[0].code == "44103103" and toner.price == Decimal(689)
    assert (deleted.action_code, deleted.source_line, deleted.path) == ("Delete", 5, "Items!A5")
    schema = load_package_json("normalized-document.schema.json")
    jsonschema.validate(document_as_json(document), schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize(
    ("items", "header", "where", "expected"),
    [
        ([[1, "remove", "X", None, None, None, None, None, None, None]], {}, "cell B2", "add, update or delete"),
        ([[1, None, "X", None, None, None, "Svanemærket", "1, 2", None, None]], {}, "cell H2", "one licence number per label"),
        ([[1, None, "X", None, None, None, None, None, "gratis", None]], {}, "cell I2", "a number"),
        ([], {"document_type": "pricelist"}, "'Catalogue', cell B2", "catalogue_deletion"),
        ([], {"supplier_cvr": "123"}, "'Catalogue'", "an 8-digit CVR number"),
    ],
)
def test_errors_name_the_sheet_and_cell(
    tmp_path: Path, items: list[list[object]], header: dict[str, object], where: str, expected: str
) -> None:
    with pytest.raises(SourceFileError) as error:
        read_source(filled_template(tmp_path, items, **header), "katalog.xlsx", MAX)
    assert "katalog.xlsx" in str(error.value) and where in str(error.value) and expected in str(error.value)


def test_a_workbook_without_a_stylesheet_is_read_without_a_library_warning_on_the_terminal(tmp_path: Path) -> None:
    """openpyxl warns about what it leaves out of a workbook, with its own path on the server: nothing
    the data team can act on. A fresh process, so that no test runner's warning filters hide it."""
    import subprocess
    import sys
    import zipfile

    data = filled_template(tmp_path, [["P-1", "Papir", "", "", "", "", ""]])
    bare = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(bare, "w") as target:
        for member in source.infolist():
            content = source.read(member.filename)
            target.writestr(member, b"<styleSheet/>" if member.filename == "xl/styles.xml" else content)
    path = tmp_path / "no-styles.xlsx"
    path.write_bytes(bare.getvalue())
    script = (
        "import sys; from compliance.ingest.detect import read_source; read_source(open(sys.argv[1], 'rb').read(), 'f', 10**7)"
    )
    ran = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False)
    assert "Warning" not in ran.stderr and "site-packages" not in ran.stderr, ran.stderr
