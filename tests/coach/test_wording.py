"""The coach answers in the language the message is written in (SPEC §6): English or Simplified Chinese, every issue
message and suggestion, the service's gates included."""
import re

import pytest

import coach
from coach import wording
from coach.review import hooks

MENTOR = coach.Party(id=101, name="Priya Raman", company="Stripe", title="Staff Engineer", school="Georgia Tech",
                     headline="Building reliable money movement at Stripe", skills=("Go", "Kafka"),
                     domains=("payments/infrastructure",))
MENTEE = coach.Party(id=1, name="李明")
GATES = [{"code": "profile_not_ready", "severity": "block", "params": {"gaps": ["photo_missing", "bio_too_short"]}},
         {"code": "mentor_unavailable", "severity": "block", "params": {}},
         {"code": "too_many_pending", "severity": "block", "params": {"limit": 3}}]
CJK = re.compile("[\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]+(?:[\s,'’]+[A-Za-z]+){2,}")  # three English words in a row

CHINESE = [
    "你好，我想请你帮我内推一下，我可以给你发个红包。",  # referral, payment, short, not personal
    "您好，我是李明，在哥伦比亚大学读金融工程。",  # short, no purpose, no question
    "能帮我refer一下吗？我下个月毕业，很着急找工作，谢谢！",  # mixed: mainly Chinese
    "您好 Priya，能不能帮我 refer 一下 Stripe 的岗位？我有 Go 和 Kafka 的经验。",
]
ENGLISH = [
    "Hi Priya, can you refer me? I'll pay you $50.",
    "Hello, I am a student. Thanks.",
    "Hi 王磊, I'm Li Ming and I would like a referral.",  # a Chinese name in an English message
]


def texts(review):
    return [i["message"] for i in review["issues"]] + review["suggestions"]


@pytest.mark.parametrize(("text", "lang"), [
    *[(t, "zh") for t in CHINESE], *[(t, "en") for t in ENGLISH],
    ("", "en"), ("你好", "zh"), ("Hi 李明", "en"), ("我在做NLP和machine learning，想请教您", "zh"),
    ("I study machine learning and NLP at Columbia, 想请教", "en"),
])
def test_language(text, lang):
    assert coach.language(text) == lang


@pytest.mark.parametrize("message", CHINESE)
def test_a_chinese_message_is_answered_in_chinese(message):
    review = coach.review(message, MENTEE, MENTOR, gates=GATES)
    assert len(review["issues"]) > 3 and review["suggestions"]
    for text in texts(review):
        assert CJK.search(text), text
        assert not ENGLISH_SENTENCE.search(text), text


@pytest.mark.parametrize("message", ENGLISH)
def test_an_english_message_is_answered_in_english(message):
    review = coach.review(message, MENTEE, MENTOR, gates=GATES)
    assert len(review["issues"]) > 3 and review["suggestions"]
    for text in texts(review):
        assert not CJK.search(text.replace("王磊", "")), text


def test_gates_are_worded_from_code_and_params_and_name_the_gaps_in_words():
    zh = {i["code"]: i["message"] for i in coach.review(CHINESE[1], MENTEE, MENTOR, gates=GATES)["issues"]}
    en = {i["code"]: i["message"] for i in coach.review(ENGLISH[1], MENTEE, MENTOR, gates=GATES)["issues"]}
    assert wording.GAPS["bio_too_short"]["zh"] in zh["profile_not_ready"]
    assert wording.GAPS["photo_missing"]["zh"] in zh["profile_not_ready"]
    assert "your intro about yourself is short" in en["profile_not_ready"].lower()
    for message in (zh["profile_not_ready"], en["profile_not_ready"]):
        assert "photo_missing" not in message and "bio_too_short" not in message
    assert "3" in zh["too_many_pending"] and "3" in en["too_many_pending"]
    assert CJK.search(zh["mentor_unavailable"]) and not CJK.search(en["mentor_unavailable"])


def test_a_gate_with_a_ready_message_is_used_as_given():
    gate = {"code": "profile_not_ready", "severity": "block", "message": "Finish your profile first."}
    assert coach.review(CHINESE[0], MENTEE, MENTOR, gates=[gate])["issues"][0] == gate
    assert coach.review("Hi", MENTEE, MENTOR, gates=[{"code": "x", "message": "m"}])["issues"][0] == {
        "code": "x", "severity": "block", "message": "m"}


def test_profile_not_ready_without_gaps_and_an_unknown_gate():
    assert CJK.search(wording.gate("profile_not_ready", {"gaps": []}, "zh"))
    assert "score" in wording.gate("profile_not_ready", None, "en")
    assert "some_gate" in wording.gate("some_gate", {}, "en")


FINDINGS = {  # each wording function with the same parameters in both languages, and what both must mention
    "cold_referral": ((MENTOR.name, "内推", "Stripe"), (MENTOR.name, "内推", "Stripe")),
    "payment_offer": (("红包",), ("红包",)),
    "templated": ((MENTOR.name, "X", 87), (MENTOR.name, "87")),
    "not_personalized": ((MENTOR.name, ("A", "B", "C"), "Adyen", "Stripe"), (MENTOR.name, "A", "C", "Adyen")),
    "too_short": ((105, 120, MENTOR.name, "X"), ("105", "120", MENTOR.name)),
    "no_purpose": (("payments/credit-risk", None, "Stripe"), ("credit risk", "Stripe")),
    "no_question": ((MENTOR.name, "Stripe"), (MENTOR.name, "Stripe")),
    "too_long": ((1800, 1500, MENTOR.name), ("1800", "1,500", MENTOR.name)),
}


@pytest.mark.parametrize("name", FINDINGS)
def test_every_finding_is_worded_in_both_languages_with_the_same_parameters(name):
    params, mentioned = FINDINGS[name]
    en, zh = (getattr(wording, name)(lang, *params) for lang in ("en", "zh"))
    for text in (*en, *zh):
        assert text.strip()
    assert not any(CJK.search(t.replace("内推", "").replace("红包", "")) for t in en)
    assert all(CJK.search(t) for t in zh)
    for word in mentioned:
        assert word in " ".join(en), (word, en)
        assert word.replace("1,500", "1500") in " ".join(zh), (word, zh)


def test_hooks_in_both_languages():
    en, zh = hooks(MENTOR), wording.hooks(MENTOR, "zh")
    assert len(en) == len(zh) == 5
    assert en[0] == "their work at Stripe" and zh[0] == "对方在Stripe的工作"
    assert all(CJK.search(h) for h in zh)
