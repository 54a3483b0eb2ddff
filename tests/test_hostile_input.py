"""Hostile input (SPEC §2): malformed JSON, wrong content types, unknown fields, wrong types, huge strings, NUL and
other control characters, deep nesting, odd ids and SQL-looking query values get a 4xx problem+json with a
`code` and change nothing. "Nothing" is checked, not assumed: a snapshot of the tenant (every member in full, the
policy, the API keys, the number of audit events) is taken before each request and compared after it.
"""
import json

import pytest

from mentorship import create_app
from mentorship.config import TestConfig
from mentorship.errors import CODES
from tests.factories import mentee_payload, mentor_payload

PROBLEM = "application/problem+json"
JSON = "application/json"
CSV = "text/csv"
MB = 1024 * 1024
CSV_HEADER = "role,name,email,timezone"



def j(value):
    return json.dumps(value)


def deep(levels, opener="[", closer="]"):
    return opener * levels + closer * levels


def deep_object(levels):
    return '{"a":' * levels + "1" + "}" * levels


def csv(*rows, header=CSV_HEADER):
    return "\n".join([header, *rows]) + "\n"


def hostile(name, method, path, data, content_type=JSON, statuses=(422,), field=None, marks=()):
    """One hostile request; `statuses` it may answer, `field` the `errors` entry it must name."""
    return pytest.param(method, path, data, content_type, statuses, field, id=name, marks=marks)


MEMBER = "/api/v1/members/{mentee}"
MENTOR = "/api/v1/members/{mentor}"
POLICY = "/api/v1/tenant/policy"
KEYS = "/api/v1/api-keys"
MEMBERS = "/api/v1/members"
IMPORT = "/api/v1/members/import"
NEW = mentee_payload(name="Never Created", email="never.created@example.edu")
NEW_MENTOR = mentor_payload(name="Never Mentor", email="never.mentor@example.com")


def new(**changes):
    return j({**NEW, **changes})


BAD_JSON = [
    ("truncated", '{"role": "mentee", "name": '),
    ("trailing-garbage", "{} x"),
    ("single-quotes", "{'name': 'x'}"),
    ("trailing-comma", '{"name": "x",}'),
    ("comment", '{"name": "x" /* hi */}'),
    ("raw-nul-in-string", '{"name": "a\x00b"}'),
    ("raw-newline-in-string", '{"name": "a\nb"}'),
    ("NaN", '{"graduation_year": NaN}'),
    ("Infinity", '{"capacity": Infinity}'),
    ("minus-Infinity", '{"min_weeks": -Infinity}'),
    ("int-over-4300-digits", '{"capacity": ' + "9" * 5000 + "}"),
    ("deep-100000-arrays", deep(100_000)),
    ("deep-100000-arrays-unclosed", "[" * 100_000),
    ("deep-40000-objects", deep_object(40_000)),  # 240 KB: under the size limit, so the depth is what fails
    ("deep-40-arrays-valid-json", deep(40)),
    ("deep-40-objects-valid-json", deep_object(40)),
    ("only-a-bom", "\ufeff"),
]
NOT_UTF8 = [
    ("latin-1", '{"name": "Caf\u00e9"}'.encode("latin-1")),
    ("utf-16", '{"name": "x"}'.encode("utf-16")),
    ("utf-8-bom", b"\xef\xbb\xbf" + b'{"name": "x"}'),  # RFC 8259 allows ignoring it: then a 422
    ("overlong-utf-8", b'{"name": "\xc0\xaf"}'),
    ("encoded-surrogate", b'{"name": "\xed\xa0\x80"}'),
    ("invalid-byte", b'{"name": "\xff"}'),
]
WRONG_CONTENT_TYPES = [
    ("text-plain", "text/plain"),
    ("form-urlencoded", "application/x-www-form-urlencoded"),
    ("multipart", "multipart/form-data; boundary=xyz"),
    ("xml", "application/xml"),
    ("text-json", "text/json"),
    ("csv", CSV),
    ("no-content-type", None),
]


def body_cases(prefix, method, path, valid):
    """What every JSON endpoint must refuse, with `valid` a body it would otherwise accept."""
    cases = [hostile(f"{prefix}-bad-json-{name}", method, path, data, statuses=(400,)) for name, data in BAD_JSON]
    cases += [hostile(f"{prefix}-not-utf8-{name}", method, path, data, statuses=(400, 422) if "bom" in name else (400,))
              for name, data in NOT_UTF8]
    cases += [hostile(f"{prefix}-content-type-{name}", method, path, valid, content_type=ct, statuses=(400, 415))
              for name, ct in WRONG_CONTENT_TYPES]
    cases += [
        hostile(f"{prefix}-array-body", method, path, f"[{valid}]", statuses=(400, 422)),
        hostile(f"{prefix}-string-body", method, path, j("name"), statuses=(400, 422)),
        hostile(f"{prefix}-number-body", method, path, "42", statuses=(400, 422)),
        hostile(f"{prefix}-null-body", method, path, "null", statuses=(400, 422)),
        hostile(f"{prefix}-true-body", method, path, "true", statuses=(400, 422)),
        hostile(f"{prefix}-1mb-body", method, path, lambda: j({"padding": "x" * MB}), statuses=(413,)),
        hostile(f"{prefix}-33mb-body", method, path, lambda: j({"padding": "x" * 33 * MB}), statuses=(413,)),
    ]
    text_field = next((k for k, v in json.loads(valid).items() if isinstance(v, str) and k not in ("role", "kind")),
                      None)
    if text_field:  # a field that takes free text, so only the surrogate check can refuse it
        spoiled = j({**json.loads(valid), text_field: "ok \ud800 not text"})
        cases.append(hostile(f"{prefix}-lone-surrogate-in-{text_field}", method, path, spoiled, statuses=(400, 422)))
    return cases


