"""Operations other than POST that can answer 409 (every POST can: an Idempotency-Key still in use). An endpoint
whose operation raises `Conflict` adds itself here: `endpoint` is Flask's (`<blueprint>.<view>`)."""

CONFLICTS = {
    ("members.MemberResource", "patch"),  # email_taken
    ("tenancy.delete_api_key", "delete"),  # last_admin_key
    ("referrals.ReferralResource", "patch"),  # outcome of a request that is not approved
}


def may_conflict(endpoint, method):
    return (endpoint, method) in CONFLICTS
