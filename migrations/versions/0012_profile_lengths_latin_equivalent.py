"""members: profile score and gaps recomputed now that a bio's length counts a CJK character as 3 (issue 12)

SPEC §6 counts lengths in Latin-equivalent characters. A member whose Chinese bio was `bio_too_short` by raw
character count would keep that gap (and a lower score, perhaps not `ready`) until their profile is next written;
this recomputes every member's stored score and gaps with the rule of the day. Downgrade leaves them: the old rule
is gone, and the next write of a profile stores whatever rule is current.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:00:00

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

from mentorship.members import profile


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BATCH = 1000
PLAIN = ('id', 'role', 'photo_url', 'headline', 'bio', 'company', 'capacity', 'profile_score')
LISTS = ('domains', 'goals', 'availability', 'profile_gaps')  # JSON columns


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':  # row-level security (0010): every tenant's members
        bind.execute(sa.text("SELECT set_config('app.tenant_id', 'all', true)"))
    members = sa.table('members', *(sa.column(name) for name in PLAIN), *(sa.column(name, sa.JSON) for name in LISTS))
    last = 0
    while True:
        rows = bind.execute(sa.select(*members.c).where(members.c.id > last).order_by(members.c.id)
                            .limit(BATCH)).mappings().all()
        if not rows:
            break
        for row in rows:
            score, gaps = profile.assess(SimpleNamespace(**row))
            if score != row['profile_score'] or gaps != (row['profile_gaps'] or []):
                bind.execute(sa.update(members).where(members.c.id == row['id'])
                             .values(profile_score=score, profile_gaps=gaps))
        last = rows[-1]['id']


def downgrade():
    pass
