"""Serialising writes that check a limit first (mentor capacity, pending intros) on every backend."""
from sqlalchemy import select

from mentorship.extensions import db


def lock_row(model, row_id):
    """Hold a write lock on one row until the transaction ends; later reads in it see every committed change.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite: nothing to do, every transaction there already holds the
    database's single write lock from its start (BEGIN IMMEDIATE, see database.py).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update())
