"""What the pair's pages say in plain words (both languages through the catalog): statuses, milestones, what a
referral still needs, what was done, and why an operation refused a form."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import ValidationError

from mentorship.errors import ApiError

STATUSES = {
    "pending": _l("Waiting for the mentor's answer"), "accepted": _l("Accepted"), "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"), "expired": _l("Expired without an answer"),
    "active": _l("Active"), "closed": _l("Closed"),
    "proposed": _l("Times proposed, waiting for a pick"), "scheduled": _l("Scheduled"),
    "completed": _l("It happened"), "missed": _l("It did not happen"), "cancelled": _l("Cancelled"),
    "requested": _l("Waiting for the mentor's decision"), "approved": _l("Approved"),
}
MODES = {"video": _l("Video call"), "phone": _l("Phone call"), "in_person": _l("In person")}
MILESTONES = {
    "intro_accepted": _l("The mentor accepted the intro"),
    "questions_prepared": _l("The mentee prepared at least three questions"),
    "first_meeting_completed": _l("The first meeting happened"),
    "career_plan_shared": _l("The mentee shared a career plan"),
    "follow_up_completed": _l("A follow-up meeting happened, a week or more after the first"),
    "mentor_endorsement": _l("The mentor wrote an endorsement"),
}
# why a mentor is recommended (SPEC §4 reason codes); on English pages the engine's detail follows
REASONS = {
    "shared_domain": _l("Works in your field"), "related_domain": _l("Works in a field next to yours"),
    "goal_match": _l("Offers what you are looking for"), "same_school": _l("Went to your school"),
    "shared_language": _l("Speaks your language"),
    "international_experience": _l("Was an international student too"),
    "visa_sponsorship": _l("Their employer sponsors work visas"),
    "availability_overlap": _l("Free at the same times as you"),
    "similar_background": _l("A background like yours"), "responsive": _l("Answers intros and shows up"),
}
DONE = {
    "accept": _l("You accepted the intro: your mentorship has started."),
    "decline": _l("You declined the intro. Thank you for answering."),
    "withdraw": _l("You withdrew the intro."),
    "propose": _l("Your meeting proposal was sent."),
    "referral": _l("Your referral request was sent to your mentor."),
    "decide": _l("Your decision was sent."),
    "confirm": _l("The meeting is scheduled."),
    "cancel": _l("The meeting is cancelled."),
    "check-in": _l("Thank you: your answer is saved."),
    "milestone": _l("Saved: the milestone is done."),
}
REFUSALS = {
    "mentor_at_capacity": _l("You are mentoring as many people as your capacity allows, so you cannot accept "
                             "another intro now."),
    "invalid_transition": _l("This cannot be done any more: it changed in the meantime. The page shows where it "
                             "stands now."),
    "meeting_not_started": _l("You can say whether the meeting happened once it has started."),
    "already_checked_in": _l("You answered for this meeting already."),
    "meeting_conflict": _l("One of you has another meeting at that time."),
    "no_common_availability": _l("There is no free time you share in the next 14 days. Add availability, or "
                                 "enter a time you agreed on."),
    "referral_not_earned": _l("A referral request opens once everything below is done."),
    "milestone_automatic": _l("This milestone completes by itself."),
    "referral_exists": _l("A referral request is already waiting for the mentor's decision."),
    "forbidden": _l("Only the other member can do this."),
    "intro_exists": _l("Your intro to this mentor is already waiting for an answer."),
    "validation_error": _l("Some of what you entered needs another look."),
}


def refusal(error):
    """Why an operation refused a form, in the page's language."""
    if isinstance(error, ValidationError):
        return REFUSALS["validation_error"]
    code = error.code if isinstance(error, ApiError) else "validation_error"
    return REFUSALS.get(code, REFUSALS["invalid_transition"] if error.status == 409 else
                        REFUSALS["validation_error"])


def missing(code, policy):
    """One item of a mentorship's trust `missing` list in plain words."""
    if code == "min_weeks":
        weeks = policy["min_weeks"]
        return ngettext("The mentorship has lasted at least %(num)d week", "The mentorship has lasted at least "
                        "%(num)d weeks", weeks)
    if code == "min_meetings":
        meetings = policy["min_meetings"]
        return ngettext("At least %(num)d meeting happened", "At least %(num)d meetings happened", meetings)
    return MILESTONES.get(code, code)
