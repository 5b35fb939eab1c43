"""The Excel invoice template and the CSV driving log and vehicle register."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from compliance.base.documents import DrivingLogDocument, InvoiceDocument, VehicleRegisterDocument
from compliance.base.errors import SourceFileError
from compliance.ingest.detect import read_source
from tests.conftest import SAMPLE_DIR

MAX = 5 * 1024 * 1024


def template(header: list[tuple[str, object]], lines: list[list[object]], columns: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Invoice"
    for row in [("field", "value"), *header]:
        sheet.append(row)
    lines_sheet = book.create_sheet("Lines")
    lines_sheet.append(
        columns
        or ["line_id", "seller_item_id", "name", "quantity", "unit_code", "line_amount", "unspsc", "labels", "label_licence"]
    )
    for row in lines:
        lines_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = [
    ("document_type", "credit_note"),
    ("invoice_number", "K-1"),
    ("issue_date", "31-03-2025"),
    ("supplier_cvr", "DK 27 61 45 90"),
    ("contract_reference", "KK-2025-0042"),
]


def test_sample_excel_invoice_reads_lines_labels_and_header() -> None:
    document = read_source((SAMPLE_DIR / "office" / "NK-2025-0012.xlsx").read_bytes(), "NK-2025-0012.xlsx", MAX)
    assert isinstance(document, InvoiceDocument)
    assert (document.id, document.document_type, document.issue_date.isoformat()) == ("NK-2025-0012", "invoice", "2025-12-22")
    assert document.supplier.cvr == "27614590" and document.customer.gln == "5798000000038"
    assert document.contract_references == ["KK-2025-0042"]
    coffee = next(line for line in document.lines if line.seller_item_id == "KAF-FT-OKO")
    assert {label.code for label in coffee.labels} == {"FAIR_TRADE_MARK", "EU_ORGANIC_FARMING"}
    paper = next(line for line in document.lines if line.seller_item_id == "KOP-A4-SV")
    assert [(label.code, label.licence) for label in paper.labels] == [("SVANEN", "3041 0012")]
    assert paper.path is not None and paper.path.startswith("Lines!A")


def test_danish_numbers_dates_and_credit_notes() -> None:
    data = template(HEADER, [[1, "KAF-STD", "Kaffe", "2", "PK", "1.234,50", "50201706", "Fairtrade", None]])
    document = read_source(data, "k.xlsx", MAX)
    assert isinstance(document, InvoiceDocument)
    assert document.document_type == "credit_note" and document.issue_date.isoformat() == "2025-03-31"
    assert document.supplier.cvr == "27614590"
    assert document.lines[0].line_amount == Decimal("1234.50")
    assert document.lines[0].labels[0].code == "FAIR_TRADE_MARK"


def test_template_totals_mean_what_they_mean_in_ubl() -> None:
    """Issue 16 item 9: the template's line amounts are excl. VAT, ``payable_amount`` incl. VAT.
    Net 1.234,50 + 765,50 = 2.000,00; payable 2.500,00 → VAT 500,00, gross 2.500,00."""
    lines = [
        [1, "KAF-STD", "Kaffe", "2", "PK", "1.234,50", "50201706", None, None],
        [2, "TE", "Te", "1", "PK", "765,50", "50201706", None, None],
    ]
    document = read_source(template([*HEADER, ("payable_amount", "2.500,00")], lines), "t.xlsx", MAX)
    assert isinstance(document, InvoiceDocument)
    totals = document.totals
    assert (totals.line_extension, totals.net, totals.tax, totals.gross, totals.payable) == (
        Decimal("2000.00"), Decimal("2000.00"), Decimal("500.00"), Decimal("2500.00"), Decimal("2500.00")
    )  # fmt: skip
    assert (totals.prepaid, totals.rounding) == (None, None)
    assert totals.stated == {"payable_amount": Decimal("2500.00")}
    unpaid = read_source(template(HEADER, lines), "u.xlsx", MAX)
    assert isinstance(unpaid, InvoiceDocument)
    assert (unpaid.totals.net, unpaid.totals.tax, unpaid.totals.gross, unpaid.totals.stated) == (
        Decimal("2000.00"),
        None,
        None,
        {},
    )


def test_a_credit_note_says_what_it_credits() -> None:
    columns = ["line_id", "seller_item_id", "name", "quantity", "line_amount", "credited_invoice", "credited_line"]
    lines = [[1, "KAF-STD", "Kaffe", "2", "100", None, None], [2, "KAF-FT", "Kaffe FT", "1", "50", "NK-2025-0002", 3]]
    document = read_source(template([*HEADER, ("credited_invoice", "NK-2025-0003")], lines, columns), "k.xlsx", MAX)
    assert isinstance(document, InvoiceDocument) and document.billing_references == ["NK-2025-0003"]
    assert [(line.billing_reference, line.billing_reference_line) for line in document.lines] == [
        (None, None),
        ("NK-2025-0002", "3"),
    ]


def test_formula_without_stored_value_is_an_error_naming_the_cell() -> None:
    data = template(HEADER, [[1, "X", "Kaffe", 2, "PK", "=D2*10", None, None, None]])
    with pytest.raises(SourceFileError) as caught:
        read_source(data, "f.xlsx", MAX)
    assert caught.value.location == "sheet 'Lines', cell F2"
    assert "never evaluated" in caught.value.message


def test_missing_column_and_header_field_are_named() -> None:
    with pytest.raises(SourceFileError) as caught:
        read_source(template(HEADER, [], columns=["line_id", "name", "quantity"]), "c.xlsx", MAX)
    assert "line_amount" in caught.value.message
    with pytest.raises(SourceFileError) as caught:
        read_source(template(HEADER[:2], []), "h.xlsx", MAX)
    assert "issue_date" in caught.value.message


def test_driving_log_with_danish_conventions() -> None:
    text = "\ufefftrip_date;registration;vehicle_type;distance_km;fuel;supplier_cvr\n02-01-2025;EC 41 208;;22,5;;38451236\n03-01-2025;;cargo_bike;4,2;;38451236\n"
    document = read_source(text.encode(), "log.csv", MAX)
    assert isinstance(document, DrivingLogDocument)
    assert document.supplier_cvr == "38451236"
    first, bike = document.trips
    assert (first.registration, first.distance_km, first.trip_date.isoformat(), first.row) == (
        "EC41208",
        Decimal("22.5"),
        "2025-01-02",
        2,
    )
    assert (bike.registration, bike.vehicle_type) == (None, "cargo_bike")


def test_trip_without_vehicle_is_refused_with_its_row() -> None:
    text = "trip_date,registration,distance_km\n2025-01-02,AB12345,10\n2025-01-03,,12\n"
    with pytest.raises(SourceFileError) as caught:
        read_source(text.encode(), "log.csv", MAX)
    assert caught.value.location == "row 3"


def test_vehicle_register_and_its_errors() -> None:
    document = read_source((SAMPLE_DIR / "transport" / "koeretoejer.csv").read_bytes(), "v.csv", MAX)
    assert isinstance(document, VehicleRegisterDocument)
    biogas = next(v for v in document.vehicles if v.registration == "BG22519")
    assert (biogas.kind, biogas.fuel, biogas.euro_norm, biogas.total_weight_kg, biogas.registered) == (
        "truck",
        "biogas",
        6,
        16000,
        True,
    )
    assert biogas.green_evidence
    with pytest.raises(SourceFileError) as caught:
        read_source(b"registration,kind,fuel\nAB12345,van,plugin_hybrid\n", "v.csv", MAX)
    assert caught.value.location == "row 2, fuel"


def test_a_plate_no_plate_can_be_is_refused_with_its_row() -> None:
    """Issue 16 item 5: a Cyrillic Х is no X, in a driving log as in a register."""
    log = "trip_date,registration,distance_km\n2025-01-02,EC\u200b41 208,10\n2025-01-03,D\u0425 18 336,12\n"
    with pytest.raises(SourceFileError) as caught:
        read_source(log.encode(), "log.csv", MAX)
    assert caught.value.location == "row 3, registration" and "D\\u0425 18 336" in caught.value.message
    fine = read_source(log.encode().split(b"\n2025-01-03")[0] + b"\n", "log.csv", MAX)
    assert isinstance(fine, DrivingLogDocument) and fine.trips[0].registration == "EC41208"
    with pytest.raises(SourceFileError) as refused:
        read_source("registration,kind,fuel\nD\u0425 18 336,van,diesel\n".encode(), "v.csv", MAX)
    assert refused.value.location == "row 2, registration"


def test_declared_vehicles_carry_their_own_dates() -> None:
    """Issue 16 item 6: a plate that moved from a diesel to an electric van, declared as two periods."""
    text = "registration,kind,fuel,valid_from,valid_to\nXY 12 345,van,diesel,,2025-05-31\nXY12345,van,electric,2025-06-01,\n"
    document = read_source(text.encode(), "v.csv", MAX)
    assert isinstance(document, VehicleRegisterDocument)
    assert [(v.registration, v.fuel, str(v.valid_from), str(v.valid_to)) for v in document.vehicles] == [
        ("XY12345", "diesel", "None", "2025-05-31"),
        ("XY12345", "electric", "2025-06-01", "None"),
    ]
    with pytest.raises(SourceFileError) as caught:
        read_source(b"registration,kind,fuel,valid_from,valid_to\nXY12345,van,diesel,2025-06-01,2025-05-31\n", "v.csv", MAX)
    assert caught.value.location == "row 2, valid_to"
