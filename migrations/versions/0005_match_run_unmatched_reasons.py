"""match runs: why each mentee is unmatched

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_runs') as batch_op:
        batch_op.add_column(sa.Column('unmatched', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('match_runs') as batch_op:
        batch_op.drop_column('unmatched')
