"""Engine tuning per backend, applied when the app binds the database."""
from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_engine(engine: Engine):
    if engine.dialect.name != "sqlite":
        return

    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; let SQLAlchemy drive it.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")
