"""The tenant's rules (SPEC §8): defaults, validation, and the effective policy."""
import marshmallow as ma
from marshmallow import validate

from mentorship.common.cache import TtlCache
from mentorship.common.schemas import StrictSchema
from mentorship.extensions import db
from mentorship.tenancy.models import Tenant

MILESTONE_KEYS = (
    "intro_accepted",
    "questions_prepared",
    "first_meeting_completed",
    "career_plan_shared",
    "follow_up_completed",
    "mentor_endorsement",
)

DEFAULTS = {
    "referral_requires": list(MILESTONE_KEYS),
    "min_weeks": 4,
    "min_meetings": 2,
    "max_pending_intros": 3,
    "intro_expiry_days": 14,
    "min_profile_score": 70,
    # origins whose pages may frame the web forms (CSP frame-ancestors); none: no site may (web/security.py)
    "frame_ancestors": [],
}
# https origins, a leading "*." allowed (CSP host-source); nothing that could end the directive or add another
# (?!\n)$ rather than \Z: the same end in Python (no trailing newline), and a pattern JSON Schema (ECMA 262) can read
ORIGIN = r"^https://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?(?!\n)$"


_cache = TtlCache("POLICY_CACHE_SECONDS")


def _unique(values):
    if len(set(values)) != len(values):
        raise ma.ValidationError("Each milestone may appear once.")


class PolicySchema(StrictSchema):
    referral_requires = ma.fields.List(ma.fields.String(validate=validate.OneOf(MILESTONE_KEYS)), validate=_unique)
    min_weeks = ma.fields.Integer(validate=validate.Range(min=0, max=104))
    min_meetings = ma.fields.Integer(validate=validate.Range(min=0, max=50))
    max_pending_intros = ma.fields.Integer(validate=validate.Range(min=1, max=20))
    intro_expiry_days = ma.fields.Integer(validate=validate.Range(min=1, max=90))
    min_profile_score = ma.fields.Integer(validate=validate.Range(min=0, max=100))
    contact_email = ma.fields.Email(allow_none=True, validate=validate.Length(max=254), metadata={
        "description": "the career office's address: its weekly digest goes there (none: no digest)"})
    frame_ancestors = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(ORIGIN, error="An https origin, e.g. https://careers.example.edu.")),
        validate=validate.Length(max=10))


def effective(tenant):
    """The tenant's stored overrides over the defaults, milestones kept in SPEC order."""
    policy = {**DEFAULTS, **(tenant.policy or {})}
    policy["referral_requires"] = [k for k in MILESTONE_KEYS if k in policy["referral_requires"]]
    policy["contact_email"] = tenant.contact_email  # a column of its own, not a rule: never in `policy`
    return policy


def for_tenant(tenant_id):
    """The effective policy of `tenant_id` (cached per process for POLICY_CACHE_SECONDS)."""
    return _cache.get(tenant_id, lambda: effective(db.session.get(Tenant, tenant_id)))


def forget():
    """After a policy change: this process reads it again at once."""
    _cache.clear()
