"""The outreach coach's interface (SPEC §6): the preview object, gates, warnings, suggestions, fingerprints,
templated-message detection against an in-memory History, and the wording the detectors must understand."""
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

import coach
from coach import phrases
from coach.similarity import BANDS, NUM_PERM

ROOT = Path(__file__).resolve().parents[2]

MENTOR = coach.Party(
    id=101, name="Priya Raman", company="Stripe", title="Staff Software Engineer, Payments Infrastructure",
    school="Georgia Tech", headline="Building reliable money movement at Stripe",
    bio="I work on the ledger and payouts platform at Stripe: idempotent retries, reconciliation, and making sure "
        "money never moves twice. I came to the US from Chennai as an F-1 student.",
    skills=("Go", "Kafka", "distributed systems"), domains=("payments/infrastructure", "software/backend"))
MENTEE = coach.Party(id=1, name="Rohan Gupta", school="Purdue University", domains=("software/backend",),
                     skills=("Java",))
GOOD = ("Hi Priya, I'm Rohan, a CS master's student at Purdue. Your note about idempotent retries and making sure "
        "money never moves twice clicked with a bug I hit in my distributed systems course, where a retried Kafka "
        "consumer double-counted events. I'd love to learn how your team at Stripe tests reconciliation. "
        "What would you focus on if you were starting in backend engineering today?")
GATE = {"code": "profile_not_ready", "severity": "block", "message": "Finish your profile first."}


def codes(review):
    return [issue["code"] for issue in review["issues"]]


# --- the preview object ------------------------------------------------------------------------------------------

def test_a_good_message_passes_with_full_score():
    review = coach.review(GOOD, MENTEE, MENTOR)
    assert review == {"ok": True, "score": 100, "issues": [], "suggestions": []}


def test_preview_object_structure():
    review = coach.review("Hi Priya, can you refer me?", MENTEE, MENTOR)
    assert set(review) == {"ok", "score", "issues", "suggestions"}
    assert review["ok"] is False and isinstance(review["score"], int) and 0 <= review["score"] < 100
    for issue in review["issues"]:
        assert set(issue) == {"code", "severity", "message"} and issue["severity"] in ("block", "warn")
        assert issue["message"]
    assert all(isinstance(s, str) and s for s in review["suggestions"])
    assert {"cold_referral_ask", "too_short"} <= set(codes(review))
    json.dumps(review)


def test_gates_come_first_and_block():
    review = coach.review(GOOD, MENTEE, MENTOR, gates=[GATE])
    assert review["ok"] is False
    assert review["issues"][0] == GATE
    bad = coach.review("Can you refer me?", MENTEE, MENTOR, gates=[GATE, dict(GATE, code="too_many_pending")])
    assert codes(bad)[:2] == ["profile_not_ready", "too_many_pending"]


def test_warnings_do_not_block_but_cost_points():
    no_question = GOOD.replace("I'd love to learn how your team at Stripe tests reconciliation.",
                               "I hope to build reconciliation systems like your team at Stripe one day.").replace(
        "What would you focus on if you were starting in backend engineering today?", "Thank you for reading.")
    review = coach.review(no_question, MENTEE, MENTOR)
    assert review["ok"] is True
    assert codes(review) == ["no_question"] and review["issues"][0]["severity"] == "warn"
    assert 80 <= review["score"] < 100
    assert any("question" in s for s in review["suggestions"])


def test_too_long_is_a_warning():
    review = coach.review(GOOD + " " + "I also built a small ledger in Go for fun. " * 40, MENTEE, MENTOR)
    assert review["ok"] is True and "too_long" in codes(review)


def test_too_short_blocks_under_120_characters():
    short = "Hi Priya, your idempotent retries note at Stripe was great. What should I learn first?"
    assert len(short) < 120
    review = coach.review(short, MENTEE, MENTOR)
    assert codes(review) == ["too_short"] and review["ok"] is False


def test_score_falls_with_each_issue_and_stays_in_range():
    one = coach.review("Hi Priya, can you refer me for the backend role at Stripe? " * 3, MENTEE, MENTOR)
    many = coach.review("Can you refer me? I'll pay you $50.", MENTEE, MENTOR, gates=[GATE])
    assert 0 <= many["score"] < one["score"] < 100


