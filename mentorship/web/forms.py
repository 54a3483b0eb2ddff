"""From a posted HTML form to what MemberInSchema loads, and from its errors to words next to each field.

Validation is the API's own schema; only the messages differ: each field with an error gets one hint in the
page's language (the schema's messages are English and written for developers).
"""
import re

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from mentorship.members.schemas import Email, MemberInSchema, MemberPatchSchema

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
    "languages": _l("Pick from the list, or two-letter language codes such as fr or es."),
    "company": _l("Keep it to 120 characters."),
    "title": _l("Keep it to 120 characters."),
    "capacity": _l("A whole number from 0 to 20."),
    "photo_url": _l("A web address starting with https:// (up to 500 characters), or leave it empty."),
    "skills": _l("Up to 30 skills, separated by commas, each up to 60 characters."),
    "availability": _l("Pick times from the grid."),
    "school": _l("Keep it to 120 characters."),
    "graduation_year": _l("A year such as 2027."),
    "years_experience": _l("A whole number from 0 to 70."),
}
GENERIC = _l("Check this field.")


def member_data(form, role):
    """The form's values as the API's JSON body for POST /members (empty fields left out)."""
    data = {"role": role}
    for name in TEXT_FIELDS[role]:
        value = _text(form, name)
        if value:
            data[name] = value
    domains = split(form.get("domains", ""))
    if domains:
        data["domains"] = domains
    for name in ("goals", "languages"):
        picked = [v for v in form.getlist(name) if v]
        if picked:
            data[name] = picked  # the schema refuses anything outside its vocabulary
    return data


def split(value):
    """A comma (or line) separated list, each item stripped, empty ones left out."""
    return [item.strip() for item in re.split(r"[,，\n]", value) if item.strip()]


def _text(form, name):
    return form.get(name, "").strip()  # a textarea's CR LF line ends: common/schemas.Text stores them as LF


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


# ---- the profile page: every field the member may edit, as the API's PATCH body ----
PROFILE_TEXT = {"mentee": ("name", "headline", "bio", "photo_url", "timezone", "school"),
                "mentor": ("name", "headline", "bio", "photo_url", "timezone", "school", "company", "title")}
PROFILE_NUMBERS = {"mentee": ("graduation_year",), "mentor": ("years_experience", "capacity")}
PROFILE_FLAGS = {"mentee": ("international", "needs_visa_sponsorship"),
                 "mentor": ("international", "company_sponsors_visa")}
SLOT = re.compile(r"^([0-6]) (\d\d:\d\d)-(\d\d:\d\d)\Z")


def profile_changes(form, role):
    """The posted profile form as a PATCH body: every field of the role, an empty one cleared (None)."""
    data = {name: _text(form, name) or None for name in PROFILE_TEXT[role]}
    data["name"] = data["name"] or ""  # required: the schema says so next to the field
    data.update({name: form.get(name, "").strip() or None for name in PROFILE_NUMBERS[role]})
    data.update({name: name in form for name in PROFILE_FLAGS[role]})
    data["domains"] = split(form.get("domains", ""))
    data["skills"] = split(form.get("skills", ""))
    data["goals"] = [v for v in form.getlist("goals") if v]
    data["languages"] = [v for v in form.getlist("languages") if v] + [v.lower() for v in split(
        form.get("other_languages", "").replace(" ", ","))]
    data["availability"] = sorted((window(v) for v in dict.fromkeys(form.getlist("slot")) if v), key=str)
    return data


def window(value):
    """A grid checkbox's value ("0 09:00-12:00") as an availability window; anything else as itself, for the schema
    to refuse."""
    match = SLOT.match(value)
    if not match:
        return value
    return {"weekday": int(match.group(1)), "start": match.group(2), "end": match.group(3)}


def slot(item):
    """An availability window as the grid's checkbox value."""
    return f"{item['weekday']} {item['start']}-{item['end']}"


def load_profile(form, role):
    """(changes, {}) when the form is valid for the API's PATCH schema, else (valid part, {field: hint})."""
    try:
        return MemberPatchSchema(partial=True).load(profile_changes(form, role)), {}
    except ValidationError as exc:
        return exc.valid_data or {}, hints(exc.messages)
