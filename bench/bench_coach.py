"""Outreach coach benchmark: `review` of a first message against a History holding 50 of the mentee's own
fingerprints and ~20 LSH candidates from other mentees (what the service's two indexed queries return).

Prints p50/p95/max in milliseconds, warm (the mentor's profile terms already cached, as when the same mentor is
reviewed again in a process) and cold (the cache cleared before every call: a mentor seen for the first time).

Default mode: the ~600-character English message, the same text every call.

`--chars 1500`: ~1,500 Latin-equivalent characters (a CJK character counts 3, SPEC §6), once in English and once
in mixed Chinese/English (`--lang en|mixed|both`). Every call gets a different message (one 4-digit course number
changes, the length does not), so no cache keyed on the message text (`normalise`, and the skeleton in the coach
after issue 12) answers from an earlier call: each intro in the service is a new message.

Uses only what the coach had before and after issue 12 (coach.Party, fingerprint, review_with_fingerprint;
`coach.review._cached_terms` and `coach.similarity.normalise` for the cold runs), so the same file benchmarks an
older checkout: `--coach-root PATH` imports `coach` from PATH (e.g. a git worktree) instead of this repository.

Usage: .venv/bin/python bench/bench_coach.py [--runs N] [--seed S] [--chars 1500 [--lang en|mixed|both]]
                                             [--coach-root PATH] [--json]
"""
import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chars", type=int, choices=(600, 1500), default=600,
                        help="600: the original fixed message; 1500: ~1,500 Latin-equivalent characters, varied")
    parser.add_argument("--lang", choices=("en", "mixed", "both"), default="both", help="with --chars 1500")
    parser.add_argument("--coach-root", type=Path, default=ROOT, help="directory holding the `coach` package")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
_COACH_ROOT = str((ARGS.coach_root if ARGS else ROOT).resolve())
if sys.path[:1] != [_COACH_ROOT]:
    sys.path.insert(0, _COACH_ROOT)

import coach  # noqa: E402
import coach.review  # noqa: E402
import coach.similarity  # noqa: E402

_cached_terms = getattr(coach.review, "_cached_terms", None)
normalise = getattr(coach.similarity, "normalise", None)

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
MENTEE_ZH = coach.Party(id=2, name="Chen Jing", school="Georgia Tech", domains=("software/backend",),
                        skills=("Java", "Go", "Kafka"))
MESSAGE = (
    "Hi Priya, I'm Rohan, a CS master's student at Georgia Tech (a fellow Yellow Jacket!). I read your note about "
    "idempotent retries and making sure money never moves twice, and it clicked with a bug I hit in my distributed "
    "systems course where a retried Kafka consumer double-counted events. I'm really interested in payments "
    "infrastructure and ledgers, and I'm not asking for a referral; I'd just value your perspective. How did you "
    "learn to reason about exactly-once behavior in practice, and what would you focus on if you were starting in "
    "backend engineering today? Thank you for reading!")
# {course}: a 4-digit course number, different in every call of --chars 1500 (same length every time).
MESSAGE_1500_EN = (
    "Hi Priya, I'm Rohan, a CS master's student at Georgia Tech (a fellow Yellow Jacket!). I read your note about "
    "idempotent retries and making sure money never moves twice, and it clicked with a bug I hit this semester in "
    "my distributed systems course, CS {course}: a retried Kafka consumer in our team's project double-counted "
    "events whenever a broker restarted in the middle of a batch. We fixed it the naive way, by keeping a table of "
    "processed event ids in PostgreSQL and checking it before every write, but the table grew without bound and I "
    "never felt sure the check and the write could not race. Since then I have been reading about ledgers, "
    "double-entry bookkeeping and reconciliation jobs, and I realised how little I understand about how a payments "
    "company keeps its books consistent when every system around it can fail or retry. Before the master's I spent "
    "two years writing Java services for a logistics company in Pune, mostly order intake and billing, so money "
    "movement is not entirely new to me, but I never owned anything like a ledger. I'm really interested in payments "
    "infrastructure, and I'm not asking for a referral; I'd just value your perspective as someone who does this "
    "work every day. How did you learn to reason about exactly-once behavior in practice, and was it from books, "
    "incidents or the people around you? If you were starting in backend engineering today, which parts of Go, "
    "Kafka or PostgreSQL would you go deep on first? Thank you for reading such a long note!")
MESSAGE_1500_MIXED = (
    "Priya您好，我是陈静，Georgia Tech 计算机系的硕士生。读到您写的关于 idempotent retries 的文章，"
    "特别是“money never moves twice”这一句，让我想起这学期在分布式系统课 CS {course} 上遇到的一个问题："
    "我们组项目里的 Kafka consumer 在 broker 重启时会重复处理同一批事件，导致统计结果被算了两次。"
    "我们当时的做法是在 PostgreSQL 里记录已经处理过的事件 id，每次写入之前先查一遍，但这张表一直在增长，"
    "而且我始终不确定查询和写入之间会不会出现竞争。从那以后我一直在读关于 ledger、复式记账和对账任务的资料，"
    "也越来越意识到，在周围每个系统都可能失败或重试的情况下，支付公司要保证账目一致其实非常难。"
    "我也读了 Stripe 工程博客上关于对账的几篇文章，但还是不太明白：在真实的生产环境里，当下游银行接口超时、"
    "又不确定请求有没有成功时，团队怎样设计重试和补偿流程，又怎样在监控上尽早发现账目不平。"
    "读研之前我在上海一家物流公司做了两年 Java 后端，主要负责订单和计费，所以对资金流转不算完全陌生，"
    "但从来没有负责过真正的账本系统。我对 payments infrastructure 很感兴趣，这封信不是为了内推，"
    "只是很想听听您的看法。想请教您：您是怎么在实践中学会思考 exactly-once 语义的？"
    "如果今天刚开始做后端，您会先深入学 Go、Kafka 还是 PostgreSQL？谢谢您花时间读这封信！")
