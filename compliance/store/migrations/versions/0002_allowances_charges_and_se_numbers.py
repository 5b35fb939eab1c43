"""allowances, charges and SE numbers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import compliance.store.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('invoice', sa.Column('supplier_se', sa.String(length=8), nullable=True))
    op.add_column('invoice', sa.Column('allowance_total_amount', compliance.store.models.ExactDecimal(length=48), nullable=True))
    op.add_column('invoice', sa.Column('charge_total_amount', compliance.store.models.ExactDecimal(length=48), nullable=True))
    op.add_column('invoice', sa.Column('allowance_charges', sa.JSON(), nullable=True))
    op.add_column('invoice_line', sa.Column('allowance_charges', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('invoice_line', 'allowance_charges')
    op.drop_column('invoice', 'allowance_charges')
    op.drop_column('invoice', 'charge_total_amount')
    op.drop_column('invoice', 'allowance_total_amount')
    op.drop_column('invoice', 'supplier_se')
