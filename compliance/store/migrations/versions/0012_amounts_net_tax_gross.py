"""invoice totals under names that mean the same for every format

Until now ``invoice.tax_exclusive_amount`` held what the document wrote in ``TaxExclusiveAmount``:
the VAT total for OIOUBL 2.x, the net amount for Peppol BIS 3 and plain UBL, and the sum of the
lines for the Excel template. It becomes ``net_amount`` (excl. VAT), ``tax_amount`` (the VAT total)
and ``gross_amount`` (incl. VAT), with ``prepaid_amount`` and ``rounding_amount`` beside them, and
``stated_totals`` keeps the document's own totals by element name (issue 16 item 9).

Existing rows are converted by format, from the columns stored before:

- OIOUBL 2.x (``oioubl-2.*``): tax = the old value; net = lines − allowances + charges; gross = net + tax.
- Excel template (``excel-invoice-*``): net = the old value (the lines' sum); with a payable amount,
  gross = payable (the template has no prepayment) and tax = gross − net.
- Peppol BIS 3 and other UBL: net = the old value; tax and gross were never stored, so they stay
  empty (the reader fills them for files ingested from now on).

Prepaid and rounding amounts were never stored: empty for old rows. The downgrade puts back the old
column with the old, format-dependent meaning.

Revision ID: 0012_amounts
Revises: 0011
Create Date: 2026-11-25 20:30:00
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

import compliance.store.models

revision = "0012_amounts"
down_revision = "0011"
branch_labels = None
depends_on = None

_AMOUNT = compliance.store.models.ExactDecimal(length=48)
_NEW_AMOUNTS = ("net_amount", "tax_amount", "gross_amount", "prepaid_amount", "rounding_amount")
_OLD_STATED = {
    "line_extension_amount": "LineExtensionAmount",
    "tax_exclusive_amount": "TaxExclusiveAmount",
    "allowance_total_amount": "AllowanceTotalAmount",
    "charge_total_amount": "ChargeTotalAmount",
    "payable_amount": "PayableAmount",
}


def _invoice(*amounts: str) -> sa.TableClause:
    return sa.table(
        "invoice",
        sa.column("id", sa.Integer()),
        sa.column("format", sa.String()),
        sa.column("allowance_charges", sa.JSON()),
        sa.column("stated_totals", sa.JSON()),
        *(sa.column(name, _AMOUNT) for name in amounts),
    )


def _adjustment(row: Any, total: Decimal | None, charge: bool) -> Decimal:
    """The stored document-level allowance (or charge) total, else the sum of the stored allowances (charges)."""
    if total is not None:
        return total
    return sum(
        (Decimal(str(item["amount"])) for item in row.allowance_charges or () if bool(item.get("charge")) is charge),
        Decimal(0),
    )


def converted(row: Any) -> dict[str, Any]:
    """The new columns of one stored invoice row, from the columns revision 0011 stored."""
    old = row.tax_exclusive_amount
    values: dict[str, Any] = dict.fromkeys(_NEW_AMOUNTS)
    if row.format.startswith("oioubl-2"):
        values["tax_amount"] = old
        if row.line_extension_amount is not None:
            values["net_amount"] = (
                row.line_extension_amount
                - _adjustment(row, row.allowance_total_amount, False)
                + _adjustment(row, row.charge_total_amount, True)
            )
        if values["net_amount"] is not None and old is not None:
            values["gross_amount"] = values["net_amount"] + old
    elif row.format.startswith("excel-invoice"):
        values["net_amount"] = old
        if row.payable_amount is not None:
            values["gross_amount"] = row.payable_amount
            values["tax_amount"] = None if old is None else row.payable_amount - old
    else:
        values["net_amount"] = old
    if row.format.startswith("excel-invoice"):
        stated = {} if row.payable_amount is None else {"payable_amount": str(row.payable_amount)}
    else:
        stated = {name: str(getattr(row, column)) for column, name in _OLD_STATED.items() if getattr(row, column) is not None}
    values["stated_totals"] = stated
    return values


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        for name in _NEW_AMOUNTS:
            batch.add_column(sa.Column(name, _AMOUNT, nullable=True))
        batch.add_column(sa.Column("stated_totals", sa.JSON(), nullable=True))
    connection = op.get_bind()
    invoice = _invoice(*_OLD_STATED, *_NEW_AMOUNTS)
    for row in list(connection.execute(sa.select(invoice))):
        connection.execute(invoice.update().where(invoice.c.id == row.id).values(**converted(row)))
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("tax_exclusive_amount")


def downgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("tax_exclusive_amount", _AMOUNT, nullable=True))
    connection = op.get_bind()
    invoice = _invoice("tax_exclusive_amount", "net_amount", "tax_amount")
    for row in list(connection.execute(sa.select(invoice))):
        old = row.tax_amount if row.format.startswith("oioubl-2") else row.net_amount
        connection.execute(invoice.update().where(invoice.c.id == row.id).values(tax_exclusive_amount=old))
    with op.batch_alter_table("invoice") as batch:
        for name in (*_NEW_AMOUNTS, "stated_totals"):
            batch.drop_column(name)
