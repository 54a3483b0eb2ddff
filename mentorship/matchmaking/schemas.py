import marshmallow as ma
from marshmallow import validate

from mentorship.common.schemas import PageArgs, StoredList, StrictSchema

STRATEGY_NAMES = ("optimal", "stable")
UNMATCHED_REASONS = ("no_match", "not_ready", "busy", "member_erased")
SKIP_REASONS = ("member_erased", "mentee_not_ready", "mentor_not_ready", "intro_exists", "declined_before",
                "mentee_busy", "mentor_at_capacity")


class RecommendationArgs(StrictSchema):
    limit = ma.fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class MatchRunListArgs(PageArgs):
    status = ma.fields.String(validate=validate.OneOf(("queued", "running", "succeeded", "failed")))


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


def _ids(description):
    return ma.fields.List(ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                          validate=validate.Length(min=1, max=100_000), metadata={"description": description})


class MatchRunInSchema(StrictSchema):
    mentee_ids = _ids("default: every ready mentee without a mentor or pending intro")
    mentor_ids = _ids("default: every ready mentor with free capacity")
    strategy = ma.fields.String(load_default="optimal", validate=validate.OneOf(STRATEGY_NAMES))
    min_score = ma.fields.Float(load_default=0.2, validate=validate.Range(min=0, max=1), allow_nan=False)


class QueuedSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()


class StatsSchema(ma.Schema):
    mentees = ma.fields.Integer()
    mentors = ma.fields.Integer()
    matched = ma.fields.Integer()
    total_score = ma.fields.Float()
    seconds = ma.fields.Float()


class ProgressSchema(ma.Schema):
    blocks = ma.fields.Integer(metadata={"description": "blocks of mentees the run's candidate generation is cut into"})
    blocks_done = ma.fields.Integer(metadata={"description": "blocks whose candidates are computed"})
    workers = ma.fields.Integer(allow_none=True, metadata={
        "description": "how many workers computed blocks (known once every block is in)"})


class AssignmentSchema(ma.Schema):
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    score = ma.fields.Float()
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema))


class UnmatchedSchema(ma.Schema):
    mentee_id = ma.fields.Integer()
    reason = ma.fields.String(metadata={"enum": list(UNMATCHED_REASONS)})


class MatchRunSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    strategy = ma.fields.String()
    min_score = ma.fields.Float()
    stats = ma.fields.Nested(StatsSchema, allow_none=True)
    # written by tasks._finish in these shapes: dumped as stored (a big run's are tens of thousands)
    assignments = StoredList(ma.fields.Nested(AssignmentSchema))
    unmatched_mentee_ids = StoredList(ma.fields.Integer())
    unmatched = StoredList(ma.fields.Nested(UnmatchedSchema), metadata={
        "description": "each unmatched mentee with why: no_match (eligible, but no mentor was left above min_score), "
                       "or, for mentees named in mentee_ids, not_ready, busy (a pending intro or an active "
                       "mentorship already) or member_erased"})
    error = ma.fields.String(allow_none=True, metadata={"description": "why a failed run failed"})
    progress = ma.fields.Nested(ProgressSchema, allow_none=True, dump_only=True, metadata={
        "description": "a big run split across workers (at least MATCH_RUN_SPLIT_MENTEES mentees): its blocks of "
                       "mentees and how many are in, while it runs and after; null for a run computed in one piece"})
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)

    @ma.post_dump
    def _lists_not_null(self, data, **kwargs):
        data["assignments"] = data.get("assignments") or []
        data["unmatched_mentee_ids"] = data.get("unmatched_mentee_ids") or []
        data["unmatched"] = data.get("unmatched") or []
        return data


class SkippedSchema(ma.Schema):
    mentee_id = ma.fields.Integer()
    mentor_id = ma.fields.Integer()
    reason = ma.fields.String(metadata={"enum": list(SKIP_REASONS)})


class AppliedSchema(ma.Schema):
    id = ma.fields.Integer()
    applied_at = ma.fields.AwareDateTime()
    intro_ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "the warm intros created"})
    skipped = ma.fields.List(ma.fields.Nested(SkippedSchema),
                             metadata={"description": "assignments whose mentee or mentor changed since the run, "
                                                      "so that they are no longer possible"})