TEXT_ATTACKS = [
    ("nul", "a\x00b"), ("soh", "a\x01b"), ("escape-sequence", "\x1b[31mred\x1b[0m"), ("delete", "a\x7fb"),
    ("c1-nel", "a\x85b"), ("c1-csi", "a\x9bb"), ("bell", "a\x07"), ("backspace", "a\x08b"), ("form-feed", "a\x0cb"),
    ("vertical-tab", "a\x0bb"), ("lone-cr", "a\rb"), ("lone-surrogate", "a\ud800b"), ("low-surrogate", "\udfff"),
]
ONE_LINE_ATTACKS = [*TEXT_ATTACKS, ("newline", "a\nb"), ("crlf", "a\r\nb"), ("tab", "a\tb")]


def _refused(field, attack):
    """Control characters: 422 naming the field. A lone surrogate is not text at all: 400 is fine too."""
    if "surrogate" in attack:
        return {"statuses": (400, 422)}
    return {"statuses": (422,), "field": field}


MEMBER_POST = [
    *body_cases("post-member", "POST", MEMBERS, new()),
    hostile("post-member-empty-object", "POST", MEMBERS, "{}", field="email"),
    hostile("post-member-unknown-field", "POST", MEMBERS, new(is_admin=True), field="is_admin"),
    hostile("post-member-unknown-tenant-id", "POST", MEMBERS, new(tenant_id=1), field="tenant_id"),
    hostile("post-member-unknown-id", "POST", MEMBERS, new(id=1), field="id"),
    hostile("post-member-unknown-profile", "POST", MEMBERS, new(profile={"score": 100}), field="profile"),
    hostile("post-member-unknown-nested", "POST", MEMBERS,
            new(availability=[{"weekday": 0, "start": "09:00", "end": "10:00", "priority": 1}]),
            field="availability.0.priority"),
    hostile("post-mentor-unknown-in-prefers", "POST", MEMBERS, j({**NEW_MENTOR, "prefers": {"gender": "x"}}),
            field="prefers.gender"),
    hostile("post-member-role-admin", "POST", MEMBERS, new(role="admin"), field="role"),
    hostile("post-member-name-number", "POST", MEMBERS, new(name=123), field="name"),
    hostile("post-member-name-list", "POST", MEMBERS, new(name=["a"]), field="name"),
    hostile("post-member-name-object", "POST", MEMBERS, new(name={"first": "a"}), field="name"),
    hostile("post-member-name-null", "POST", MEMBERS, new(name=None), field="name"),
    hostile("post-member-name-empty", "POST", MEMBERS, new(name=""), field="name"),
    hostile("post-member-name-blank", "POST", MEMBERS, new(name="   "), field="name"),
    hostile("post-member-name-121", "POST", MEMBERS, new(name="x" * 121), field="name"),
    hostile("post-member-name-200kb", "POST", MEMBERS, new(name="x" * 200_000), statuses=(413, 422)),
    hostile("post-member-name-1mb", "POST", MEMBERS, lambda: new(name="x" * MB), statuses=(413, 422)),
    hostile("post-member-bio-1mb", "POST", MEMBERS, lambda: new(bio="word " * (MB // 5)), statuses=(413, 422)),
    hostile("post-member-bio-2001", "POST", MEMBERS, new(bio="x" * 2001), field="bio"),
    hostile("post-member-email-invalid", "POST", MEMBERS, new(email="not-an-email"), field="email"),
    hostile("post-member-email-header-injection", "POST", MEMBERS, new(email="a@b.edu\nBcc: all@b.edu"),
            field="email"),
    hostile("post-member-email-sql", "POST", MEMBERS, new(email="x'; DROP TABLE members;--@b.edu"),
            field="email"),
    hostile("post-member-domains-string", "POST", MEMBERS, new(domains="finance"), field="domains"),
    hostile("post-member-domains-uppercase", "POST", MEMBERS, new(domains=["Finance"]), field="domains.0"),
    hostile("post-member-domains-sql", "POST", MEMBERS, new(domains=["x'; DROP TABLE members;--"]),
            field="domains.0"),
    hostile("post-member-goals-object", "POST", MEMBERS, new(goals={"a": 1}), field="goals"),
    hostile("post-member-goals-unknown", "POST", MEMBERS, new(goals=["get-rich"]), field="goals.0"),
    hostile("post-member-skills-31", "POST", MEMBERS, new(skills=[f"s{i}" for i in range(31)]), field="skills"),
    hostile("post-member-languages-bad", "POST", MEMBERS, new(languages=["english"]), field="languages.0"),
    hostile("post-member-timezone-number", "POST", MEMBERS, new(timezone=5), field="timezone"),
    hostile("post-member-timezone-unknown", "POST", MEMBERS, new(timezone="Mars/Olympus_Mons"), field="timezone"),
    hostile("post-member-timezone-path", "POST", MEMBERS, new(timezone="../../etc/passwd"), field="timezone"),
    hostile("post-member-availability-object", "POST", MEMBERS, new(availability={}), field="availability"),
    hostile("post-member-availability-numbers", "POST", MEMBERS, new(availability=[1]), field="availability.0"),
    hostile("post-member-availability-weekday-7", "POST", MEMBERS,
            new(availability=[{"weekday": 7, "start": "09:00", "end": "10:00"}]), field="availability.0.weekday"),
    hostile("post-member-availability-backwards", "POST", MEMBERS,
            new(availability=[{"weekday": 1, "start": "10:00", "end": "09:00"}]), field="availability.0.end"),
    hostile("post-member-international-string", "POST", MEMBERS, new(international="maybe"), field="international"),
    hostile("post-member-graduation-fraction", "POST", MEMBERS, new(graduation_year=2026.5),
            field="graduation_year"),
    hostile("post-member-graduation-bool", "POST", MEMBERS, new(graduation_year=True), field="graduation_year"),
    hostile("post-member-graduation-huge", "POST", MEMBERS, new(graduation_year=10**30), field="graduation_year"),
    hostile("post-member-graduation-1e400", "POST", MEMBERS, new(graduation_year=1e400).replace("Infinity", "1e400"),
            field="graduation_year"),
    hostile("post-member-photo-javascript", "POST", MEMBERS, new(photo_url="javascript:alert(1)"), field="photo_url"),
    hostile("post-member-photo-file", "POST", MEMBERS, new(photo_url="file:///etc/passwd"), field="photo_url"),
    hostile("post-member-photo-nul", "POST", MEMBERS, new(photo_url="https://x.example/a\x00b"), field="photo_url"),
    hostile("post-member-photo-soh", "POST", MEMBERS, new(photo_url="https://x.example/a\x01b"), field="photo_url"),
    hostile("post-mentee-mentor-field", "POST", MEMBERS, new(capacity=3), field="capacity"),
    hostile("post-mentor-capacity-21", "POST", MEMBERS, j({**NEW_MENTOR, "capacity": 21}), field="capacity"),
    hostile("post-mentor-capacity-string", "POST", MEMBERS, j({**NEW_MENTOR, "capacity": "many"}), field="capacity"),
    hostile("post-member-duplicate-email", "POST", MEMBERS, "DUPLICATE", statuses=(409,)),
    *[hostile(f"post-member-name-{name}", "POST", MEMBERS, new(name=f"Ann {text}"), **_refused("name", name))
      for name, text in ONE_LINE_ATTACKS],
    *[hostile(f"post-member-bio-{name}", "POST", MEMBERS, new(bio=f"Long text {text}"), **_refused("bio", name))
      for name, text in TEXT_ATTACKS],
    *[hostile(f"post-member-{field}-nul", "POST", MEMBERS, new(**{field: value}), statuses=(422,))
      for field, value in [("email", "a\x00@b.edu"), ("headline", "x\x00"), ("school", "x\x00"),
                           ("skills", ["py\x00"]), ("domains", ["finance\x00"]), ("timezone", "UTC\x00"),
                           ("role", "mentee\x00"), ("goals", ["career-plan\x00"]), ("languages", ["en\x00"])]],
    hostile("post-member-key-with-nul", "POST", MEMBERS, new(**{"name\x00": "x"}), statuses=(422,)),
    hostile("post-member-too-long-idempotency-key", "POST", MEMBERS, "IDEMPOTENCY"),
]

MEMBER_PATCH = [
    *body_cases("patch-member", "PATCH", MEMBER, j({"headline": "valid"})),
    hostile("patch-member-unknown", "PATCH", MEMBER, j({"nickname": "x"}), field="nickname"),
    hostile("patch-member-tenant-id", "PATCH", MEMBER, j({"tenant_id": 999}), field="tenant_id"),
    hostile("patch-member-id", "PATCH", MEMBER, j({"id": 1}), field="id"),
    hostile("patch-member-erased-at", "PATCH", MEMBER, j({"erased_at": None}), field="erased_at"),
    hostile("patch-member-profile-score", "PATCH", MEMBER, j({"profile_score": 100}), field="profile_score"),
    hostile("patch-member-created-at", "PATCH", MEMBER, j({"created_at": "2020-01-01T00:00:00Z"}),
            field="created_at"),
    hostile("patch-member-role-change", "PATCH", MEMBER, j({"role": "mentor"}), field="role"),
    hostile("patch-mentee-mentor-field", "PATCH", MEMBER, j({"company_sponsors_visa": True}),
            field="company_sponsors_visa"),
    hostile("patch-mentor-mentee-field", "PATCH", MENTOR, j({"needs_visa_sponsorship": True}),
            field="needs_visa_sponsorship"),
    hostile("patch-member-name-null", "PATCH", MEMBER, j({"name": None}), field="name"),
    hostile("patch-member-name-blank", "PATCH", MEMBER, j({"name": " \t "}), field="name"),
    hostile("patch-member-name-nul", "PATCH", MEMBER, j({"name": "Ann\x00"}), field="name"),
    hostile("patch-member-headline-newline", "PATCH", MEMBER, j({"headline": "a\nb"}), field="headline"),
    hostile("patch-member-bio-nul", "PATCH", MEMBER, j({"bio": "para\x00graph"}), field="bio"),
    hostile("patch-member-name-1mb", "PATCH", MEMBER, lambda: j({"name": "x" * MB}), statuses=(413, 422)),
    hostile("patch-member-email-taken", "PATCH", MEMBER, "TAKEN", statuses=(409,)),
    hostile("patch-member-availability-nul", "PATCH", MEMBER,
            j({"availability": [{"weekday": 0, "start": "09:00\x00", "end": "10:00"}]}),
            field="availability.0.start"),
    hostile("patch-member-availability-newline", "PATCH", MEMBER,
            j({"availability": [{"weekday": 0, "start": "09:00\n", "end": "10:00"}]}),
            field="availability.0.start"),
    hostile("patch-member-availability-25h", "PATCH", MEMBER,
            j({"availability": [{"weekday": 0, "start": "09:00", "end": "25:00"}]}), field="availability.0.end"),
    hostile("patch-member-availability-51", "PATCH", MEMBER,
            j({"availability": [{"weekday": 0, "start": "09:00", "end": "10:00"}] * 51}), field="availability"),
    hostile("patch-mentor-capacity-fraction", "PATCH", MENTOR, j({"capacity": 2.5}), field="capacity"),
    hostile("patch-mentor-capacity-negative", "PATCH", MENTOR, j({"capacity": -1}), field="capacity"),
    hostile("patch-mentor-prefers-list", "PATCH", MENTOR, j({"prefers": ["finance"]}), field="prefers"),
    hostile("patch-mentor-prefers-deep", "PATCH", MENTOR, j({"prefers": {"domains": json.loads(deep(40))}}),
            statuses=(400,)),
]

POLICY_PATCH = [
    *body_cases("policy", "PATCH", POLICY, j({"min_weeks": 5})),
    hostile("policy-unknown", "PATCH", POLICY, j({"max_referrals": 1}), field="max_referrals"),
    hostile("policy-unknown-among-valid", "PATCH", POLICY, j({"min_weeks": 5, "admin": True}), field="admin"),
    hostile("policy-string", "PATCH", POLICY, j({"min_weeks": "4 weeks"}), field="min_weeks"),
    hostile("policy-fraction", "PATCH", POLICY, j({"min_weeks": 4.5}), field="min_weeks"),
    hostile("policy-bool", "PATCH", POLICY, j({"min_weeks": True}), field="min_weeks"),
    hostile("policy-null", "PATCH", POLICY, j({"min_weeks": None}), field="min_weeks"),
    hostile("policy-list", "PATCH", POLICY, j({"min_weeks": [4]}), field="min_weeks"),
    hostile("policy-huge", "PATCH", POLICY, j({"min_profile_score": 10**30}), field="min_profile_score"),
    hostile("policy-negative", "PATCH", POLICY, j({"min_meetings": -1}), field="min_meetings"),
    hostile("policy-zero-intros", "PATCH", POLICY, j({"max_pending_intros": 0}), field="max_pending_intros"),
    hostile("policy-requires-string", "PATCH", POLICY, j({"referral_requires": "intro_accepted"}),
            field="referral_requires"),
    hostile("policy-requires-unknown", "PATCH", POLICY, j({"referral_requires": ["bribe"]}),
            field="referral_requires.0"),
    hostile("policy-requires-nested", "PATCH", POLICY, j({"referral_requires": [["intro_accepted"]]}),
            field="referral_requires.0"),
    hostile("policy-requires-nul", "PATCH", POLICY, j({"referral_requires": ["intro_accepted\x00"]}),
            field="referral_requires.0"),
    hostile("policy-requires-sql", "PATCH", POLICY, j({"referral_requires": ["' OR 1=1 --"]}),
            field="referral_requires.0"),
]

KEY_POST = [
    *body_cases("api-key", "POST", KEYS, j({"name": "portal", "kind": "partner"})),
    hostile("api-key-empty", "POST", KEYS, "{}", field="kind"),
    hostile("api-key-kind-root", "POST", KEYS, j({"name": "x", "kind": "root"}), field="kind"),
    hostile("api-key-kind-member", "POST", KEYS, j({"name": "x", "kind": "member"}), field="kind"),
    hostile("api-key-chosen-secret", "POST", KEYS, j({"name": "x", "kind": "admin", "secret": "msk_mine"}),
            field="secret"),
    hostile("api-key-other-tenant", "POST", KEYS, j({"name": "x", "kind": "admin", "tenant_id": 1}),
            field="tenant_id"),
    hostile("api-key-name-empty", "POST", KEYS, j({"name": "", "kind": "admin"}), field="name"),
    hostile("api-key-name-121", "POST", KEYS, j({"name": "x" * 121, "kind": "admin"}), field="name"),
    hostile("api-key-name-number", "POST", KEYS, j({"name": 7, "kind": "admin"}), field="name"),
    hostile("api-key-name-nul", "POST", KEYS, j({"name": "x\x00", "kind": "admin"}), field="name"),
    hostile("api-key-name-newline", "POST", KEYS, j({"name": "x\ny", "kind": "admin"}), field="name"),
    hostile("api-key-name-1mb", "POST", KEYS, lambda: j({"name": "x" * MB, "kind": "admin"}), statuses=(413, 422)),
    hostile("api-key-kind-list", "POST", KEYS, j({"name": "x", "kind": ["admin"]}), field="kind"),
]

QUERIES = [
    hostile(f"query-{name}", "GET", path, None, content_type=None, field=field)
    for name, path, field in [
        ("page-0", "/api/v1/members?page=0", "page"),
        ("page-negative", "/api/v1/members?page=-1", "page"),
        ("page-abc", "/api/v1/members?page=abc", "page"),
        ("page-fraction", "/api/v1/members?page=1.5", "page"),
        ("page-empty", "/api/v1/members?page=", "page"),
        ("page-huge", f"/api/v1/members?page={10**30}", "page"),
        ("page-sql", "/api/v1/members?page=1%20OR%201=1", "page"),
        ("per-page-0", "/api/v1/members?per_page=0", "per_page"),
        ("per-page-101", "/api/v1/members?per_page=101", "per_page"),
        ("per-page-1000", "/api/v1/members?per_page=1000", "per_page"),
        ("per-page-negative", "/api/v1/members?per_page=-5", "per_page"),
        ("per-page-abc", "/api/v1/members?per_page=abc", "per_page"),
        ("per-page-nul", "/api/v1/members?per_page=%00", "per_page"),
        ("role-admin", "/api/v1/members?role=admin", "role"),
        ("role-sql", "/api/v1/members?role=mentee'%20OR%20'1'='1", "role"),
        ("q-empty", "/api/v1/members?q=", "q"),
        ("q-nul", "/api/v1/members?q=a%00b", "q"),
        ("q-newline", "/api/v1/members?q=a%0Ab", "q"),
        ("q-101", "/api/v1/members?q=" + "x" * 101, "q"),
        ("domain-uppercase", "/api/v1/members?domain=Finance", "domain"),
        ("domain-sql", "/api/v1/members?domain=x'%3B%20DROP%20TABLE%20members%3B--", "domain"),
        ("domain-nul", "/api/v1/members?domain=finance%00", "domain"),
        ("keys-per-page-1000", "/api/v1/api-keys?per_page=1000", "per_page"),
        ("keys-page-0", "/api/v1/api-keys?page=0", "page"),
        ("audit-page-abc", "/api/v1/audit-events?page=abc", "page"),
        ("audit-object-id-abc", "/api/v1/audit-events?object_id=abc", "object_id"),
        ("audit-object-id-sql", "/api/v1/audit-events?object_id=1%20OR%201=1", "object_id"),
        ("audit-object-id-huge", f"/api/v1/audit-events?object_id={2**31}", "object_id"),
        ("audit-action-nul", "/api/v1/audit-events?action=x%00", "action"),
    ]
]


def _import(name, text, content_type=CSV, statuses=(422,), field=None, marks=()):
    return hostile(f"import-{name}", "POST", IMPORT, text, content_type=content_type, statuses=statuses, field=field,
                   marks=marks)


IMPORTS = [
    _import("nul", csv("mentee,Ann\x00,ann@x.edu,UTC"), statuses=(400, 422)),
    _import("nul-in-header", "role,na\x00me,email,timezone\n", statuses=(400, 422)),
    _import("latin-1", csv("mentee,Ren\u00e9,rene@x.edu,UTC").encode("latin-1"), statuses=(400,)),
    _import("utf-16", csv("mentee,Ann,ann@x.edu,UTC").encode("utf-16"), statuses=(400, 422)),
    _import("encoded-surrogate", csv("mentee,Ann,ann@x.edu,UTC").encode() + b"\xed\xa0\x80", statuses=(400,)),
    _import("content-type-json", csv("mentee,Ann,ann@x.edu,UTC"), content_type=JSON, statuses=(415,)),
    _import("json-body", j({"role": "mentee"}), content_type=JSON, statuses=(415,)),
    _import("content-type-form", csv("mentee,Ann,ann@x.edu,UTC"), content_type="application/x-www-form-urlencoded",
            statuses=(415,)),
    _import("content-type-multipart", csv("mentee,Ann,ann@x.edu,UTC"), content_type="multipart/form-data; boundary=x",
            statuses=(415,)),
    _import("no-content-type", csv("mentee,Ann,ann@x.edu,UTC"), content_type=None, statuses=(415,)),
    _import("empty", "", statuses=(422,)),
    _import("only-newlines", "\n\n\n", statuses=(422,)),
    _import("good-then-bad-row", csv("mentee,Ann,ann@x.edu,UTC", "mentee,Bob,not-an-email,UTC"), field="email"),
    _import("bad-timezone", csv("mentee,Ann,ann@x.edu,Mars/Base"), field="timezone"),
    _import("unknown-column", csv("mentee,Ann,ann@x.edu,UTC,1", header=CSV_HEADER + ",tenant_id"), field="tenant_id"),
    _import("prefers-column", csv("mentor,Ann,ann@x.com,UTC,x", header=CSV_HEADER + ",prefers"), field="prefers"),
    _import("missing-column", csv("mentee,Ann,UTC", header="role,name,timezone"), field="email"),
    _import("duplicate-column", csv("mentee,Ann,ann@x.edu,UTC,Bob", header=CSV_HEADER + ",name")),
    _import("more-cells-than-columns", csv("mentee,Ann,ann@x.edu,UTC,extra,cells")),
    _import("duplicate-email", csv("mentee,Ann,ann@x.edu,UTC", "mentee,Ann Again,ANN@x.edu,UTC"), field="email"),
    _import("role-change", "ROLE_CHANGE", field="role"),
    _import("mentee-with-mentor-field", csv("mentee,Ann,ann@x.edu,UTC,Acme", header=CSV_HEADER + ",company"),
            field="company"),
    _import("control-char-name", csv("mentee,Ann\x01,ann@x.edu,UTC"), field="name"),
    _import("ansi-escape-bio", csv("mentee,Ann,ann@x.edu,UTC,\x1b[2J", header=CSV_HEADER + ",bio"), field="bio"),
    _import("sql-email", csv("mentee,Robert,x'); DROP TABLE members;--,UTC"), field="email"),
    _import("bad-availability", csv('mentee,Ann,ann@x.edu,UTC,"7 09:00-10:00"', header=CSV_HEADER + ",availability"),
            field="availability"),
    _import("graduation-year-fraction", csv("mentee,Ann,ann@x.edu,UTC,2026.5", header=CSV_HEADER + ",graduation_year"),
            field="graduation_year"),
    _import("name-130kb", csv("mentee," + "x" * 140_000 + ",ann@x.edu,UTC"), statuses=(413, 422)),
    _import("bare-cr-in-field", csv("mentee,Ann\rBob,ann@x.edu,UTC"), statuses=(400, 422)),
    _import("photo-url-control", csv("mentee,Ann,ann@x.edu,UTC,https://x.example/a\x01b",
                                     header=CSV_HEADER + ",photo_url"), field="photo_url"),
]

ALL_HOSTILE = [*MEMBER_POST, *MEMBER_PATCH, *POLICY_PATCH, *KEY_POST, *QUERIES, *IMPORTS]


# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def seeded(admin):
    """A tenant with a mentee, a mentor and a changed policy: something for a bad request to damage."""
    mentee = admin.post("/api/v1/members", json=mentee_payload(name="Seed Mentee", email="seed.mentee@example.edu"))
    mentor = admin.post("/api/v1/members", json=mentor_payload(name="Seed Mentor", email="seed.mentor@example.com"))
    assert mentee.status_code == mentor.status_code == 201
    assert admin.patch("/api/v1/tenant/policy", json={"min_weeks": 6}).status_code == 200
    return {"mentee": mentee.json["id"], "mentor": mentor.json["id"], "mentor_email": mentor.json["email"]}


def snapshot(admin):
    """Every member in full (all pages), the policy, the API keys and how many audit events there are."""
    members, page = [], 1
    while True:
        r = admin.get(f"/api/v1/members?per_page=100&page={page}")
        assert r.status_code == 200
        members += r.json["items"]
        if page * 100 >= r.json["total"]:
            break
        page += 1
    keys = admin.get("/api/v1/api-keys?per_page=100")
    policy = admin.get("/api/v1/tenant/policy")
    audit = admin.get("/api/v1/audit-events?per_page=1")
    assert keys.status_code == policy.status_code == audit.status_code == 200
    # last_used_at is bookkeeping of every authenticated request (this snapshot's own included), not data
    key_rows = [{k: v for k, v in key.items() if k != "last_used_at"} for key in keys.json["items"]]
    return {"members": members, "keys": key_rows, "policy": policy.json, "audit_total": audit.json["total"]}


def send(admin, method, path, data, content_type, headers=None):
    headers = {"Authorization": f"Bearer {admin.token}", **(headers or {})}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return admin.client.open(path, method=method, data=data, headers=headers)


def assert_problem(r, statuses, field=None):
    text = r.get_data(as_text=True)
    assert r.status_code in statuses, (r.status_code, text[:600])
    assert r.mimetype == PROBLEM, (r.mimetype, text[:200])
    body = r.get_json()
    assert body["status"] == r.status_code
    if r.status_code == 409:
        assert body["code"] == "email_taken", body
    else:
        assert body["code"] == CODES[r.status_code], body
    assert body["title"] and body["type"]
    assert "Traceback" not in text and 'File "' not in text
    if field is not None:
        errors = body.get("errors")
        assert errors, body
        named = {e["field"] for e in errors} if isinstance(errors, list) else set(errors)
        assert any(n == field or str(n).startswith(field + ".") for n in named), (field, errors)
    return body


def _resolve(data, seeded):
    """Cases that need the seeded tenant's data."""
    if callable(data):
        return data(), {}
    if data == "DUPLICATE":
        return new(email="seed.mentee@example.edu"), {}
    if data == "TAKEN":
        return j({"email": seeded["mentor_email"]}), {}
    if data == "ROLE_CHANGE":
        return csv("mentor,Seed Mentee,seed.mentee@example.edu,UTC"), {}
    if data == "IDEMPOTENCY":
        return new(), {"Idempotency-Key": "k" * 256}
    return data, {}


@pytest.mark.parametrize("method, path, data, content_type, statuses, field", ALL_HOSTILE)
def test_hostile_request_is_a_4xx_problem_and_changes_nothing(admin, seeded, method, path, data, content_type,
                                                              statuses, field):
    data, headers = _resolve(data, seeded)
    path = path.format(**seeded)
    before = snapshot(admin)
    r = send(admin, method, path, data, content_type, headers)
    assert_problem(r, statuses, field)
    assert snapshot(admin) == before


SQL_LOOKING = [
    "/api/v1/members?q=' OR 1=1 --",
    "/api/v1/members?q=%25' OR '1'='1",
    "/api/v1/members?q='; DROP TABLE members;--",
    "/api/v1/members?q=1) UNION SELECT email FROM members--",
    "/api/v1/members?q=\" OR \"\"=\"",
    "/api/v1/members?q=%25",
    "/api/v1/members?q=_",
    "/api/v1/members?q=%5C",
    "/api/v1/members?q=%ff%fe",
    "/api/v1/members?q=' OR 1=1 --&role=mentee",
    "/api/v1/members?domain=x'; DROP TABLE members;--",
    "/api/v1/members?domain=finance' OR '1'='1",
    "/api/v1/members?role=mentee' OR '1'='1",
    "/api/v1/members?page=1;DELETE FROM members",
    "/api/v1/members?per_page=20 OR 1=1",
    "/api/v1/audit-events?action=' OR 1=1 --",
    "/api/v1/audit-events?object_type=members' OR 'a'='a",
    "/api/v1/audit-events?object_id=1 OR 1=1",
    "/api/v1/api-keys?page=1' OR '1'='1",
]


@pytest.mark.parametrize("path", SQL_LOOKING)
def test_sql_looking_query_values_are_just_text(admin, seeded, path):
    """An empty result or a 422, never a 500 and never more rows; the tables are all still there."""
    before = snapshot(admin)
    r = admin.get(path)
    if r.status_code == 200:
        assert r.json["items"] == [] and r.json["total"] == 0, r.json
    else:
        assert_problem(r, (422,))
    assert snapshot(admin) == before


def test_sql_looking_text_is_stored_verbatim(admin, seeded):
    name = "Robert'); DROP TABLE members;--"
    r = admin.post("/api/v1/members", json=mentee_payload(name=name, headline="' OR 1=1 --"))
    assert r.status_code == 201
    assert admin.get(f"/api/v1/members/{r.json['id']}").json["name"] == name
    found = admin.get("/api/v1/members?q=drop table").json
    assert [m["name"] for m in found["items"]] == [name]
    assert admin.get("/api/v1/members").json["total"] == 3


def test_snapshot_notices_changes(admin, seeded):
    """The 'changes nothing' check can fail: each kind of change shows in the snapshot."""
    before = snapshot(admin)
    admin.patch(f"/api/v1/members/{seeded['mentee']}", json={"headline": "changed"})
    after_member = snapshot(admin)
    assert after_member["members"] != before["members"]
    admin.patch("/api/v1/tenant/policy", json={"min_weeks": 7})
    after_policy = snapshot(admin)
    assert after_policy["policy"] != after_member["policy"]
    assert after_policy["audit_total"] == after_member["audit_total"] + 1
    admin.post("/api/v1/api-keys", json={"name": "another", "kind": "partner"})
    assert snapshot(admin)["keys"] != after_policy["keys"]


# ---------------------------------------------------------------------------------------------------------------
# What is allowed: newlines and tabs in long text, unicode, whole numbers
# ---------------------------------------------------------------------------------------------------------------


def test_newline_and_tab_are_fine_in_long_text(admin, seeded):
    bio = "First paragraph about me.\n\n\tSecond, indented: 学习 café — ok."
    r = admin.patch(f"/api/v1/members/{seeded['mentee']}", json={"bio": bio})
    assert r.status_code == 200, r.json
    assert r.json["bio"] == bio


def test_form_line_endings_in_long_text_become_newlines(admin, seeded):
    """HTML forms send textarea newlines as CRLF: accepted, stored as \\n."""
    r = admin.patch(f"/api/v1/members/{seeded['mentee']}", json={"bio": "One.\r\nTwo.\r\n\r\nThree."})
    assert r.status_code == 200, r.json
    assert r.json["bio"] == "One.\nTwo.\n\nThree."


def test_unicode_names_and_whole_number_floats_are_fine(admin):
    r = admin.post("/api/v1/members", json=mentee_payload(name="Zoë 王小明 محمد 😀", graduation_year=2026.0))
    assert r.status_code == 201, r.json
    assert r.json["name"] == "Zoë 王小明 محمد 😀" and r.json["graduation_year"] == 2026


def test_unknown_fields_are_named_in_errors(admin):
    r = admin.post("/api/v1/members", json={**mentee_payload(), "nickname": "x", "is_admin": True})
    body = assert_problem(r, (422,))
    assert {"nickname", "is_admin"} <= set(body["errors"])
    assert admin.get("/api/v1/members").json["total"] == 0


def test_control_characters_are_named_with_their_path(admin):
    r = admin.post("/api/v1/members", json=mentee_payload(skills=["ok", "bad\x00"],
                                                          availability=[{"weekday": 0, "start": "09:00\x00",
                                                                         "end": "10:00"}]))
    body = assert_problem(r, (422,))
    assert {"skills.1", "availability.0.start"} <= set(body["errors"])


# ---------------------------------------------------------------------------------------------------------------
# Routing errors and the unexpected
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [
    ("PUT", "/api/v1/members"), ("DELETE", "/api/v1/members"), ("PATCH", "/api/v1/members"),
    ("PUT", "/api/v1/members/{mentee}"), ("POST", "/api/v1/members/{mentee}"), ("GET", "/api/v1/members/import"),
    ("PUT", "/api/v1/tenant/policy"), ("DELETE", "/api/v1/tenant/policy"), ("POST", "/api/v1/audit-events"),
    ("GET", "/api/v1/api-keys/1"), ("GET", "/api/v1/members/{mentee}/tokens"),
])
def test_wrong_method_is_405_problem(admin, seeded, method, path):
    before = snapshot(admin)
    r = send(admin, method, path.format(**seeded), j({}), JSON)
    body = assert_problem(r, (405,))
    assert body["code"] == "method_not_allowed"
    assert r.headers.get("Allow")
    assert method not in {m.strip() for m in r.headers["Allow"].split(",")}
    assert snapshot(admin) == before


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/members", "/api/v1/members/1/nope", "/api/v1/members/",
                                  "/api/v1//members", "/api/v1/members/%00", "/api/v1/members/..%2f..%2fetc"])
