"""Who is signed in on a page: the member id in the session cookie, for one tenant, checked on every request.

The session holds the tenant and the member; a session of another tenant is nobody here, and a member erased
since signing in is signed out (the cookie is cleared).
"""
from flask import abort, g, redirect, session, url_for
from sqlalchemy import select

from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.tenancy.credentials import Principal


def load_member():
    """before_request of the pages (tenant already on g): g.member, or None."""
    g.member = None
    member_id, tenant_id = session.get("member_id"), session.get("tenant_id")
    if member_id is None or tenant_id != g.tenant_id:
        return
    member = db.session.scalar(select(Member).where(Member.id == member_id, Member.erased_at.is_(None)))
    if member is None:
        session.clear()
        return
    g.member = member


def start(member):
    """Sign `member` in: a fresh session (nothing kept from before signing in, against session fixation)."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session.update(member_id=member.id, tenant_id=member.tenant_id)
    if lang:
        session["lang"] = lang


def end():
    session.clear()


def required_member():
    """The signed-in member; 404 for a session of another tenant, which must learn nothing about this one."""
    if g.member is None:
        if session.get("member_id") is not None and session.get("tenant_id") != g.tenant_id:
            abort(404)
        return None
    return g.member


def party():
    """The signed-in member, acting from here on as their member token would (act_as); not signed in: to the
    sign-in page; a session of another tenant: 404."""
    member = required_member()
    if member is None:
        abort(redirect(url_for(".signin")))
    act_as(member)
    return member


def act_as(member):
    """The request's principal is the member, as with a member token minted by the career office: the API's
    operations then decide what this member may see and do, the way they decide it for the API (a member sees
    only their own intros, mentorships and meetings: 404 for anyone else's). Audited as `session:<member id>`."""
    g.principal = Principal("member", member.tenant_id, f"session:{member.id}", member.id)
