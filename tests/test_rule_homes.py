"""Each product rule is written in one module (README, "Each product rule has one home"): a grep for what states the
rule finds it there and nowhere else in the service. A rule that grows a second home fails here."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "mentorship"
PRIVACY = tuple(str(p.relative_to(ROOT)) for p in SERVICE.glob("*/privacy.py"))

# rule -> (the modules allowed to say it, the patterns that say it)
RULES = {
    "mentor capacity and contacts": (("mentorship/outreach/capacity.py",), [
        r"capacity\s+or\s+0",  # arithmetic on a mentor's capacity
        r"[<>]=?\s*\(?[\w.]*capacity\b",
        r"\bcapacity(\s+or\s+0)?\)?\s*[-<>]=?\s",
        r"KEEPS_APART|\"pending\",\s*\"declined\"",  # which intros keep a pair apart
        r"(Intro|Mentorship)\.status\s*==\s*(SPENDS_\w+|\"pending\"|\"active\").*(mentor|mentee)_id"
        r"|(mentor|mentee)_id.*(Intro|Mentorship)\.status\s*==\s*(SPENDS_\w+|\"pending\"|\"active\")",
    ]),
    "who may be recommended or matched": (("mentorship/matchmaking/eligibility.py",
                                            "mentorship/outreach/capacity.py"), [
        r"\b(busy_mentees|excluded_mentors|pairs_kept_apart)\(",  # capacity's facts, read only by eligibility
    ]),
    "automatic milestones": (("mentorships/milestones.py",), [
        r"FOLLOW_UP_AFTER|timedelta\(days=7\)",
        r"milestone\.status\b.*=\s*\"completed\"|\.status,\s*milestone\.completed_at\s*=",
        r"\bon_meeting_completed\b|\bon_mentorship_started\b",
    ]),
    "what a credential may do": (("mentorship/tenancy/access.py", "mentorship/tenancy/credentials.py"), [
        r"\braise Forbidden\b",  # every 403 goes through access.ensure (and so through the ceiling)
        r"\.facets\(\)",  # the ceiling is applied in one place
        r"\bissued_by\s*(==|!=|in\b|not in\b)",  # which tokens are capped, and by what
        r"\bprincipal\.kind\s*(==|!=|in\b|not in\b)",  # who may do what by kind: allow(...) declarations
    ]),
    "what erasure ends and removes": (PRIVACY + ("mentorship/notifications/outbox.py", "mentorship/events.py"), [
        r"(?<!def )\b(message|note|decision_note|close_note|job_url|subject|coaching|fingerprint)\s*=\s*None"
        r"(?![^(]*\):)",
        r"\"erased\":\s*True|erased_at\s*=[^=]|\bforget_subjects\(|(?<!def )\bend_for_departure\(",
    ]),
}
# readiness itself (members/profile.py) is read by eligibility, by a member's own `profile.ready`, and counted by the
# funnel report; nothing else decides who is ready
READY_READERS = {"mentorship/members/profile.py", "mentorship/members/models.py",
                 "mentorship/matchmaking/eligibility.py", "mentorship/reports/funnel.py"}


def _lines():
    for path in sorted(SERVICE.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if code.strip() and not code.lstrip().startswith(('"""', "'")):
                yield name, number, code


def _written_outside(allowed, patterns):
    wanted = re.compile("|".join(f"(?:{p})" for p in patterns))
    return [f"{name}:{number}: {code.strip()}" for name, number, code in _lines()
            if wanted.search(code) and not name.endswith(allowed) and not _wires_receivers(name, code)]


def _wires_receivers(name, code):
    """A package's __init__ connects its receivers to the events (naming them is not stating the rule)."""
    return name.endswith("__init__.py") and ".connect(" in code


@pytest.mark.parametrize("rule", RULES)
def test_the_rule_is_written_in_its_module_only(rule):
    allowed, patterns = RULES[rule]
    assert _written_outside(allowed, patterns) == []


@pytest.mark.parametrize("rule", RULES)
def test_the_rule_is_there(rule):
    """The patterns do find the rule in its home, so the test above cannot pass by matching nothing."""
    allowed, patterns = RULES[rule]
    for pattern in patterns:
        assert any(re.search(pattern, code) and name.endswith(allowed) for name, _, code in _lines()), pattern


def test_readiness_is_read_where_it_should_be():
    found = {name for name, _, code in _lines() if re.search(r"\bis_ready\(", code)}
    assert found <= READY_READERS
