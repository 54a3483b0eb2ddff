"""Import every model so metadata (and Alembic) sees the whole schema."""
from mentorship.matchmaking.models import MatchRun  # noqa: F401
from mentorship.members.models import Member, MemberImport, MemberImportUpload  # noqa: F401
from mentorship.mentorships.models import Mentorship, Milestone  # noqa: F401
from mentorship.notifications.models import Notification  # noqa: F401
from mentorship.outreach.models import BlockedIntro, Intro, IntroBand  # noqa: F401
from mentorship.referrals.models import ReferralRequest  # noqa: F401
from mentorship.scheduling.models import CheckIn, Meeting  # noqa: F401
from mentorship.tenancy.audit import AuditEvent  # noqa: F401
from mentorship.tenancy.idempotency import IdempotencyKey  # noqa: F401
from mentorship.tenancy.models import ApiKey, MemberToken, Tenant  # noqa: F401
from mentorship.web.models import Invite, SignInLink  # noqa: F401
from mentorship.webhooks.models import Webhook, WebhookDelivery  # noqa: F401
