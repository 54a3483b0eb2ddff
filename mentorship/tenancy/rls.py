"""PostgreSQL row-level security, the database's tenant filter under the ORM's (migration 0010 has the policies).

The policies show a tenant-owned row only to a transaction whose `app.tenant_id` names its tenant ('all': every
tenant; unset or '': none). This module keeps that setting equal to the scope (`scope.database_tenant`) for every
statement the app sends: ORM, Core, `text()`, and PreparedRead, which runs the engine's `before_cursor_execute`
listeners itself. It is set transaction-locally (`set_config(..., true)`), so nothing survives the transaction on
a pooled connection, and only when it differs from what this transaction already holds, so the usual request (one
scope, one transaction) pays one `set_config`, before its first statement.

Why `before_cursor_execute` on the engine rather than a Session event: it sees every statement whatever sent it
(the session, a bare Connection, PreparedRead), just before it leaves, so it follows scope changes inside one
transaction (a request authenticates unscoped, then works as its tenant; a job or the sweep moves between tenants).

What this transaction holds is kept in the connection's `info`, forgotten whenever the transaction ends (commit,
rollback, the pool's reset on checkin) or a savepoint is rolled back (which brings back the value from before it,
unknown here). Forgetting too much costs one more `set_config`; a missed reset could only leave the setting unset
(`set_config(..., true)` never outlives its transaction), which shows no rows: it fails closed.
"""
import logging

from sqlalchemy import event

from mentorship.tenancy.scope import database_tenant

log = logging.getLogger(__name__)
SETTING = "app.tenant_id"
_HELD = "rls_tenant"  # connection.info: the value of SETTING in the current transaction, when known
_UNKNOWN = object()
_SET = f"SELECT set_config('{SETTING}', %s, true)"
_SAVEPOINTS = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")


def init_engine(engine):
    """Keep SETTING in step with the tenant scope on every connection of `engine` (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "before_cursor_execute", _before_statement)
    for ending in ("begin", "commit", "rollback"):
        event.listen(engine, ending, _forget)
    event.listen(engine, "rollback_savepoint", _unknown)
    event.listen(engine.pool, "checkin", _forget_checked_in)
    event.listen(engine, "first_connect", _warn_if_bypassed)


def _before_statement(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith(_SAVEPOINTS):
        return  # they read no row, and ROLLBACK TO must work in a failed transaction, where set_config cannot
    wanted = database_tenant()
    info = conn.info
    if info.get(_HELD, "") != wanted:
        setter = conn.connection.dbapi_connection.cursor()
        try:
            setter.execute(_SET, (wanted,))
        finally:
            setter.close()
        info[_HELD] = wanted


def _forget(conn):
    if not (conn.closed or conn.invalidated):  # an invalidated connection's info is cleared by the pool already
        conn.info.pop(_HELD, None)


def _unknown(conn, name, context):
    if not (conn.closed or conn.invalidated):
        conn.info[_HELD] = _UNKNOWN


def _forget_checked_in(dbapi_connection, connection_record):
    connection_record.info.pop(_HELD, None)


def _warn_if_bypassed(dbapi_connection, connection_record):
    """Superusers and BYPASSRLS roles are not subject to any policy: say so once, at the engine's first connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    finally:
        cursor.close()
        dbapi_connection.rollback()
    if row and row[0]:
        log.warning("connected to PostgreSQL as a superuser or BYPASSRLS role: row-level security does not apply "
                    "to this connection (docs/production.md, 'Row-level security')")
