"""credit notes reconciled: billing references, held trip lines, acceptances, recalculations

Credit notes and their lines keep what they credit (invoice number, line id); a trip line keeps its
own quantity beside what counts, why part of it is held out, the line it credits and the earlier
line a re-invoiced delivery repeats; a contract manager's acceptance of a held line is recorded
(who, when, why); a hearing step keeps a recalculation's figures and the documents behind it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("billing_references", sa.JSON(), nullable=True))
    with op.batch_alter_table("invoice_line") as batch:
        batch.add_column(sa.Column("billing_reference", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("billing_reference_line", sa.String(length=200), nullable=True))
    with op.batch_alter_table("trip_line") as batch:
        batch.add_column(sa.Column("quantity_milli", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("held", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("credited_line_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duplicate_of_line_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("delivery_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_trip_line_contract_delivery", ["contract_id", "delivery_key", "invoice_id"])
    # Trip lines stored before this revision are read again, so they are reconciled like new ones.
    op.execute("DELETE FROM trip_line")
    op.execute("DELETE FROM trip_line_scan")
    op.create_table(
        "line_acceptance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_line_id", sa.Integer(), sa.ForeignKey("invoice_line.id"), nullable=False, unique=True),
        sa.Column("held", sa.String(length=30), nullable=False),
        sa.Column("accepted_by", sa.String(length=200), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("hearing_event") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hearing_event") as batch:
        batch.drop_column("details")
    op.drop_table("line_acceptance")
    with op.batch_alter_table("trip_line") as batch:
        batch.drop_index("ix_trip_line_contract_delivery")
        batch.drop_column("delivery_key")
        batch.drop_column("duplicate_of_line_id")
        batch.drop_column("credited_line_id")
        batch.drop_column("held")
        batch.drop_column("quantity_milli")
    with op.batch_alter_table("invoice_line") as batch:
        batch.drop_column("billing_reference_line")
        batch.drop_column("billing_reference")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("billing_references")
