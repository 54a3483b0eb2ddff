"""Mentorship: students and professionals, from a personal first message to an earned referral."""
from pathlib import Path

from flask import Flask

from mentorship import (
    apidoc,
    errors,
    jobs,
    matchmaking,
    mentorships,
    models,  # noqa: F401  (every model registered before migrations look)
    notifications,
    outreach,
    referrals,
    scheduling,
    web,
    webhooks,
)
from mentorship.cli import demo_cli, tenants_cli
from mentorship.common import bodies, queries, ratelimit_storage
from mentorship.common.redis_client import is_plain_redis, request_options
from mentorship.common.sessions import ApiAwareSessionInterface
from mentorship.config import Config
from mentorship.database import configure_engine, end_session, engine_options
from mentorship.extensions import api, db, limiter, migrate
from mentorship.jobs.cli import jobs_cli, scheduler_command, sweep_command, worker_command
from mentorship.jobs.scheduler import start_local_scheduler
from mentorship.matchmaking.views import blp as match_runs_blp
from mentorship.matchmaking.views import recommendations_blp
from mentorship.members.views import blp as members_blp
from mentorship.mentorships.views import blp as mentorships_blp
from mentorship.notifications.views import blp as notifications_blp
from mentorship.ops import logs, metrics
from mentorship.ops.views import bp as ops_bp
from mentorship.outreach.views import blp as intros_blp
from mentorship.referrals.views import blp as referrals_blp
from mentorship.reports.views import blp as reports_blp
from mentorship.scheduling.views import blp as meetings_blp
from mentorship.tenancy import idempotency, rls
from mentorship.tenancy.access import authorize
from mentorship.tenancy.requests import authenticate
from mentorship.tenancy.views import audit_blp
from mentorship.tenancy.views import blp as tenancy_blp
from mentorship.web.api import blp as invites_blp
from mentorship.webhooks.views import blp as webhooks_blp

ROOT = Path(__file__).resolve().parent.parent
# Each domain package wires its event receivers (and so its place in the others' flows) in its own init_app.
DOMAINS = (notifications, scheduling, mentorships, outreach, referrals, matchmaking, webhooks, web)
BLUEPRINTS = (tenancy_blp, members_blp, recommendations_blp, match_runs_blp, intros_blp, mentorships_blp,
              meetings_blp, referrals_blp, notifications_blp, reports_blp, audit_blp, invites_blp, webhooks_blp)


def create_app(config=None):
    """Wire extensions, request hooks, blueprints, domains, jobs, error handlers and CLI commands."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config or Config)
    logs.init_app(app)  # first: its request id is on every later hook's log lines
    _init_database(app)
    _init_hooks(app)
    _register_blueprints(app)
    for domain in DOMAINS:
        domain.init_app(app)
    _init_jobs(app)
    errors.init_app(app)
    for command in (tenants_cli, demo_cli, worker_command, sweep_command, scheduler_command, jobs_cli):
        app.cli.add_command(command)
    return app


def _init_database(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(uri, app.config)
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    app.teardown_appcontext(end_session)  # runs before Flask-SQLAlchemy's (teardowns run in reverse order)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    with app.app_context():
        configure_engine(db.engine, app.config)
        rls.init_engine(db.engine)  # PostgreSQL: app.tenant_id follows the tenant scope


def _init_hooks(app):
    app.session_interface = ApiAwareSessionInterface()
    # first: the timer starts before every other hook and the count sees the final status
    metrics.init_app(app, backlog={"notifications": notifications.delivery.backlog,
                                   "webhook_deliveries": webhooks.delivery.backlog})
    app.before_request(authenticate)
    if is_plain_redis(app.config["RATELIMIT_STORAGE_URI"]):  # a dead Redis must not hold a request for long
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", request_options(app.config))
        app.config["RATELIMIT_STORAGE_URI"] = ratelimit_storage.one_trip_uri(app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)  # after authenticate: limits are per credential (common/ratelimit.py)
    app.before_request(authorize)  # after the limiter (refusals count too), before anything reads the body
    app.before_request(queries.check_query)  # unknown query parameters: 422 on every endpoint
    app.before_request(bodies.check_body)
    app.before_request(idempotency.before)
    app.after_request(idempotency.after)


def _register_blueprints(app):
    api.init_app(app, spec_kwargs={"extra_plugins": [apidoc.ApiDocPlugin(app)]})
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    limiter.exempt(ops_bp)
    app.register_blueprint(ops_bp)


def _init_jobs(app):
    jobs.init_app(app)
    if not app.config.get("REDIS_URL") and app.config["SWEEP_IN_PROCESS"]:
        # without Redis the web process is also the scheduler; started with the first request, not by CLI commands
        app.before_request(lambda: start_local_scheduler(app))
