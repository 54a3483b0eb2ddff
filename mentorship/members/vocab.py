"""Closed vocabularies of the member profile (SPEC §3)."""
import re
from functools import cache
from zoneinfo import available_timezones

ROLES = ("mentee", "mentor")

GOALS = (
    "domain-knowledge",
    "career-plan",
    "interview-prep",
    "resume-review",
    "industry-switch",
    "visa-guidance",
    "networking",
    "leadership",
    "job-search",
)

# ISO 639-1 (two-letter) language codes.
LANGUAGES = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en
eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja
jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb
nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())

# A domain is 1-4 lowercase segments joined by "/", e.g. finance/credit-risk.
DOMAIN_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,3}$")


# What every IANA name looks like (Area/Location[/Sub], UTC, EST5EDT, Etc/GMT+5): the document's pattern; the
# tz database decides which of these strings name a zone (tests/test_openapi.py checks every name matches).
TIMEZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$"


@cache
def timezones():
    return frozenset(available_timezones())
