"""The `text/csv` variant of the operations that serve one (common/csvout.py's `serves_csv`): documented beside
JSON in their 200 response, a string whose example is the CSV of the JSON example (its header and first row)."""
from itertools import islice

from mentorship.common.csvout import CSV, SERVES_CSV, text


def attach_csv(operation, func):
    """Add `text/csv` to the operation's 200 response when its view function `func` serves CSV."""
    make_table = getattr(func, SERVES_CSV, None)  # decorators (functools.wraps) carry the mark outwards
    responses = operation.get("responses", {})
    response = responses.get(200, responses.get("200"))  # flask-smorest's keys are ints until apispec cleans them
    if make_table is None or not isinstance(response, dict):
        return
    content = response.setdefault("content", {})
    media = {"schema": {"type": "string"}}
    example = content.get("application/json", {}).get("example")
    if example is not None:
        header, rows = make_table(example)
        media["example"] = text(header, islice(rows, 1))
    content[CSV] = media
