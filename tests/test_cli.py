import json

from sqlalchemy import select

from mentorship.extensions import db
from mentorship.tenancy.models import Tenant
from mentorship.tenancy.scope import unscoped
from tests.factories import ApiClient


def test_tenants_create_prints_spec_json_and_a_working_key(app):
    result = app.test_cli_runner().invoke(args=["tenants", "create", "--slug", "columbia-cli",
                                                "--name", "Columbia Career Office"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["tenant"]["slug"] == "columbia-cli" and out["tenant"]["name"] == "Columbia Career Office"
    assert isinstance(out["tenant"]["id"], int)
    client = ApiClient(app.test_client(), out["api_key"])
    assert client.get("/api/v1/tenant").json["slug"] == "columbia-cli"
    with app.app_context(), unscoped():
        assert db.session.scalar(select(Tenant).where(Tenant.slug == "columbia-cli")) is not None


def test_tenants_create_twice_fails_cleanly(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "create", "--slug", "dup-cli", "--name", "A"]).exit_code == 0
    again = runner.invoke(args=["tenants", "create", "--slug", "dup-cli", "--name", "A"])
    assert again.exit_code != 0
    assert "exists" in again.output
