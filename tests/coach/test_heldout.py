"""Figures of the coach on the held-out file (tests/coach/heldout.jsonl), without showing a single message.

The held-out file was written apart from the coach and is never tuned on (HELDOUT.md): this prints only counts, so
that whoever changes the coach cannot read its misses. Rows marked "setup" are replayed (they build the tenant's
history of circulating scripts) and not scored.

    .venv/bin/python -m tests.coach.test_heldout
"""
import json
from pathlib import Path

from tests.coach.test_coach_corpus import BLOCKING, replay

HELDOUT = Path(__file__).with_name("heldout.jsonl")


def figures(path=HELDOUT):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    scored = [(row, found) for row, found in replay(rows) if not row.get("setup")]
    bad = [(row, found) for row, found in scored if row["labels"]]
    good = [(row, found) for row, found in scored if not row["labels"]]
    right = sum(all(code in found for code in row["labels"]) for row, found in bad)
    per_code = {code: (sum(code in found for row, found in bad if code in row["labels"]),
                       sum(code in row["labels"] for row, _ in bad)) for code in BLOCKING}
    false_blocks = sum(bool(found) for _, found in good)
    return {"rows": len(rows), "scored": len(scored), "bad": len(bad), "good": len(good),
            "bad_blocked_with_right_codes": right, "per_code": per_code, "false_blocks": false_blocks}


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1))


def test_heldout_figures_meet_issue_12():
    """Issue 12's bar on the held-out file: ≥ 95 % of bad messages blocked with the right codes, ≤ 1 false block per
    100 good ones. A failure here is a fact about the coach, not a reason to tune on the file."""
    found = figures()
    assert found["bad_blocked_with_right_codes"] >= 0.95 * found["bad"], found
    assert found["false_blocks"] <= 0.01 * found["good"], found
