from flask.views import MethodView
from flask_smorest import Blueprint

from mentorship.common.csvout import csv_response, page_table, serves_csv, table, wants_csv
from mentorship.common.schemas import page_of
from mentorship.database import batches, paginate
from mentorship.mentorships.operations import get_mentorship
from mentorship.referrals import operations
from mentorship.referrals.schemas import (
    DecideSchema,
    OutcomeSchema,
    ReferralInSchema,
    ReferralListArgs,
    ReferralSchema,
)
from mentorship.tenancy.access import allow

CSV_COLUMNS = ("id", "mentorship_id", "mentee_id", "mentor_id", "company", "job_title", "job_url", "status",
               "outcome", "created_at", "decided_at")
blp = Blueprint("referrals", __name__, url_prefix="/api/v1", description="Earned referrals")


@blp.route("/mentorships/<id:mentorship_id>/referral-requests", methods=["POST"])
@allow("member")
@blp.arguments(ReferralInSchema)
@blp.response(201, ReferralSchema)
def request_referral(data, mentorship_id):
    """The mentee asks; 409 referral_not_earned with `missing` until the policy is met."""
    return operations.request_referral(get_mentorship(mentorship_id), data)


@blp.route("/referral-requests")
@serves_csv(page_table(CSV_COLUMNS))
@allow("admin", "partner", "member")
@blp.arguments(ReferralListArgs, location="query")
@blp.response(200, page_of(ReferralSchema))
def list_referrals(args):
    """Referral requests by status and mentorship, newest first (a member token sees only its own). With
    `Accept: text/csv`, every one the filters find (no page)."""
    if wants_csv():
        rows = (ReferralSchema().dump(r) for batch in batches(operations.referrals_query(args)) for r in batch)
        return csv_response("referral-requests", CSV_COLUMNS, table(CSV_COLUMNS, rows))
    return paginate(operations.referrals_query(args), args)


@blp.route("/referral-requests/<id:referral_id>")
class ReferralResource(MethodView):
    @allow("admin", "partner", "member")
    @blp.response(200, ReferralSchema)
    def get(self, referral_id):
        """One referral request."""
        return operations.get_referral(referral_id)

    @allow("admin", "partner", "member")
    @blp.arguments(OutcomeSchema)
    @blp.response(200, ReferralSchema)
    def patch(self, data, referral_id):
        """What became of an approved referral."""
        return operations.set_outcome(operations.get_referral(referral_id), data["outcome"])


@blp.route("/referral-requests/<id:referral_id>/decide", methods=["POST"])
@allow("member")
@blp.arguments(DecideSchema)
@blp.response(200, ReferralSchema)
def decide(data, referral_id):
    """Only the mentor decides (403 for everyone else, the career office included)."""
    return operations.decide(operations.get_referral(referral_id), data["decision"], data.get("note"))
