"""Extensions, created unbound; create_app() binds them."""
from flask import g, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from mentorship.common import ratelimit_storage  # noqa: F401  (registers local:// and mentorship+redis://)
from mentorship.common.api import Api
from mentorship.common.ratelimit import RateLimiter
from mentorship.common.types import render_item

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, render_item=render_item)
api = Api()
limiter = RateLimiter(key_func=lambda: rate_limit_key())


def rate_limit_key():
    """Limits are per credential; unauthenticated calls share a bucket per address."""
    principal = g.get("principal")
    return principal.credential if principal else f"ip:{request.remote_addr}"
