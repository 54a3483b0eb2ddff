"""member tokens: the kind of key that minted each one (a token holds no more than its key)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # tokens minted before this revision keep what they could do: they count as minted by an admin key
    with op.batch_alter_table('member_tokens') as batch_op:
        batch_op.add_column(sa.Column('issued_by', sa.String(length=20), nullable=False, server_default='admin'))
    # new tokens always name their issuer: no default from here on
    with op.batch_alter_table('member_tokens') as batch_op:
        batch_op.alter_column('issued_by', server_default=None)


def downgrade():
    with op.batch_alter_table('member_tokens') as batch_op:
        batch_op.drop_column('issued_by')
