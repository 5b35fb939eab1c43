"""notice deliveries remember the letter they sent

Since 0010 a notice's content hash is its findings' identities and the penalty: it keeps the
deadline when a text is reworded, but it no longer changes when only a finding's figures change
(95 instead of 104 logged trips). Each delivery now also records the hash of the letter itself
(identities, message keys and parameters, expected and received, penalty), so a letter whose
figures changed is sent again while its deadline stays. Deliveries made before this revision have
no letter hash; they count as sent for the content hash they recorded, so the upgrade re-sends nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice_delivery") as batch:
        batch.add_column(sa.Column("letter_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice_delivery") as batch:
        batch.drop_column("letter_sha256")
