"""invites and sign-in links for the web pages (issue 13)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# tenant-owned: under the row-level security policy of 0010 (tests/tenancy/test_row_level_security.py)
TENANT_TABLES = ('invites', 'signin_links')
POLICY = 'tenant_isolation'
TENANT_MATCHES = """(
    (SELECT current_setting('app.tenant_id', true)) = 'all'
    OR tenant_id = (SELECT CASE WHEN current_setting('app.tenant_id', true) <> 'all'
                                THEN NULLIF(current_setting('app.tenant_id', true), '')::bigint END)
)"""


def upgrade():
    op.create_table('invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_invites_member_id_members'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_invites_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invites_token_hash'))
    )
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invites_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('signin_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_token', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_signin_links_member_id_members'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_signin_links_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signin_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signin_links_token_hash'))
    )
    with op.batch_alter_table('signin_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_links_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signin_links_tenant_id'), ['tenant_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        for table in TENANT_TABLES:
            op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
            op.execute(f'CREATE POLICY {POLICY} ON {table} USING {TENANT_MATCHES} WITH CHECK {TENANT_MATCHES}')


def downgrade():
    with op.batch_alter_table('signin_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_links_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_signin_links_member_id'))
    op.drop_table('signin_links')
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invites_tenant_id'))
    op.drop_table('invites')
