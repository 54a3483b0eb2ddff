"""Outreach coach benchmark: `review` of a ~600-character first message against a History holding 50 of the
mentee's own fingerprints and ~20 LSH candidates from other mentees (what the service's two indexed queries return).

Prints p50/p95/max in milliseconds, warm (the mentor's profile terms already cached, as when the same mentor is
reviewed again in a process) and cold (the cache cleared before every call: a mentor seen for the first time).

Usage: .venv/bin/python bench/bench_coach.py [--runs N] [--seed S]
"""
import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import coach  # noqa: E402
from coach.review import _cached_terms  # noqa: E402
from coach.similarity import normalise  # noqa: E402

MENTOR = coach.Party(
    id=101, name="Priya Raman", company="Stripe", title="Staff Software Engineer, Payments Infrastructure",
    school="Georgia Tech", headline="Building reliable money movement at Stripe",
    bio="I work on the ledger and payouts platform at Stripe, where most of my time goes into idempotent retries, "
        "reconciliation and making sure money never moves twice. I came to the US from Chennai as an F-1 student and "
        "love helping international students think through backend careers.",
    skills=("Go", "Kafka", "distributed systems", "PostgreSQL"),
    domains=("payments/infrastructure", "software/backend"), goals=("domain-knowledge", "career-plan"))
MENTEE = coach.Party(id=1, name="Rohan Gupta", school="Georgia Tech", domains=("software/backend",),
                     skills=("Java", "Go"))
MESSAGE = (
    "Hi Priya, I'm Rohan, a CS master's student at Georgia Tech (a fellow Yellow Jacket!). I read your note about "
    "idempotent retries and making sure money never moves twice, and it clicked with a bug I hit in my distributed "
    "systems course where a retried Kafka consumer double-counted events. I'm really interested in payments "
    "infrastructure and ledgers, and I'm not asking for a referral; I'd just value your perspective. How did you "
    "learn to reason about exactly-once behavior in practice, and what would you focus on if you were starting in "
    "backend engineering today? Thank you for reading!")
SENTENCES = [
    "I'm a graduate student interested in {x}.", "Your work on {x} caught my eye.", "I built a project about {x}.",
    "Could we talk about {x} for twenty minutes?", "I'd love to learn how your team approaches {x}.",
    "My capstone is about {x} and I keep getting stuck.", "What should I read first about {x}?",
    "I moved here last year and I'm still finding my way in {x}.", "Thank you for reading my message.",
]
TOPICS = ["credit risk", "ad measurement", "product marketing", "fraud detection", "cloud security", "dbt models",
          "case interviews", "rates pricing", "recommender systems", "checkout conversion", "supply chain"]


def other_message(rng):
    return " ".join(rng.choice(SENTENCES).format(x=rng.choice(TOPICS)) for _ in range(6))


class BenchHistory:
    def __init__(self, own, candidates):
        self._own, self._candidates = own, candidates

    def own(self):
        return self._own

    def circulating(self, band_keys):
        return self._candidates


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(runs, fn):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    own = [coach.fingerprint(other_message(rng), MENTEE, MENTOR) for _ in range(50)]
    candidates = [(1000 + i, coach.fingerprint(other_message(rng), MENTEE, MENTOR)) for i in range(20)]
    history = BenchHistory(own, candidates)
    print(f"message: {len(MESSAGE)} characters; history: {len(own)} own fingerprints, {len(candidates)} candidates")
    review = coach.review(MESSAGE, MENTEE, MENTOR, history)
    assert review["ok"], review

    for _ in range(50):  # warm up
        coach.review(MESSAGE, MENTEE, MENTOR, history)
    warm = timed(args.runs, lambda: coach.review_with_fingerprint(MESSAGE, MENTEE, MENTOR, history))

    def cold_review():
        _cached_terms.cache_clear()
        normalise.cache_clear()
        coach.review_with_fingerprint(MESSAGE, MENTEE, MENTOR, history)

    cold = timed(args.runs, cold_review)
    print(f"{'review':<8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'mean ms':>8}")
    for name, samples in (("warm", warm), ("cold", cold)):
        print(f"{name:<8} {percentile(samples, 0.5):>8.2f} {percentile(samples, 0.95):>8.2f} {max(samples):>8.2f} "
              f"{statistics.fmean(samples):>8.2f}")


if __name__ == "__main__":
    main()