def test_unknown_api_path_is_404_problem(admin, path):
    for method in ("GET", "POST", "DELETE"):
        body = assert_problem(send(admin, method, path, None, None), (404,))
        assert body["code"] == "not_found"


@pytest.mark.parametrize("path", ["/nope", "/index.php", "/.env", "/static/../mentorship/config.py"])
def test_unknown_path_outside_the_api_is_404_problem_too(client, path):
    r = client.get(path)
    body = assert_problem(r, (404,))
    assert body["code"] == "not_found"
    assert "<html" not in r.get_data(as_text=True).lower()


@pytest.fixture
def fresh_app(app):
    """A second app object to add throwaway routes to (the session app is not changed after its first request).

    create_app() re-binds the shared extension objects (flask-smorest's spec, the limiter) to the new app;
    their state is put back afterwards so the session app's /openapi.json and limits stay its own.
    """
    from mentorship.extensions import api, limiter, migrate

    saved = {ext: dict(vars(ext)) for ext in (api, limiter, migrate)}

    class Config(TestConfig):
        TESTING = False  # as in production: the error handler, not the test client, sees the exception
        PROPAGATE_EXCEPTIONS = False
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    try:
        yield create_app(Config)
    finally:
        for ext, state in saved.items():
            vars(ext).clear()
            vars(ext).update(state)


