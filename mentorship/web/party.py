"""The pages of a pair's objects, for one of its two members (the pages every e-mail links to): an intro, a
mentorship (milestones, meetings, the referral), a meeting (confirm, check in, its .ics).

Each page acts as the signed-in member would with a member token (auth.act_as) and calls the API's own operations,
so who may do what is decided where the API decides it: another member's object is 404 (get_visible), the wrong
party is 403, a transition that no longer holds is 409. A refused form is shown as a message on its page
(post, redirect, get), never as an error page.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from mentorship.common.clock import utcnow
from mentorship.errors import ApiError, NotFound
from mentorship.extensions import db
from mentorship.mentorships import milestones
from mentorship.mentorships import operations as mentorships
from mentorship.mentorships.schemas import MilestoneInSchema
from mentorship.outreach import operations as outreach
from mentorship.outreach.schemas import DeclineSchema
from mentorship.referrals import operations as referrals
from mentorship.referrals.schemas import DecideSchema, ReferralInSchema
from mentorship.scheduling import operations as scheduling
from mentorship.scheduling.schemas import CheckInInSchema, ConfirmSchema, MeetingInSchema
from mentorship.tenancy.policy import for_tenant
from mentorship.web import auth, lists, wording
from mentorship.web.views import bp


def _act(action, back, done):
    """Run `action()` (an operation, as the signed-in member) and go `back` with `done` or what refused it."""
    try:
        action()
    except NotFound:
        raise
    except (ApiError, ValidationError) as error:
        db.session.rollback()  # a refusal changes nothing
        flash(wording.refusal(error), "error")
    else:
        flash(done, "done")
    return redirect(back, code=303)


def _form(*names):
    """The named fields of the posted form, stripped; empty ones left out (the schemas' optional fields)."""
    values = {name: request.form.get(name, "").strip() for name in names}
    return {name: value for name, value in values.items() if value}


@bp.route("/intros/<int:intro_id>", methods=["GET"])
def intro(intro_id):
    member = auth.party()
    item = outreach.get_intro(intro_id)
    return render_template("web/intro.html", intro=item, role=mentorships.party_of(item),
                           other=lists.other_party(item, member))


@bp.route("/intros/<int:intro_id>/<any(accept, decline, withdraw):action>", methods=["POST"])
def intro_action(intro_id, action):
    auth.party()
    item = outreach.get_intro(intro_id)
    if action == "accept":
        run = lambda: outreach.accept(item)  # noqa: E731
    elif action == "decline":
        run = lambda: outreach.decline(item, DeclineSchema().load(_form("reason")).get("reason"))  # noqa: E731
    else:
        run = lambda: outreach.withdraw(item)  # noqa: E731
    return _act(run, url_for(".intro", intro_id=intro_id), wording.DONE[action])


@bp.route("/mentorships/<int:mentorship_id>", methods=["GET"])
def mentorship(mentorship_id):
    member = auth.party()
    item = mentorships.get_mentorship(mentorship_id)
    described = mentorships.describe(item)
    policy = for_tenant(item.tenant_id)
    return render_template(
        "web/mentorship.html", mentorship=item, described=described, role=mentorships.party_of(item),
        other=lists.other_party(item, member), meetings=lists.meetings_of(item),
        referral_requests=lists.referral_requests_of(item),
        missing=[wording.missing(code, policy) for code in described["trust"]["missing"]],
        durations=(15, 30, 45, 60), modes=wording.MODES)


@bp.route("/mentorships/<int:mentorship_id>/milestones/<any(questions_prepared, career_plan_shared, "
          "mentor_endorsement):key>", methods=["POST"])
def complete_milestone(mentorship_id, key):
    """A manual milestone with its evidence: the questions (one a line), the plan, or the endorsement."""
    auth.party()
    item = mentorships.get_mentorship(mentorship_id)
    field = milestones.MANUAL[key][1]
    value = request.form.get(field, "").strip()
    if field == "questions":
        value = [line.strip() for line in value.splitlines() if line.strip()]
    run = lambda: milestones.complete_milestone(item, key, MilestoneInSchema().load({field: value}))  # noqa: E731
    return _act(run, url_for(".mentorship", mentorship_id=mentorship_id), wording.DONE["milestone"])


@bp.route("/mentorships/<int:mentorship_id>/meetings", methods=["POST"])
def propose_meeting(mentorship_id):
    member = auth.party()
    item = mentorships.get_mentorship(mentorship_id)
    data = _form("duration_minutes", "mode")
    start = request.form.get("start", "").strip()

    def run():
        if start:  # a datetime-local field: a wall-clock time in the member's own time zone
            data["start"] = _local(start, member.timezone).isoformat()
        mentorships.propose_meeting(item, MeetingInSchema().load(data))
    return _act(run, url_for(".mentorship", mentorship_id=mentorship_id), wording.DONE["propose"])


@bp.route("/mentorships/<int:mentorship_id>/referral-requests", methods=["POST"])
def request_referral(mentorship_id):
    auth.party()
    item = mentorships.get_mentorship(mentorship_id)
    run = lambda: referrals.request_referral(  # noqa: E731
        item, ReferralInSchema().load(_form("company", "job_title", "job_url", "note")))
    return _act(run, url_for(".mentorship", mentorship_id=mentorship_id, _anchor="referral"),
                wording.DONE["referral"])


@bp.route("/referral-requests/<int:referral_id>/decide", methods=["POST"])
def decide_referral(referral_id):
    auth.party()
    item = referrals.get_referral(referral_id)

    def run():
        data = DecideSchema().load(_form("decision", "note"))
        referrals.decide(item, data["decision"], data.get("note"))
    return _act(run, url_for(".mentorship", mentorship_id=item.mentorship_id, _anchor="referral"),
                wording.DONE["decide"])


@bp.route("/meetings/<int:meeting_id>", methods=["GET"])
def meeting(meeting_id):
    member = auth.party()
    item = scheduling.get_meeting(meeting_id)
    zone = ZoneInfo(member.timezone)
    checked_in = any(c.member_id == member.id for c in item.check_ins)
    return render_template(
        "web/meeting.html", meeting=item, zone=zone, other=lists.other_party(item, member),
        may_confirm=item.status == "proposed" and item.proposed_by != member.id,
        may_check_in=item.status in ("scheduled", "completed", "missed") and not checked_in
        and item.start is not None and utcnow() >= item.start,
        checked_in=checked_in, now=utcnow(),
        slots=[datetime.fromisoformat(s["start"]) for s in item.proposed_slots or []])


@bp.route("/meetings/<int:meeting_id>/<any('confirm', 'check-in', 'cancel'):action>", methods=["POST"])
def meeting_action(meeting_id, action):
    auth.party()
    item = scheduling.get_meeting(meeting_id)
    if action == "confirm":
        run = lambda: scheduling.confirm(item, ConfirmSchema().load(_form("start"))["start"])  # noqa: E731
    elif action == "cancel":
        run = lambda: scheduling.cancel(item)  # noqa: E731
    else:
        answer = {"yes": True, "no": False}.get(request.form.get("happened"))
        run = lambda: scheduling.check_in(item, CheckInInSchema().load(  # noqa: E731
            {"happened": answer, **_form("note")}))
    return _act(run, url_for(".meeting", meeting_id=meeting_id), wording.DONE[action])


@bp.route("/meetings/<int:meeting_id>/invite.ics", methods=["GET"])
def meeting_calendar(meeting_id):
    """The meeting's .ics, the very file the API's invite.ics answers and the e-mails attach."""
    auth.party()
    body = scheduling.invite(scheduling.get_meeting(meeting_id))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.ics"'})


def _local(value, zone):
    """A datetime-local value ("2026-12-05T14:30") in the time zone `zone`, as an aware datetime."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        raise ValidationError({"start": ["Not a valid datetime."]}) from None

