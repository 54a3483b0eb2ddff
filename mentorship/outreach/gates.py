"""The checks of an intro that depend on the service's data, not on the message (SPEC §6).

Each is a code and its parameters: the coach words it in the message's language (coach/wording.py), a profile's
gaps in plain words rather than codes."""
from mentorship.outreach import capacity
from mentorship.tenancy.policy import for_tenant


def _issue(code, **params):
    return {"code": code, "severity": "block", "params": params}


def gates(mentee, mentor, known=None):
    """Blocking issues that come from profiles, capacity and policy; `known` is capacity.contacts(mentee.id) if at
    hand."""
    policy = for_tenant(mentee.tenant_id)
    known = capacity.contacts(mentee.id) if known is None else known
    found = []
    if not mentee.profile["ready"]:
        found.append(_issue("profile_not_ready", gaps=list(mentee.profile_gaps or ())))
    if not mentor.profile["ready"] or capacity.declined_before(known, mentor.id) \
            or not capacity.can_be_offered(mentor):
        found.append(_issue("mentor_unavailable"))
    if capacity.pending_count(known) >= policy["max_pending_intros"]:
        found.append(_issue("too_many_pending", limit=policy["max_pending_intros"]))
    return found
