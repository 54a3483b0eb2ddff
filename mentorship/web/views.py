"""The pages under /t/<tenant-slug>/: join from an invite, sign in by e-mailed link, the member's own page.

Views do HTTP only: read the form, call one operation, render or redirect. The tenant comes from the URL's slug,
the member from the session (auth.py); every form is CSRF-checked (web/__init__.py).
"""
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coach import wording as coach_wording
from mentorship.errors import ApiError, Conflict
from mentorship.extensions import db
from mentorship.members.vocab import GOALS, timezones
from mentorship.tenancy.models import Tenant
from mentorship.web import auth, forms, i18n, lists, operations, wording

GOAL_NAMES = {
    "domain-knowledge": _l("Knowledge of the field"), "career-plan": _l("A career plan"),
    "interview-prep": _l("Interview practice"), "resume-review": _l("Résumé review"),
    "industry-switch": _l("Switching industries"), "visa-guidance": _l("Visa questions"),
    "networking": _l("Meeting people in the field"), "leadership": _l("Leadership"), "job-search": _l("Job search"),
}
bp = Blueprint("web", __name__, url_prefix="/t/<tenant_slug>", template_folder="templates")


@bp.url_value_preprocessor
def _tenant_from_slug(endpoint, values):
    slug = values.pop("tenant_slug", None)
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        abort(404)
    g.tenant, g.tenant_id = tenant, tenant.id


@bp.url_defaults
def _slug(endpoint, values):
    if "tenant" in g:
        values.setdefault("tenant_slug", g.tenant.slug)


@bp.context_processor
def _page_context():
    return {"current_lang": i18n.language(), "goal_names": GOAL_NAMES, "local_time": local_time,
            "statuses": wording.STATUSES, "modes": wording.MODES, "milestone_names": wording.MILESTONES,
            "reasons": wording.REASONS}


def local_time(when, zone=None):
    """`when` (aware) as the signed-in member reads it: in their own time zone, in the page's language."""
    if when is None:
        return ""
    zone = zone or ZoneInfo(g.member.timezone if g.get("member") is not None else "UTC")
    local, locale = when.astimezone(zone), get_locale()
    return f"{format_date(local, 'full', locale=locale)} {format_time(local, 'short', locale=locale)} ({zone.key})"


@bp.route("/")
def index():
    return redirect(url_for(".me" if g.member else ".signin"))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token):
    invite = operations.open_invite(token)
    errors = {}
    if request.method == "POST":
        data, errors = forms.load_member(request.form, invite.role)
        if data is not None:
            try:
                member = operations.join(invite, data)
            except Conflict:
                errors = {"email": forms.HINTS["email_taken"]}
            else:
                auth.start(member)
                return redirect(url_for(".me"))
    return render_template("web/join.html", invite=invite, form=request.form, errors=errors, goals=GOALS,
                           timezones=sorted(timezones())), (422 if errors else 200)


@bp.route("/me")
def me():
    member = auth.required_member()
    if member is None:
        return redirect(url_for(".signin"))
    auth.act_as(member)  # the lists are the API's own queries, as this member's token would run them
    lang = i18n.language()
    gaps = [coach_wording.gap(code, lang) for code in member.profile_gaps or []]
    return render_template("web/me.html", member=member, gaps=gaps, **lists.home(member))


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    if request.method == "POST":
        email = forms.normal_email(request.form.get("email", ""))
        if email:
            operations.send_signin_link(email)
        return render_template("web/signin_sent.html")  # the same answer for members and strangers
    return render_template("web/signin.html")


@bp.route("/signin/<token>", methods=["GET", "POST"])
def signin_link(token):
    if request.method == "GET":  # a confirm button, so that mail scanners fetching the link do not use it up
        operations.check_signin_link(token)
        return render_template("web/signin_confirm.html", token=token)
    auth.start(operations.use_signin_link(token))
    return redirect(url_for(".me"))


@bp.route("/signout", methods=["POST"])
def signout():
    auth.end()
    return redirect(url_for(".signin"))


@bp.errorhandler(ApiError)
def _api_error(error):
    db.session.rollback()  # an error changes nothing
    return render_template("web/error.html", status=error.status), error.status
