"""The career office's pages under /t/<tenant-slug>/office: staff sign-in with the tenant's admin API key, and the
dashboard (the funnel and mentorship health as server-drawn SVG, mentors near capacity, match runs).

A staff session is its own entry in the session cookie, `staff` = {tenant_id, key_id}, beside (never together
with) a member's: signing in as staff starts a fresh session. The key is checked as the API checks it
(tenancy/credentials.py `staff_key_id`: admin keys of this tenant only) and re-read on every office page, so a
revoked key ends its sessions on their next request. Routes sit on the pages' blueprint (views.py `bp`), so the
tenant from the slug, CSRF, the language and the security headers are the same as on every page.
"""
from datetime import UTC, date, datetime, time, timedelta

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from mentorship.errors import Conflict
from mentorship.extensions import db
from mentorship.matchmaking import operations as match_runs
from mentorship.matchmaking.apply import apply_run
from mentorship.outreach.capacity import nearly_full_mentors
from mentorship.reports.chart import FUNNEL_STAGES, HEALTH, funnel_stages, funnel_svg, health_svg
from mentorship.reports.funnel import funnel
from mentorship.tenancy import credentials
from mentorship.tenancy.audit import record
from mentorship.tenancy.models import ApiKey
from mentorship.web.views import bp

STAFF = "staff"  # the session's key for a staff sign-in
CHART_LABELS = {
    "intros.sent": _l("Intros sent"), "intros.accepted": _l("Intros accepted"),
    "meetings.scheduled": _l("Meetings scheduled"), "meetings.completed": _l("Meetings completed"),
    "referrals.eligible": _l("Eligible for a referral"), "referrals.requested": _l("Referrals requested"),
    "referrals.approved": _l("Referrals approved"), "referrals.outcomes.hired": _l("Hired"),
    "on_track": _l("On track"), "needs_check_in": _l("Needs a check-in"), "at_risk": _l("At risk"),
}
CHART_TEXTS = {
    "of_previous": _l("{percent} of previous"), "no_data": _l("No data yet."),
    "no_mentorships": _l("No active mentorships."), "funnel_title": _l("Funnel"),
    "health_title": _l("Mentorship health"),
}
RUN_STATUSES = {"queued": _l("Queued"), "running": _l("Running"), "succeeded": _l("Succeeded"),
                "failed": _l("Failed")}
STRATEGIES = {"optimal": _l("Optimal"), "stable": _l("Stable")}


def _start(key_id):
    """A fresh session holding only the staff sign-in (and the chosen language)."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    session[STAFF] = {"tenant_id": g.tenant_id, "key_id": key_id}
    if lang:
        session["lang"] = lang


def signed_in_staff():
    """The admin key id of this tenant's signed-in staff, or None. A staff session of another tenant is 404 (it must
    learn nothing about this one); one whose key was revoked since is ended."""
    staff = session.get(STAFF)
    if not isinstance(staff, dict):
        return None
    if staff.get("tenant_id") != g.tenant_id:
        abort(404)
    if not credentials.staff_key_active(staff.get("key_id")):
        session.pop(STAFF, None)
        return None
    g.actor = f"key:{staff['key_id']}"  # audit events of the office's changes name the key, as the API's do
    return staff["key_id"]


@bp.route("/office/signin", methods=["GET", "POST"])
def office_signin():
    error = None
    if request.method == "POST":
        key_id = credentials.staff_key_id(request.form.get("key", "").strip(), g.tenant_id)
        if key_id is not None:
            _start(key_id)
            g.actor = f"key:{key_id}"
            record("staff.signed_in", db.session.get(ApiKey, key_id))
            db.session.commit()
            return redirect(url_for(".office"))
        error = _l("This is not an active admin key of this career office.")
    return render_template("web/office_signin.html", error=error), (422 if error else 200)


@bp.route("/office/signout", methods=["POST"])
def office_signout():
    session.pop(STAFF, None)
    return redirect(url_for(".office_signin"))


def _day(name, errors):
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = _l("Enter a date as YYYY-MM-DD.")
        return None


def _period(errors):
    """[start, end) from the form's dates (both days included, midnight UTC), or (None, None) when wrong."""
    first, last = _day("from", errors), _day("to", errors)
    if first and last and first > last:
        errors["to"] = _l("The last day must not be before the first.")
    if errors:
        return None, None
    start = datetime.combine(first, time.min, tzinfo=UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC) if last else None
    return start, end


def _charts(data):
    labels = {code: str(text) for code, text in CHART_LABELS.items()}
    texts = {code: str(text) for code, text in CHART_TEXTS.items()}
    return (Markup(funnel_svg(funnel_stages(data, FUNNEL_STAGES), labels=labels, texts=texts)),
            Markup(health_svg({code: data["mentorships"].get(code, 0) for code in HEALTH}, labels=labels,
                              texts=texts)))


@bp.route("/office")
def office():
    if signed_in_staff() is None:
        return redirect(url_for(".office_signin"))
    errors = {}
    start, end = _period(errors)
    data = funnel(start, end)
    funnel_chart, health_chart = _charts(data)
    mentors = [{"name": m.name, "active": active, "pending": pending, "capacity": m.capacity, "free": room}
               for m, active, pending, room in nearly_full_mentors()]
    notice = {name: request.args.get(name, type=int) for name in ("applied", "intros", "skipped", "refused")}
    return render_template("web/office.html", data=data, funnel_chart=funnel_chart, health_chart=health_chart,
                           mentors=mentors, runs=match_runs.recent_match_runs(), errors=errors, form=request.args,
                           statuses=RUN_STATUSES, strategies=STRATEGIES, applied=notice), (422 if errors else 200)


@bp.route("/office/match-runs/<int:run_id>/apply", methods=["POST"])
def office_apply_run(run_id):
    """The API's apply (warm intros from the career office); errors (not finished, applied twice) are its pages."""
    if signed_in_staff() is None:
        return redirect(url_for(".office_signin"))
    try:
        result = apply_run(match_runs.get_match_run(run_id))
    except Conflict:  # not finished, or applied before: said on the dashboard (another run's 404 stays a 404)
        db.session.rollback()
        return redirect(url_for(".office", refused=run_id))
    return redirect(url_for(".office", applied=run_id, intros=len(result["intro_ids"]),
                            skipped=len(result["skipped"])))