SENTENCES = [
    "I'm a graduate student interested in {x}.", "Your work on {x} caught my eye.", "I built a project about {x}.",
    "Could we talk about {x} for twenty minutes?", "I'd love to learn how your team approaches {x}.",
    "My capstone is about {x} and I keep getting stuck.", "What should I read first about {x}?",
    "I moved here last year and I'm still finding my way in {x}.", "Thank you for reading my message.",
]
TOPICS = ["credit risk", "ad measurement", "product marketing", "fraud detection", "cloud security", "dbt models",
          "case interviews", "rates pricing", "recommender systems", "checkout conversion", "supply chain"]
LANGUAGES = {"en": (MESSAGE_1500_EN, MENTEE), "mixed": (MESSAGE_1500_MIXED, MENTEE_ZH)}
_WIDE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f]")


def latin_length(text):
    """coach/length.py's measure (a CJK character counts 3), here because the coach before issue 12 lacks it."""
    collapsed = " ".join(text.split())
    return len(collapsed) + 2 * len(_WIDE.findall(collapsed))


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
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def clear_caches():
    """A mentor seen for the first time: the profile-terms cache and the normaliser's cache emptied."""
    if _cached_terms is not None:
        _cached_terms.cache_clear()
    if normalise is not None and hasattr(normalise, "cache_clear"):
        normalise.cache_clear()


def summary(samples):
    return {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "max": max(samples),
            "mean": statistics.fmean(samples), "n": len(samples)}


def bench_fixed(args, history):
    """The original mode: the ~600-character message, the same text every call."""
    review = coach.review(MESSAGE, MENTEE, MENTOR, history)
    assert review["ok"], review
    for _ in range(50):  # warm up
        coach.review(MESSAGE, MENTEE, MENTOR, history)
    warm = timed(args.runs, lambda i: coach.review_with_fingerprint(MESSAGE, MENTEE, MENTOR, history))

    def cold_review(i):
        clear_caches()
        coach.review_with_fingerprint(MESSAGE, MENTEE, MENTOR, history)

    cold = timed(args.runs, cold_review)
    return {"message": {"chars": len(MESSAGE), "latin": latin_length(MESSAGE), "ok": review["ok"],
                        "score": review.get("score")},
            "warm": summary(warm), "cold": summary(cold)}


def bench_varied(args, template, mentee, history):
    """--chars 1500: a different course number (1000-9999) in every call; warm-up, warm and cold never share one."""
    numbers = random.Random(args.seed + 1).sample(range(1000, 10000), 50 + 2 * args.runs)
    messages = [template.format(course=n) for n in numbers]
    first = coach.review(messages[0], mentee, MENTOR, history)
    codes = sorted(issue.get("code", "?") for issue in first.get("issues", ()))
    for m in messages[:50]:  # warm up
        coach.review(m, mentee, MENTOR, history)
    warm_msgs, cold_msgs = messages[50:50 + args.runs], messages[50 + args.runs:]
    warm = timed(args.runs, lambda i: coach.review_with_fingerprint(warm_msgs[i], mentee, MENTOR, history))

    def cold_review(i):
        clear_caches()
        coach.review_with_fingerprint(cold_msgs[i], mentee, MENTOR, history)

    cold = timed(args.runs, cold_review)
    return {"message": {"chars": len(messages[0]), "latin": latin_length(messages[0]), "ok": first["ok"],
                        "score": first.get("score"), "issues": codes},
            "warm": summary(warm), "cold": summary(cold)}


def main(args):
    rng = random.Random(args.seed)
    own = [coach.fingerprint(other_message(rng), MENTEE, MENTOR) for _ in range(50)]
    candidates = [(1000 + i, coach.fingerprint(other_message(rng), MENTEE, MENTOR)) for i in range(20)]
    history = BenchHistory(own, candidates)
    out = {"coach": str(Path(coach.__file__).resolve().parent), "runs": args.runs, "chars": args.chars,
           "history": {"own": len(own), "candidates": len(candidates)}, "results": {}}
    if args.chars == 600:
        out["results"]["en600"] = bench_fixed(args, history)
    else:
        for lang in (("en", "mixed") if args.lang == "both" else (args.lang,)):
            template, mentee = LANGUAGES[lang]
            out["results"][lang] = bench_varied(args, template, mentee, history)
    if args.json:
        print(json.dumps(out))
        return
    print(f"coach: {out['coach']}; history: {len(own)} own fingerprints, {len(candidates)} candidates; "
          f"{args.runs} reviews per series")
    print(f"{'message':<10} {'review':<6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'mean ms':>8}")
    for name, result in out["results"].items():
        m = result["message"]
        print(f"# {name}: {m['chars']} characters, {m['latin']} Latin-equivalent; ok={m['ok']} score={m['score']} "
              f"issues={m.get('issues', '')}")
        for kind in ("warm", "cold"):
            s = result[kind]
            print(f"{name:<10} {kind:<6} {s['p50']:>8.2f} {s['p95']:>8.2f} {s['max']:>8.2f} {s['mean']:>8.2f}")


if __name__ == "__main__":
    main(ARGS)
