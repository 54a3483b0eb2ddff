"""Import every model so metadata (and Alembic) sees the whole schema."""
from mentorship.audit.models import AuditEvent  # noqa: F401
from mentorship.common.idempotency import IdempotencyKey  # noqa: F401
from mentorship.matchruns.models import MatchRun  # noqa: F401
from mentorship.members.models import Member  # noqa: F401
from mentorship.mentorships.models import Mentorship, Milestone  # noqa: F401
from mentorship.notifications.models import Notification  # noqa: F401
from mentorship.outreach.models import BlockedIntro, Intro, IntroBand  # noqa: F401
from mentorship.referrals.models import ReferralRequest  # noqa: F401
from mentorship.scheduling.models import CheckIn, Meeting  # noqa: F401
from mentorship.tenancy.models import ApiKey, MemberToken, Tenant  # noqa: F401
