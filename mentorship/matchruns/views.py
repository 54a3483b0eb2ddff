from flask.views import MethodView
from flask_smorest import Blueprint

from mentorship.matchruns import operations
from mentorship.matchruns.apply import apply_run
from mentorship.matchruns.schemas import AppliedSchema, MatchRunInSchema, MatchRunSchema, QueuedSchema
from mentorship.tenancy.credentials import require

blp = Blueprint("match_runs", __name__, url_prefix="/api/v1/match-runs", description="Cohort match runs (admin)")


@blp.route("")
class MatchRuns(MethodView):
    @blp.arguments(MatchRunInSchema)
    @blp.response(202, QueuedSchema)
    def post(self, data):
        """Queue a cohort match run; a worker solves it (poll GET for the result)."""
        require("admin")
        return operations.queue_match_run(data)


@blp.route("/<id:run_id>")
@blp.response(200, MatchRunSchema)
def get_match_run(run_id):
    """Status, stats, assignments with reasons, and the mentees left unmatched."""
    require("admin")
    return operations.get_match_run(run_id)


@blp.route("/<id:run_id>/apply", methods=["POST"])
@blp.response(200, AppliedSchema)
def apply_match_run(run_id):
    """Turn the assignments into warm intros from the career office; applying twice is a 409."""
    require("admin")
    return apply_run(operations.get_match_run(run_id))
