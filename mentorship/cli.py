"""Operator commands: `flask --app wsgi tenants create ...`, `flask --app wsgi demo seed`."""
import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from mentorship.demo import seed_demo
from mentorship.errors import ApiError
from mentorship.extensions import db
from mentorship.tenancy.models import Tenant
from mentorship.tenancy.operations import create_tenant as create
from mentorship.tenancy.scope import unscoped

tenants_cli = AppGroup("tenants", help="Create and list tenants (career offices).")
demo_cli = AppGroup("demo", help="The demo tenant for `make run`.")


@tenants_cli.command("create")
@click.option("--slug", required=True, help="Short unique name, e.g. columbia")
@click.option("--name", required=True, help='Display name, e.g. "Columbia Career Office"')
def create_tenant(slug, name):
    """Create a tenant and print it with its first admin key (shown once)."""
    with unscoped():
        try:
            tenant, secret = create(slug, name)
        except ApiError as exc:
            raise click.ClickException(exc.detail) from None
    click.echo(json.dumps({"tenant": {"id": tenant.id, "slug": tenant.slug, "name": tenant.name},
                           "api_key": secret}))


@tenants_cli.command("list")
def list_tenants():
    """Print every tenant as JSON lines."""
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.id)):
        click.echo(json.dumps({"id": tenant.id, "slug": tenant.slug, "name": tenant.name}))


@demo_cli.command("seed")
@click.option("--slug", default="demo", show_default=True)
def seed(slug):
    """Create or refresh the demo tenant and print a fresh admin key (previous demo keys are revoked)."""
    tenant, secret, counts = seed_demo(slug)
    click.echo(json.dumps({"tenant": {"id": tenant.id, "slug": tenant.slug, "name": tenant.name},
                           "api_key": secret, "members": counts}))
