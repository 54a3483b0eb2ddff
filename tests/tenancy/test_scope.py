import pytest
from sqlalchemy import func, select

from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.tenancy.scope import TenancyError, tenant_scope, unscoped
from tests.factories import make_member


def test_rows_do_not_survive_the_test_part_one(app, tenant):
    make_member(app, tenant, email="survivor@example.edu")


def test_rows_do_not_survive_the_test_part_two(app):
    with app.app_context(), unscoped():
        assert db.session.scalar(select(Member).where(Member.email == "survivor@example.edu")) is None


def test_query_without_tenant_raises_even_in_subquery(app, tenant):
    make_member(app, tenant)
    with app.app_context():
        with pytest.raises(TenancyError):
            db.session.scalars(select(Member)).all()
        with pytest.raises(TenancyError):
            db.session.scalar(select(func.count()).select_from(select(Member).subquery()))


def test_count_through_subquery_is_scoped(app, tenant, other_tenant):
    make_member(app, tenant)
    make_member(app, other_tenant)
    make_member(app, other_tenant)
    with app.app_context(), tenant_scope(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(select(Member).subquery())) == 1
        assert db.session.scalar(select(func.count(Member.id))) == 1
