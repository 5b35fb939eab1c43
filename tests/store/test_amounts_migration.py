"""Migration 0012_amounts: ``tax_exclusive_amount`` (VAT for OIOUBL 2.x, net for Peppol and the Excel
template) becomes net, tax and gross amounts that mean the same for every format (issue 16 item 9)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from compliance.store.db import alembic_config, make_engine
from tests.test_postgres import POSTGRES_URL, empty_database

BACKENDS = ["sqlite", pytest.param("postgresql", marks=[pytest.mark.slow, pytest.mark.postgres])]

# The rows revision 0011's code stored for three documents (figures computed by hand):
# - OIOUBL 2.1, lines 5.050,00, allowance 800,00, TaxExclusiveAmount 1.062,50 (= the VAT):
#   net 5.050 − 800 = 4.250,00, gross 4.250 + 1.062,50 = 5.312,50;
# - the same without AllowanceTotalAmount, only the allowance itself (800,00) and a charge (75,00):
#   net 5.050 − 800 + 75 = 4.325,00; tax 1.081,25; gross 5.406,25;
# - Peppol BIS 3, TaxExclusiveAmount 1.675,00 (= the net amount): tax and gross were never stored;
# - the Excel template, lines 2.000,00 stored as tax exclusive, payable 2.500,00: VAT 500,00.
OLD_ROWS = [
    {"number": "O-1", "format": "oioubl-2.1", "line_extension_amount": "5050.00", "tax_exclusive_amount": "1062.50",
     "allowance_total_amount": "800.00", "charge_total_amount": None, "payable_amount": "5312.50",
     "allowance_charges": [{"charge": False, "amount": "800.00", "reason": "Rabat", "reason_code": None}]},
    {"number": "O-2", "format": "oioubl-2.02", "line_extension_amount": "5050.00", "tax_exclusive_amount": "1081.25",
     "allowance_total_amount": None, "charge_total_amount": None, "payable_amount": "5406.25",
     "allowance_charges": [{"charge": False, "amount": "800.00", "reason": None, "reason_code": None},
                           {"charge": True, "amount": "75.00", "reason": "Gebyr", "reason_code": None}]},
    {"number": "P-1", "format": "peppol-bis3", "line_extension_amount": "1575.00", "tax_exclusive_amount": "1675.00",
     "allowance_total_amount": "157.50", "charge_total_amount": "257.50", "payable_amount": "1619.00",
     "allowance_charges": []},
    {"number": "X-1", "format": "excel-invoice-1", "line_extension_amount": "2000.00", "tax_exclusive_amount": "2000.00",
     "allowance_total_amount": None, "charge_total_amount": None, "payable_amount": "2500.00", "allowance_charges": []},
]  # fmt: skip

EXPECTED = {  # number: (net, tax, gross, prepaid, rounding)
    "O-1": ("4250.00", "1062.50", "5312.50", None, None),
    "O-2": ("4325.00", "1081.25", "5406.25", None, None),
    "P-1": ("1675.00", None, None, None, None),
    "X-1": ("2000.00", "500.00", "2500.00", None, None),
}


def _insert_old_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for index, row in enumerate(OLD_ROWS, start=1):
            connection.execute(
                text(
                    "INSERT INTO source_file (id, sha256, path, size_bytes, kind, format, status, first_seen_at) "
                    "VALUES (:id, :sha, :path, 1, 'invoice', :format, 'ingested', '2025-01-01 00:00:00+00:00')"
                ),
                {"id": index, "sha": f"{index:064d}", "path": f"{row['number']}.xml", "format": row["format"]},
            )
            connection.execute(
                text(
                    "INSERT INTO invoice (id, source_file_id, document_type, format, number, issue_date, currency, "
                    "supplier_key, contract_references, line_extension_amount, tax_exclusive_amount, payable_amount, "
                    "allowance_total_amount, charge_total_amount, allowance_charges) VALUES (:id, :id, 'invoice', :format, "
                    ":number, '2025-03-31', 'DKK', '12345678', '[]', :line_extension_amount, :tax_exclusive_amount, "
                    ":payable_amount, :allowance_total_amount, :charge_total_amount, :allowance_charges)"
                ),
                {**row, "id": index, "allowance_charges": json.dumps(row["allowance_charges"])},
            )


def _rows(engine: Engine, columns: str) -> dict[str, Any]:
    with engine.connect() as connection:
        return {row.number: row for row in connection.execute(text(f"SELECT number, {columns} FROM invoice"))}


def _text(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # SQLite returns the text, PostgreSQL the object


@pytest.mark.parametrize("backend", BACKENDS)
def test_existing_rows_are_converted_by_format_and_back(tmp_path: Path, backend: str) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    if backend == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("COMPLIANCE_TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)")
        empty_database(POSTGRES_URL)
        url = POSTGRES_URL
    engine = make_engine(url)
    command.upgrade(alembic_config(url), "0011")
    _insert_old_rows(engine)

    command.upgrade(alembic_config(url), "head")
    columns = {column["name"] for column in inspect(engine).get_columns("invoice")}
    assert "tax_exclusive_amount" not in columns
    rows = _rows(engine, "net_amount, tax_amount, gross_amount, prepaid_amount, rounding_amount, stated_totals")
    for number, expected in EXPECTED.items():
        row = rows[number]
        amounts = (row.net_amount, row.tax_amount, row.gross_amount, row.prepaid_amount, row.rounding_amount)
        assert tuple(_text(value) for value in amounts) == expected, number
    # The document's own values stay beside them, under the names the document used.
    assert _json(rows["O-1"].stated_totals) == {
        "LineExtensionAmount": "5050.00",
        "TaxExclusiveAmount": "1062.50",
        "AllowanceTotalAmount": "800.00",
        "PayableAmount": "5312.50",
    }
    assert _json(rows["P-1"].stated_totals)["TaxExclusiveAmount"] == "1675.00"
    assert _json(rows["X-1"].stated_totals) == {"payable_amount": "2500.00"}

    command.downgrade(alembic_config(url), "0011")
    old = _rows(engine, "tax_exclusive_amount")
    assert {number: _text(row.tax_exclusive_amount) for number, row in old.items()} == {
        row["number"]: row["tax_exclusive_amount"] for row in OLD_ROWS
    }
    engine.dispose()
