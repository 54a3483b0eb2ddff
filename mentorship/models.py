"""Import every model so metadata (and Alembic) sees the whole schema."""
from mentorship.audit.models import AuditEvent  # noqa: F401
from mentorship.common.idempotency import IdempotencyKey  # noqa: F401
from mentorship.matchruns.models import MatchRun  # noqa: F401
from mentorship.members.models import Member  # noqa: F401
from mentorship.tenancy.models import ApiKey, MemberToken, Tenant  # noqa: F401
