"""Issue 12: a disguised message keeps its verdict.

Every corpus message, passed through the disguise generator (tests/coach/disguise.py: look-alike letters, invisible
characters, spelled-out words, digits for letters, symbols between words, breaks inside Chinese words; 1-3 classes at
a time, on random words, trigger words included), is reviewed without history (history=None):

- a bad message (labels other than templated_message) still gets every one of its labeled codes (templated_message is
  left out: it depends on the replayed history); other codes may join;
- a message that passes undisguised (a genuine one, or a templated one, which passes without history) still passes:
  its set of blocking codes stays empty.

Only the rows whose undisguised review gives exactly their labels (templated_message aside) are drawn;
test_every_corpus_row_is_reviewed_as_labeled checks that none is left out. Marked `disguise`: `pytest -m disguise`
runs these alone; `python -m tests.coach.test_disguises` prints the failure share of each class alone.
"""
import os
import random
from collections import Counter
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import coach
from tests.coach.disguise import CLASSES, INVISIBLES, SYMBOLS, applicable, disguise, disguised
from tests.coach.test_coach_corpus import _party, load

pytestmark = pytest.mark.disguise

TEMPLATED = "templated_message"


def blocking(row, text) -> frozenset[str]:
    review = coach.review(text, _party(row["mentee"]), _party(row["mentor"]))
    return frozenset(i["code"] for i in review["issues"] if i["severity"] == "block")


def expected(row) -> frozenset[str]:
    return frozenset(row["labels"]) - {TEMPLATED}


@lru_cache(maxsize=1)
def corpus() -> dict[str, dict]:
    return {row["id"]: row for row in load()}


@lru_cache(maxsize=1)
def usable() -> tuple[str, ...]:
    """Ids of the rows whose undisguised review (no history) gives exactly their labels, templated_message aside."""
    return tuple(rid for rid, row in corpus().items() if blocking(row, row["message"]) == expected(row))


def problems(row, text) -> list[str]:
    """What the disguised text lost (a labeled code) or gained (a block on a message that passes)."""
    found, want = blocking(row, text), expected(row)
    if want:
        return [f"lost {code}" for code in sorted(want - found)]
    return [f"gained {code}" for code in sorted(found)]


def test_every_corpus_row_is_reviewed_as_labeled():
    excluded = {rid: sorted(blocking(row, row["message"])) for rid, row in corpus().items() if rid not in usable()}
    assert not excluded, f"{len(excluded)} rows left out of the disguise test: {excluded}"


