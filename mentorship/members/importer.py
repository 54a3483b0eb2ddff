"""Atomic CSV import (SPEC §3): upsert by e-mail, every row validated first, nothing written on any error.

Small files go through `import_members` in the request. Big ones run as a job (import_jobs.py) in two passes over
the same checks, in bounded memory: `check_rows` streams the file, validates each row and spills the valid ones to
a scratch file; `write_rows` upserts them from there in batches, inside the job's one transaction.
"""
import csv
import json
import re
from itertools import islice
from types import SimpleNamespace

from flask import g
from marshmallow import ValidationError
from sqlalchemy import insert, select

from mentorship import events
from mentorship.common.clock import utcnow
from mentorship.errors import ApiError, Invalid, flatten_messages
from mentorship.extensions import db
from mentorship.members.models import DEFAULT_CAPACITY, Member
from mentorship.members.operations import _apply
from mentorship.members.profile import assess
from mentorship.members.schemas import MemberInSchema, role_errors
from mentorship.tenancy.audit import AuditEvent, audit_rows

LIST_FIELDS = ("domains", "goals", "skills", "languages")
COLUMNS = set(MemberInSchema().fields) - {"prefers"}
WINDOW = re.compile(r"^\s*([0-6])\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})\s*$")
CHUNK = 500


class NotText(ApiError):
    """The upload's bytes are not text the import can read; `reason` says why (`not_utf8`, `nul_bytes`)."""

    def __init__(self, detail, reason):
        super().__init__(detail, code="bad_request")
        self.reason = reason


def decode(data):
    """An upload's bytes as the import's text: UTF-8, a byte-order mark dropped; NotText (400) otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotText("The file is not UTF-8.", "not_utf8") from None
    if "\x00" in text:
        raise NotText("The file contains NUL bytes.", "nul_bytes")
    return text


def _cells_to_payload(row):
    """A CSV row as the JSON the API takes; empty cells are 'not given'."""
    payload = {}
    for name, cell in row.items():
        cell = (cell or "").strip()
        if not cell:
            continue
        if name in LIST_FIELDS:
            payload[name] = [part.strip() for part in cell.split(";") if part.strip()]
        elif name == "availability":
            payload[name] = _windows(cell)
        else:
            payload[name] = cell
    return payload


def _windows(cell):
    windows = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        match = WINDOW.match(part)
        if not match:
            raise ValidationError({"availability": [f"{part!r}: use 'weekday HH:MM-HH:MM', e.g. '0 09:00-12:00'."]})
        windows.append({"weekday": int(match[1]), "start": match[2], "end": match[3]})
    return windows


def _row_errors(number, messages):
    return [{"row": number, "field": field, "message": text}
            for field, texts in flatten_messages(messages).items() for text in texts]


def _lines(text):
    """The lines of `text` as io.StringIO reads them (each ends after a newline), without the copy StringIO makes
    (4 bytes a character: 112 MB for a 28 MB file)."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start) + 1 or end
        yield text[start:stop]
        start = stop


def _parse(source):
    """A DictReader over CSV text (str) or a text stream, after checking the header row."""
    reader = csv.DictReader(_lines(source) if isinstance(source, str) else source)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise Invalid("The header row is not valid CSV.",
                      errors=[{"row": 1, "field": None, "message": str(exc)}]) from None
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in ("role", "name", "email", "timezone") if h not in header]
    if unknown or missing or len(set(header)) != len(header):
        errors = [{"row": 1, "field": h, "message": "Unknown column."} for h in unknown]
        errors += [{"row": 1, "field": h, "message": "Required column is missing."} for h in missing]
        if len(set(header)) != len(header):
            errors.append({"row": 1, "field": None, "message": "A column appears twice."})
        raise Invalid("The header row is not valid.", errors=errors)
    return reader


