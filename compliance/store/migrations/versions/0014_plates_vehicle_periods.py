"""plates: register validity periods, and trip lines that keep what they say beside how they count

Issue 16 items 5–6. ``vehicle_period`` holds what the register says about a plate from one day to
another (a DMR record, a declared row); today's current records become open periods, so nothing
known is lost. ``trip_line`` gains ``stated_kind`` (what the line says), ``unreadable`` (plate texts
that cannot be read) and ``plate_verdicts`` (the register's word on each plate on the line's day);
its ``kind`` becomes how the line counts. The stored trip lines are dropped (in both directions), so
every matched invoice is read again, and judged, at the next check.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vehicle_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("fuel", sa.String(length=40), nullable=False),
        sa.Column("green_evidence", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("source_file_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["source_file_id"], ["source_file.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_vehicle_period_registration"), "vehicle_period", ["registration"], unique=False)
    op.create_index(op.f("ix_vehicle_period_source_file_id"), "vehicle_period", ["source_file_id"], unique=False)
    op.execute(
        "INSERT INTO vehicle_period (registration, valid_from, valid_to, kind, fuel, green_evidence, origin, source_file_id, \"row\") "
        "SELECT registration, NULL, NULL, kind, fuel, green_evidence, origin, source_file_id, \"row\" FROM vehicle"
    )
    with op.batch_alter_table("trip_line") as batch:
        batch.add_column(sa.Column("stated_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("unreadable", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("plate_verdicts", sa.JSON(), nullable=True))
    # Read every invoice again at the next check: a stored line's kind may now be how it counts.
    op.execute("DELETE FROM trip_line")
    op.execute("DELETE FROM trip_line_scan")


def downgrade() -> None:
    op.execute("DELETE FROM trip_line")  # a kind stored here may be how the line counted, not what it said
    op.execute("DELETE FROM trip_line_scan")
    with op.batch_alter_table("trip_line") as batch:
        batch.drop_column("plate_verdicts")
        batch.drop_column("unreadable")
        batch.drop_column("stated_kind")
    op.drop_index(op.f("ix_vehicle_period_source_file_id"), table_name="vehicle_period")
    op.drop_index(op.f("ix_vehicle_period_registration"), table_name="vehicle_period")
    op.drop_table("vehicle_period")
