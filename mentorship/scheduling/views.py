from flask import Response
from flask_smorest import Blueprint

from mentorship.common.schemas import page_of
from mentorship.database import paginate
from mentorship.scheduling import operations
from mentorship.scheduling.schemas import (
    CheckInInSchema,
    CheckInSchema,
    ConfirmSchema,
    MeetingListArgs,
    MeetingSchema,
)
from mentorship.tenancy.access import allow

blp = Blueprint("meetings", __name__, url_prefix="/api/v1", description="Meetings: bring it offline")


@blp.route("/meetings")
@allow("admin", "partner", "member")
@blp.arguments(MeetingListArgs, location="query")
@blp.response(200, page_of(MeetingSchema))
def list_meetings(args):
    """Meetings by status, member and start time, the latest first (a member token sees only its own)."""
    return paginate(operations.meetings_query(args), args)


@blp.route("/meetings/<id:meeting_id>")
@allow("admin", "partner", "member")
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id):
    """One meeting with its slots, time and check-ins."""
    return operations.get_meeting(meeting_id)


@blp.route("/meetings/<id:meeting_id>/confirm", methods=["POST"])
@allow("admin", "partner", "member")
@blp.arguments(ConfirmSchema)
@blp.response(200, MeetingSchema)
def confirm(data, meeting_id):
    """The other party picks a proposed slot: the meeting is scheduled and reminders are set."""
    return operations.confirm(operations.get_meeting(meeting_id), data["start"])


@blp.route("/meetings/<id:meeting_id>/cancel", methods=["POST"])
@allow("admin", "partner", "member")
@blp.response(200, MeetingSchema)
def cancel(meeting_id):
    """Cancel a proposed or scheduled meeting; reminders are withdrawn."""
    return operations.cancel(operations.get_meeting(meeting_id))


@blp.route("/meetings/<id:meeting_id>/check-ins", methods=["POST"])
@allow("member")
@blp.arguments(CheckInInSchema)
@blp.response(201, CheckInSchema)
def check_in(data, meeting_id):
    """Did it happen? Once per party, after the start (409 meeting_not_started before)."""
    return operations.check_in(operations.get_meeting(meeting_id), data)


@blp.route("/meetings/<id:meeting_id>/invite.ics")
@allow("admin", "partner", "member")
@blp.response(200, content_type="text/calendar")
@blp.doc(responses={"200": {"description": "An iCalendar (RFC 5545) VCALENDAR with one VEVENT",
                            "content": {"text/calendar": {"schema": {"type": "string"}}}}})
def invite(meeting_id):
    """The meeting as an iCalendar event with both attendees (UTC times, a stable UID)."""
    body = operations.invite(operations.get_meeting(meeting_id))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'})
