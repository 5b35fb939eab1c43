"""hearing decisions and audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import compliance.store.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hearing_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('amount', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('status_after', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_hearing_event_notice_id'), 'hearing_event', ['notice_id'], unique=False)
    op.add_column('notice', sa.Column('decided_penalty', compliance.store.models.ExactDecimal(length=48), nullable=True))
    op.add_column('notice', sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('notice', 'decided_at')
    op.drop_column('notice', 'decided_penalty')
    op.drop_index(op.f('ix_hearing_event_notice_id'), table_name='hearing_event')
    op.drop_table('hearing_event')
