"""Idempotency-Key on POST (SPEC §2): replay, reuse with another body (422), still running (409).

The key row is committed before the view runs, so a concurrent request with the same key sees it in
flight; the response is stored after the view, and a 5xx or crash removes the row so a retry can run.
Stored bodies are sealed with a key derived from SECRET_KEY (common/sealing.py): some hold a new API key's
secret or a member token. Rows older than IDEMPOTENCY_HOURS are purged by the sweep (jobs/schedule.py).
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
from mentorship.common.sealing import is_sealed, seal, unseal
from mentorship.common.types import UtcDateTime
from mentorship.errors import ApiError, Conflict
from mentorship.extensions import db
from mentorship.tenancy.scope import TenantScoped

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Content-Type", "Location")
PURPOSE = "idempotency-responses"


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


def _stale_before():
    return utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_HOURS"])


def before():
    """Claim the key, or answer from the stored first response."""
    if request.method != "POST" or g.get("principal") is None:
        return None
    key = _key()
    if key is None:
        return None
    credential, fingerprint = g.principal.credential, _fingerprint()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.credential == credential, IdempotencyKey.key == key,
                                                    IdempotencyKey.created_at < _stale_before()))
    for _ in range(2):  # a stored answer nobody can read any more is dropped, and the key claimed anew
        row = IdempotencyKey(credential=credential, key=key, fingerprint=fingerprint)
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            answer = _answer_from(credential, key, fingerprint)
            if answer is not None:
                return answer
            continue
        g.idempotency_row_id = row.id
        return None
    raise Conflict("The first request with this key is being retried; try again.", code="idempotency_key_in_use")


def _answer_from(credential, key, fingerprint):
    """The first response replayed; None when its body cannot be unsealed (SECRET_KEY rotated): then it is gone."""
    first = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.credential == credential,
                                                           IdempotencyKey.key == key))
    if first is None:  # removed between our insert and this read: the first request failed
        raise Conflict("The first request with this key is being retried; try again.", code="idempotency_key_in_use")
    if first.fingerprint != fingerprint:
        raise ApiError("This Idempotency-Key was used with a different request.", status=422,
                       code="idempotency_key_reused")
    if first.status is None:
        raise Conflict("A request with this Idempotency-Key is still running.", code="idempotency_key_in_use")
    body = _opened(first.body)
    if body is None:
        db.session.delete(first)
        db.session.commit()
        return None
    response = Response(body, status=first.status, headers=first.headers or {})
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _sealed(body):
    return seal(body, current_app.config["SECRET_KEY"], PURPOSE)


def _opened(stored):
    """The stored body as the client first got it; rows written before sealing began are plain text."""
    if stored is None or not is_sealed(stored):
        return stored
    return unseal(stored, current_app.config["SECRET_KEY"], PURPOSE)


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
            row.body = _sealed(response.get_data(as_text=True))
            row.headers = {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}
        db.session.commit()
    return response


def forget(credentials, texts, member_id):
    """Erasure (SPEC §10): drop the stored answers that carry the member: those given to their own credentials, and
    any holding one of `texts` (their name, their e-mail) or their id in an `id`/`*_id` field. Dropping one costs
    only its replay; a retry with that key runs again. Rows live 24 h, so this reads a day of the tenant's keys."""
    ids = re.compile(rf'"(?:\w+_)?id"\s*:\s*{int(member_id)}(?!\d)')
    needles = [needle for text in texts if text for needle in {text, json.dumps(text)[1:-1]}]

    def carries_member(credential, stored):
        if credential in credentials:
            return True
        body = _opened(stored)
        return bool(body) and bool(ids.search(body) or any(n in body for n in needles))

    rows = db.session.execute(select(IdempotencyKey.id, IdempotencyKey.credential, IdempotencyKey.body))
    doomed = [row_id for row_id, credential, stored in rows if carries_member(credential, stored)]
    for i in range(0, len(doomed), 1000):
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(doomed[i:i + 1000])))


def purge_expired():
    """Across tenants (the caller is unscoped): delete the rows older than IDEMPOTENCY_HOURS; returns how many."""
    purged = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < _stale_before())).rowcount
    db.session.commit()
    return purged
