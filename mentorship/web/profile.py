"""The member's own profile page (SPEC §3, §12): every field of their role, saved through the API's own PATCH
schema and operation, with the profile score and gaps kept live while they type.

Availability is a weekly grid of BLOCKS in the member's own time zone (a checkbox per weekday and block, valued
"0 09:00-12:00" as the CSV import writes a window). A stored window that is not one of the blocks (set through the
API or an import) is kept: it is listed under the grid as a ticked checkbox of its own, and saving keeps it unless
the member unticks it. Nothing is ever merged or rounded into a block. Windows are wall-clock times of the member's
own zone (SPEC §3), so changing the time zone keeps them at the same local times.

`POST /profile/score` scores a draft of the form without saving it (the score and gaps members/profile.py computes
for a stored member), for static/profile.js; the page works the same without it, by saving.
"""
from types import SimpleNamespace

from babel.dates import get_day_names
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from coach import wording as coach_wording
from mentorship.errors import Invalid
from mentorship.extensions import db
from mentorship.members import operations as members
from mentorship.members.models import profile_of
from mentorship.members.profile import assess
from mentorship.members.vocab import GOALS, timezones
from mentorship.web import auth, forms, i18n, lists
from mentorship.web.views import bp

BLOCKS = (("09:00", "12:00", _l("Morning")), ("12:00", "17:00", _l("Afternoon")), ("18:00", "21:00", _l("Evening")))
PAGE_LANGUAGES = ("en", "zh")  # ticked on the page; any other ISO 639-1 code is typed
DOMAIN_CHOICES = 300  # at most this many of the tenant's domains offered in the picker
READY = {True: _l("Your profile is ready: mentors and mentees can be matched with you."),
         False: _l("Your profile is not ready yet for matching: see what is missing below.")}
# the member's stored fields a draft is scored with (members/profile.assess reads these)
SCORED = ("role", "headline", "bio", "photo_url", "domains", "goals", "availability", "company", "capacity")


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    member = auth.party()
    form, changes, errors = record_form(member), {}, {}
    if request.method == "POST":
        form = request.form
        changes, errors = forms.load_profile(form, member.role)
        if not errors:
            try:
                _save(member, changes)
            except Invalid as error:  # the operation's own refusal (not expected for the fields of the page)
                db.session.rollback()
                errors = forms.hints(error.extensions.get("errors") or {"form": None})
            else:
                flash(_("Saved. Your profile score is now %(score)s of 100.", score=member.profile_score), "done")
                return redirect(url_for(".profile"), code=303)
    return render_template(
        "web/profile.html", member=member, form=form, errors=errors, profile=draft_profile(member, changes),
        goals=GOALS, timezones=sorted(timezones()), domain_choices=lists.domains_in_use(DOMAIN_CHOICES),
        days=weekdays(),
        blocks=BLOCKS, custom=custom_windows(form)), (422 if errors else 200)


@bp.route("/profile/score", methods=["POST"])
def profile_score():
    """Score, gaps (in plain words) and ready for the posted draft of the form; nothing is saved."""
    member = auth.party()
    changes, errors = forms.load_profile(request.form, member.role)
    return jsonify({**draft_profile(member, changes), "errors": {k: str(v) for k, v in errors.items()}})


def _save(member, changes):
    """PATCH what the form changed (the audit names those fields only); an unchanged form writes nothing."""
    changed = {name: value for name, value in changes.items() if getattr(member, name) != value}
    if changed:
        members.update_member(member, changed)


def draft_profile(member, changes):
    """The profile (score, ready, gaps and their words) the member would have with `changes` applied."""
    draft = SimpleNamespace(**{name: getattr(member, name) for name in SCORED})
    vars(draft).update({k: v for k, v in changes.items() if k in SCORED})
    score, gaps = assess(draft)
    lang, described = i18n.language(), profile_of(member.tenant_id, score, gaps)
    return {**described, "gap_words": [coach_wording.gap(code, lang) for code in gaps],
            "score_words": _("Profile score: %(score)s of 100", score=score),
            "ready_words": READY[described["ready"]]}


def record_form(member):
    """The member's stored profile as the form the page posts (the same names and values)."""
    named = forms.PROFILE_TEXT[member.role] + forms.PROFILE_NUMBERS[member.role]
    form = MultiDict({name: "" if getattr(member, name) is None else str(getattr(member, name)) for name in named})
    for name in forms.PROFILE_FLAGS[member.role]:
        if getattr(member, name):
            form[name] = "on"
    form["domains"] = ", ".join(member.domains or [])
    form["skills"] = ", ".join(member.skills or [])
    form.setlist("goals", list(member.goals or []))
    form.setlist("languages", [code for code in member.languages or [] if code in PAGE_LANGUAGES])
    form["other_languages"] = ", ".join(code for code in member.languages or [] if code not in PAGE_LANGUAGES)
    form.setlist("slot", [forms.slot(w) for w in member.availability or []])
    return form


def custom_windows(form):
    """The ticked windows of the form that are not one of the grid's blocks: (checkbox value, label)."""
    days = weekdays()
    grid = {f"{day} {start}-{end}" for day in range(7) for start, end, _name in BLOCKS}
    out = []
    for value in dict.fromkeys(form.getlist("slot")):
        window = forms.window(value)
        if value not in grid and isinstance(window, dict):
            out.append((value, f"{days[window['weekday']]} {window['start']}–{window['end']}"))
    return out


def weekdays():
    """Monday..Sunday (0..6, as availability counts them) in the page's language."""
    return get_day_names("wide", locale=get_locale())

