"""Shared helpers for the benchmark scripts: repo on sys.path, an app on a fresh SQLite file, a tenant, the machine."""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class FreshDatabase:
    """A temporary directory holding one SQLite file; removed on exit."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="mentorship-bench-")
        self.path = os.path.join(self.dir, "bench.db")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self):
        return f"sqlite:///{self.path}"


def kept_database_client(database, slug="bench"):
    """(the app, its test client, the tenant's id, a new admin key's secret) on an existing PostgreSQL `database`
    that a benchmark kept (bench_split_run.py --keep), for its tenant `slug`. A child measuring another checkout
    imports that checkout's `mentorship` before this module, which puts this checkout first on sys.path."""
    from sqlalchemy import select

    from mentorship import create_app
    from mentorship.config import TestConfig
    from mentorship.extensions import db
    from mentorship.tenancy.models import Tenant
    from mentorship.tenancy.operations import _new_key
    from mentorship.tenancy.scope import tenant_scope, unscoped

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
        REDIS_URL = "redis://127.0.0.1:6379/13"

    app = create_app(Config)
    with app.app_context():
        with unscoped():
            tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        with tenant_scope(tenant_id):
            _, secret = _new_key("benchmark", "admin")
            db.session.commit()
    return app, app.test_client(), tenant_id, secret


def make_app(database_url):
    """The real app (TestConfig: rate limits off) on `database_url`, schema built by the Alembic migrations."""
    from flask_migrate import upgrade

    from mentorship import create_app
    from mentorship.config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade()
    return app


def make_tenant(app, slug):
    """(tenant id, admin secret) of a new tenant."""
    from mentorship.tenancy.operations import create_tenant
    from mentorship.tenancy.scope import unscoped

    with app.app_context(), unscoped():
        tenant, secret = create_tenant(slug, slug.title())
        return tenant.id, secret


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def machine():
    """What the numbers were measured on."""

    def run(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    return {"nproc": run("nproc"), "lscpu": "\n".join(run("lscpu").splitlines()[:10]),
            "python": platform.python_version(), "platform": platform.platform(), "date": run("date", "-u")}


def write_json(path, summary):
    """`--json PATH`: keep the summary for run_all.py and RESULTS.md."""
    if path:
        with open(path, "w") as fh:
            json.dump(summary, fh, indent=2)
