"""documents are attributed by issuer: the supplier's GLN and SE number where they were missing, and
each invoice's issuer role for its contract

A document counts for a contract only when its issuer (CVR, SE or GLN) is the supplier or a party the
contract lists (issue 16). Invoices gain the supplier's GLN, backfilled from a GLN endpoint (the
reader's other GLN sources are read when a file is next ingested); catalogue messages gain the SE
number and GLN. ``issuer_role`` (supplier, issuing_entity, subcontractor, or held_out for a document
citing a contract that does not list its issuer) and ``in_green_vehicle_share`` (False for a
subcontractor the contract keeps out of the §2.1 share) are set by every check run.

Revision ID: 0013
Revises: 0012_amounts
Create Date: 2026-11-25 20:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012_amounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("supplier_gln", sa.String(length=13), nullable=True))
        batch.add_column(sa.Column("issuer_role", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("in_green_vehicle_share", sa.Boolean(), nullable=True))
    with op.batch_alter_table("catalogue_message") as batch:
        batch.add_column(sa.Column("supplier_se", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("supplier_gln", sa.String(length=13), nullable=True))
    invoice = sa.table(
        "invoice",
        sa.column("supplier_gln", sa.String),
        sa.column("supplier_endpoint_id", sa.String),
        sa.column("supplier_endpoint_scheme", sa.String),
    )
    op.execute(
        invoice.update()
        .where(invoice.c.supplier_endpoint_scheme.in_(["GLN", "0088"]), sa.func.length(invoice.c.supplier_endpoint_id) == 13)
        .values(supplier_gln=invoice.c.supplier_endpoint_id)
    )


def downgrade() -> None:
    with op.batch_alter_table("catalogue_message") as batch:
        batch.drop_column("supplier_gln")
        batch.drop_column("supplier_se")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("in_green_vehicle_share")
        batch.drop_column("issuer_role")
        batch.drop_column("supplier_gln")
