"""row-level security: PostgreSQL itself keeps each tenant's rows to that tenant

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00

Defense in depth under the ORM's tenant filter (mentorship/tenancy/scope.py): on every tenant-owned table a policy
shows and accepts only the rows of the tenant named by the transaction-local setting `app.tenant_id`, which the app
sets before each statement (mentorship/tenancy/rls.py); 'all' opens every tenant (unscoped(): credential lookup,
the sweep, operator commands, migrations); unset or empty shows nothing. FORCE: the tables' owner is subject too
(only superusers and BYPASSRLS roles pass by). PostgreSQL only; nothing on SQLite.

The tables are written out, not read from the models: a migration is the schema as it was. A test
(tests/tenancy/test_row_level_security.py) checks that this list is every TenantScoped table of today's models.
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TENANT_TABLES = (
    'api_keys', 'audit_events', 'blocked_intros', 'idempotency_keys', 'intro_bands', 'intros', 'match_runs',
    'meeting_check_ins', 'meetings', 'member_import_uploads', 'member_imports', 'member_tokens', 'members',
    'mentorships', 'milestones', 'notifications', 'referral_requests',
)
POLICY = 'tenant_isolation'
# CASE, not OR: PostgreSQL does not promise to evaluate OR's arms in order, and 'all'::bigint would raise.
# current_setting(..., true) is NULL when the setting was never set, '' once set and gone: both match no row.
# Each (SELECT ...) is an InitPlan, computed once per statement instead of once per row (a count over 100,000 rows
# took 41-65 ms with the bare calls, 25 ms so, 16 ms without row security).
TENANT_MATCHES = """(
    (SELECT current_setting('app.tenant_id', true)) = 'all'
    OR tenant_id = (SELECT CASE WHEN current_setting('app.tenant_id', true) <> 'all'
                                THEN NULLIF(current_setting('app.tenant_id', true), '')::bigint END)
)"""


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TENANT_TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY {POLICY} ON {table} USING {TENANT_MATCHES} WITH CHECK {TENANT_MATCHES}')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TENANT_TABLES:
        op.execute(f'DROP POLICY IF EXISTS {POLICY} ON {table}')
        op.execute(f'ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
