"""From a posted HTML form to what MemberInSchema loads, and from its errors to words next to each field.

Validation is the API's own schema; only the messages differ: each field with an error gets one hint in the
page's language (the schema's messages are English and written for developers).
"""
import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from mentorship.members.schemas import Email, MemberInSchema

TEXT_FIELDS = {"mentee": ("name", "email", "headline", "bio", "timezone"),
               "mentor": ("name", "email", "headline", "bio", "timezone", "company", "title", "capacity")}
PAGE_LANGUAGES = ("en", "zh")
HINTS = {
    "name": _l("Enter your name (up to 120 characters)."),
    "email": _l("Enter a valid e-mail address."),
    "email_taken": _l("A member with this e-mail address exists already: sign in instead."),
    "headline": _l("Keep the headline to 160 characters."),
    "bio": _l("Keep your introduction to 2,000 characters."),
    "timezone": _l("Pick your time zone."),
    "domains": _l("Use lowercase words joined by '-', with '/' between levels, e.g. finance/credit-risk "
                  "(at most 10)."),
    "goals": _l("Pick from the list."),
    "languages": _l("Pick from the list."),
    "company": _l("Keep it to 120 characters."),
    "title": _l("Keep it to 120 characters."),
    "capacity": _l("A whole number from 0 to 20."),
}
GENERIC = _l("Check this field.")


def member_data(form, role):
    """The form's values as the API's JSON body for POST /members (empty fields left out)."""
    data = {"role": role}
    for name in TEXT_FIELDS[role]:
        value = form.get(name, "").strip()
        if value:
            data[name] = value
    domains = [d.strip() for d in re.split(r"[,\n]", form.get("domains", "")) if d.strip()]
    if domains:
        data["domains"] = domains
    for name in ("goals", "languages"):
        picked = [v for v in form.getlist(name) if v]
        if picked:
            data[name] = picked  # the schema refuses anything outside its vocabulary
    return data


def load_member(form, role):
    """(data, {}) when the form is valid for MemberInSchema, else (None, {field: hint})."""
    try:
        return MemberInSchema().load(member_data(form, role)), {}
    except ValidationError as exc:
        return None, hints(exc.messages)


def hints(messages):
    """{field: translated hint} for the schema's error messages (nested keys belong to their top field)."""
    return {str(name).split(".")[0]: HINTS.get(str(name).split(".")[0], GENERIC) for name in messages}


def normal_email(value):
    """The address as members' e-mails are stored (normalised, lower case), or None when it is not one."""
    try:
        return Email().deserialize(value.strip())
    except ValidationError:
        return None
