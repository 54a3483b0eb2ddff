"""Schemathesis over /openapi.json through the WSGI app: no 5xx, and every answer matches the document: its status is
one the operation lists (the document has no `default` response to hide one), its body the schema of that status,
and an operation that declares the bearer security refuses a request without the credential. Run with the admin
key, and (fewer examples) with the member tokens of a mentee and a mentor who have a mentorship, so the answers
scoped to a member (403, 404, only their own rows) are held to the document too."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import update

from mentorship.extensions import db
from mentorship.tenancy.credentials import hash_secret
from mentorship.tenancy.models import ApiKey
from mentorship.tenancy.scope import tenant_scope
from tests.pairs import make_pair

# The examples are derandomized: the PostgreSQL pass would send the same requests again, so it sends the first few
# of them (what differs there is the database, not the document), which keeps `make test` well inside CI's time.
EXAMPLES = 10 if os.environ.get("TEST_DATABASE_URL") else 40
MEMBER_EXAMPLES = 5 if os.environ.get("TEST_DATABASE_URL") else 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, ignored_auth]


@pytest.fixture
def web_schema(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("web_schema")


@pytest.fixture
def member_web_schema(app):
    """Without schemathesis's coverage phase (the boundary values of every parameter, whatever max_examples says):
    the admin run sends those; here the documented examples and the generated requests show member-scoped answers."""
    loaded = schemathesis.openapi.from_wsgi("/openapi.json", app)
    loaded.config.phases.coverage.enabled = False
    return loaded


member_schema = schemathesis.pytest.from_fixture("member_web_schema")


def _keep_key_active(app, tenant):
    """The fuzzer may revoke the key it runs with (after creating another admin key); undo that."""
    with app.app_context(), tenant_scope(tenant.id):
        # only when it was revoked: an UPDATE every example piles up versions of one row inside the test's single
        # rolled-back transaction, and PostgreSQL walks all of them on the next (minutes over a run)
        db.session.execute(update(ApiKey).where(ApiKey.secret_hash == hash_secret(tenant.admin_key),
                                                ApiKey.revoked_at.is_not(None)).values(revoked_at=None))
        db.session.commit()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_holds_its_own_contract(case, app, tenant):
    _keep_key_active(app, tenant)
    case.call_and_validate(headers={"Authorization": f"Bearer {tenant.admin_key}"}, checks=CHECKS)


@pytest.fixture
def pair(app, admin):
    """A mentee and a mentor with a mentorship (an accepted intro), each with a member token."""
    pair = make_pair(app, admin)
    pair.mentorship()
    return pair


@member_schema.parametrize()
@settings(max_examples=MEMBER_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_member_answers_hold_the_contract_too(case, pair):
    # each generated request sent with both tokens: one generation, two member-scoped answers checked
    for side in (pair.mentee_client, pair.mentor_client):
        case.call_and_validate(headers={"Authorization": f"Bearer {side.token}"}, checks=CHECKS)
