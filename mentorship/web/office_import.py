"""The career office's CSV import (SPEC §3) at /t/<tenant-slug>/office/import, for signed-in staff only.

The file (or rows pasted from a spreadsheet) goes through the API's own import: `importer.decode`, then
`import_jobs.import_csv`, so the rows are read and checked in one place. A small file is imported at once (or not
at all: any invalid row refuses the whole file, shown as a table of the rows' errors); a big one runs as the API's
import job, whose record the status page reads. A body over MAX_CONTENT_LENGTH is refused before any view runs
(413, when the form is read for its CSRF token): the handler below answers it with the form and a message.
"""
import csv
import io

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from mentorship.errors import Invalid
from mentorship.extensions import db
from mentorship.members import import_jobs, importer
from mentorship.members.models import MemberImport
from mentorship.web.office import RUN_STATUSES, signed_in_staff
from mentorship.web.views import bp

REFUSALS = {
    "no_file": _l("Choose a CSV file, or paste the rows."),
    "empty": _l("The file is empty: it needs the header row and one row per member."),
    "not_utf8": _l("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and send it again."),
    "nul_bytes": _l("The file holds NUL bytes: it is not a CSV text file."),
    "header": _l("Nothing was imported: the header row is not valid. It must name the fields, as shown below."),
    "rows": _l("Nothing was imported: some rows are not valid. Correct them and send the whole file again."),
}
# the importer's own wording for the file's shape; the schema's messages about a field's value stay as they are
MESSAGES = {
    "Unknown column.": _l("Unknown column."),
    "Required column is missing.": _l("Required column is missing."),
    "A column appears twice.": _l("A column appears twice."),
    "More cells than columns.": _l("More cells than columns."),
    "The role of an existing member cannot change.": _l("The role of an existing member cannot change."),
    "Missing data for required field.": _l("Missing data for required field."),
}
PHASES = {"validating": _l("Checking the rows"), "writing": _l("Writing the members")}


class _Refused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _pasted(text):
    """Rows pasted from a spreadsheet arrive separated by tabs: the same cells written as CSV."""
    first = text.split("\n", 1)[0]
    if "\t" not in first or "," in first:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv.reader(io.StringIO(text), delimiter="\t"))
    return out.getvalue()


def _upload():
    """The posted rows as the import's text; _Refused when there is nothing readable."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.read()
    elif request.form.get("rows", "").strip():
        data = _pasted(request.form["rows"].replace("\r\n", "\n")).encode()
    else:
        raise _Refused("no_file")
    try:
        text = importer.decode(data)
    except importer.NotText as error:
        raise _Refused(error.reason) from None
    if not text.strip():
        raise _Refused("empty")
    return text


def _form(status=200, refusal=None, errors=(), pasted=None):
    pasted = request.form.get("rows", "") if pasted is None else pasted
    return render_template("web/office_import.html", refusal=refusal, errors=errors, messages=MESSAGES,
                           pasted=pasted), status


@bp.route("/office/import", methods=["GET", "POST"])
def office_import():
    if signed_in_staff() is None:
        return redirect(url_for(".office_signin"))
    if request.method == "GET":
        return _form()
    try:
        result = import_jobs.import_csv(_upload())
    except _Refused as refused:
        return _form(422, REFUSALS[refused.reason])
    except Invalid as invalid:
        db.session.rollback()  # nothing was written; nothing stays behind
        errors = invalid.extensions.get("errors") or []
        header = all(error["row"] == 1 for error in errors)
        return _form(422, REFUSALS["header" if header else "rows"], errors)
    if isinstance(result, MemberImport):
        flash(_("The file has %(rows)s rows: it is being imported. This page shows how far it got.",
                rows=result.rows_total), "done")
        return redirect(url_for(".office_import_status", import_id=result.id), code=303)
    flash(_("Imported: created %(created)s, updated %(updated)s.", **result), "done")
    return redirect(url_for(".office_import"), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def _too_big(error):
    """A body over the configured limit: the import form with a message (other pages: the error page)."""
    try:
        staff = request.endpoint == "web.office_import" and signed_in_staff() is not None
    except HTTPException:  # another tenant's staff: nothing of this tenant's
        staff = False
    if not staff:
        return render_template("web/error.html", status=413), 413
    limit = request.max_content_length or 0
    return _form(413, _("This is more than the site accepts at once (%(limit)s MB for a file, less for pasted "
                        "rows). Split it into smaller files.", limit=round(limit / 1048576, 1)), pasted="")


@bp.route("/office/imports/<int:import_id>")
def office_import_status(import_id):
    """A big import running as a job: rows checked of the total, then the counts or the rows' errors."""
    if signed_in_staff() is None:
        return redirect(url_for(".office_signin"))
    run = import_jobs.get_import(import_id)  # another tenant's, or none: NotFound, the pages' 404
    return render_template("web/office_import_status.html", run=run, running=run.status in ("queued", "running"),
                           statuses=RUN_STATUSES, phases=PHASES,
                           messages=MESSAGES)
