from flask.views import MethodView
from flask_smorest import Blueprint

from mentorship.common.csvout import csv_response, page_table, serves_csv, table, wants_csv
from mentorship.common.schemas import page_of
from mentorship.mentorships import milestones, operations
from mentorship.mentorships.schemas import (
    CloseSchema,
    MentorshipListArgs,
    MentorshipSchema,
    MilestoneInSchema,
)
from mentorship.scheduling.schemas import MeetingInSchema, MeetingSchema
from mentorship.tenancy.access import allow

CSV_COLUMNS = ("id", "mentee_id", "mentor_id", "status", "health", "started_at", "closed_at", "close_reason",
               "trust.score", "trust.referral_eligible", "trust.missing", "meetings.completed", "meetings.scheduled")
blp = Blueprint("mentorships", __name__, url_prefix="/api/v1/mentorships",
                description="Mentorships, milestones, trust and health")


@blp.route("")
class Mentorships(MethodView):
    @serves_csv(page_table(CSV_COLUMNS))
    @allow("admin", "partner", "member")
    @blp.arguments(MentorshipListArgs, location="query")
    @blp.response(200, page_of(MentorshipSchema))
    def get(self, args):
        """Mentorships by member, status, health and the mentee's school (a member token sees only its own). With
        `Accept: text/csv`, every one the filters find (no page)."""
        if wants_csv():
            return csv_response("mentorships", CSV_COLUMNS, table(CSV_COLUMNS, operations.all_mentorships(args)))
        return operations.mentorships_page(args)


@blp.route("/<id:mentorship_id>")
@allow("admin", "partner", "member")
@blp.response(200, MentorshipSchema)
def get_mentorship(mentorship_id):
    """One mentorship: milestones, trust (referral eligibility with what is missing) and health."""
    return operations.describe(operations.get_mentorship(mentorship_id))


@blp.route("/<id:mentorship_id>/close", methods=["POST"])
@allow("admin", "member")
@blp.arguments(CloseSchema)
@blp.response(200, MentorshipSchema)
def close(data, mentorship_id):
    """Either party or the career office closes it, with a reason."""
    mentorship = operations.get_mentorship(mentorship_id)
    return operations.describe(operations.close(mentorship, data["reason"], data.get("note")))


@blp.route("/<id:mentorship_id>/milestones/<string(maxlength=40):key>", methods=["POST"])
@allow("member")
@blp.arguments(MilestoneInSchema)
@blp.response(200, MentorshipSchema)
def complete_milestone(data, mentorship_id, key):
    """Complete a manual milestone (only its party; automatic ones answer 409 milestone_automatic)."""
    mentorship = operations.get_mentorship(mentorship_id)
    return operations.describe(milestones.complete_milestone(mentorship, key, data))


@blp.route("/<id:mentorship_id>/meetings", methods=["POST"])
@allow("admin", "partner", "member")
@blp.arguments(MeetingInSchema)
@blp.response(201, MeetingSchema)
def propose_meeting(data, mentorship_id):
    """Propose up to 3 slots in both members' availability (or book `start`); 422 no_common_availability."""
    return operations.propose_meeting(operations.get_mentorship(mentorship_id), data)
