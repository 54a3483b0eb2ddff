"""CSV import throughput: 10,000 generated members, created then re-imported (updated), on a fresh SQLite file.

Each repetition runs in its own subprocess with its own fresh database; the figure reported is the median. The
import is the synchronous one (IMPORT_SYNC_MAX_ROWS raised to the row count; bench_import_job.py times the job).
`--webhook` first registers an endpoint for `member.created`, so the import also writes one outbox row per new
member (the in-process job backend queues the deliveries; nothing is sent).
Usage: .venv/bin/python bench/bench_import.py [--rows 10000] [--reps 3] [--seed 7] [--webhook] [--json out.json]
"""
import argparse
import csv
import io
import json
import random
import subprocess
import sys
import time

import _common

TARGET_ROWS_PER_S = 2000

FIRST = ["Ana", "Bo", "Chen", "Dmitri", "Elif", "Fatima", "Gabriel", "Hana", "Ivan", "Jia", "Kwame", "Lucia",
         "Mohammed", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko", "Uma", "Victor", "Wei", "Yusuf"]
LAST = ["Lima", "Okafor", "Zhang", "Petrov", "Yilmaz", "Haddad", "Silva", "Sato", "Novak", "Li", "Mensah", "Garcia",
        "Rahman", "Kowalski", "Nguyen", "Sharma", "Dubois", "Rossi", "Berg", "Tanaka", "Patel", "Costa", "Kim", "Ali"]
DOMAINS = ["finance/credit-risk", "finance/market-risk", "finance/investment-banking", "software/backend",
           "software/frontend", "software/ml-engineering", "data/analytics", "data/science", "consulting/strategy",
           "marketing/growth", "product/management", "healthcare/operations", "energy/trading", "law/corporate"]
GOALS = ["domain-knowledge", "career-plan", "interview-prep", "resume-review", "industry-switch", "visa-guidance",
         "networking", "leadership", "job-search"]
SKILLS = ["python", "sql", "sas", "r", "excel", "tableau", "java", "go", "typescript", "react", "spark", "aws",
          "financial modeling", "valuation", "public speaking", "negotiation", "statistics", "product sense"]
LANGUAGES = ["en", "zh", "es", "hi", "pt", "fr", "de", "ar", "ko", "ja", "ru", "tr", "vi"]
TIMEZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Europe/London",
             "Europe/Berlin", "Asia/Shanghai", "Asia/Kolkata", "Asia/Tokyo", "Africa/Lagos", "Australia/Sydney"]
SCHOOLS = ["Columbia University", "NYU Stern", "University of Lagos", "Tsinghua University", "USP", "IIT Bombay",
           "University of Toronto", "LSE", "Boston University", "Georgia Tech"]
COMPANIES = ["Example Bank", "Globex", "Initech", "Umbrella Analytics", "Stark Capital", "Wayne Consulting",
             "Acme Health", "Hooli", "Vandelay Energy", "Pied Piper"]
TITLES = ["Credit Risk Analyst", "Senior Software Engineer", "Data Scientist", "Product Manager", "Associate",
          "Vice President", "Engineering Manager", "Consultant", "Quant Researcher", "Marketing Lead"]
HEADLINES = {
    "mentee": ["MS Business Analytics student interested in pricing", "Career switcher from teaching into data",
               "Finance student curious about risk", "International student looking at product roles"],
    "mentor": ["Credit risk analyst at a commercial bank", "Backend engineer who likes distributed systems",
               "Ten years in consulting, now helping students", "Data scientist, former international student"],
}
BIOS = [
    "I grew up in Lagos and came to study analytics because I like turning messy data into decisions. Last summer "
    "I interned on a pricing team and learned how much context matters behind every number.",
    "I moved to the US for my master's and I am looking for people who can tell me what the first two years in a "
    "risk team really look like; I want to learn how analysts earn trust with business partners.",
    "I spent four years in retail banking before moving into data, and I like helping people who are new to the "
    "country find their footing in finance careers.",
    "Before grad school I taught high-school maths for three years; I now build small data tools and want to "
    "understand how product teams decide what to build next.",
    "Curious, stubborn, and happiest when a dashboard finally answers the question someone actually asked.",
    "FIN 6301, CS 101, STAT-2110, ACCT 2301, ECON 4320",  # reads as a course list: a profile gap, still valid
    "",
]


def _pick(rng, items, low, high):
    return rng.sample(items, rng.randint(low, high))


def _availability(rng):
    windows = []
    for day in sorted(rng.sample(range(7), rng.randint(0, 4))):
        start = rng.randint(7, 19)
        windows.append(f"{day} {start:02d}:{rng.choice(('00', '30'))}-{start + rng.randint(1, 3):02d}:00")
    return "; ".join(windows)


