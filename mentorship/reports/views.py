import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from mentorship.common.csvout import csv_response, serves_csv, wants_csv
from mentorship.common.schemas import PeriodArgs
from mentorship.reports.funnel import BREAKDOWNS, funnel
from mentorship.tenancy.access import allow

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports (admin, partner)")


class FunnelArgs(PeriodArgs):
    by = ma.fields.String(validate=validate.OneOf(BREAKDOWNS), metadata={
        "description": "also the same funnel per group: the mentee's school, the top-level segment of the mentee's "
                       "first domain, or the intro's source (mentee, career_office)"})


class FunnelSchema(ma.Schema):
    members = ma.fields.Dict(allow_none=True, metadata={"description": "mentees, mentors, ready (null in a source "
                                                                       "group: members have no source)"})
    intros = ma.fields.Dict(metadata={"description": "blocked, sent, accepted, declined, expired"})
    meetings = ma.fields.Dict(metadata={"description": "scheduled, completed, missed, no_shows"})
    mentorships = ma.fields.Dict(metadata={"description": "active, closed, on_track, needs_check_in, at_risk"})
    referrals = ma.fields.Dict(metadata={"description": "eligible, requested, approved, declined, outcomes"})
    medians = ma.fields.Dict(metadata={"description": "days_to_first_meeting, days_to_referral_eligible, "
                                                      "mentor_response_hours"})


class FunnelGroupSchema(FunnelSchema):
    key = ma.fields.String(allow_none=True, metadata={"description": "the school, domain or source; null: members "
                                                                     "without a school or domain"})


class FunnelReportSchema(FunnelSchema):
    by = ma.fields.String(metadata={"description": "with ?by= only"})
    groups = ma.fields.List(ma.fields.Nested(FunnelGroupSchema), metadata={"description": "with ?by= only"})


def _flatten(data, prefix=""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        elif key not in ("key", "by", "groups"):
            yield f"{prefix}{key}", value


def _table(data):
    """(file name, header, rows): metric,value; with groups metric,all,<each group's key> (no school or domain:
    "(none)")."""
    total = dict(_flatten(data))
    if "groups" not in data:
        return "funnel", ["metric", "value"], list(total.items())
    groups = [dict(_flatten(group)) for group in data["groups"]]
    metrics = list(dict.fromkeys([*total, *(metric for group in groups for metric in group)]))
    header = ["metric", "all", *("(none)" if g["key"] is None else g["key"] for g in data["groups"])]
    return (f"funnel-by-{data['by']}", header,
            [[metric, total.get(metric), *(g.get(metric) for g in groups)] for metric in metrics])


def _documented_table(report):
    """For /openapi.json: the CSV of a report without ?by= (metric,value)."""
    _, header, rows = _table({key: value for key, value in report.items() if key not in ("by", "groups")})
    return header, rows


@blp.route("/funnel")
@serves_csv(_documented_table)
@allow("admin", "partner")
@blp.arguments(FunnelArgs, location="query")
@blp.response(200, FunnelReportSchema,
              description="The funnel as JSON; with `Accept: text/csv`, the same as metric,value rows (with `by`: "
                          "metric,all,<group>... columns).")
def get_funnel(args):
    """Members, intros, meetings, mentorships, referrals and medians for a period; `from`/`to` take dates (whole
    days, `to` inclusive) or times (`to` exclusive)."""
    data = funnel(args.get("from_"), args.get("to"), args.get("by"))
    return csv_response(*_table(data)) if wants_csv() else data
