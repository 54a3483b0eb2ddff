"""Server-rendered pages for people (SPEC §12): Jinja2 templates, one small CSS and JS file, no build step.

Wires the pages' conventions: CSRF on every form of the pages (the JSON API stays exempt: it takes no cookie),
security headers, the session cookie's flags, and the language (Flask-Babel, English and Simplified Chinese).
"""
from flask import Blueprint, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from mentorship import events
from mentorship.web import auth, compose, i18n, office, office_import, party, privacy, profile, security  # noqa: F401  (their routes are on bp)
from mentorship.web.views import bp

babel = Babel()
csrf = CSRFProtect()
assets = Blueprint("web_assets", __name__, static_folder="static", static_url_path="/assets")


def init_app(app):
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked by the pages only (bp.before_request)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "web/translations")
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    app.register_blueprint(bp)
    app.register_blueprint(assets)
    events.member_erasing.connect(privacy.erase)


def _protect():
    """Every form of the pages carries the session's CSRF token; a POST without it (or with another) is 400."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def _csrf_refused(error):
    return render_template("web/error.html", status=400, csrf=True), 400


def _http_error(error):
    return render_template("web/error.html", status=error.code or 500), error.code or 500


# set up once, at import: create_app may run many times (tests), registering the same blueprints each time
bp.before_request(i18n.remember_switch)
bp.before_request(auth.load_member)
bp.before_request(_protect)
bp.after_request(security.add_headers)
assets.after_request(security.add_headers)
bp.register_error_handler(CSRFError, _csrf_refused)
bp.register_error_handler(HTTPException, _http_error)
