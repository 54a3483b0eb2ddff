from flask.views import MethodView
from flask_smorest import Blueprint

from mentorship.common.schemas import page_of
from mentorship.database import paginate
from mentorship.outreach import operations
from mentorship.outreach.schemas import (
    CoachingSchema,
    DeclineSchema,
    EmptySchema,
    IntroInSchema,
    IntroListArgs,
    IntroSchema,
)
from mentorship.tenancy.access import allow

blp = Blueprint("intros", __name__, url_prefix="/api/v1/intros", description="Intros and the outreach coach")


@blp.route("/preview", methods=["POST"])
@allow("admin", "partner", "member")
@blp.arguments(IntroInSchema)
@blp.response(200, CoachingSchema)
def preview(data):
    """What the coach says about a draft first message; creates nothing."""
    return operations.preview(data)


@blp.route("")
class Intros(MethodView):
    @allow("admin", "partner", "member")
    @blp.arguments(IntroListArgs, location="query")
    @blp.response(200, page_of(IntroSchema))
    def get(self, args):
        """Intros by status, mentee and mentor (a member token sees only its own)."""
        return paginate(operations.intros_query(args), args)

    @allow("admin", "partner", "member")
    @blp.arguments(IntroInSchema)
    @blp.response(201, IntroSchema)
    def post(self, data):
        """Send a first message: 422 outreach_blocked with `coaching` when the coach blocks it."""
        return operations.create_intro(data)


@blp.route("/<id:intro_id>")
@allow("admin", "partner", "member")
@blp.response(200, IntroSchema)
def get_intro(intro_id):
    """One intro with its status, source, coaching and timestamps."""
    return operations.get_intro(intro_id)


@blp.route("/<id:intro_id>/accept", methods=["POST"])
@allow("admin", "member")
@blp.arguments(EmptySchema, required=False)
@blp.response(200, IntroSchema)
def accept(_data, intro_id):
    """The mentor (or admin) accepts: a mentorship starts; 409 mentor_at_capacity when full."""
    return operations.accept(operations.get_intro(intro_id))


@blp.route("/<id:intro_id>/decline", methods=["POST"])
@allow("admin", "member")
@blp.arguments(DeclineSchema, required=False)
@blp.response(200, IntroSchema)
def decline(data, intro_id):
    """The mentor (or admin) declines; the mentee is told, with fresh recommendations."""
    return operations.decline(operations.get_intro(intro_id), (data or {}).get("reason"))


@blp.route("/<id:intro_id>/withdraw", methods=["POST"])
@allow("admin", "member")
@blp.arguments(EmptySchema, required=False)
@blp.response(200, IntroSchema)
def withdraw(_data, intro_id):
    """The mentee (or admin) withdraws a pending intro."""
    return operations.withdraw(operations.get_intro(intro_id))
