"""Atomic CSV import (SPEC §3): upsert by e-mail, every row validated first, nothing written on any error."""
import csv
import io
import re
from types import SimpleNamespace

from flask import g
from marshmallow import ValidationError
from sqlalchemy import insert, select

from mentorship.common.clock import utcnow
from mentorship.errors import Invalid, flatten_messages
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


def _parse(text):
    reader = csv.DictReader(io.StringIO(text))
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


def _validated_rows(reader):
    schema, rows, errors, seen = MemberInSchema(), [], [], {}
    for number, row in _records(reader):
        if None in row:
            errors.append({"row": number, "field": None, "message": "More cells than columns."})
            continue
        try:
            data = schema.load(_cells_to_payload(row))
        except ValidationError as exc:
            errors.extend(_row_errors(number, exc.messages))
            continue
        errors.extend(_row_errors(number, role_errors(data["role"], data)))
        if data["email"] in seen:
            errors.append({"row": number, "field": "email", "message": f"Same e-mail as row {seen[data['email']]}."})
        seen[data["email"]] = number
        rows.append((number, data))
    return rows, errors


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
    for number, data in rows:
        member = existing.get(data["email"])
        if member is not None and member.role != data["role"]:
            errors.append({"row": number, "field": "role", "message": "The role of an existing member cannot change."})
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
