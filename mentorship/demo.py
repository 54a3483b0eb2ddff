"""The demo tenant behind `make run` (`flask --app wsgi demo seed`): a career office with a dozen members.

Idempotent: the tenant is created once, members are upserted by e-mail (a run resets any demo member that was
edited since), and every run issues a fresh admin key named DEMO_KEY_NAME and revokes the earlier ones, so the
key printed last is the one that works.
"""
from contextlib import contextmanager

from flask import g
from sqlalchemy import func, select

from mentorship.common.clock import utcnow
from mentorship.extensions import db
from mentorship.members.models import Member
from mentorship.members.operations import create_member, update_member
from mentorship.members.schemas import MemberInSchema, MemberPatchSchema
from mentorship.tenancy.audit import record
from mentorship.tenancy.credentials import hash_secret, principals
from mentorship.tenancy.models import ApiKey, Tenant
from mentorship.tenancy.operations import _new_key, create_tenant
from mentorship.tenancy.scope import tenant_scope

TENANT_NAME = "Demo Career Office"
DEMO_KEY_NAME = "demo (make run)"
ACTOR = "cli:demo-seed"


def _week(days, start, end):
    return [{"weekday": d, "start": start, "end": end} for d in days]


MENTORS = [
    {
        "role": "mentor", "name": "Priya Raman", "email": "priya.raman@hudsonbank.example.com",
        "headline": "Senior Credit Risk Manager at Hudson Commercial Bank",
        "bio": ("I came to New York from Chennai for a master's in financial engineering and have spent nine years "
                "building and validating credit models for commercial lending. I remember how opaque the US job "
                "market felt on an F-1 visa, so I like helping students see what credit risk teams actually do "
                "day to day and how to talk about their projects in those terms."),
        "photo_url": "https://randomuser.me/api/portraits/women/44.jpg",
        "domains": ["finance/credit-risk", "finance/risk-modeling"],
        "goals": ["domain-knowledge", "career-plan", "visa-guidance", "interview-prep"],
        "skills": ["PD/LGD modeling", "CECL", "SAS", "Python", "model validation"],
        "languages": ["en", "ta", "hi"], "timezone": "America/New_York",
        "availability": _week([1, 3], "18:00", "20:00") + _week([5], "10:00", "12:00"),
        "international": True, "school": "Columbia University",
        "company": "Hudson Commercial Bank", "title": "Senior Credit Risk Manager", "years_experience": 9,
        "capacity": 3, "company_sponsors_visa": True,
        "prefers": {"domains": ["finance/credit-risk"], "international": True},
    },
    {
        "role": "mentor", "name": "Marcus Feldman", "email": "marcus.feldman@meridiancm.example.com",
        "headline": "VP, Market Risk at Meridian Capital Markets",
        "bio": ("I run the stress-testing team for our rates and FX desks, and I started out as a quant analyst "
                "who knew the maths but not the business. These days I spend most of my time explaining risk "
                "numbers to traders and regulators. I enjoy mock interviews and helping people decide between "
                "front-office and risk roles."),
        "photo_url": "https://randomuser.me/api/portraits/men/32.jpg",
        "domains": ["finance/market-risk", "finance/trading"],
        "goals": ["domain-knowledge", "interview-prep", "leadership"],
        "skills": ["VaR", "stress testing", "FRTB", "Python", "derivatives"],
        "languages": ["en", "de"], "timezone": "America/New_York",
        "availability": _week([0, 2], "07:30", "08:30") + _week([4], "17:00", "19:00"),
        "international": False, "school": "New York University",
        "company": "Meridian Capital Markets", "title": "Vice President, Market Risk", "years_experience": 12,
        "capacity": 2, "company_sponsors_visa": True,
    },
    {
        "role": "mentor", "name": "Wei Chen", "email": "wei.chen@northwind.example.com",
        "headline": "Staff Software Engineer, payments platform at Northwind Software",
        "bio": ("I build the backend services that move money for our customers, mostly in Go and PostgreSQL. "
                "I moved from Shanghai to Seattle on an H-1B ten years ago and went through the green card "
                "process while switching teams, so I am happy to talk about that too. I like reviewing "
                "system-design answers and résumés that undersell real engineering work."),
        "photo_url": "https://randomuser.me/api/portraits/men/75.jpg",
        "domains": ["software/backend", "software/distributed-systems"],
        "goals": ["interview-prep", "resume-review", "visa-guidance", "career-plan"],
        "skills": ["Go", "Python", "PostgreSQL", "distributed systems", "system design"],
        "languages": ["en", "zh"], "timezone": "America/Los_Angeles",
        "availability": _week([1, 2, 3], "12:00", "13:00") + _week([6], "09:00", "11:00"),
        "international": True, "school": "University of Washington",
        "company": "Northwind Software", "title": "Staff Software Engineer", "years_experience": 10,
        "capacity": 4, "company_sponsors_visa": True,
        "prefers": {"domains": ["software/backend"], "international": True},
    },
    {
        "role": "mentor", "name": "Ana Souza", "email": "ana.souza@brightline.example.com",
        "headline": "Analytics Manager at Brightline Health",
        "bio": ("I lead a team of six analysts who measure which care programs actually help patients. I switched "
                "into analytics from economics research in São Paulo, so I know how it feels to change fields "
                "and countries at once. I can help you turn class projects into a portfolio that hiring managers "
                "read."),
        "photo_url": "https://randomuser.me/api/portraits/women/68.jpg",
        "domains": ["data/analytics", "healthcare/analytics"],
        "goals": ["industry-switch", "resume-review", "job-search", "networking"],
        "skills": ["SQL", "dbt", "Tableau", "A/B testing", "R"],
        "languages": ["en", "pt", "es"], "timezone": "America/Chicago",
        "availability": _week([0, 3], "16:00", "18:00"),
        "international": True, "school": "University of Chicago",
        "company": "Brightline Health", "title": "Analytics Manager", "years_experience": 7,
        "capacity": 3, "company_sponsors_visa": False,
    },
    {
        "role": "mentor", "name": "Olivia Bennett", "email": "olivia.bennett@lumenbrands.example.com",
        "headline": "Senior Brand Manager at Lumen Consumer Brands",
        "bio": ("I manage a skincare brand from consumer research through launch, and I started my career in "
                "agency account management. Brand roles reward curiosity about people more than any particular "
                "degree. I like helping students prepare for case-style marketing interviews and figure out "
                "which marketing path fits them."),
        "photo_url": "https://randomuser.me/api/portraits/women/21.jpg",
        "domains": ["marketing/brand", "marketing/consumer-insights"],
        "goals": ["career-plan", "networking", "interview-prep"],
        "skills": ["brand strategy", "consumer research", "go-to-market", "P&L management"],
        "languages": ["en", "fr"], "timezone": "America/New_York",
        "availability": _week([2], "12:00", "13:30") + _week([4], "15:00", "17:00"),
        "international": False, "school": "University of Michigan",
        "company": "Lumen Consumer Brands", "title": "Senior Brand Manager", "years_experience": 8,
        "capacity": 2, "company_sponsors_visa": False,
    },
    {
        "role": "mentor", "name": "Daniel Okafor", "email": "daniel.okafor@crestview.example.com",
        "headline": "Engagement Manager at Crestview Strategy Partners",
        "bio": ("I lead strategy projects for retail and telecom clients and interview candidates for our New York "
                "office every recruiting season. I grew up in Lagos and came to the US for my MBA, so I know the "
                "visa questions that come up with consulting offers. I am glad to run a practice case with you "
                "and give honest feedback."),
        "photo_url": "https://randomuser.me/api/portraits/men/46.jpg",
        "domains": ["consulting/strategy", "consulting/operations"],
        "goals": ["interview-prep", "resume-review", "industry-switch", "visa-guidance"],
        "skills": ["case interviews", "market sizing", "storylining", "Excel modeling"],
        "languages": ["en", "yo"], "timezone": "America/New_York",
        "availability": _week([1, 3], "19:00", "21:00") + _week([6], "14:00", "16:00"),
        "international": True, "school": "Columbia University",
        "company": "Crestview Strategy Partners", "title": "Engagement Manager", "years_experience": 6,
        "capacity": 3, "company_sponsors_visa": True,
        "prefers": {"domains": ["consulting/strategy"], "schools": ["Columbia University"]},
    },
]

