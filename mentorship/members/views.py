import marshmallow as ma
from flask import jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from mentorship.common.bodies import raw_body_endpoint
from mentorship.common.csvout import csv_response, page_table, serves_csv, table, wants_csv
from mentorship.common.schemas import page_of
from mentorship.database import paginate
from mentorship.errors import ApiError
from mentorship.members import cards, import_jobs, importer, operations, privacy
from mentorship.members.models import MemberImport
from mentorship.members.schemas import (
    ImportResultSchema,
    MemberImportSchema,
    MemberInSchema,
    MemberListArgs,
    MemberPatchSchema,
    MemberSchema,
    TokenInSchema,
    TokenSchema,
)
from mentorship.tenancy import operations as tenancy_operations
from mentorship.tenancy.access import SELF, allow
from mentorship.tenancy.credentials import current_principal

CSV_COLUMNS = ("id", "role", "name", "email", "school", "graduation_year", "domains", "goals", "company", "title",
               "capacity", "international", "profile.score", "profile.ready", "profile.gaps", "created_at")
blp = Blueprint("members", __name__, url_prefix="/api/v1/members", description="Mentees and mentors")


class ExportSchema(ma.Schema):
    """The member, their credentials and audit trail, and one section per domain that holds their data."""

    class Meta:
        unknown = ma.INCLUDE  # documented as open (additionalProperties): the domains' sections (intros, meetings...)

    member = ma.fields.Nested(MemberSchema)
    exported_at = ma.fields.AwareDateTime()
    tokens = ma.fields.List(ma.fields.Dict())
    audit_events = ma.fields.List(ma.fields.Dict())

    @ma.post_dump(pass_original=True)
    def _domain_sections(self, data, original, **kwargs):
        data.update({k: v for k, v in original.items() if k not in data})
        return data


@blp.route("")
class Members(MethodView):
    @serves_csv(page_table(CSV_COLUMNS))
    @allow("admin", "partner")
    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, page_of(MemberSchema))
    def get(self, args):
        """Members of the tenant; `domain=finance` also finds `finance/credit-risk`. With `Accept: text/csv`, every
        member the filters find (no page), spreadsheet-safe."""
        if wants_csv():
            return csv_response("members", CSV_COLUMNS, table(CSV_COLUMNS, operations.all_members(args)))
        return paginate(operations.members_query(args), args)

    @allow("admin", "partner")
    @blp.arguments(MemberInSchema)
    @blp.response(201, MemberSchema)
    def post(self, data):
        """Add a mentee or mentor; the answer carries the profile score and gaps."""
        return operations.create_member(data)


@blp.route("/<id:member_id>")
class MemberResource(MethodView):
    @allow("admin", "partner", "member")
    @blp.response(200, MemberSchema)
    def get(self, member_id):
        """One member: staff and the member themself get the whole record; another member's token gets the
        card (SPEC §3) of a member it deals with (its recommendations, the other side of its intros and
        mentorships), and 404 for anyone else."""
        principal = current_principal()
        if principal.is_member and principal.member_id != member_id:
            return jsonify(cards.visible_card(operations.get_member(principal.member_id),
                                              operations.get_member(member_id)))
        # the body MemberSchema would dump, built without marshmallow (the hot read); flask-smorest passes a
        # Response through as it is, and jsonify is what it would have called
        return jsonify(operations.member_document(member_id))

    @allow("admin", "partner", SELF)
    @blp.arguments(MemberPatchSchema(partial=True))
    @blp.response(200, MemberSchema)
    def patch(self, changes, member_id):
        """Change profile fields; the role cannot change."""
        return operations.update_member(operations.get_member(member_id), changes)

    @allow("admin", SELF)
    @blp.response(204)
    def delete(self, member_id):
        """Erase the member's personal data (SPEC §10); later reads answer 404."""
        privacy.erase(operations.get_member(member_id))


@blp.route("/<id:member_id>/export")
@allow("admin", SELF)
@blp.response(200, ExportSchema)
def export_member(member_id):
    """Everything held about the member (admin, or the member)."""
    return privacy.export(operations.get_member(member_id))


@blp.route("/import", methods=["POST"])
@allow("admin", "partner")
@blp.doc(requestBody={"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}})
@blp.response(200, ImportResultSchema)
@blp.alt_response(202, schema=MemberImportSchema, success=True,
                  description="More rows than IMPORT_SYNC_MAX_ROWS: queued as a job; poll the Location.")
@raw_body_endpoint
def import_members():
    """Upsert members by e-mail from CSV (text/csv); any invalid row rejects the whole file. A big file answers
    202 with an import job to poll."""
    if request.mimetype not in ("text/csv", "text/plain", "application/csv"):
        raise ApiError("Send the file as text/csv.", status=415, code="unsupported_media_type")
    result = import_jobs.import_csv(importer.decode(request.get_data()))
    if isinstance(result, MemberImport):
        location = url_for("members.get_member_import", import_id=result.id)
        return jsonify(MemberImportSchema().dump(result)), 202, {"Location": location}
    return result


@blp.route("/imports/<id:import_id>")
@allow("admin", "partner")
@blp.response(200, MemberImportSchema)
def get_member_import(import_id):
    """A CSV import running as a job: status, rows done of rows total, then the counts or the rows' errors."""
    return import_jobs.get_import(import_id)


@blp.route("/<id:member_id>/tokens", methods=["POST"])
@allow("admin", "partner")
@blp.arguments(TokenInSchema)
@blp.response(201, TokenSchema)
def create_member_token(data, member_id):
    """A token that acts as this member (for a portal's session), holding no more than the key that mints it."""
    token, secret = tenancy_operations.issue_member_token(operations.get_member(member_id), data.get("days"))
    return {"token": secret, "member_id": token.member_id, "expires_at": token.expires_at}
