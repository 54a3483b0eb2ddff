"""the mentor index's version per tenant and the version each member last changed at (issue 16)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 23:50:00

A process's cached mentor index checks one row per request instead of counting every mentor, and re-reads only the
members changed since its version.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# tenant-owned: under the row-level security policy of 0010 (tests/tenancy/test_row_level_security.py)
TENANT_TABLES = ('mentor_index_versions', 'mentor_index_changes')
POLICY = 'tenant_isolation'
TENANT_MATCHES = """(
    (SELECT current_setting('app.tenant_id', true)) = 'all'
    OR tenant_id = (SELECT CASE WHEN current_setting('app.tenant_id', true) <> 'all'
                                THEN NULLIF(current_setting('app.tenant_id', true), '')::bigint END)
)"""


def upgrade():
    op.create_table('mentor_index_versions',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentor_index_versions_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_mentor_index_versions'))
    )
    op.create_table('mentor_index_changes',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentor_index_changes_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'member_id', name=op.f('pk_mentor_index_changes'))
    )
    with op.batch_alter_table('mentor_index_changes', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_index_changes_version', ['tenant_id', 'version'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        for table in TENANT_TABLES:
            op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
            op.execute(f'CREATE POLICY {POLICY} ON {table} USING {TENANT_MATCHES} WITH CHECK {TENANT_MATCHES}')


def downgrade():
    with op.batch_alter_table('mentor_index_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_index_changes_version')
    op.drop_table('mentor_index_changes')
    op.drop_table('mentor_index_versions')
