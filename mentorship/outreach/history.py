"""What the coach compares a new message with: this mentee's earlier intros and the tenant's circulating texts."""
import numpy as np
from sqlalchemy import insert, select

import coach
from mentorship.extensions import db
from mentorship.outreach.models import Intro, IntroBand

MAX_CANDIDATES = 500


def party(member):
    """The coach's view of a member row."""
    return coach.Party(id=member.id, name=member.name or "", headline=member.headline, bio=member.bio,
                       company=member.company, title=member.title, school=member.school,
                       skills=tuple(member.skills or ()), domains=tuple(member.domains or ()),
                       goals=tuple(member.goals or ()))


SIGNATURE = np.dtype("<u4")


def _fingerprint(blob):
    """A stored signature; only signatures are compared, so the band keys are not needed here."""
    return coach.Fingerprint(signature=np.frombuffer(blob, dtype=SIGNATURE), band_keys=())


def signature_bytes(fingerprint):
    return np.asarray(fingerprint.signature, dtype=SIGNATURE).tobytes()


class IntroHistory:
    """coach.History over the database: two indexed queries, however many intros the tenant holds."""

    def __init__(self, mentee_id):
        self.mentee_id = mentee_id

    def own(self):
        rows = db.session.scalars(select(Intro.fingerprint).where(
            Intro.mentee_id == self.mentee_id, Intro.fingerprint.is_not(None)))
        return [_fingerprint(sig) for sig in rows]

    def circulating(self, band_keys):
        if not band_keys:
            return []
        candidates = (select(IntroBand.intro_id).where(IntroBand.band_key.in_(list(band_keys)),
                                                       IntroBand.mentee_id != self.mentee_id)
                      .distinct().limit(MAX_CANDIDATES))
        rows = db.session.execute(select(Intro.mentee_id, Intro.fingerprint).where(
            Intro.id.in_(candidates), Intro.fingerprint.is_not(None))).all()
        return [(mentee_id, _fingerprint(sig)) for mentee_id, sig in rows]


def store_bands(intro, fingerprint):
    """Index the intro under its LSH band keys (one INSERT for all of them)."""
    rows = [{"tenant_id": intro.tenant_id, "intro_id": intro.id, "band_key": key, "mentee_id": intro.mentee_id}
            for key in dict.fromkeys(fingerprint.band_keys)]
    if rows:
        db.session.execute(insert(IntroBand), rows)
