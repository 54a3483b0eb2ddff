"""The mentee's way to a first message: a recommended mentor's card with an intro composer, the coach reading the
draft as it is typed (SPEC §6, §12).

`GET /mentors/<id>` shows the card (members.cards decides who may read it, as for the API: a mentor in the
mentee's recommendations or on the other side of one of their intros, anyone else 404), the concrete things of the
mentor's profile a message could mention, and the form. `POST /mentors/<id>/coach` answers the coach's review of a
draft as JSON for static/compose.js (debounced as the mentee types; writes nothing). `POST /mentors/<id>/intro`
sends it through the API's own create_intro: a message the coach blocks comes back on the page with the advice,
the draft kept (422); a sent one opens its intro page.
"""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from coach import wording as coach_wording
from mentorship.errors import ApiError
from mentorship.extensions import db
from mentorship.members import cards
from mentorship.members.operations import get_member
from mentorship.outreach import operations as outreach
from mentorship.outreach.schemas import CoachingSchema, IntroInSchema
from mentorship.web import auth, i18n, wording
from mentorship.web.views import bp

SENT = _l("Your intro was sent. The mentor gets an e-mail and answers here.")


def _mentee_and_mentor(mentor_id):
    """The signed-in mentee and a mentor whose card they may read; 404 for anything else."""
    member = auth.party()
    mentor = get_member(mentor_id)
    if member.role != "mentee" or mentor.role != "mentor" or not cards.may_see_card(member, mentor):
        abort(404)
    return member, mentor


def _draft(member, mentor):
    return IntroInSchema().load({"mentee_id": member.id, "mentor_id": mentor.id,
                                 "message": request.form.get("message", "")})


def _page(mentor, message="", coaching=None, status=200):
    lang = i18n.language()
    return render_template("web/mentor.html", mentor=mentor, card=cards.card(mentor), message=message,
                           coaching=coaching, hooks=coach_wording.hooks(mentor, lang)), status


@bp.route("/mentors/<int:mentor_id>", methods=["GET"])
def mentor_card(mentor_id):
    _, mentor = _mentee_and_mentor(mentor_id)
    return _page(mentor)


@bp.route("/mentors/<int:mentor_id>/coach", methods=["POST"])
def coach_draft(mentor_id):
    """The coach's review of the draft in the form, as the API's preview answers it; an empty draft: nothing yet."""
    member, mentor = _mentee_and_mentor(mentor_id)
    if not request.form.get("message", "").strip():
        return jsonify(None)
    try:
        return jsonify(CoachingSchema().dump(outreach.preview(_draft(member, mentor))))
    except ValidationError:
        return jsonify(None)  # e.g. over 5,000 characters: the page says so when it is sent


@bp.route("/mentors/<int:mentor_id>/intro", methods=["POST"])
def send_intro(mentor_id):
    member, mentor = _mentee_and_mentor(mentor_id)
    message = request.form.get("message", "")
    try:
        draft = _draft(member, mentor)
        if request.form.get("action") == "check":  # the composer without JavaScript: review, send nothing
            return _page(mentor, message, outreach.preview(draft))
        intro = outreach.create_intro(draft)
    except ApiError as error:
        db.session.rollback()
        coaching = error.extensions.get("coaching")
        if coaching is None:
            flash(wording.refusal(error), "error")
        return _page(mentor, message, coaching, error.status)
    except ValidationError:
        flash(wording.REFUSALS["validation_error"], "error")
        return _page(mentor, message, None, 422)
    flash(SENT, "done")
    return redirect(url_for(".intro", intro_id=intro.id), code=303)
