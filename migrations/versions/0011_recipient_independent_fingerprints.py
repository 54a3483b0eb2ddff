"""intros: fingerprints recomputed with the coach's recipient-independent fingerprint (issue 12)

The coach's fingerprint no longer masks the recipient's profile words (an identical text sent to two mentors now has
one fingerprint) and is read from the message's skeleton. Fingerprints stored before are not comparable with new
ones, so every stored one is recomputed from the intro's message and its sender (name, school), and its LSH band keys
replaced. Intros whose message was erased keep no fingerprint. Downgrade leaves the new fingerprints in place: the old
function is gone, and the new ones only make copies easier to see.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import numpy as np
import sqlalchemy as sa

import coach


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':  # row-level security (0010): this migration reads every tenant's intros
        bind.execute(sa.text("SELECT set_config('app.tenant_id', 'all', true)"))
    intros = sa.table('intros', sa.column('id'), sa.column('tenant_id'), sa.column('mentee_id'),
                      sa.column('message'), sa.column('fingerprint'))
    members = sa.table('members', sa.column('id'), sa.column('name'), sa.column('school'))
    bands = sa.table('intro_bands', sa.column('tenant_id'), sa.column('intro_id'), sa.column('band_key'),
                     sa.column('mentee_id'))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(intros.c.id, intros.c.tenant_id, intros.c.mentee_id, intros.c.message, members.c.name,
                      members.c.school)
            .select_from(intros.join(members, members.c.id == intros.c.mentee_id))
            .where(intros.c.fingerprint.is_not(None), intros.c.id > last)
            .order_by(intros.c.id).limit(BATCH)).all()
        if not rows:
            break
        for intro_id, tenant_id, mentee_id, message, name, school in rows:
            bind.execute(sa.delete(bands).where(bands.c.intro_id == intro_id))
            if not message:
                bind.execute(sa.update(intros).where(intros.c.id == intro_id).values(fingerprint=None))
                continue
            fp = coach.fingerprint(message, coach.Party(id=mentee_id, name=name or '', school=school))
            bind.execute(sa.update(intros).where(intros.c.id == intro_id)
                         .values(fingerprint=np.asarray(fp.signature, dtype='<u4').tobytes()))
            keys = list(dict.fromkeys(fp.band_keys))
            if keys:
                bind.execute(sa.insert(bands), [{'tenant_id': tenant_id, 'intro_id': intro_id, 'band_key': key,
                                                 'mentee_id': mentee_id} for key in keys])
        last = rows[-1][0]


def downgrade():
    pass
