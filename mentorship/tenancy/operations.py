"""Writes for tenants, API keys, member tokens and policy: each validates, writes and audits."""
from datetime import timedelta

from flask import current_app, g
from sqlalchemy import func, select

from mentorship.common.clock import utcnow
from mentorship.errors import ApiError, Conflict, NotFound
from mentorship.extensions import db
from mentorship.tenancy import policy as policies
from mentorship.tenancy.audit import record
from mentorship.tenancy.credentials import KEY_PREFIX, TOKEN_PREFIX, current_principal, new_secret, principals
from mentorship.tenancy.models import ApiKey, MemberToken, Tenant
from mentorship.tenancy.scope import tenant_scope


def create_tenant(slug, name):
    """A new tenant and its first admin key (CLI bootstrap); returns (tenant, secret)."""
    if db.session.scalar(select(Tenant).where(Tenant.slug == slug)):
        raise Conflict(f"Tenant {slug!r} exists.", code="slug_taken")
    tenant = Tenant(slug=slug, name=name, policy={})
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):  # committed in it too: PostgreSQL's row-level security checks rows as they go in
        key, secret = _new_key("initial admin key", "admin")
        record("tenant.created", tenant, slug=slug)
        db.session.commit()
    return tenant, secret


def current_tenant():
    return db.session.get(Tenant, g.tenant_id)


def update_policy(changes):
    """Apply a partial policy; unknown keys never reach here (schema)."""
    tenant = current_tenant()
    rules = {name: value for name, value in changes.items() if name != "contact_email"}
    if "contact_email" in changes:  # a column of the tenant; the rest are rules kept in `policy`
        tenant.contact_email = changes["contact_email"]
    tenant.policy = {**(tenant.policy or {}), **rules}
    record("tenant.policy_updated", tenant, fields=sorted(changes))
    db.session.commit()
    policies.forget()
    return policies.effective(tenant)


def _new_key(name, kind):
    secret, digest = new_secret(KEY_PREFIX)
    key = ApiKey(name=name, kind=kind, prefix=secret[: len(KEY_PREFIX) + 6], secret_hash=digest)
    db.session.add(key)
    db.session.flush()
    record("api_key.created", key, kind=kind)
    return key, secret


def create_api_key(name, kind):
    """A new admin/partner key; the secret is returned only now."""
    key, secret = _new_key(name, kind)
    db.session.commit()
    return key, secret


def revoke_api_key(key_id):
    """Revoke a key; the tenant's last active admin key cannot be revoked."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.id == key_id))
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is not None:
        return key
    if key.kind == "admin":
        active_admins = db.session.scalar(
            select(func.count()).select_from(ApiKey).where(ApiKey.kind == "admin", ApiKey.revoked_at.is_(None)))
        if active_admins <= 1:
            raise Conflict("This is the last active admin key; create another first.", code="last_admin_key")
    key.revoked_at = utcnow()
    record("api_key.revoked", key)
    db.session.commit()
    principals.clear()
    return key


def issue_member_token(member, days=None):
    """A token acting as `member`, holding no more than the key that mints it; returns (token row, secret)."""
    if member.erased_at is not None:
        raise ApiError("Erased members cannot get tokens.", status=409, code="member_erased")
    days = days or current_app.config["MEMBER_TOKEN_DAYS"]
    secret, digest = new_secret(TOKEN_PREFIX)
    issued_by = current_principal().kind
    token = MemberToken(member_id=member.id, secret_hash=digest, expires_at=utcnow() + timedelta(days=days),
                        issued_by=issued_by)
    db.session.add(token)
    db.session.flush()
    record("member_token.created", token, member_id=member.id, issued_by=issued_by)
    db.session.commit()
    return token, secret


def member_tokens(member_id):
    """The member's tokens, as their export shows them (never a secret)."""
    tokens = db.session.scalars(select(MemberToken).where(MemberToken.member_id == member_id)
                                .order_by(MemberToken.id)).all()
    return [{"id": t.id, "created_at": t.created_at.isoformat(), "expires_at": t.expires_at.isoformat(),
             "issued_by": t.issued_by, "revoked": t.revoked_at is not None} for t in tokens]


def revoke_member_tokens(member_id):
    """Revoke every token of the member (erasure); returns their credentials ("token:<id>"). The caller commits,
    then clears `principals`."""
    tokens = db.session.scalars(select(MemberToken).where(MemberToken.member_id == member_id)).all()
    for token in tokens:
        token.revoked_at = token.revoked_at or utcnow()
    return [f"token:{token.id}" for token in tokens]
