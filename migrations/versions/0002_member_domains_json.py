"""Member domains as a JSON list on members (one read instead of two); drop the member_domains table.

Revision ID: 0002
Revises: 0001
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('domains', sa.JSON(), nullable=False, server_default='[]'))
    connection = op.get_bind()
    by_member = {}
    for member_id, domain in connection.execute(sa.text(
            "SELECT member_id, domain FROM member_domains ORDER BY member_id, position")):
        by_member.setdefault(member_id, []).append(domain)
    for member_id, domains in by_member.items():
        connection.execute(sa.text("UPDATE members SET domains = :d WHERE id = :id"),
                           {"d": json.dumps(domains), "id": member_id})
    op.drop_table('member_domains')


def downgrade():
    op.create_table(
        'member_domains',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('domain', sa.String(length=100), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_domains_member_id_members'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_member_domains_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_domains')),
    )
    op.create_index('ix_member_domains_tenant_domain', 'member_domains', ['tenant_id', 'domain'])
    op.create_index(op.f('ix_member_domains_member_id'), 'member_domains', ['member_id'])
    op.create_index(op.f('ix_member_domains_tenant_id'), 'member_domains', ['tenant_id'])
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, tenant_id, domains FROM members")).all()
    for member_id, tenant_id, domains in rows:
        for position, domain in enumerate(json.loads(domains) if isinstance(domains, str) else domains or []):
            connection.execute(sa.text(
                "INSERT INTO member_domains (member_id, tenant_id, domain, position) VALUES (:m, :t, :d, :p)"),
                {"m": member_id, "t": tenant_id, "d": domain, "p": position})
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('domains')
