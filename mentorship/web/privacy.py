"""What erasure removes from the pages' records (SPEC §10): a receiver of `member_erasing`."""
from sqlalchemy import delete, update

from mentorship.extensions import db
from mentorship.web.models import Invite, SignInLink


def erase(member):
    """The member's sign-in links go (an unsent one is then cancelled: its row is gone), and the address their
    invite was bound to."""
    db.session.execute(delete(SignInLink).where(SignInLink.member_id == member.id),
                       execution_options={"synchronize_session": False})
    db.session.execute(update(Invite).where(Invite.member_id == member.id).values(email=None),
                       execution_options={"synchronize_session": False})
