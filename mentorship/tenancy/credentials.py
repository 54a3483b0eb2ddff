"""Bearer credentials: hashing, lookup, and the principal a request acts as."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from mentorship.common.cache import TtlCache
from mentorship.common.clock import utcnow
from mentorship.database import lost_write_lock
from mentorship.errors import Unauthorized
from mentorship.extensions import db
from mentorship.tenancy.models import ApiKey, MemberToken
from mentorship.tenancy.scope import unscoped

KEY_PREFIX = "msk_"
TOKEN_PREFIX = "mmt_"
LAST_USED_GRANULARITY = timedelta(hours=1)
# kinds of key whose member tokens also hold no more than the key itself
CAPPING_KINDS = ("partner",)
# secret hash -> Principal; revocations in this process clear it, other processes see them within the TTL
principals = TtlCache("CREDENTIAL_CACHE_SECONDS")


@dataclass(frozen=True)
class Principal:
    kind: str  # admin | partner | member
    tenant_id: int
    credential: str  # "key:12" or "token:5": what audit events and idempotency keys are scoped to
    member_id: int | None = None
    expires_at: datetime | None = None  # member tokens
    issued_by: str | None = None  # member tokens: the kind of key that minted it (admin | partner)

    @property
    def is_member(self):
        return self.kind == "member"

    def facets(self):
        """Every credential this one must satisfy at once (SPEC §1: a credential never grants more than it holds):
        itself and, for a member token minted with a partner key, that partner key. An admin key may do
        everything inside its tenant, so a token it minted is capped by nothing but being a member token."""
        if self.issued_by in CAPPING_KINDS:
            return (self, Principal(self.issued_by, self.tenant_id, self.credential))
        return (self,)


def new_secret(prefix):
    """A fresh secret and its hash; only the hash is stored."""
    secret = prefix + secrets.token_urlsafe(32)
    return secret, hash_secret(secret)


def hash_secret(secret):
    # Secrets are 256-bit random, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_from_header(header):
    """Resolve `Authorization: Bearer ...` to a Principal, or raise 401."""
    scheme, _, secret = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send `Authorization: Bearer <secret>`.", headers={"WWW-Authenticate": "Bearer"})
    secret = secret.strip()
    digest = hash_secret(secret)
    principal = principals.get(digest, lambda: _load_principal(secret, digest))
    if principal is None or (principal.expires_at is not None and principal.expires_at <= utcnow()):
        raise Unauthorized("Unknown, expired or revoked credential.", headers={"WWW-Authenticate": "Bearer"})
    return principal


def staff_key_id(secret, tenant_id):
    """The id of the admin key `secret` if it is an active admin key of `tenant_id`, else None: the career office's
    key form (web/office.py) signs staff in with it. The API's own lookup (the same hash, cache and revocation); a
    partner key, a member token, another tenant's key or an unknown one signs nobody in."""
    try:
        principal = principal_from_header(f"Bearer {secret}")
    except Unauthorized:
        return None
    if principal.kind != "admin" or principal.tenant_id != tenant_id:
        return None
    return int(principal.credential.removeprefix("key:"))


def staff_key_active(key_id):
    """Whether the admin key behind a staff session is still an active admin key of the tenant in scope: read from
    the table on every page (not the cache), so a revoked key ends its staff sessions on their next request."""
    return db.session.scalar(select(ApiKey.id).where(ApiKey.id == key_id, ApiKey.kind == "admin",
                                                     ApiKey.revoked_at.is_(None))) is not None


def _load_principal(secret, digest):
    with unscoped():
        if secret.startswith(TOKEN_PREFIX):
            token = db.session.scalar(select(MemberToken).where(MemberToken.secret_hash == digest))
            if token and token.revoked_at is None:
                return Principal("member", token.tenant_id, f"token:{token.id}", token.member_id, token.expires_at,
                                 token.issued_by)
        else:
            key = db.session.scalar(select(ApiKey).where(ApiKey.secret_hash == digest))
            if key and key.revoked_at is None:
                _note_use(key)
                return Principal(key.kind, key.tenant_id, f"key:{key.id}")
    return None


def _note_use(key):
    """last_used_at at hour granularity: admins see stale keys without a write on every request."""
    now = utcnow()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_GRANULARITY:
        key.last_used_at = now
        try:
            db.session.commit()
        except OperationalError as exc:  # SQLite: a GET reads without the write lock (database.sqlite_begin_mode)
            if not lost_write_lock(exc):
                raise
            db.session.rollback()  # a writer came between: the use is noted by a later request


def current_principal() -> Principal:
    return g.principal

