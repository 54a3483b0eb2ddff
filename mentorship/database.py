"""The database beyond the ORM: engine tuning per backend, pages of a SELECT, row locks, prepared hot reads."""
import logging
import statistics
import time

from flask import has_request_context, request
from sqlalchemy import event, func, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError

from mentorship.common import json_codec
from mentorship.extensions import db

log = logging.getLogger(__name__)


def engine_options(uri, config):
    """SQLALCHEMY_ENGINE_OPTIONS for the database at `uri`.

    SQLite: a local file, nothing to ping (a query per checkout); the in-process job thread shares the pool.
    Both: JSON columns written and read with common/json_codec.py (orjson).
    PostgreSQL: a pooled connection that sat idle is pinged before use (ping_when_idle: a restarted server's dead
    connections are replaced, so the service recovers by itself), and neither a connection attempt nor the wait
    for a pooled connection may outlast the 5 s in which an unreachable database must answer 503 (SPEC §2;
    errors.database_unavailable).
    """
    options = {"json_serializer": json_codec.dumps, "json_deserializer": json_codec.loads,
               **config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if uri.startswith("sqlite"):
        return {**options, "pool_pre_ping": False, "connect_args": {"check_same_thread": False}}
    if uri.startswith("postgresql"):
        connect_args = {"connect_timeout": config["DATABASE_CONNECT_TIMEOUT_SECONDS"],
                        **options.get("connect_args", {})}
        return {"pool_pre_ping": False, "pool_timeout": config["DATABASE_POOL_TIMEOUT_SECONDS"], **options,
                "connect_args": connect_args}
    return options


def end_session(_exc=None):
    """teardown_appcontext, before Flask-SQLAlchemy's own: end the request's session, whose ROLLBACK fails when the
    database went away after the answer was made. Raised from a teardown, that error would replace the answer
    (already computed, perhaps after a commit) with the WSGI server's HTML 500; logged here, the dead connection
    is dropped from the pool and the client gets its answer."""
    try:
        db.session.remove()
    except SQLAlchemyError as exc:
        log.warning("ending the session failed (%s); the connection is discarded", str(exc).splitlines()[0])
        try:
            db.session.remove()  # the transaction is closed now; this returns what is left to the pool
        except SQLAlchemyError:
            db.session.registry.clear()


class _Median:
    """SQLite's `median(x)` aggregate (PostgreSQL: percentile_cont, reports/sql.py): NULLs left out, None of none."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def ping_when_idle(engine: Engine, idle_seconds):
    """Ping a pooled connection before use only when it sat in the pool longer than `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip on every request, the most
    frequent statement the service sent. A connection handed back a moment ago was alive a moment ago; the ones
    a restarted or failed-over server left dead are those that sat idle through it, and those are pinged. A
    connection that dies while busy fails its request with 503 as with pre_ping, and SQLAlchemy then invalidates
    the whole pool (every connection older than the failure is replaced on its next checkout). A failed ping
    raises DisconnectionError, on which the pool connects afresh (SQLAlchemy's "custom pessimistic ping")."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record):
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _maybe_ping(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("returned_at", 0.0) <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("ping failed")


def configure_engine(engine: Engine, config=None):
    if engine.dialect.name == "postgresql" and not engine.pool._pre_ping:
        ping_when_idle(engine, (config or {}).get("DATABASE_PING_AFTER_IDLE_SECONDS", 1.0))
    if engine.dialect.name != "sqlite":
        return

    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; let SQLAlchemy drive it.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.create_aggregate("median", 1, _Median)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # with WAL, NORMAL never corrupts the database; a power cut may lose the last commits (no fsync each)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # straight to the driver: exec_driver_sql would run the whole statement pipeline (context, cursor
        # result) for a statement with no result, once per transaction, i.e. on every request that reads
        connection.connection.dbapi_connection.execute(f"BEGIN {sqlite_begin_mode(connection)}")


# HTTP methods that change nothing (RFC 9110 "safe"): their transactions only read
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def sqlite_begin_mode(connection):
    """How a SQLite transaction begins. IMMEDIATE takes the single write lock at once, so a transaction that reads
    and then writes cannot fail on a snapshot another writer made stale ("database is locked" at once, busy_timeout
    not applying to an upgrade); writers queue for up to busy_timeout instead. A safe-method request only reads,
    so it begins DEFERRED: a WAL reader takes no lock, and readers no longer queue behind each other and every
    writer. What such a request does write (a credential's hourly last_used_at) must tolerate losing that race.
    An explicit `sqlite_begin` execution option wins (the test suite's long outer transaction asks for DEFERRED)."""
    explicit = connection.get_execution_options().get("sqlite_begin")
    if explicit is not None:
        return explicit
    return "DEFERRED" if has_request_context() and request.method in SAFE_METHODS else "IMMEDIATE"


def lost_write_lock(error):
    """Whether `error` is SQLite refusing a write: another writer held the lock, or committed since this
    transaction's snapshot (a DEFERRED one's upgrade fails at once) or past busy_timeout."""
    return isinstance(error, OperationalError) and str(error.orig) == "database is locked"


def claim_batch(model, due, still_due, values, returning):
    """Rows of `due` (a SELECT of `model.id` with its order and LIMIT) now held by this worker: one guarded
    UPDATE ... SET `values` ... RETURNING `returning`, not committed here. On PostgreSQL the rows are picked FOR UPDATE
    SKIP LOCKED, so two workers never hold the same row nor wait for each other, in a MATERIALIZED CTE: as an
    `IN (subquery)` PostgreSQL may run the subquery again for each row it updates (a nested-loop semi-join), each
    run skipping the rows just locked, and so claim every due row at once. `still_due` re-checks each row."""
    picked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    return db.session.execute(
        update(model).where(model.id.in_(select(picked.c.id)), still_due).values(**values).returning(*returning),
        execution_options={"synchronize_session": False}).all()


def commit_without_flush_wait():
    """Commit without waiting for the WAL flush on PostgreSQL (an outbox's sent/failed record): the row is visible
    to every worker at once and survives any worker's death; only a crash of the database server itself within a
    fraction of a second could lose it, and then the message is claimed and sent again under the same id
    (at-least-once, as webhooks and e-mail promise)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


def paginate(query_select, args):
    """Run a SELECT with the page arguments; returns the envelope dict."""
    total, page = page_select(query_select, args)
    return {"items": db.session.scalars(page).all(), "page": args["page"], "per_page": args["per_page"],
            "total": total}


def page_select(query_select, args):
    """(how many rows the SELECT finds, the SELECT limited to the page the arguments ask for)."""
    total = db.session.scalar(select(func.count()).select_from(query_select.order_by(None).subquery()))
    page, per_page = args["page"], args["per_page"]
    return total, query_select.limit(per_page).offset((page - 1) * per_page)


def batches(query_select, size=500):
    """Every row of a SELECT, in lists of `size`, fetched as they are used (a CSV streams a whole list)."""
    return db.session.scalars(query_select.execution_options(yield_per=size)).partitions()


def for_update(query):
    """`query` taking row locks until the transaction ends: PostgreSQL's FOR UPDATE; on SQLite the query as it is,
    every transaction that may write holding the database's single write lock from its start (sqlite_begin_mode)."""
    return query if db.session.get_bind().dialect.name == "sqlite" else query.with_for_update()


def lock_row(model, row_id):
    """Hold a write lock on one row until the transaction ends; later reads in it see every committed change."""
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(for_update(select(model.id).where(model.id == row_id)))


def guarded_update(obj, *conditions, **values):
    """One statement: UPDATE obj's row SET `values` WHERE it still meets `conditions` (e.g. status == 'pending').

    Of simultaneous requests for conflicting changes exactly one matches; the others wait for it (PostgreSQL's row
    lock; SQLite holds its write lock already) and match nothing. Returns True for the winner, whose `obj` is
    refreshed by RETURNING; a loser's `obj` is read again, so it shows what the winner made of it.
    """
    model = type(obj)
    statement = (update(model).where(model.id == obj.id, *conditions).values(**values).returning(model)
                 .execution_options(populate_existing=True, synchronize_session=False))
    if db.session.scalars(statement).first() is None:
        db.session.refresh(obj)
        return False
    return True


def lock_rows(model, ids):
    """SELECT of the `ids` rows of `model` that locks them until the transaction ends, in id order (PostgreSQL's
    FOR UPDATE; SQLite holds its write lock already)."""
    return for_update(select(model).where(model.id.in_(ids)).order_by(model.id))


class PreparedRead:
    """A SELECT compiled once per dialect and run straight on a DBAPI cursor: for the API's hottest reads.

    SQLAlchemy's per-execution pipeline (cache-key lookup, execution context, cursor result, row objects) and a
    Session (session and transaction objects, BEGIN, ROLLBACK) together cost several times the query itself. The
    SQL text and its parameter order are SQLAlchemy's own compilation for the dialect, and every column goes through
    the result processor SQLAlchemy would apply (JSON decoding, UtcDateTime), so the values are the ones an
    ordinary execution returns. What this skips, and callers must not need: ORM events (the tenancy hook: put
    the tenant in the WHERE clause yourself), `after_cursor_execute` and echo logging for this statement, and the
    session's unit of work (nothing is flushed first). It does run the engine's `before_cursor_execute` listeners
    as any execution does (on PostgreSQL they set the row-level security tenant: tenancy/rls.py). For SELECTs
    whose bound parameters need no conversion (plain integers and strings); `first` refuses any other.
    """

    def __init__(self, statement, model=None):
        self.statement, self.model = statement, model
        # Flask-SQLAlchemy keeps a model's bind key in its metadata's info (None: the default engine)
        self.bind_key = model.metadata.info.get("bind_key") if model is not None else None
        self._by_dialect = {}  # dialect -> (SQL, parameter names in order, positional?, result processors)

    def _prepared(self, dialect):
        prepared = self._by_dialect.get(dialect)
        if prepared is None:
            compiled = self.statement.compile(dialect=dialect)
            for bind in compiled.binds.values():
                if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                    raise TypeError(f"PreparedRead: parameter {bind.key!r} needs conversion; use an execution")
            order = tuple(compiled.positiontup if compiled.positional else compiled.binds)
            processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                               for column in self.statement.selected_columns)
            prepared = (compiled.string, order, compiled.positional, processors)
            self._by_dialect[dialect] = prepared
        return prepared

    def first(self, sessions, params):
        """The first row as a list of column values, or None. `sessions` is a scoped session (the app's db.session).

        If the current scope has a session in a transaction, the read runs in it (it sees what that transaction
        sees). Otherwise it goes to what the session is, or would be, bound to, without opening a session just to
        read: a Connection (a session joined to an outer transaction, as the test-suite binds it) is used as it
        is; an Engine lends a pooled connection for this one statement (no BEGIN: a single SELECT is consistent by
        itself), which goes back to the pool rolled back, as every checkin does. The listeners of an engine that
        has `before_cursor_execute` ones get a Connection around that pooled connection (they expect one).
        """
        if sessions.registry.has():
            session = sessions()
            if session.in_transaction():
                return self._run(session.connection(bind_arguments={"mapper": self.model}), params)
            bind = session.get_bind(mapper=self.model)
        else:
            bind = self._unopened_bind(sessions)
        if isinstance(bind, Connection):
            return self._run(bind, params)
        if bind.dispatch.before_cursor_execute:
            with bind.connect() as connection:  # no BEGIN either: the statement goes to its DBAPI connection
                return self._run(connection, params)
        pooled = bind.raw_connection()
        try:
            return self._fetch(pooled, bind.dialect, params)
        finally:
            pooled.close()

    def _unopened_bind(self, sessions):
        """What a new session of `sessions` would read through: the factory's explicit bind, else Flask-SQLAlchemy's
        engine for the model's bind key (what its Session.get_bind picks); anything else, ask a session."""
        options = sessions.session_factory.kw
        if options.get("bind") is not None:
            return options["bind"]
        flask_db = options.get("db")
        if flask_db is not None and self.bind_key in flask_db.engines:
            return flask_db.engines[self.bind_key]
        return sessions().get_bind(mapper=self.model)

    def _run(self, connection, params):
        return self._fetch(connection.connection, connection.dialect, params, connection)

    def _fetch(self, dbapi_connection, dialect, params, connection=None):
        sql, order, positional, processors = self._prepared(dialect)
        values = tuple(params[name] for name in order) if positional else {name: params[name] for name in order}
        cursor = dbapi_connection.cursor()
        try:
            if connection is not None:
                for listener in connection.dispatch.before_cursor_execute:  # as Connection._execute_context does
                    sql, values = listener(connection, cursor, sql, values, None, False)
            cursor.execute(sql, values)
            row = cursor.fetchone()
        except dialect.loaded_dbapi.Error as exc:
            # As an ordinary execution does: the driver's error as SQLAlchemy's (so errors.py answers a database
            # out of reach with a 503, not a 500), and a connection the server dropped invalidated, so the pool
            # replaces it instead of lending it out again.
            disconnect = dialect.is_disconnect(exc, dbapi_connection, cursor)
            if disconnect:
                (connection if connection is not None else dbapi_connection).invalidate(exc)
            raise DBAPIError.instance(sql, values, exc, dialect.loaded_dbapi.Error,
                                      connection_invalidated=disconnect, dialect=dialect) from exc
        finally:
            cursor.close()
        if row is None:
            return None
        return [value if process is None else process(value) for process, value in zip(processors, row, strict=True)]