MENTEES = [
    {
        "role": "mentee", "name": "Mei Lin Zhang", "email": "mz2931@columbia.example.edu",
        "headline": "MS Financial Engineering student focused on credit risk",
        "bio": ("I moved from Chengdu to New York last year, after two years as a junior analyst at a regional bank "
                "where I helped rebuild its small-business scorecard. I want to understand how credit risk work "
                "differs at a large US bank and which skills I should build before recruiting for full-time roles "
                "next autumn."),
        "photo_url": "https://randomuser.me/api/portraits/women/90.jpg",
        "domains": ["finance/credit-risk", "finance/market-risk"],
        "goals": ["domain-knowledge", "career-plan", "visa-guidance", "interview-prep"],
        "skills": ["Python", "SQL", "logistic regression", "Excel"],
        "languages": ["zh", "en"], "timezone": "America/New_York",
        "availability": _week([1, 3], "18:00", "21:00") + _week([5], "09:00", "12:00"),
        "international": True, "school": "Columbia University", "graduation_year": 2026,
        "needs_visa_sponsorship": True,
    },
    {
        "role": "mentee", "name": "Arjun Mehta", "email": "mehta.ar@northeastern.example.edu",
        "headline": "MS Computer Science student who loves backend systems",
        "bio": ("Before grad school I spent three years in Pune keeping an e-commerce checkout service alive during "
                "festival sales, which is where I fell for backend engineering. I am looking for someone who can "
                "tell me how US interview loops judge system design and how to explain on-call war stories well."),
        "photo_url": "https://randomuser.me/api/portraits/men/12.jpg",
        "domains": ["software/backend"],
        "goals": ["interview-prep", "resume-review", "job-search"],
        "skills": ["Java", "Spring Boot", "Kafka", "PostgreSQL"],
        "languages": ["en", "hi", "mr"], "timezone": "America/New_York",
        "availability": _week([0, 2, 4], "19:00", "21:00"),
        "international": True, "school": "Northeastern University", "graduation_year": 2025,
        "needs_visa_sponsorship": True,
    },
    {
        "role": "mentee", "name": "Sofía Álvarez", "email": "sofia.alvarez@utexas.example.edu",
        "headline": "MBA candidate moving from journalism into brand management",
        "bio": ("I spent four years as a features journalist in Bogotá, telling stories about small businesses, and "
                "I realised I was most interested in why people love the brands they love. Now I am doing my MBA "
                "and want to learn what a brand manager's first year really looks like and how to show that my "
                "background is an asset."),
        "photo_url": "https://randomuser.me/api/portraits/women/29.jpg",
        "domains": ["marketing/brand"],
        "goals": ["industry-switch", "networking", "career-plan"],
        "skills": ["storytelling", "qualitative research", "Canva", "Excel"],
        "languages": ["es", "en"], "timezone": "America/Chicago",
        "availability": _week([1, 2], "12:00", "14:00") + _week([5], "10:00", "13:00"),
        "international": True, "school": "University of Texas at Austin", "graduation_year": 2026,
        "needs_visa_sponsorship": True,
    },
    {
        "role": "mentee", "name": "Kwame Asante", "email": "ka2214@nyu.example.edu",
        "headline": "Business analytics student interested in lending and fintech data",
        "bio": ("In Accra I worked on a mobile-money team, watching how small loans changed the way market traders "
                "planned their week. I came to New York to get better at the analytics behind those decisions, and "
                "I would love advice from people who use data to decide who gets credit."),
        "photo_url": "https://randomuser.me/api/portraits/men/85.jpg",
        "domains": ["data/analytics", "finance/credit-risk"],
        "goals": ["domain-knowledge", "job-search", "networking"],
        "skills": ["Python", "pandas", "SQL", "Power BI"],
        "languages": ["en", "tw"], "timezone": "America/New_York",
        "availability": _week([0, 3], "17:00", "19:00") + _week([6], "13:00", "16:00"),
        "international": True, "school": "New York University", "graduation_year": 2026,
        "needs_visa_sponsorship": True,
    },
    {
        "role": "mentee", "name": "Emily Carter", "email": "ecarter@umich.example.edu",
        "headline": "Economics undergraduate preparing for consulting recruiting",
        "bio": ("I am a junior from Grand Rapids and the first in my family to go to college. I run the finances of "
                "our student-run food pantry, which taught me how much I enjoy untangling messy operational "
                "problems. I want to know whether strategy consulting is a good fit and how to prepare for case "
                "interviews without an insider network."),
        "photo_url": "https://randomuser.me/api/portraits/women/12.jpg",
        "domains": ["consulting/strategy"],
        "goals": ["interview-prep", "career-plan", "networking"],
        "skills": ["Excel", "Stata", "public speaking"],
        "languages": ["en"], "timezone": "America/Detroit",
        "availability": _week([1, 3], "16:00", "18:00"),
        "international": False, "school": "University of Michigan", "graduation_year": 2027,
        "needs_visa_sponsorship": False,
    },
    {
        # deliberately weak: no photo, and the intro section is a list of courses (shows gaps in the demo)
        "role": "mentee", "name": "Ji-ho Park", "email": "jihopark@utdallas.example.edu",
        "headline": "MS Business Analytics",
        "bio": "BUAN 6340, BUAN 6356, STAT 6337, ACCT 6305, FIN 6301, Intro to Programming, Econometrics",
        "photo_url": None,
        "domains": ["data/analytics"],
        "goals": ["job-search"],
        "skills": ["Python", "SQL"],
        "languages": ["ko", "en"], "timezone": "America/Chicago",
        "availability": [],
        "international": True, "school": "University of Texas at Dallas", "graduation_year": 2025,
        "needs_visa_sponsorship": True,
    },
]