# Derandomized so that CI is reproducible; COACH_DISGUISE_RANDOM=1 draws fresh examples (run it when changing the
# coach: each run is another 500).
@settings(max_examples=500, deadline=None, derandomize=os.environ.get("COACH_DISGUISE_RANDOM") != "1",
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_disguised_message_keeps_its_verdict(data):
    rid = data.draw(st.sampled_from(usable()), label="row")
    row = corpus()[rid]
    case = data.draw(disguised(row["message"]), label="disguised")
    found = problems(row, case.text)
    assert not found, f"{rid} disguised with {'+'.join(case.classes)}: {found}"


# --- plain examples: one referral ask, each class by hand ----------------------------------------------------------

MENTOR = coach.Party(
    id=103, name="Mei Lin", headline="Credit risk models and stress testing", company="Goldman Sachs",
    title="Vice President, Credit Risk", school="NYU Stern", skills=("SAS", "Python", "stress testing"),
    bio="I build probability-of-default and loss-given-default models for the wholesale lending book and run our "
        "annual stress testing.", domains=("finance/credit-risk", "finance/risk-management"))
MENTEE = coach.Party(id=1, name="Zhang Wei", headline="MS Financial Engineering student", school="Columbia University",
                     skills=("Python", "C++"), domains=("finance/credit-risk", "finance/quant"))
ASK = "Could you refer me for the analyst role?"
INTRO = ("Hi Mei, I'm Zhang Wei, a first-year MS in Financial Engineering student at Columbia. Your headline about "
         "credit risk models and stress testing caught my eye because I'm building a PD model for a class project "
         "using Lending Club data, and I keep getting stuck on calibrating it to a downturn scenario. {ask} What do "
         "you wish you had known about credit risk before joining Goldman Sachs?")
ZH_MENTOR = coach.Party(id=107, name="王浩", company="字节跳动", title="机器学习工程师", headline="推荐系统和特征平台",
                        skills=("PyTorch", "Flink"), domains=("software/machine-learning",))
ZH_MENTEE = coach.Party(id=7, name="陈宇", school="卡内基梅隆大学", skills=("Python",))
ZH_ASK = "请问能不能帮我内推一下机器学习工程师的岗位？"
ZH_INTRO = ("王浩学长您好，我是卡内基梅隆大学信息系统管理专业的陈宇，对字节跳动的推荐系统和特征平台很感兴趣，"
            "也用过 PyTorch 和 Flink 做实时特征的课程项目，遇到了特征回填和线上线下一致性的问题。{ask}"
            "简历我已经准备好了，随时可以发给您。想向您请教：在大规模训练的场景下，您们是怎么保证特征一致性的？谢谢学长！")

ASKS = [  # (class, the ask as the mentee typed it)
    ("homoglyph", "Could you r\u0435f\u0435r me for the analyst role?"),  # Cyrillic е
    ("homoglyph", "Could you refer m\u0435 for the analyst role?"),  # Cyrillic е in "me" alone
    ("homoglyph", "C\u03bfuld y\u03bfu refer me for the \u03b1nalyst r\u03bfle?"),  # Greek ο α around the ask
    ("homoglyph", "Could you ref\u0435r m\u0435 for the \u0430n\u0430lyst role?"),
    ("homoglyph", "Could you \uff52\uff45\uff46\uff45\uff52 me for the analyst role?"),  # full-width
    ("invisible", "Could you re\u200bfer me for the analyst role?"),
    ("invisible", "Could you ref\u00ader me for the analyst role?"),
    ("invisible", "Could you r\u200de\u2060f\ufeffe\u200cr m\u200ee for the analyst role?"),
    ("spelled", "Could you r e f e r me for the analyst role?"),
    ("spelled", "Could you r.e.f.e.r me for the analyst role?"),
    ("spelled", "Could you r-e-f-e-r me for the analyst role?"),
    ("spelled", "Could you r_e_f_e_r me for the analyst role?"),
    ("spelled", "Could you r\u00b7e\u00b7f\u00b7e\u00b7r me for the analyst role?"),
    ("digits", "Could you r3f3r me for the analyst role?"),
    ("digits", "Could you ref3r m3 for the analyst role?"),
    ("symbols", "Could you refer \U0001f64f me for the analyst role?"),
    ("symbols", "Could you refer \u2728 me \U0001f680 for the analyst role?"),
    ("combined", "C0uld you r.\u0435.f.3.r \u2022 m\u200be for the analyst role?"),
]
ZH_ASKS = [
    ("cjk", ZH_ASK.replace("内推", "内 推")),
    ("cjk", ZH_ASK.replace("内推", "内\u200b推")),
    ("cjk", ZH_ASK.replace("帮我内推", "帮\u200c我\u200d内\u2060推")),
    ("symbols", ZH_ASK.replace("帮我内推", "帮我 \U0001f64f 内推")),
]


def codes(message, mentee=MENTEE, mentor=MENTOR) -> set[str]:
    review = coach.review(message, mentee, mentor)
    return {i["code"] for i in review["issues"] if i["severity"] == "block"}


def test_the_undisguised_examples():
    assert codes(INTRO.format(ask=ASK)) == {"cold_referral_ask"}
    assert codes(INTRO.format(ask="")) == set()
    assert codes(ZH_INTRO.format(ask=ZH_ASK), ZH_MENTEE, ZH_MENTOR) == {"cold_referral_ask"}
    assert codes(ZH_INTRO.format(ask=""), ZH_MENTEE, ZH_MENTOR) == set()


@pytest.mark.parametrize("kind, ask", ASKS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(ASKS)])
def test_a_disguised_referral_ask_is_still_blocked(kind, ask):
    assert "cold_referral_ask" in codes(INTRO.format(ask=ask)), ask


@pytest.mark.parametrize("kind, ask", ZH_ASKS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(ZH_ASKS)])
def test_a_disguised_chinese_referral_ask_is_still_blocked(kind, ask):
    assert "cold_referral_ask" in codes(ZH_INTRO.format(ask=ask), ZH_MENTEE, ZH_MENTOR), ask


