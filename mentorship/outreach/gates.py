"""The checks of an intro that depend on the service's data, not on the message (SPEC §6)."""
from mentorship.outreach import capacity
from mentorship.tenancy.policy import for_tenant


def _issue(code, message):
    return {"code": code, "severity": "block", "message": message}


def gates(mentee, mentor, known=None):
    """Blocking issues that come from profiles, capacity and policy; `known` is capacity.contacts(mentee.id) if at
    hand."""
    policy = for_tenant(mentee.tenant_id)
    known = capacity.contacts(mentee.id) if known is None else known
    found = []
    if not mentee.profile["ready"]:
        gaps = ", ".join(mentee.profile_gaps) or "a higher profile score"
        found.append(_issue("profile_not_ready", f"Finish your profile first ({gaps}): mentors read it before they "
                                                 "answer, and a real intro section about you matters most."))
    if not mentor.profile["ready"] or capacity.declined_before(known, mentor.id) \
            or not capacity.can_be_offered(mentor):
        found.append(_issue("mentor_unavailable", "This mentor cannot take a new intro from you right now; "
                                                  "your recommendations list mentors who can."))
    if capacity.pending_count(known) >= policy["max_pending_intros"]:
        found.append(_issue("too_many_pending", f"You already have {policy['max_pending_intros']} intros "
                                                "waiting for an answer. Wait for one, or withdraw one, first."))
    return found
