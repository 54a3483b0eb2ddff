"""match runs: the worker's heartbeat

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_runs') as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('match_runs') as batch_op:
        batch_op.drop_column('heartbeat_at')