def _records(reader):
    """(row number, cells); a row the csv module cannot read (bare CR, a cell over its size limit) is a 422."""
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise Invalid(f"Row {number} is not valid CSV; nothing was imported.",
                          errors=[{"row": number, "field": None, "message": str(exc)}]) from None
        yield number, row


def _checked(schema, number, row, errors, seen):
    """The row's data, or None when it cannot be read; its errors are added to `errors`."""
    if None in row:
        errors.append({"row": number, "field": None, "message": "More cells than columns."})
        return None
    try:
        data = schema.load(_cells_to_payload(row))
    except ValidationError as exc:
        errors.extend(_row_errors(number, exc.messages))
        return None
    errors.extend(_row_errors(number, role_errors(data["role"], data)))
    if data["email"] in seen:
        errors.append({"row": number, "field": "email", "message": f"Same e-mail as row {seen[data['email']]}."})
    seen[data["email"]] = number
    return data


def _validated_rows(reader):
    schema, rows, errors, seen = MemberInSchema(), [], [], {}
    for number, row in _records(reader):
        data = _checked(schema, number, row, errors, seen)
        if data is not None:
            rows.append((number, data))
    return rows, errors


def _role_changes(rows, roles):
    """Errors for rows that would change the role of an existing member; `roles` maps e-mail -> stored role."""
    return [{"row": number, "field": "role", "message": "The role of an existing member cannot change."}
            for number, data in rows if roles.get(data["email"], data["role"]) != data["role"]]


def _existing(emails):
    found = {}
    emails = list(emails)
    for i in range(0, len(emails), CHUNK):
        chunk = emails[i:i + CHUNK]
        found.update({m.email: m for m in db.session.scalars(select(Member).where(Member.email.in_(chunk)))})
    return found


def import_members(text):
    """Validate every row, then create and update in one transaction; returns {created, updated}."""
    rows, errors = _validated_rows(_parse(text))
    existing = _existing(data["email"] for _, data in rows)
    errors.extend(_role_changes(rows, {email: member.role for email, member in existing.items()}))
    if errors:
        raise Invalid(f"{len({e['row'] for e in errors})} row(s) are not valid; nothing was imported.", errors=errors)
    creates = [data for _, data in rows if data["email"] not in existing]
    updates = [data for _, data in rows if data["email"] in existing]
    for data in updates:
        _apply(existing[data["email"]], data)
    _audit_updates(updates, existing)
    _bulk_create(creates)
    db.session.commit()
    return {"created": len(creates), "updated": len(updates)}


def _audit_updates(updates, existing):
    """One `member.updated` event per updated row, as record() writes it, in one executemany INSERT."""
    if not updates:
        return
    ids = [existing[data["email"]].id for data in updates]
    rows = audit_rows("member.updated", "members", ids, g.tenant_id)
    for row, data in zip(rows, updates, strict=True):
        row["data"] = {"fields": sorted(data), "via": "import"}
    # executing an ORM statement autoflushes first: the member UPDATEs are written before their events
    db.session.execute(insert(AuditEvent), rows)
    events.members_updated.send(g.tenant_id, member_ids=ids)


def _bulk_create(creates):
    if not creates:
        return
    tenant_id, now = g.tenant_id, utcnow()
    # every row gets every column, so one executemany covers them all
    blank = {**dict.fromkeys(COLUMNS), "domains": [], "goals": [], "skills": [], "languages": [], "availability": [],
             "international": False}
    values = []
    for data in creates:
        data = {**blank, **({"capacity": DEFAULT_CAPACITY} if data["role"] == "mentor" else {}), **data}
        score, gaps = assess(SimpleNamespace(**data))
        values.append({**data, "tenant_id": tenant_id, "profile_score": score, "profile_gaps": gaps,
                       "created_at": now, "updated_at": now})
    # render_nulls: every row then has the same columns, so the ORM sends one batched INSERT .. RETURNING;
    # otherwise rows with different None columns each became their own statement (and a quadratic splice).
    ids = db.session.scalars(insert(Member).returning(Member.id, sort_by_parameter_order=True), values,
                             execution_options={"render_nulls": True}).all()
    db.session.execute(insert(AuditEvent), audit_rows("member.created", "members", ids, tenant_id, via="import"))
    events.members_imported.send(tenant_id, member_ids=ids)


