"""The page language: an explicit switch (?lang=zh, kept in the session), else the signed-in member's `languages`,
else the browser's Accept-Language, else English."""
from flask import g, request, session
from flask_babel import get_locale

LOCALES = ("en", "zh")
DEFAULT = "en"


def remember_switch():
    """before_request of the pages: ?lang=xx (one of LOCALES) is kept for the rest of the visit."""
    wanted = request.args.get("lang")
    if wanted in LOCALES:
        session["lang"] = wanted


def select_locale():
    """Flask-Babel's locale selector."""
    if session.get("lang") in LOCALES:
        return session["lang"]
    member = g.get("member")
    for language in (member.languages or []) if member is not None else ():
        if language in LOCALES:
            return language
    return request.accept_languages.best_match(LOCALES) or DEFAULT


def language():
    """"en" or "zh": what the page is in (for texts that carry both, as coach/wording.py's GAPS)."""
    return get_locale().language if get_locale() is not None else DEFAULT
