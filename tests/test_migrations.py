"""The schema comes from Alembic alone: the migrated database must match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from mentorship.common.types import render_item
from mentorship.extensions import db


def test_migrations_match_models(app):
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "render_item": render_item})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_app_does_not_create_tables_itself():
    import inspect

    import mentorship

    source = inspect.getsource(mentorship)
    assert "create_all" not in source
