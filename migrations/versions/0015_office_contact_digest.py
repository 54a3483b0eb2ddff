"""the career office's contact address, and notifications to it (the weekly digest, issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 20:30:00

Chained on 0014 (webhooks).
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants') as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
    # a notification to the career office (its contact address) has no member
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM notifications WHERE member_id IS NULL")
    with op.batch_alter_table('notifications') as batch_op:
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('tenants') as batch_op:
        batch_op.drop_column('contact_email')
