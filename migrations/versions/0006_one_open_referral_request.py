"""one open referral request per mentorship

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:00:00

Before this, two simultaneous requests could both be stored; the later duplicates of a still-open request are
removed (the earliest stays) so that the unique index can be built.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM referral_requests WHERE status = 'requested' AND id NOT IN "
               "(SELECT MIN(id) FROM referral_requests WHERE status = 'requested' GROUP BY mentorship_id)")
    op.create_index('uq_referral_requests_open', 'referral_requests', ['mentorship_id'], unique=True,
                    sqlite_where=sa.text("status = 'requested'"), postgresql_where=sa.text("status = 'requested'"))


def downgrade():
    op.drop_index('uq_referral_requests_open', table_name='referral_requests')
