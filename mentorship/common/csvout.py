"""CSV answers (`Accept: text/csv`) that a spreadsheet opens safely: every row, the text written line by line.

A cell that a spreadsheet would read as a formula (text starting with `=`, `+`, `-`, `@`, a tab or a carriage
return) gets a leading `'` (OWASP, CSV injection): `=HYPERLINK(...)` is shown as the text it is. Numbers are written
as numbers (-3 stays -3); lists become `a; b`; None an empty cell; booleans true/false; times ISO 8601.
"""
import csv
import io
from datetime import datetime

from flask import Response, request

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV = "text/csv"
SERVES_CSV = "serves_csv"  # the attribute `serves_csv` puts on a view function


def serves_csv(table_of):
    """Mark a view that also answers `Accept: text/csv`. `table_of(body)` gives (header, rows) of the CSV holding
    what the JSON answer `body` holds: /openapi.json (apidoc) documents the CSV with the table of the JSON answer's
    example, made by the code that makes the real rows, so the two cannot drift apart."""

    def mark(view):
        setattr(view, SERVES_CSV, table_of)
        return view

    return mark


def wants_csv():
    """True when the request's Accept header prefers text/csv to JSON."""
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


def cell(value):
    """One value as a spreadsheet-safe CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = "; ".join(str(cell(v)) for v in value)
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def pick(item, path):
    """The value at a dotted path of a dict (`profile.score`), None where it has none."""
    for key in path.split("."):
        item = item.get(key) if isinstance(item, dict) else None
    return item


def text(header, rows):
    """The whole CSV text of a header and rows."""
    return "".join(lines(header, rows))


def lines(header, rows):
    """The CSV text of a header and rows, a line at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _chain(header, rows):
        writer.writerow([cell(v) for v in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _chain(header, rows):
    yield header
    yield from rows


def table(columns, items):
    """Rows of `columns` (dotted paths) from dicts."""
    return ([pick(item, column) for column in columns] for item in items)


def page_table(columns):
    """For `serves_csv`: a list's CSV, the `columns` (dotted paths) of each item of its JSON page."""
    return lambda page: (columns, table(columns, page["items"]))


def csv_response(name, header, rows):
    """A text/csv attachment of every row. The rows are read here, in the request (a list's in batches of 500),
    and only the text is written as it is sent: a generator that read the database while the answer streams would
    outlive the request's app context, and with it its session and its tenant scope."""
    rows = [list(row) for row in rows]
    return Response(lines(header, rows), mimetype=CSV,
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
