"""vehicle origin and DMR id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import compliance.store.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('vehicle', sa.Column('origin', sa.String(length=20), server_default='declared', nullable=False))
    op.add_column('vehicle', sa.Column('dmr_vehicle_id', sa.String(length=20), nullable=True))


def downgrade() -> None:
    op.drop_column('vehicle', 'dmr_vehicle_id')
    op.drop_column('vehicle', 'origin')
