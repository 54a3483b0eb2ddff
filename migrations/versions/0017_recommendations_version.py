"""the tenant's recommendations version, and a one-statement read of it on PostgreSQL (issues 15, 16)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:40:00

`mentor_index_versions.recommendations_version` is bumped at commit by every transaction that wrote a member, an
intro, a mentorship or the tenant itself (matchmaking/freshness.py): a recommendations answer made at one value is
still the answer while the value holds. `matchmaking_versions(tenant)` reads it, and the mentor index's version
beside it, in ONE statement outside any transaction: it sets the row-level security tenant for itself
(transaction-local, restored before it returns), so a request that only needs the versions pays one round trip, not
BEGIN, set_config, SELECT and ROLLBACK. It runs with the caller's rights (not SECURITY DEFINER): the policy of 0010
still decides what it may read.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION matchmaking_versions(tenant bigint, OUT recommendations bigint, OUT mentors bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    held text := current_setting('app.tenant_id', true);
BEGIN
    PERFORM set_config('app.tenant_id', tenant::text, true);
    SELECT v.recommendations_version, v.version INTO recommendations, mentors
      FROM mentor_index_versions v WHERE v.tenant_id = tenant;
    PERFORM set_config('app.tenant_id', coalesce(held, ''), true);
    recommendations := coalesce(recommendations, 0);
    mentors := coalesce(mentors, 0);
END
$$
"""


def upgrade():
    with op.batch_alter_table('mentor_index_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recommendations_version', sa.BigInteger(), nullable=False,
                                      server_default='0'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION matchmaking_versions(bigint)')
    with op.batch_alter_table('mentor_index_versions', schema=None) as batch_op:
        batch_op.drop_column('recommendations_version')