def test_not_personalized_suggests_the_mentors_company_and_skill():
    generic = ("Hi Priya, I hope this message finds you well. I am a graduate student and I am very interested in "
               "your career path. Could we schedule a short call at your convenience? Thank you for your time.")
    review = coach.review(generic, MENTEE, MENTOR)
    assert codes(review) == ["not_personalized"]
    assert "Priya" in review["issues"][0]["message"]
    suggestion = " ".join(review["suggestions"])
    assert "Stripe" in suggestion and "Go" in suggestion


def test_the_mentors_name_alone_is_not_personal():
    text = ("Dear Priya Raman, Priya, I admire you so much and I would love to learn anything from you. Would you "
            "have some time for me this month or next month? Thank you so much, Priya.")
    assert "not_personalized" in codes(coach.review(text, MENTEE, MENTOR))


@pytest.mark.parametrize("mention", [
    "your work at STRIPE", "the stripe ledger", "your payments-infrastructure work",
    "your payments infrastructure team",
    "distributed-systems", "Kafka consumers", "back-end engineering at your company", "your backend team",
    "money movement", "idempotent retry logic", "Georgia Tech", "your reconciliation work",
])
def test_personal_mentions_are_matched_robustly(mention):
    text = (f"Hi Priya, I'm Rohan from Purdue and I'm writing because of {mention}. I'd love to learn how you think "
            "about it and what you wish you had known earlier. What would you suggest I read first?")
    assert "not_personalized" not in codes(coach.review(text, MENTEE, MENTOR))


def test_chinese_personalization_by_shared_bigrams():
    mentor = dataclasses.replace(MENTOR, bio="我在 Stripe 负责支付账本和对账系统，也做幂等重试的设计。")
    text = ("Priya您好！我是普渡大学计算机专业的学生。看到您负责支付账本和对账系统，"
            "特别是幂等重试的设计，我最近的课程项目正好遇到了重复扣款的问题。"
            "想请教您：刚开始做后端支付系统，最应该先补哪些知识？"
            "非常感谢您抽空阅读，祝您工作顺利！如果您方便，希望能约二十分钟线上聊一聊。")
    assert len(text) >= 120
    assert coach.review(text, MENTEE, mentor)["ok"] is True


def test_a_message_written_for_another_mentor_is_not_personalized():
    text = ("Hi Priya, I've been reading about your work on card authorization at Adyen, and how your team retries "
            "soft declines. I built a small payments simulator for class. What should I learn next?")
    review = coach.review(text, MENTEE, MENTOR)
    assert "not_personalized" in codes(review) and "Adyen" in review["issues"][0]["message"]


def test_checks_are_a_registry(monkeypatch):
    def shouting(draft):
        return coach.Finding("warn", "Please don't shout.", "Use normal case.") if draft.text.isupper() else None

    monkeypatch.setitem(coach.CHECKS, "shouting", shouting)
    review = coach.review(GOOD.upper(), MENTEE, MENTOR)
    assert "shouting" in codes(review) and "Use normal case." in review["suggestions"]
    assert "shouting" not in codes(coach.review(GOOD, MENTEE, MENTOR))


# --- detectors: the wording of the issue -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Could you refer me for the backend role?", "I'm hoping for an internal referral.",
    "Would an employee referral be possible?", "Could you put in a good word with the hiring manager?",
    "Would you forward my résumé to your recruiter?", "Could you forward my resume?", "Please pass my CV along.",
    "Could you recommend me to your recruiter?", "Could you submit my application internally?",
    "Can you help with a referral?", "能不能帮我内推一下？", "可以推荐我去面试吗？", "麻烦帮我递简历给HR。",
    "I know it is a big ask, but could you refer me?", "I'm not sure if it's okay, but would you refer me?",
])
def test_referral_asks_in_real_wording(text):
    assert phrases.referral_asks(text), text


@pytest.mark.parametrize("text", [
    "I'm not asking for a referral, just your perspective.", "I am not looking for a referral or a job.",
    "我不是来要内推的，只是想请教几个问题。", "A friend referred me to your talk on ledgers.",
    "My professor referred me to you.", "I know referrals are earned, so I'd like to learn first.",
    "Could you recommend a book on distributed systems?", "Would you review my resume?",
    "How does the employee referral program work at Stripe?", "Could you refer me to a good paper on ledgers?",
])
def test_not_referral_asks(text):
    assert not phrases.referral_asks(text), text


