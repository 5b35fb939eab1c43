"""Fuzzing the workbook readers: the Excel invoice and catalogue templates and XLSX driving logs.

Seeds are real: the sample Excel invoice, and the project's own templates (``compliance template
invoice|catalogue``) filled in with what real UBL invoices and catalogues say; XLSX logs are the
sample CSV log, Webfleet and Geotab rows saved as workbooks. Mutations change cells (type, value,
formula, reference), the XML parts, the zip members and the bytes (``tests/ingest/fuzzing.py``).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from compliance.base.documents import CatalogueDocument, DrivingLogDocument, InvoiceDocument, SourceDocument
from compliance.base.errors import SourceFileError
from compliance.ingest.detect import read_source
from compliance.ingest.excel_catalogue import write_blank_catalogue_template
from compliance.ingest.excel_invoice import write_blank_template
from tests.conftest import SAMPLE_DIR
from tests.ingest.fuzzing import (
    MAX_BYTES,
    csv_rows,
    fuzz_settings,
    mutated_workbook,
    need_reference,
    pick,
    read_document_or_refuse,
    reference_files,
    stable_workbook,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.fuzz,
    pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*"),  # openpyxl warns about much of what a mutation does
]

INVOICE_SOURCES = [
    SAMPLE_DIR / "office" / "NK-2025-0001.xml",
    SAMPLE_DIR / "office" / "NK-2025-0007.xml",
    SAMPLE_DIR / "transport" / "GB-202501.xml",
    SAMPLE_DIR / "transport" / "GB-K-202511.xml",
    *reference_files("invoices/peppol-dk/*Invoice*Master.xml"),
    *reference_files("invoices/oioubl-2.1/OIOUBL_InvoiceCerticate.xml"),
]
CATALOGUE_SOURCES = [
    SAMPLE_DIR / "office" / "katalog-2025.xml",
    SAMPLE_DIR / "office" / "katalog-2025-opdatering-juli.xml",
    *reference_files("catalogues/peppol/Catalogue_Example.xml"),
    *reference_files("catalogues/oioubl-2.1/OIOUBL_Catalogue_v2p2.xml"),
    *reference_files("catalogues/oioubl-2.02/CATEXE_03_03_00_CatalogueItemSpecificationUpdate_v2p2.xml"),
]
STAND_IN_CVR = "DK27614590"  # for a real document without a Danish supplier CVR (the template requires one)


def _blank(write: Callable[[Path], None]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "blank.xlsx"
        write(path)
        return path.read_bytes()


def _fill(
    blank: bytes, header_sheet: str, fields: dict[str, Any], rows_sheet: str, rows: list[dict[str, Any]], text: bool
) -> bytes:
    """The template with the field/value rows and one row per record filled in; ``text`` writes numbers
    and dates as Danish text (1.234,50 and 31-12-2025), as suppliers often do."""

    def cell(value: Any) -> Any:
        if not text or value is None:
            return value
        if isinstance(value, Decimal):
            whole, _, fraction = f"{value:.2f}".partition(".")
            return f"{int(whole):,}".replace(",", ".") + "," + fraction
        if isinstance(value, date):
            return value.strftime("%d-%m-%Y")
        return value

    book = load_workbook(io.BytesIO(blank))
    header = book[header_sheet]
    for row in range(2, header.max_row + 1):
        name = header.cell(row=row, column=1).value
        if name in fields and fields[name] is not None:
            header.cell(row=row, column=2).value = cell(fields[name])
    sheet = book[rows_sheet]
    titles = [c.value for c in sheet[1]]
    for record in rows:
        sheet.append([cell(record.get(str(title))) for title in titles])
    out = io.BytesIO()
    book.save(out)
    return stable_workbook(out.getvalue())


def invoice_workbook(document: InvoiceDocument, text: bool) -> bytes:
    fields = {
        "document_type": document.document_type,
        "invoice_number": document.id,
        "issue_date": document.issue_date,
        "currency": document.currency,
        "supplier_cvr": document.supplier.cvr or STAND_IN_CVR,
        "supplier_name": document.supplier.name,
        "customer_gln": document.customer.gln,
        "customer_name": document.customer.name,
        "contract_reference": next(iter(document.contract_references), None),
        "delivery_date": document.delivery_date,
        "payable_amount": document.totals.payable,
    }
    rows = [
        {
            "line_id": line.id,
            "seller_item_id": line.seller_item_id,
            "name": line.name,
            "quantity": line.quantity,
            "unit_code": line.unit_code,
            "line_amount": line.line_amount,
            "unspsc": next((code.code for code in line.classification_codes), None),
            "labels": ", ".join(label.raw for label in line.labels) or None,
            "label_licence": next((label.licence for label in line.labels if label.licence), None),
            "registrations": next((p.value for p in line.properties if p.name == "Registreringsnummer"), None),
            "delivery_date": line.delivery_date,
            "note": next(iter(line.notes), None),
        }
        for line in document.lines
    ]
    return _fill(_blank(write_blank_template), "Invoice", fields, "Lines", rows, text)


def catalogue_workbook(document: CatalogueDocument, text: bool) -> bytes:
    fields = {
        "document_type": document.document_type,
        "catalogue_id": document.id,
        "target_catalogue_id": document.target_catalogue_id,
        "action": (document.action_code or "").lower() or None,
        "issue_date": document.issue_date,
        "issue_time": document.issue_time,
        "supplier_cvr": document.supplier.cvr or STAND_IN_CVR,
        "supplier_name": document.supplier.name,
        "customer_gln": document.customer.gln,
        "contract_reference": next(iter(document.contract_references), None),
        "valid_from": document.valid_from,
        "valid_to": document.valid_to,
    }
    rows = [
        {
            "line_id": line.id,
            "action": (line.action_code or "").lower() or None,
            "seller_item_id": line.seller_item_id,
            "gtin": line.standard_item_id,
            "name": line.name,
            "unspsc": next((code.code for code in line.classification_codes), None),
            "labels": ", ".join(label.raw.replace(",", " ") for label in line.labels) or None,
            "licence_numbers": ", ".join((label.licence or "").replace(",", " ") for label in line.labels) or None,
            "price": line.price,
            "unit_code": line.unit_code,
        }
        for line in document.lines
    ]
    return _fill(_blank(write_blank_catalogue_template), "Catalogue", fields, "Items", rows, text)


WEBFLEET_ROWS = [
    ["tripid", "tripmode", "objectno", "objectname", "start_time", "end_time", "distance", "fuel_type", "drivername"],
    ["7001", "1", "001", "EC 41 208", "02.01.2025 08:15:00", "02.01.2025 08:52:00", "22500", "electric", "Mette"],
    ["7002", "1", "002", "TR75021", "2025-01-02 09:00:00", "2025-01-02 10:10:00", "31250", "diesel", "Jens"],
]
GEOTAB_ROWS = [
    ["id", "device", "driver", "start", "stop", "distance", "drivingDuration"],
    ["b1", "EC41209", "d1", "2025-01-03T07:00:00Z", "2025-01-03T07:30:00Z", "12.4", "00:30:00"],
    ["b2", "EC52117", "UnknownDriverId", "2025-01-03T09:00:00Z", "2025-01-03T10:05:00Z", "41.0", "01:05:00"],
]


def log_workbook(rows: list[list[str]], typed: bool) -> bytes:
    """A driving log saved as a workbook; ``typed`` stores dates and distances as Excel dates and numbers."""

    def cell(value: str) -> Any:
        if not typed:
            return value
        for pattern in ("%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(value, pattern)
            except ValueError:
                pass
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return value

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return stable_workbook(out.getvalue())


def _read(path: Path) -> SourceDocument:
    return read_source(path.read_bytes(), path.name, MAX_BYTES)


@cache
def invoice_seeds() -> list[bytes]:
    built = []
    for number, path in enumerate(INVOICE_SOURCES):
        document = _read(path)
        assert isinstance(document, InvoiceDocument)
        built.append(invoice_workbook(document, text=number % 2 == 1))
    return [(SAMPLE_DIR / "office" / "NK-2025-0012.xlsx").read_bytes(), *built]


@cache
def catalogue_seeds() -> list[bytes]:
    built = []
    for number, path in enumerate(CATALOGUE_SOURCES):
        document = _read(path)
        assert isinstance(document, CatalogueDocument)
        built.append(catalogue_workbook(document, text=number % 2 == 1))
    return built


@cache
def log_seeds() -> list[bytes]:
    sample = csv_rows((SAMPLE_DIR / "transport" / "koerselslog-2025.csv").read_text(encoding="utf-8-sig"))
    return [
        log_workbook(sample[:40], typed=False),
        log_workbook(sample[:1] + sample[500:530], typed=True),
        log_workbook(WEBFLEET_ROWS, typed=False),
        log_workbook(GEOTAB_ROWS, typed=False),
    ]


SEEDS: dict[str, tuple[Callable[[], list[bytes]], type]] = {
    "invoice": (invoice_seeds, InvoiceDocument),
    "catalogue": (catalogue_seeds, CatalogueDocument),
    "driving log": (log_seeds, DrivingLogDocument),
}


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_every_workbook_seed_reads(kind: str) -> None:
    """The seeds are read as what they are: a mutation starts from a workbook the reader accepts."""
    seeds, expected = SEEDS[kind]
    for number, data in enumerate(seeds()):
        outcome = read_document_or_refuse(lambda data=data: read_source(data, "seed.xlsx", MAX_BYTES), "seed.xlsx")
        assert isinstance(outcome, expected), f"{kind} seed {number}: {outcome}"


def _facts(document: InvoiceDocument | CatalogueDocument) -> list[object]:
    """What a workbook built from a UBL document must read back as: ids, dates, amounts (to the øre)."""
    cent = Decimal("0.01")
    if isinstance(document, InvoiceDocument):
        lines: list[object] = [
            (line.id, line.quantity and line.quantity.quantize(cent), line.line_amount and line.line_amount.quantize(cent))
            for line in document.lines
        ]
    else:
        lines = [(line.id, line.seller_item_id, line.price and line.price.quantize(cent)) for line in document.lines]
    return [document.document_type, document.id, document.issue_date, document.supplier.cvr or STAND_IN_CVR[2:], *lines]


@pytest.mark.parametrize("kind", ["invoice", "catalogue"])
def test_a_template_filled_from_a_ubl_document_reads_back_the_same(kind: str) -> None:
    """The template reader, on real content typed as numbers and dates or as Danish text, reads what the UBL said."""
    sources, build = (INVOICE_SOURCES, invoice_workbook) if kind == "invoice" else (CATALOGUE_SOURCES, catalogue_workbook)
    for path in sources:
        original = _read(path)
        assert isinstance(original, InvoiceDocument | CatalogueDocument)
        for text in (False, True):
            copy = read_source(build(original, text), "copy.xlsx", MAX_BYTES)  # type: ignore[arg-type]
            assert isinstance(copy, InvoiceDocument | CatalogueDocument)
            assert _facts(copy) == _facts(original), (path.name, text)


def test_the_workbook_seeds_include_the_reference_files() -> None:
    need_reference()
    assert len(INVOICE_SOURCES) >= 6 and len(CATALOGUE_SOURCES) >= 5


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    return draw(mutated_workbook(pick(draw, SEEDS[kind][0]())))


def _check(data: bytes, name: str) -> None:
    outcome = read_document_or_refuse(lambda: read_source(data, name, MAX_BYTES), name)
    assert isinstance(outcome, InvoiceDocument | CatalogueDocument | DrivingLogDocument | SourceFileError), outcome


@fuzz_settings()
@given(mutated("invoice"))
def test_mutated_excel_invoices_read_or_refuse_with_a_reason(data: bytes) -> None:
    _check(data, "faktura.xlsx")


@fuzz_settings()
@given(mutated("catalogue"))
def test_mutated_excel_catalogues_read_or_refuse_with_a_reason(data: bytes) -> None:
    _check(data, "katalog.xlsx")


@fuzz_settings()
@given(mutated("driving log"))
def test_mutated_xlsx_driving_logs_read_or_refuse_with_a_reason(data: bytes) -> None:
    _check(data, "koerselslog.xlsx")