def count_rows(text):
    """Rows below the header; the same 422 as `import_members` for a bad header or a row csv cannot read."""
    return sum(1 for _ in _records(_parse(text)))


def check_rows(stream, spill, progress, every, max_errors):
    """A job's first pass: every check of `import_members`, row by row, holding only the e-mails seen. Valid rows
    go to `spill` as JSON lines; `progress(rows)` runs every `every` rows. Returns (rows, errors, errors_total),
    at most `max_errors` errors kept (those of the first rows)."""
    schema, errors, seen, pending, rows, dropped = MemberInSchema(), [], {}, [], 0, 0
    for number, row in _records(_parse(stream)):
        rows += 1
        data = _checked(schema, number, row, errors, seen)
        if data is not None:
            pending.append((number, data))
        if len(errors) > max_errors:
            dropped += len(errors) - max_errors
            del errors[max_errors:]
        if rows % every == 0:  # the role check's reads and the progress commit together: one short transaction
            errors.extend(_spill(pending, spill))
            pending = []
            progress(rows)
    errors.extend(_spill(pending, spill))
    errors.sort(key=lambda e: e["row"])
    return rows, errors[:max_errors], len(errors) + dropped


def _spill(rows, spill):
    """Write the rows to the scratch file; returns the role-change errors of those that exist already."""
    roles = {}
    emails = [data["email"] for _, data in rows]
    for i in range(0, len(emails), CHUNK):
        roles.update(db.session.execute(select(Member.email, Member.role)
                                        .where(Member.email.in_(emails[i:i + CHUNK]))).all())
    spill.writelines(json.dumps(row) + "\n" for row in rows)
    return _role_changes(rows, roles)


def _spilled(spill, batch):
    spill.seek(0)
    while rows := [json.loads(line) for line in islice(spill, batch)]:
        yield rows


def write_rows(spill, batch):
    """A job's second pass: upsert the spilled rows, `batch` at a time, in the caller's transaction (not committed
    here); the same writes and audit events as `import_members`. Returns {created, updated}."""
    # which rows update whom, looked up before the first write: by e-mail against a table growing inside this
    # transaction, PostgreSQL (whose statistics still say the table is empty) chose scans that made 100,000 rows
    # take minutes
    known = {}
    for rows in _spilled(spill, CHUNK):
        known.update((email, (member_id, role)) for email, member_id, role in db.session.execute(
            select(Member.email, Member.id, Member.role).where(Member.email.in_([d["email"] for _, d in rows]))))
    errors = _role_changes(((n, d) for rows in _spilled(spill, CHUNK) for n, d in rows),
                           {email: role for email, (_, role) in known.items()})
    if errors:  # a member created since the first pass, with the other role
        raise Invalid(f"{len(errors)} row(s) are not valid; nothing was imported.", errors=errors)
    created = updated = 0
    for rows in _spilled(spill, batch):
        ids = [known[data["email"]][0] for _, data in rows if data["email"] in known]
        existing = {m.email: m for m in db.session.scalars(select(Member).where(Member.id.in_(ids)))} if ids else {}
        creates = [data for _, data in rows if data["email"] not in known]
        updates = [data for _, data in rows if data["email"] in known]
        for data in updates:
            _apply(existing[data["email"]], data)
        _audit_updates(updates, existing)
        _bulk_create(creates)
        db.session.flush()
        db.session.expunge_all()  # bounded memory: this batch's members are written, let them go
        created, updated = created + len(creates), updated + len(updates)
    return {"created": created, "updated": updated}
