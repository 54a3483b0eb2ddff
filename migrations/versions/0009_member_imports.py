"""member imports: big CSV imports as jobs with progress, and their uploads until they run

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('phase', sa.String(length=12), nullable=True),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=True),
    sa.Column('updated', sa.Integer(), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('errors_total', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_member_imports_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_imports'))
    )
    with op.batch_alter_table('member_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_imports_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_imports_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('member_import_uploads',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['member_imports.id'],
                            name=op.f('fk_member_import_uploads_import_id_member_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_member_import_uploads_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('import_id', name=op.f('pk_member_import_uploads'))
    )
    with op.batch_alter_table('member_import_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_uploads_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('member_import_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_import_uploads_tenant_id'))
    op.drop_table('member_import_uploads')
    with op.batch_alter_table('member_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_imports_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_member_imports_status'))
    op.drop_table('member_imports')
