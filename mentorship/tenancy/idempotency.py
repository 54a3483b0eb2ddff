"""Idempotency-Key on POST (SPEC §2): replay, reuse with another body (422), still running (409).

The key row is committed before the view runs, so a concurrent request with the same key sees it in
flight; the response is stored after the view, and a 5xx or crash removes the row so a retry can run.
"""
import hashlib
import json
import re
from datetime import datetime, timedelta

from flask import Response, current_app, g, request
from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from mentorship.common.clock import utcnow
from mentorship.common.types import UtcDateTime
from mentorship.errors import ApiError, Conflict
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Content-Type", "Location")


class IdempotencyKey(TenantScoped, db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("credential", "key", name="uq_idempotency_keys_credential_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    credential: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)  # NULL while the first request is running
    body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def _fingerprint():
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string, request.get_data(cache=True)):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _key():
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ApiError("Idempotency-Key must be 1..255 printable characters.", status=422, code="validation_error",
                       errors={HEADER: ["1..255 printable characters."]})
    return key


def before():
    """Claim the key, or answer from the stored first response."""
    if request.method != "POST" or g.get("principal") is None:
        return None
    key = _key()
    if key is None:
        return None
    credential, fingerprint = g.principal.credential, _fingerprint()
    stale = utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_HOURS"])
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.credential == credential,
                                                    IdempotencyKey.key == key, IdempotencyKey.created_at < stale))
    row = IdempotencyKey(credential=credential, key=key, fingerprint=fingerprint)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _answer_from(credential, key, fingerprint)
    g.idempotency_row_id = row.id
    return None


def _answer_from(credential, key, fingerprint):
    first = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.credential == credential,
                                                           IdempotencyKey.key == key))
    if first is None:  # removed between our insert and this read: the first request failed
        raise Conflict("The first request with this key is being retried; try again.", code="idempotency_key_in_use")
    if first.fingerprint != fingerprint:
        raise ApiError("This Idempotency-Key was used with a different request.", status=422,
                       code="idempotency_key_reused")
    if first.status is None:
        raise Conflict("A request with this Idempotency-Key is still running.", code="idempotency_key_in_use")
    response = Response(first.body, status=first.status, headers=first.headers or {})
    response.headers["Idempotent-Replayed"] = "true"
    return response


def after(response):
    """Store the first response; forget the key when the request failed with a 5xx."""
    row_id = g.pop("idempotency_row_id", None)
    if row_id is None:
        return response
    db.session.rollback()  # whatever the view left uncommitted is not ours to write
    row = db.session.get(IdempotencyKey, row_id)
    if row is not None:
        if response.status_code >= 500:
            db.session.delete(row)
        else:
            row.status = response.status_code
            row.body = response.get_data(as_text=True)
            row.headers = {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}
        db.session.commit()
    return response


def forget(credentials, texts, member_id):
    """Erasure (SPEC §10): drop the stored answers that carry the member: those given to their own credentials, and
    any holding one of `texts` (their name, their e-mail) or their id in an `id`/`*_id` field. Dropping one costs
    only its replay; a retry with that key runs again. Rows live 24 h, so this reads a day of the tenant's keys."""
    ids = re.compile(rf'"(?:\w+_)?id"\s*:\s*{int(member_id)}(?!\d)')
    needles = [needle for text in texts if text for needle in {text, json.dumps(text)[1:-1]}]
    doomed = [row_id for row_id, credential, body in db.session.execute(
        select(IdempotencyKey.id, IdempotencyKey.credential, IdempotencyKey.body))
        if credential in credentials or (body and (ids.search(body) or any(n in body for n in needles)))]
    for i in range(0, len(doomed), 1000):
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(doomed[i:i + 1000])))
