"""big match runs split across workers: the run's blocks of mentees, their edges, and the mentor snapshot (issue 16)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 05:00:00

A run of more than MATCH_RUN_SPLIT_MENTEES mentees is cut into blocks that any worker may claim
(mentorship/matchmaking/split.py); the blocks' rows hold who claimed them and, once done, their candidate edges.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# tenant-owned: under the row-level security policy of 0010 (tests/tenancy/test_row_level_security.py)
TENANT_TABLES = ('match_run_blocks',)
POLICY = 'tenant_isolation'
TENANT_MATCHES = """(
    (SELECT current_setting('app.tenant_id', true)) = 'all'
    OR tenant_id = (SELECT CASE WHEN current_setting('app.tenant_id', true) <> 'all'
                                THEN NULLIF(current_setting('app.tenant_id', true), '')::bigint END)
)"""


def upgrade():
    with op.batch_alter_table('match_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocks', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('blocks_done', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('block_workers', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mentor_snapshot', sa.LargeBinary(), nullable=True))
    op.create_table('match_run_blocks',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('mentee_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edges', sa.LargeBinary(), nullable=True),
    sa.Column('profiles', sa.LargeBinary(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['match_runs.id'], name=op.f('fk_match_run_blocks_run_id_match_runs'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_match_run_blocks_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'attempt', 'block', name=op.f('pk_match_run_blocks'))
    )
    with op.batch_alter_table('match_run_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_run_blocks_tenant_id'), ['tenant_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        for table in TENANT_TABLES:
            op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
            op.execute(f'CREATE POLICY {POLICY} ON {table} USING {TENANT_MATCHES} WITH CHECK {TENANT_MATCHES}')
        # scratch rows, written once and read once by the same run: no write-ahead log (after a crash PostgreSQL
        # empties the table, and the sweep runs the run again anyway), and no compression of floats
        op.execute('ALTER TABLE match_run_blocks SET UNLOGGED')
        op.execute('ALTER TABLE match_run_blocks ALTER COLUMN edges SET STORAGE EXTERNAL')
        op.execute('ALTER TABLE match_runs ALTER COLUMN mentor_snapshot SET STORAGE EXTERNAL')


def downgrade():
    with op.batch_alter_table('match_run_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_run_blocks_tenant_id'))
    op.drop_table('match_run_blocks')
    with op.batch_alter_table('match_runs', schema=None) as batch_op:
        batch_op.drop_column('mentor_snapshot')
        batch_op.drop_column('block_workers')
        batch_op.drop_column('blocks_done')
        batch_op.drop_column('blocks')