SECRET_DETAIL = "connection to db-primary.internal:5432 password=hunter2 failed"


def test_unexpected_exception_is_500_problem_without_a_stack_trace(fresh_app, tenant, caplog, monkeypatch):
    import logging

    # the session fixture runs the migrations in-process, and alembic's fileConfig() disables existing loggers
    monkeypatch.setattr(logging.getLogger("mentorship.errors"), "disabled", False)

    def explode():
        raise RuntimeError(SECRET_DETAIL)

    def explode_after_write():
        from flask import g

        from mentorship.extensions import db
        from mentorship.tenancy.models import Tenant

        db.session.get(Tenant, g.tenant_id).policy = {"min_weeks": 99}
        db.session.flush()  # written, not committed: the error must discard it
        raise KeyError(SECRET_DETAIL)

    from mentorship.tenancy.access import allow

    fresh_app.add_url_rule("/_boom", "boom", explode)
    # every API endpoint declares who may call it (an undeclared one admits nobody)
    fresh_app.add_url_rule("/api/v1/_boom", "api_boom", allow("admin")(explode), methods=["GET", "POST"])
    fresh_app.add_url_rule("/api/v1/_boom_after_write", "api_boom_after_write", allow("admin")(explode_after_write),
                           methods=["POST"])
    client = fresh_app.test_client()
    auth = {"Authorization": f"Bearer {tenant.admin_key}"}
    for r in (client.get("/_boom"), client.get("/api/v1/_boom", headers=auth),
              client.post("/api/v1/_boom", json={}, headers=auth),
              client.post("/api/v1/_boom_after_write", json={}, headers=auth)):
        text = r.get_data(as_text=True)
        body = assert_problem(r, (500,))
        assert body["code"] == "internal_error"
        assert SECRET_DETAIL not in text and "hunter2" not in text
        assert "Traceback" not in text and "RuntimeError" not in text and "KeyError" not in text
        assert set(body) <= {"type", "title", "status", "detail", "code"}
    logged = [r for r in caplog.records if r.name == "mentorship.errors" and r.exc_info]
    assert len(logged) == 4 and SECRET_DETAIL in str(logged[0].exc_info[1]), "each error is logged for operators"
    # the failed request's uncommitted write was discarded
    assert client.get("/api/v1/tenant/policy", headers=auth).json["min_weeks"] == 4
