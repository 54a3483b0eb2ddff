"""big documents compressed with lz4 where PostgreSQL has it: a match run's result and a split run's block profiles

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 13:30:00

PostgreSQL compresses a value over ~2 kB before storing it out of line, with pglz by default. A 50,000-mentee run's
`assignments` (16 MB of JSON, 11 x smaller compressed) took 178 ms to write with pglz and 68 ms with lz4 (same
size within 10 %), measured here (bench/RESULTS.md §24); reading back is as fast either way. Metadata only: rows
written before keep pglz and stay readable. Skipped on SQLite and on a PostgreSQL built without lz4 (or older than
14), where the setting does not exist.
"""
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = (('match_runs', 'assignments'), ('match_runs', 'unmatched'), ('match_runs', 'unmatched_mentee_ids'),
           ('match_run_blocks', 'profiles'))


def _has_lz4(bind):
    return bind.dialect.name == 'postgresql' and bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'").scalar() is True


def upgrade():
    if _has_lz4(op.get_bind()):
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4')


def downgrade():
    if _has_lz4(op.get_bind()):
        for table, column in COLUMNS:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION default')
