"""The one scoping mechanism: every ORM statement touching a tenant-owned table is filtered by the current tenant.

A statement on a TenantScoped model with no tenant in scope raises instead of returning every tenant's
rows, so forgetting the filter fails loudly. Code that must cross tenants (credential lookup, CLI) says so
with `unscoped()`.
"""
from contextlib import contextmanager
from functools import lru_cache

from flask import g, has_app_context
from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql.util import find_tables


class TenancyError(RuntimeError):
    """A tenant-owned row was queried or written with no tenant in scope."""


class TenantScoped:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        table = getattr(cls, "__table__", None)
        if table is not None:
            table._tenant_scoped = True
    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True, nullable=False)


def current_tenant_id():
    return g.get("tenant_id") if has_app_context() else None


def required_tenant_id():
    """The tenant in scope, for a hand-written read that filters by it itself (Core, not ORM); raises without one.

    Fail closed like the ORM hook below, and stricter: `unscoped()` does not open such a read to every tenant.
    """
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenancyError("tenant-owned rows queried with no tenant in scope")
    return tenant_id


def _unscoped():
    return has_app_context() and g.get("tenant_unscoped", False)


def database_tenant():
    """What the database's own row-level security is told (tenancy/rls.py), following the ORM hook below: the
    tenant in scope (also inside `unscoped()`), else 'all' inside `unscoped()`, else '' (no tenant's rows)."""
    tenant_id = current_tenant_id()
    if tenant_id is not None:
        return str(tenant_id)
    return "all" if _unscoped() else ""


@contextmanager
def tenant_scope(tenant_id):
    """Run the block as tenant `tenant_id` (jobs, CLI, tests); needs an app context."""
    previous = g.get("tenant_id")
    g.tenant_id = tenant_id
    try:
        yield
    finally:
        g.tenant_id = previous


@contextmanager
def unscoped():
    """Deliberately cross tenants: credential lookup and operator commands only."""
    previous = g.get("tenant_unscoped", False)
    g.tenant_unscoped = True
    try:
        yield
    finally:
        g.tenant_unscoped = previous


def _touches_tenant_rows(statement):
    """Any tenant-owned table anywhere in the statement, subqueries included."""
    return any(getattr(table, "_tenant_scoped", False) for table in find_tables(statement, include_crud=True))


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state):
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    tenant_id = current_tenant_id()
    if tenant_id is None:
        if _unscoped() or not _touches_tenant_rows(state.statement):
            return
        raise TenancyError("tenant-owned rows queried with no tenant in scope")
    # Applied to every statement: the criteria reach the model wherever it appears, subqueries included.
    state.statement = state.statement.options(_criteria(tenant_id))


@lru_cache(maxsize=4096)
def _criteria(tenant_id):
    """One option object per tenant: building it costs more than the query it filters."""
    return with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session, flush_context, instances):
    tenant_id = current_tenant_id()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenancyError(f"new {type(obj).__name__} with no tenant in scope")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenancyError(f"new {type(obj).__name__} for another tenant")