GENUINE = ("Hi Mei, I'm Zhang Wei, a first-year MS in Financial Engineering student at Columbia. I'm building a PD "
           "model for a class project and I keep getting stuck on calibrating it to a downturn scenario. I'd love to "
           "learn how you approach {skill} at {company}. What do you wish you had known before joining?")


GENUINE_DISGUISES = [  # the message's only mentions of the mentor's profile, disguised
    ("homoglyph", "G\u043eldm\u0430n S\u0430chs", "str\u0435ss t\u0435sting"),
    ("homoglyph", "\uff27\uff4f\uff4c\uff44\uff4d\uff41\uff4e Sachs", "stress t\u0435sting"),
    ("invisible", "Gold\u200bman Sa\u00adchs", "stre\u2060ss test\ufeffing"),
    ("spelled", "G.o.l.d.m.a.n S-a-c-h-s", "s\u00b7t\u00b7r\u00b7e\u00b7s\u00b7s t_e_s_t_i_n_g"),
    ("spelled", "G o l d m a n Sachs", "s t r e s s testing"),
    ("digits", "G0ldm4n 54chs", "str3ss t3st1ng"),
    ("symbols", "Goldman \u2728 Sachs", "stress \U0001f64f testing"),
]


@pytest.mark.parametrize("kind, company, skill", GENUINE_DISGUISES,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(GENUINE_DISGUISES)])
def test_a_disguised_genuine_message_still_passes(kind, company, skill):
    assert codes(GENUINE.format(company="Goldman Sachs", skill="stress testing")) == set()
    assert codes(GENUINE.format(company=company, skill=skill)) == set(), (company, skill)


# --- the generator itself (these pass whatever the coach does) -----------------------------------------------------

def test_each_class_changes_every_message_it_applies_to():
    for row in corpus().values():
        for name in applicable(row["message"]):
            for seed in range(3):
                assert disguise(row["message"], [name], random.Random(seed)) != row["message"], (row["id"], name)


def _without(text, chars):
    return "".join(c for c in text if c not in chars)


@pytest.mark.parametrize("name, inserted", [("invisible", INVISIBLES), ("cjk", INVISIBLES + " "),
                                            ("symbols", "".join(SYMBOLS) + " ")])
def test_inserting_classes_only_insert(name, inserted):
    """Invisible characters, breaks between Chinese characters and symbols come out again, leaving the message."""
    for row in corpus().values():
        if name in applicable(row["message"]):
            for seed in range(3):
                text = disguise(row["message"], [name], random.Random(seed))
                assert _without(text, inserted) == _without(row["message"], inserted), (row["id"], name)


# --- survey: `python -m tests.coach.test_disguises` --------------------------------------------------------------

def survey(trials=300, samples=10, seed=12):
    """The failure share of each class alone (on the rows it applies to) and of random combinations, for the rows
    with labeled codes and for those that pass, with sample failures."""
    rng = random.Random(seed)
    for name in [*CLASSES, "combined"]:
        rows = [corpus()[rid] for rid in usable() if name == "combined" or name in applicable(corpus()[rid]["message"])]
        tried, failed, lost, shown = Counter(), Counter(), Counter(), []
        for _ in range(trials):
            row = rng.choice(rows)
            names = applicable(row["message"])
            classes = rng.sample(names, rng.randint(1, min(3, len(names)))) if name == "combined" else [name]
            text = disguise(row["message"], classes, random.Random(rng.getrandbits(32)))
            found, kind = problems(row, text), "bad" if expected(row) else "passing"
            tried[kind] += 1
            if found:
                failed[kind] += 1
                lost.update(found)
                if len(shown) < samples:
                    shown.append((row["id"], [n for n in CLASSES if n in classes], found, text))
        shares = ", ".join(f"{kind} rows {failed[kind]}/{tried[kind]} ({failed[kind] / max(tried[kind], 1):.0%})"
                           for kind in ("bad", "passing"))
        total = sum(failed.values())
        print(f"\n== {name}: {total}/{trials} fail ({total / trials:.0%}): {shares}; {dict(lost)}")
        for rid, classes, found, text in shown:
            print(f"  {rid} {'+'.join(classes)} {found}: {text!r}"[:400])


if __name__ == "__main__":
    survey()
