from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from mentorship.common.schemas import page_of
from mentorship.matchmaking import operations
from mentorship.matchmaking.apply import apply_run
from mentorship.matchmaking.recommendations import answer
from mentorship.matchmaking.schemas import (
    AppliedSchema,
    MatchRunInSchema,
    MatchRunListArgs,
    MatchRunSchema,
    QueuedSchema,
    RecommendationArgs,
    RecommendationsSchema,
)
from mentorship.tenancy.access import SELF, allow

recommendations_blp = Blueprint("recommendations", __name__, url_prefix="/api/v1/members",
                                description="Mentor recommendations")
blp = Blueprint("match_runs", __name__, url_prefix="/api/v1/match-runs", description="Cohort match runs (admin)")


@recommendations_blp.route("/<id:member_id>/recommendations")
@allow("admin", "partner", SELF)
@recommendations_blp.arguments(RecommendationArgs(), location="query")  # one instance, not one per request
@recommendations_blp.response(200, RecommendationsSchema)
def get_recommendations(args, member_id):
    """Mentors for this mentee, best first (ties by mentor id), each with the reasons behind its score."""
    return answer(member_id, args["limit"])


@blp.route("")
class MatchRuns(MethodView):
    @allow("admin")
    @blp.arguments(MatchRunListArgs, location="query")
    @blp.response(200, page_of(MatchRunSchema))
    def get(self, args):
        """The tenant's match runs, newest first (by status), each as GET /match-runs/{id} gives it."""
        return current_app.response_class(operations.match_runs_page(args), mimetype=current_app.json.mimetype)

    @allow("admin")
    @blp.arguments(MatchRunInSchema)
    @blp.response(202, QueuedSchema)
    def post(self, data):
        """Queue a cohort match run; a worker solves it (poll GET for the result)."""
        return operations.queue_match_run(data)


@blp.route("/<id:run_id>")
@allow("admin")
@blp.response(200, MatchRunSchema)
def get_match_run(run_id):
    """Status, stats, assignments with reasons, and the mentees left unmatched with why."""
    return current_app.response_class(operations.match_run_body(run_id), mimetype=current_app.json.mimetype)


@blp.route("/<id:run_id>/apply", methods=["POST"])
@allow("admin")
@blp.response(200, AppliedSchema)
def apply_match_run(run_id):
    """Turn the assignments into warm intros from the career office; pairs that changed since the run are skipped
    and listed; applying twice is a 409."""
    return apply_run(operations.get_match_run(run_id))