def _member(rng, n):
    role = "mentor" if rng.random() < 0.3 else "mentee"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    row = {
        "role": role, "name": f"{first} {last}",
        "email": f"{first}.{last}.{n}@example.{'com' if role == 'mentor' else 'edu'}".lower(),
        "headline": rng.choice(HEADLINES[role]) if rng.random() < 0.9 else "",
        "bio": rng.choice(BIOS),
        "photo_url": f"https://cdn.example.com/p/{n}.jpg" if rng.random() < 0.8 else "",
        "domains": "; ".join(_pick(rng, DOMAINS, 1, 3)),
        "goals": ";".join(_pick(rng, GOALS, 1, 4)),
        "skills": "; ".join(_pick(rng, SKILLS, 0, 6)),
        "languages": ";".join(_pick(rng, LANGUAGES, 1, 3)),
        "timezone": rng.choice(TIMEZONES),
        "availability": _availability(rng),
        "international": rng.choice(("true", "false")),
        "school": rng.choice(SCHOOLS) if role == "mentee" or rng.random() < 0.5 else "",
    }
    if role == "mentor":
        row.update(company=rng.choice(COMPANIES) if rng.random() < 0.95 else "", title=rng.choice(TITLES),
                   years_experience=str(rng.randint(1, 30)), capacity=str(rng.randint(0, 6)),
                   company_sponsors_visa=rng.choice(("true", "false", "")))
    else:
        row.update(graduation_year=str(rng.randint(2024, 2029)), needs_visa_sponsorship=rng.choice(("true", "false")))
    return row


HEADER = ["role", "name", "email", "headline", "bio", "photo_url", "domains", "goals", "skills", "languages",
          "timezone", "availability", "international", "school", "graduation_year", "company", "title",
          "years_experience", "capacity", "company_sponsors_visa", "needs_visa_sponsorship"]


def generate_csv(rows, seed, email_prefix="", blank=()):
    """`rows` members as CSV text; the same seed always gives the same file. Columns in `blank` stay empty."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, restval="", lineterminator="\n")
    writer.writeheader()
    for n in range(rows):
        member = _member(rng, n)
        member["email"] = email_prefix + member["email"]
        member.update(dict.fromkeys(blank, ""))
        writer.writerow(member)
    return out.getvalue()


def _post(client, secret, body):
    started = time.perf_counter()
    response = client.post("/api/v1/members/import", data=body,
                           headers={"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"import failed: {response.status_code} {response.get_data(as_text=True)[:2000]}")
    return elapsed, response.get_json()


def one_repetition(rows, seed, webhook=False):
    """One fresh database: warm up on another tenant, then time the create import and the update re-import."""
    from _common import FreshDatabase, make_app, make_tenant

    body = generate_csv(rows, seed).encode()
    with FreshDatabase() as database:
        app = make_app(database.url)
        app.config["IMPORT_SYNC_MAX_ROWS"] = max(app.config["IMPORT_SYNC_MAX_ROWS"], rows)  # one request, not a job
        _, warm_secret = make_tenant(app, "warmup")
        _, secret = make_tenant(app, "bench")
        client = app.test_client()
        if webhook:
            endpoint = {"url": "http://127.0.0.1:9/hook", "events": ["member.created"]}
            hook = client.post("/api/v1/webhooks", json=endpoint, headers={"Authorization": f"Bearer {secret}"})
            assert hook.status_code == 201, hook.get_json()
        _post(client, warm_secret, generate_csv(50, seed + 1, email_prefix="warm").encode())
        create_s, created = _post(client, secret, body)
        update_s, updated = _post(client, secret, body)
    assert created == {"created": rows, "updated": 0}, created
    assert updated == {"created": 0, "updated": rows}, updated
    return {"create_s": create_s, "update_s": update_s, "create_rows_per_s": rows / create_s,
            "update_rows_per_s": rows / update_s, "bytes": len(body)}


def run(rows=10_000, reps=3, seed=7, verbose=True, webhook=False):
    results = []
    for i in range(reps):
        out = subprocess.run([sys.executable, __file__, "--single", "--rows", str(rows), "--seed", str(seed)]
                             + (["--webhook"] if webhook else []),
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise SystemExit(f"repetition {i + 1} failed:\n{out.stderr[-4000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        if verbose:
            print(f"  rep {i + 1}/{reps}: create {result['create_rows_per_s']:,.0f} rows/s ({result['create_s']:.2f} s)"
                  f" | update {result['update_rows_per_s']:,.0f} rows/s ({result['update_s']:.2f} s)", flush=True)
    summary = {
        "rows": rows, "reps": reps, "seed": seed, "webhook": webhook, "csv_bytes": results[0]["bytes"],
        "create_rows_per_s": [r["create_rows_per_s"] for r in results],
        "update_rows_per_s": [r["update_rows_per_s"] for r in results],
    }
    summary["create_median"] = _common.median(summary["create_rows_per_s"])
    summary["update_median"] = _common.median(summary["update_rows_per_s"])
    summary["target"] = TARGET_ROWS_PER_S
    summary["create_target_met"] = summary["create_median"] >= TARGET_ROWS_PER_S
    return summary


def report(summary):
    print(f"CSV import, {summary['rows']:,} rows ({summary['csv_bytes']:,} bytes), median of {summary['reps']}"
          f" fresh SQLite databases{', an endpoint for member.created' if summary.get('webhook') else ''}:")
    print(f"  create: {summary['create_median']:,.0f} rows/s   (runs: "
          f"{', '.join(f'{v:,.0f}' for v in summary['create_rows_per_s'])})"
          f"   target >= {summary['target']:,}: {'MET' if summary['create_target_met'] else 'NOT MET'}")
    print(f"  update: {summary['update_median']:,.0f} rows/s   (runs: "
          f"{', '.join(f'{v:,.0f}' for v in summary['update_rows_per_s'])})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--webhook", action="store_true", help="register an endpoint for member.created first")
    parser.add_argument("--json", help="also write the summary to this file")
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.single:
        print(json.dumps(one_repetition(args.rows, args.seed, args.webhook)))
        return
    summary = run(args.rows, args.reps, args.seed, webhook=args.webhook)
    report(summary)
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
