"""Invites, joining, and sign-in links: each write validates, writes and audits in one transaction.

Secrets in links are 256-bit random and stored as SHA-256 hashes (tenancy/credentials.py). Using one is a single
guarded UPDATE ... WHERE used_at IS NULL AND expires_at > now, so of two requests racing with one link exactly
one wins.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from mentorship.common.clock import utcnow
from mentorship.common.sealing import seal
from mentorship.database import guarded_update
from mentorship.errors import ApiError, NotFound
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.operations import create_member
from mentorship.notifications.outbox import notify
from mentorship.tenancy.audit import actor, record
from mentorship.tenancy.credentials import hash_secret, new_secret
from mentorship.web.models import Invite, SignInLink

INVITE_DAYS = 7  # long enough for a busy student or mentor to get to it; short enough that a lost link dies
SIGNIN_MINUTES = 15
SIGNIN_RESEND_SECONDS = 60  # one e-mail a minute per member, however often someone types their address
INVITE_PREFIX, SIGNIN_PREFIX = "inv_", "sil_"
SEAL_PURPOSE = "signin-link"


class Gone(ApiError):
    status, code = 410, "gone"


def create_invite(role, email=None):
    """A single-use join link for one mentee or mentor; returns (invite, secret)."""
    secret, digest = new_secret(INVITE_PREFIX)
    invite = Invite(role=role, email=email, token_hash=digest, created_by=actor(),
                    expires_at=utcnow() + timedelta(days=INVITE_DAYS))
    db.session.add(invite)
    db.session.flush()
    record("invite.created", invite, role=role, bound_to_email=email is not None)
    db.session.commit()
    return invite, secret


def open_invite(secret):
    """The invite of this tenant with this secret: 404 when there is none, 410 when used or expired."""
    invite = db.session.scalar(select(Invite).where(Invite.token_hash == hash_secret(secret)))
    if invite is None:
        raise NotFound("No such invite.")
    if invite.used_at is not None or invite.expires_at <= utcnow():
        raise Gone("This invite was used or has expired.")
    return invite


def join(invite, data):
    """Create the member an invite is for (as POST /members does) and use the invite up, in one transaction."""
    data = {**data, "role": invite.role, **({"email": invite.email} if invite.email else {})}
    if not guarded_update(invite, Invite.used_at.is_(None), Invite.expires_at > utcnow(), used_at=utcnow()):
        raise Gone("This invite was used or has expired.")
    try:
        member = create_member(data)  # commits the invite's use with the member
    except Exception:
        db.session.rollback()  # the invite stays usable: nothing was created
        raise
    invite.member_id = member.id
    record("invite.used", invite, member_id=member.id)
    db.session.commit()
    return member


def send_signin_link(email):
    """E-mail a sign-in link to the member of this tenant with this address, if there is one (nothing otherwise)."""
    member = db.session.scalar(select(Member).where(Member.email == email, Member.erased_at.is_(None)))
    if member is None or _sent_lately(member.id):
        return None
    secret, digest = new_secret(SIGNIN_PREFIX)
    link = SignInLink(member_id=member.id, token_hash=digest,
                      sealed_token=seal(secret, current_app.config["SECRET_KEY"], SEAL_PURPOSE),
                      expires_at=utcnow() + timedelta(minutes=SIGNIN_MINUTES))
    db.session.add(link)
    db.session.flush()
    notify(member.id, "member.signin_link", link)
    record("signin_link.created", link, member_id=member.id)
    db.session.commit()
    return link


def _sent_lately(member_id):
    since = utcnow() - timedelta(seconds=SIGNIN_RESEND_SECONDS)
    return db.session.scalar(select(SignInLink.id).where(
        SignInLink.member_id == member_id, SignInLink.used_at.is_(None), SignInLink.created_at > since).limit(1))


def check_signin_link(secret):
    """The link with this secret, unused and unexpired: 404 when unknown here, 410 when used or expired."""
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == hash_secret(secret)))
    if link is None:
        raise NotFound("No such sign-in link.")
    if link.used_at is not None or link.expires_at <= utcnow():
        raise Gone("This sign-in link was used or has expired.")
    return link


def use_signin_link(secret):
    """Use the link up (one guarded statement) and return its member; 410 when used, expired or the member left."""
    now = utcnow()
    member_id = db.session.scalar(
        update(SignInLink).where(SignInLink.token_hash == hash_secret(secret), SignInLink.used_at.is_(None),
                                 SignInLink.expires_at > now)
        .values(used_at=now, sealed_token=None).returning(SignInLink.member_id)
        .execution_options(synchronize_session=False))
    member = member_id and db.session.scalar(select(Member).where(Member.id == member_id,
                                                                  Member.erased_at.is_(None)))
    if not member:
        db.session.rollback()
        raise Gone("This sign-in link was used or has expired.")
    db.session.commit()
    return member

