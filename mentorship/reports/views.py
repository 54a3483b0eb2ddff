import csv
import io

import marshmallow as ma
from flask import Response, request
from flask_smorest import Blueprint

from mentorship.common.schemas import StrictSchema
from mentorship.errors import Invalid
from mentorship.reports.funnel import funnel
from mentorship.tenancy.access import allow

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports (admin, partner)")


class FunnelArgs(StrictSchema):
    class Meta:
        unknown = ma.EXCLUDE

    from_ = ma.fields.AwareDateTime(data_key="from", metadata={"description": "inclusive, ISO 8601 with offset"})
    to = ma.fields.AwareDateTime(metadata={"description": "exclusive"})


class FunnelSchema(ma.Schema):
    members = ma.fields.Dict(metadata={"description": "mentees, mentors, ready"})
    intros = ma.fields.Dict(metadata={"description": "blocked, sent, accepted, declined, expired"})
    meetings = ma.fields.Dict(metadata={"description": "scheduled, completed, missed"})
    mentorships = ma.fields.Dict(metadata={"description": "active, closed, on_track, needs_check_in, at_risk"})
    referrals = ma.fields.Dict(metadata={"description": "eligible, requested, approved, declined, outcomes"})
    medians = ma.fields.Dict(metadata={"description": "days_to_first_meeting, days_to_referral_eligible, "
                                                      "mentor_response_hours"})


def _flatten(data, prefix=""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


@blp.route("/funnel")
@allow("admin", "partner")
@blp.arguments(FunnelArgs, location="query")
@blp.response(200, FunnelSchema,
              description="The funnel as JSON; with `Accept: text/csv`, the same as metric,value rows.")
def get_funnel(args):
    """Members, intros, meetings, mentorships, referrals and medians for a period."""
    start, end = args.get("from_"), args.get("to")
    if start and end and start >= end:
        raise Invalid("`from` must be before `to`.", errors={"from": ["Must be before `to`."]})
    data = funnel(start, end)
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["metric", "value"])
        writer.writerows(_flatten(data))
        return Response(out.getvalue(), mimetype="text/csv")
    return data