@pytest.mark.parametrize("text", [
    "I'll pay you $50 for a 30-minute call.", "$50 for your time?", "I can send you a $25 Amazon gift card.",
    "I can Venmo you after our call.", "I can send it via PayPal.", "Name your price.",
    "我会给您发个红包表示感谢。", "I'm happy to compensate you for your time.", "What's your Venmo?",
    "If you refer me I'll split the referral bonus with you.",
])
def test_payment_offers(text):
    assert phrases.payment_offers(text), text


@pytest.mark.parametrize("text", [
    "I'd be happy to buy you a coffee.", "I'm fascinated by payments infrastructure and idempotent retries.",
    "I used PayPal's checkout API in my capstone.", "During your time at PayPal you led guest checkout.",
    "Stripe processed $1T in payments last year.", "I hope to pay it forward someday.",
    "I'm not offering money, only my thanks.", "我对跨境支付和转账清算很感兴趣。",
])
def test_not_payment_offers(text):
    assert not phrases.payment_offers(text), text


# --- fingerprints ------------------------------------------------------------------------------------------------

def test_fingerprint_shape_and_json():
    fp = coach.fingerprint(GOOD, MENTEE, MENTOR)
    assert len(fp.signature) == NUM_PERM and all(0 <= v < 2**32 for v in fp.signature)
    assert len(fp.band_keys) == BANDS and all(-2**63 <= k < 2**63 for k in fp.band_keys)
    data = json.loads(json.dumps(dataclasses.asdict(fp)))
    assert coach.Fingerprint(tuple(data["signature"]), tuple(data["band_keys"])) == fp


def test_review_is_deterministic_and_returns_the_same_fingerprint():
    first, fp = coach.review_with_fingerprint(GOOD, MENTEE, MENTOR)
    assert coach.review(GOOD, MENTEE, MENTOR) == first
    assert fp == coach.fingerprint(GOOD, MENTEE, MENTOR)


PROBE = """
import json, sys
import coach
mentor = coach.Party(id=101, name="Priya Raman", company="Stripe", skills=("Kafka",))
mentee = coach.Party(id=1, name="Rohan Gupta", school="Purdue University")
fp = coach.fingerprint(sys.argv[1], mentee, mentor)
print(json.dumps([fp.signature, fp.band_keys]))
"""


