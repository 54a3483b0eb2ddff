import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from mentorship.common.schemas import StrictSchema
from mentorship.members.operations import get_member
from mentorship.recommendations.operations import recommendations_for
from mentorship.tenancy.credentials import require_member_access

blp = Blueprint("recommendations", __name__, url_prefix="/api/v1/members", description="Mentor recommendations")


class RecommendationArgs(StrictSchema):
    class Meta:
        unknown = ma.EXCLUDE

    limit = ma.fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class MentorCardSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    headline = ma.fields.String(allow_none=True)
    company = ma.fields.String(allow_none=True)
    title = ma.fields.String(allow_none=True)


class ReasonSchema(ma.Schema):
    code = ma.fields.String()
    detail = ma.fields.String()


class RecommendationSchema(ma.Schema):
    mentor = ma.fields.Nested(MentorCardSchema)
    score = ma.fields.Float(metadata={"minimum": 0, "maximum": 1})
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema))


class RecommendationsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RecommendationSchema))


@blp.route("/<id:member_id>/recommendations")
@blp.arguments(RecommendationArgs, location="query")
@blp.response(200, RecommendationsSchema)
def get_recommendations(args, member_id):
    """Mentors for this mentee, best first (ties by mentor id), each with the reasons behind its score."""
    require_member_access(member_id, "admin", "partner")
    return recommendations_for(get_member(member_id), args["limit"])
