"""The one place that says where a link in an e-mail goes: a page for people under `{PUBLIC_URL}/t/<tenant-slug>/`
(SPEC §12), never an API URL. The pages themselves live in the web package; this only builds their addresses."""
from urllib.parse import quote

from flask import current_app

from mentorship.extensions import db
from mentorship.tenancy.models import Tenant

# object table -> the page that shows it to either party (`{id}`: the object's, `{mentorship_id}`: its mentorship's)
PAGES = {
    "intros": "/intros/{id}",
    "mentorships": "/mentorships/{id}",
    "meetings": "/meetings/{id}",  # with its confirm and check-in forms
    "referral_requests": "/mentorships/{mentorship_id}#referral",
    "members": "/mentors/{id}",  # a mentor's card and the intro composer, for a mentee it is recommended to
}
HOME = "/me"
OFFICE = "/office"  # the career office's dashboard
CALENDAR = "/meetings/{id}/invite.ics"


def page_url(recipient, obj=None, *, calendar=False, slug=None):
    """The absolute URL of the page `recipient` (a Member) opens for `obj` (an intro, mentorship, meeting or referral
    request; None: their home). `calendar`: the meeting's `.ics` file instead of its page. `slug`: the tenant's, when
    the caller has it."""
    slug = slug or db.session.get(Tenant, recipient.tenant_id).slug
    if obj is None:
        path = HOME
    elif calendar:
        if type(obj).__tablename__ != "meetings":
            raise ValueError("only a meeting has a calendar file")
        path = CALENDAR.format(id=obj.id)
    else:
        path = PAGES[type(obj).__tablename__].format(id=obj.id, mentorship_id=getattr(obj, "mentorship_id", None))
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/t/{quote(slug, safe='')}{path}"


def office_url(tenant):
    """The absolute URL of the career office's dashboard of `tenant`."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/t/{quote(tenant.slug, safe='')}{OFFICE}"
