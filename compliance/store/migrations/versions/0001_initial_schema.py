"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import compliance.store.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.String(length=80), nullable=False),
    sa.Column('contract_year', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=80), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('share', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('level', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('penalty_total', compliance.store.models.ExactDecimal(length=48), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'contract_year', 'rule_id')
    )
    op.create_index(op.f('ix_assessment_contract_id'), 'assessment', ['contract_id'], unique=False)
    op.create_table('contract',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('supplier_cvr', sa.String(length=8), nullable=False),
    sa.Column('supplier_name', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('terms_file', sa.Text(), nullable=False),
    sa.Column('terms_sha256', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.String(length=80), nullable=False),
    sa.Column('contract_year', sa.Integer(), nullable=False),
    sa.Column('supplier_cvr', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('proposed_penalty', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('path', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'contract_year', 'kind')
    )
    op.create_table('source_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('format', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('quarantine_reason', sa.Text(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('catalogue_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.String(length=200), nullable=False),
    sa.Column('document_type', sa.String(length=60), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('supplier_cvr', sa.String(length=8), nullable=True),
    sa.Column('contract_references', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.String(length=200), nullable=False),
    sa.Column('action_code', sa.String(length=40), nullable=True),
    sa.Column('seller_item_id', sa.String(length=200), nullable=True),
    sa.Column('standard_item_id', sa.String(length=200), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('classification_codes', sa.JSON(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('price', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('unit_code', sa.String(length=20), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('path', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_file_id', 'position')
    )
    op.create_index(op.f('ix_catalogue_item_seller_item_id'), 'catalogue_item', ['seller_item_id'], unique=False)
    op.create_index(op.f('ix_catalogue_item_source_file_id'), 'catalogue_item', ['source_file_id'], unique=False)
    op.create_index(op.f('ix_catalogue_item_supplier_cvr'), 'catalogue_item', ['supplier_cvr'], unique=False)
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('rule_id', sa.String(length=80), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('contract_id', sa.String(length=80), nullable=True),
    sa.Column('contract_year', sa.Integer(), nullable=True),
    sa.Column('supplier_cvr', sa.String(length=8), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('expected', sa.Text(), nullable=True),
    sa.Column('received', sa.Text(), nullable=True),
    sa.Column('source_file_id', sa.Integer(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fingerprint')
    )
    op.create_index(op.f('ix_finding_contract_id'), 'finding', ['contract_id'], unique=False)
    op.create_index(op.f('ix_finding_rule_id'), 'finding', ['rule_id'], unique=False)
    op.create_table('invoice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=60), nullable=False),
    sa.Column('number', sa.String(length=200), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('supplier_key', sa.String(length=200), nullable=False),
    sa.Column('supplier_cvr', sa.String(length=8), nullable=True),
    sa.Column('supplier_name', sa.Text(), nullable=True),
    sa.Column('supplier_endpoint_id', sa.String(length=200), nullable=True),
    sa.Column('supplier_endpoint_scheme', sa.String(length=40), nullable=True),
    sa.Column('customer_endpoint_id', sa.String(length=200), nullable=True),
    sa.Column('customer_endpoint_scheme', sa.String(length=40), nullable=True),
    sa.Column('customer_gln', sa.String(length=13), nullable=True),
    sa.Column('customer_cvr', sa.String(length=8), nullable=True),
    sa.Column('customer_name', sa.Text(), nullable=True),
    sa.Column('contract_references', sa.JSON(), nullable=False),
    sa.Column('line_extension_amount', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('tax_exclusive_amount', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('payable_amount', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('delivery_date', sa.Date(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('contract_id', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_file_id'),
    sa.UniqueConstraint('supplier_key', 'document_type', 'number')
    )
    op.create_index(op.f('ix_invoice_contract_id'), 'invoice', ['contract_id'], unique=False)
    op.create_index(op.f('ix_invoice_supplier_cvr'), 'invoice', ['supplier_cvr'], unique=False)
    op.create_table('trip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('supplier_cvr', sa.String(length=8), nullable=True),
    sa.Column('trip_date', sa.Date(), nullable=False),
    sa.Column('registration', sa.String(length=20), nullable=True),
    sa.Column('vehicle_type', sa.String(length=40), nullable=True),
    sa.Column('distance_km', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('fuel', sa.String(length=40), nullable=True),
    sa.Column('contract_reference', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_file_id', 'row')
    )
    op.create_index(op.f('ix_trip_registration'), 'trip', ['registration'], unique=False)
    op.create_index(op.f('ix_trip_source_file_id'), 'trip', ['source_file_id'], unique=False)
    op.create_index(op.f('ix_trip_supplier_cvr'), 'trip', ['supplier_cvr'], unique=False)
    op.create_table('vehicle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('fuel', sa.String(length=40), nullable=False),
    sa.Column('euro_norm', sa.Integer(), nullable=True),
    sa.Column('total_weight_kg', sa.Integer(), nullable=True),
    sa.Column('registered', sa.Boolean(), nullable=False),
    sa.Column('green_evidence', sa.Text(), nullable=True),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('registration')
    )
    op.create_table('invoice_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.String(length=200), nullable=False),
    sa.Column('quantity', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('unit_code', sa.String(length=20), nullable=True),
    sa.Column('line_amount', compliance.store.models.ExactDecimal(length=48), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('seller_item_id', sa.String(length=200), nullable=True),
    sa.Column('standard_item_id', sa.String(length=200), nullable=True),
    sa.Column('classification_codes', sa.JSON(), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('path', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('invoice_id', 'position')
    )
    op.create_index(op.f('ix_invoice_line_invoice_id'), 'invoice_line', ['invoice_id'], unique=False)
    op.create_index(op.f('ix_invoice_line_seller_item_id'), 'invoice_line', ['seller_item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_invoice_line_seller_item_id'), table_name='invoice_line')
    op.drop_index(op.f('ix_invoice_line_invoice_id'), table_name='invoice_line')
    op.drop_table('invoice_line')
    op.drop_table('vehicle')
    op.drop_index(op.f('ix_trip_supplier_cvr'), table_name='trip')
    op.drop_index(op.f('ix_trip_source_file_id'), table_name='trip')
    op.drop_index(op.f('ix_trip_registration'), table_name='trip')
    op.drop_table('trip')
    op.drop_index(op.f('ix_invoice_supplier_cvr'), table_name='invoice')
    op.drop_index(op.f('ix_invoice_contract_id'), table_name='invoice')
    op.drop_table('invoice')
    op.drop_index(op.f('ix_finding_rule_id'), table_name='finding')
    op.drop_index(op.f('ix_finding_contract_id'), table_name='finding')
    op.drop_table('finding')
    op.drop_index(op.f('ix_catalogue_item_supplier_cvr'), table_name='catalogue_item')
    op.drop_index(op.f('ix_catalogue_item_source_file_id'), table_name='catalogue_item')
    op.drop_index(op.f('ix_catalogue_item_seller_item_id'), table_name='catalogue_item')
    op.drop_table('catalogue_item')
    op.drop_table('source_file')
    op.drop_table('notice')
    op.drop_table('contract')
    op.drop_index(op.f('ix_assessment_contract_id'), table_name='assessment')
    op.drop_table('assessment')