def seed_demo(slug="demo"):
    """Create or refresh the demo tenant; returns (tenant, fresh admin secret, {"mentees": n, "mentors": m})."""
    with _as_actor(ACTOR):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        initial_secret = None
        if tenant is None:
            tenant, initial_secret = create_tenant(slug, TENANT_NAME)
        with tenant_scope(tenant.id):
            for payload in MENTORS + MENTEES:
                _upsert(payload)
            secret = _rotate_demo_key(initial_secret)
            counts = _counts()
        return tenant, secret, counts


@contextmanager
def _as_actor(name):
    """Audit events written by the seed name it as their actor (there is no request credential)."""
    previous = g.get("actor")
    g.actor = name
    try:
        yield
    finally:
        if previous is None:
            g.pop("actor", None)
        else:
            g.actor = previous


def _upsert(payload):
    """Create the member, or bring an existing one (same e-mail) back to the demo values; only real changes write."""
    member = db.session.scalar(select(Member).where(Member.email == payload["email"].lower(),
                                                    Member.erased_at.is_(None)))
    if member is None:
        return create_member(MemberInSchema().load(payload))
    data = MemberPatchSchema(partial=True).load(payload)
    changes = {name: value for name, value in data.items() if getattr(member, name) != value}
    if changes:
        changes["role"] = data["role"]  # update_member refuses a role change rather than ignoring it
        update_member(member, changes)
    return member


def _rotate_demo_key(initial_secret):
    """A new admin key first (the last admin key may never be revoked), then revoke the earlier demo keys.

    A new tenant's "initial admin key" is revoked too: its secret never leaves this function.
    """
    key, secret = _new_key(DEMO_KEY_NAME, "admin")
    stale = db.session.scalars(select(ApiKey).where(
        ApiKey.kind == "admin", ApiKey.name == DEMO_KEY_NAME, ApiKey.revoked_at.is_(None), ApiKey.id != key.id)).all()
    if initial_secret is not None:
        stale += db.session.scalars(select(ApiKey).where(ApiKey.secret_hash == hash_secret(initial_secret))).all()
    now = utcnow()
    for old in stale:
        old.revoked_at = now
        record("api_key.revoked", old, reason="replaced by demo seed")
    db.session.commit()
    principals.clear()
    return secret


def _counts():
    rows = db.session.execute(select(Member.role, func.count()).where(Member.erased_at.is_(None))
                              .group_by(Member.role)).all()
    by_role = dict(rows)
    return {"mentees": by_role.get("mentee", 0), "mentors": by_role.get("mentor", 0)}
