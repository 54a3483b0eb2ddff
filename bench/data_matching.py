"""Reproducible synthetic cohorts for the matching benchmarks: same seed, same profiles, on any machine.

40 leaf domains under 8 parents, the SPEC goal vocabulary, ~30 schools with a long tail, languages and time zones
weighted like a US university's international cohort, weekly availability blocks, and headline/bio/skills text
drawn from per-domain and generic vocabularies. Mentor capacities are 1–5.
"""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.profile import GOALS, Profile  # noqa: E402

DOMAINS = {
    "finance": ["credit-risk", "market-risk", "investment-banking", "asset-management", "fintech"],
    "software": ["backend", "frontend", "mobile", "devops", "security"],
    "data": ["data-science", "machine-learning", "analytics", "data-engineering", "mlops"],
    "consulting": ["strategy", "operations", "management", "technology", "healthcare"],
    "healthcare": ["clinical-research", "health-policy", "biotech", "medical-devices", "pharma"],
    "marketing": ["brand", "digital", "product-marketing", "growth", "market-research"],
    "engineering": ["mechanical", "electrical", "civil", "aerospace", "chemical"],
    "product": ["product-management", "ux-design", "product-analytics", "program-management", "technical-pm"],
}
LEAVES = [f"{parent}/{leaf}" for parent, leaves in DOMAINS.items() for leaf in leaves]
SCHOOLS = [f"University {name}" for name in (
    "of Texas at Dallas", "of Michigan", "of Washington", "of Illinois", "of Toronto", "College London",
    "of Florida", "of Arizona", "of Houston", "of Minnesota")] + [f"{name} University" for name in (
    "Northeastern", "Purdue", "Columbia", "Carnegie Mellon", "New York", "Boston", "Georgia State", "Rutgers",
    "Arizona State", "Texas A&M", "Ohio State", "Penn State", "Syracuse", "Stony Brook", "Drexel", "Temple",
    "George Mason", "DePaul", "Fordham", "Clemson")]
LANGUAGES = [("zh", 12), ("hi", 10), ("es", 8), ("ko", 3), ("fr", 3), ("pt", 2), ("ar", 2), ("de", 2), ("ja", 1)]
TIMEZONES = [("America/New_York", 30), ("America/Chicago", 15), ("America/Los_Angeles", 18), ("America/Denver", 5),
             ("Europe/London", 8), ("Europe/Berlin", 5), ("Asia/Kolkata", 7), ("Asia/Shanghai", 5),
             ("Asia/Singapore", 3), ("America/Sao_Paulo", 2), ("Asia/Kathmandu", 1), ("Australia/Sydney", 1)]
GENERIC = """team project build lead analysis model client product process system research strategy design data
report growth customer launch platform tools results learn manage improve deliver mentor career network industry
role company experience internship graduate master degree program course startup consulting analyst engineer
manager director associate senior junior scale impact stakeholders cross functional communication presentation
problem solving leadership excel python sql tableau writing teamwork agile scrum budget forecast planning
operations quality testing deployment security cloud aws azure gcp docker kubernetes api database pipeline
dashboard metrics kpi roadmap launch market segment pricing revenue cost efficiency optimization automation
regulation compliance audit policy patient clinical trial lab device manufacturing supply chain logistics""".split()


def _keywords(slug: str) -> list[str]:
    parent, leaf = slug.split("/")
    # Each leaf gets its own words plus a handful of stable pseudo-words, so leaves are separable by text.
    own = leaf.split("-") + [f"{leaf.replace('-', '')}{i}" for i in range(4)]
    return own + [parent, f"{parent}x"]


KEYWORDS = {slug: _keywords(slug) for slug in LEAVES}


def _weighted(rng: random.Random, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _domains(rng: random.Random) -> tuple[str, ...]:
    first = rng.choice(LEAVES)
    found = {first}
    for _ in range(rng.choice((0, 0, 1, 2))):
        parent = first.split("/")[0]
        found.add(f"{parent}/{rng.choice(DOMAINS[parent])}" if rng.random() < 0.6 else rng.choice(LEAVES))
    return tuple(sorted(found))


def _availability(rng: random.Random) -> tuple[tuple[int, str, str], ...]:
    blocks = []
    for _ in range(rng.randint(1, 4)):
        start = rng.choice((8, 9, 10, 12, 14, 16, 18, 19, 20)) * 60 + rng.choice((0, 30))
        length = rng.choice((60, 90, 120, 180))
        end = min(start + length, 24 * 60)
        blocks.append((rng.randint(0, 6), f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"))
    return tuple(blocks)


def _text(rng: random.Random, domains) -> str:
    words = [rng.choice(KEYWORDS[d]) for d in domains for _ in range(rng.randint(4, 9))]
    words += rng.choices(GENERIC, k=rng.randint(25, 60))
    rng.shuffle(words)
    return " ".join(words)


def _common(rng: random.Random, member_id: int, role: str, international_rate: float) -> dict:
    domains = _domains(rng)
    languages = ["en"] + ([_weighted(rng, LANGUAGES)] if rng.random() < 0.45 else [])
    return {
        "id": member_id, "role": role, "domains": domains,
        "school": SCHOOLS[min(int(rng.paretovariate(1.2)) - 1, len(SCHOOLS) - 1)] if rng.random() < 0.9 else None,
        "languages": tuple(languages), "international": rng.random() < international_rate,
        "timezone": _weighted(rng, TIMEZONES), "availability": _availability(rng), "text": _text(rng, domains),
    }


def mentees(count: int, seed: int = 1, first_id: int = 1) -> list[Profile]:
    """`count` mentee profiles, ids first_id.. ."""
    rng = random.Random(f"mentees-{seed}")
    out = []
    for i in range(count):
        fields = _common(rng, first_id + i, "mentee", 0.45)
        fields["goals"] = tuple(rng.sample(GOALS, rng.randint(1, 4)))
        fields["needs_visa_sponsorship"] = fields["international"] and rng.random() < 0.6
        out.append(Profile(**fields))
    return out


def mentors(count: int, seed: int = 1, first_id: int = 1_000_000) -> list[Profile]:
    """`count` mentor profiles with capacities 1–5 and optional preferences, ids first_id.. ."""
    rng = random.Random(f"mentors-{seed}")
    out = []
    for i in range(count):
        fields = _common(rng, first_id + i, "mentor", 0.25)
        fields["goals"] = tuple(rng.sample(GOALS, rng.randint(2, 6)))
        fields["company_sponsors_visa"] = rng.random() < 0.3
        fields["free_capacity"] = rng.randint(1, 5)
        fields["responsiveness"] = 1.0 if rng.random() < 0.8 else round(rng.uniform(0.3, 1.0), 2)
        if rng.random() < 0.3:
            fields["prefers_domains"] = (rng.choice([fields["domains"][0], fields["domains"][0].split("/")[0]]),)
        if rng.random() < 0.2:
            fields["prefers_schools"] = tuple(rng.sample(SCHOOLS[:8], rng.randint(1, 2)))
        if rng.random() < 0.2:
            fields["prefers_international"] = True
        out.append(Profile(**fields))
    return out