def test_fingerprint_is_stable_across_processes():
    mentor = coach.Party(id=101, name="Priya Raman", company="Stripe", skills=("Kafka",))
    mentee = coach.Party(id=1, name="Rohan Gupta", school="Purdue University")
    here = coach.fingerprint(GOOD, mentee, mentor)
    env = {"PYTHONHASHSEED": "12345", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", PROBE, GOOD], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    signature, band_keys = json.loads(out)
    assert (tuple(signature), tuple(band_keys)) == (here.signature, here.band_keys)


def test_similarity_of_masked_texts():
    other_mentor = dataclasses.replace(MENTOR, id=102, name="Daniel Okafor", company="PayPal", school=None)
    script = "Hi {n}, I came across your profile and was impressed by your work at {c}. Could we chat for 20 minutes?"
    a = coach.fingerprint(script.format(n="Priya", c="Stripe"), MENTEE, MENTOR)
    b = coach.fingerprint(script.format(n="Daniel", c="PayPal"), MENTEE, other_mentor)
    assert coach.similarity(a, a) == 1.0
    assert coach.similarity(a, b) >= 0.95
    assert coach.similarity(a, coach.fingerprint(GOOD, MENTEE, MENTOR)) < 0.2
    empty = coach.fingerprint("", MENTEE, MENTOR)
    assert empty.band_keys == () and coach.similarity(empty, empty) == 0.0


# --- templated messages ------------------------------------------------------------------------------------------

class Tenant:
    """An in-memory coach.History for a whole tenant: sent intros as (mentee_id, fingerprint)."""

    def __init__(self):
        self.sent = []

    def history(self, mentee_id):
        tenant = self

        class History:
            def own(self):
                return [fp for m, fp in tenant.sent if m == mentee_id]

            def circulating(self, band_keys):
                keys = set(band_keys)
                return [(m, fp) for m, fp in tenant.sent if m != mentee_id and keys & set(fp.band_keys)]

        return History()

    def send(self, message, mentee, mentor):
        review, fp = coach.review_with_fingerprint(message, mentee, mentor, self.history(mentee.id))
        if review["ok"]:
            self.sent.append((mentee.id, fp))
        return review


MENTORS = [
    coach.Party(id=200 + i, name=name, company=company, title=title, skills=(skill,), domains=(domain,))
    for i, (name, company, title, skill, domain) in enumerate([
        ("Tomás Silva", "Nubank", "Analytics Engineer", "dbt", "data/analytics-engineering"),
        ("Sarah Whitfield", "HubSpot", "Director of Product Marketing", "positioning", "marketing/product-marketing"),
        ("Aisha Bello", "JPMorgan Chase", "Quantitative Analyst", "stochastic calculus", "finance/quant"),
        ("Linda Zhou", "Capital One", "Data Science Manager", "XGBoost", "data/fraud-detection"),
        ("Rahul Mehta", "Deloitte", "Senior Consultant", "SOX", "consulting/technology-risk"),
    ])
]
SCRIPT = ("Hi {first}, I'm {me}, a CS master's student at {school}. I came across your profile and was really "
          "impressed by what you have achieved at {company}. I am passionate about technology and eager to learn how "
          "professionals like you grew in their careers. Would you be open to a 20-minute chat in the coming weeks? "
          "I would be grateful for any advice on breaking into the industry as an international student.")


def _script(mentee, mentor):
    return SCRIPT.format(first=mentor.name.split()[0], me=mentee.name, school=mentee.school, company=mentor.company)


def test_one_mentee_sending_the_same_script_to_five_mentors():
    tenant = Tenant()
    results = [tenant.send(_script(MENTEE, mentor), MENTEE, mentor) for mentor in MENTORS]
    assert results[0]["ok"] is True
    for review in results[1:]:
        assert "templated_message" in codes(review) and review["ok"] is False
        assert "you already sent" in review["issues"][0]["message"]


def test_a_script_circulating_between_mentees():
    tenant = Tenant()
    mentees = [coach.Party(id=10 + i, name=name, school=school) for i, (name, school) in enumerate([
        ("Li Na", "Boston University"), ("Arjun Nair", "Northeastern University"), ("Gabriel Rocha", "Duke University"),
        ("Ngozi Okeke", "UT Austin"), ("Seo-yeon Lee", "Boston College")])]
    results = [tenant.send(_script(mentee, mentor), mentee, mentor)
               for mentee, mentor in zip(mentees, MENTORS, strict=True)]
    assert [r["ok"] for r in results] == [True, True, True, False, False]
    assert "other students" in results[3]["issues"][0]["message"]
    # the first sender's own first use was fine; sending it again is caught as their own script
    again = tenant.send(_script(mentees[0], MENTORS[4]), mentees[0], MENTORS[4])
    assert "templated_message" in codes(again)


def test_genuine_messages_of_one_mentee_are_not_templated():
    tenant = Tenant()
    bodies = {
        "Nubank": "I'm learning dbt and your work on Nubank's credit card data platform is what I hope to do. How do "
                  "you keep incremental models reliable when the source tables change?",
        "HubSpot": "Your talk on positioning at HubSpot changed how I think about product launches. How do you turn "
                   "customer interviews into a launch message?",
        "JPMorgan Chase": "I'm teaching myself stochastic calculus for rates pricing. Did you use it from day one on "
                          "the desk, or did the job teach you what you needed?",
    }
    intro = "Hi {first}, I'm Rohan Gupta, a CS master's student at Purdue, originally from Pune. "
    for mentor in MENTORS[:3]:
        review = tenant.send(intro.format(first=mentor.name.split()[0]) + bodies[mentor.company], MENTEE, mentor)
        assert review["ok"] is True, review


def test_no_history_means_no_templated_check():
    assert "templated_message" not in codes(coach.review(_script(MENTEE, MENTORS[0]), MENTEE, MENTORS[0], None))

