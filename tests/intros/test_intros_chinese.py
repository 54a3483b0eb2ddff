"""A Chinese writer (SPEC §3, §6): lengths in Latin-equivalent characters, and the coach, the service's gates
included, answering in the message's language with a profile's gaps in plain words, never as codes."""
import re

from coach.wording import GAPS
from mentorship.members.profile import MENTOR_PARTS
from tests.factories import mentor_payload
from tests.pairs import make_pair, varied_message

CJK = re.compile("[\u4e00-\u9fff]")
CHINESE_BIO = ("我来自成都，本科读会计，毕业后在一家城商行做了一年贷款审批。现在在纽约读金融工程，"
               "想转做信用风险建模，也想认识走过这条路的前辈。")
MESSAGE = "您好，我是哥大金融工程专业的学生，想请教您信用风险方面的问题。"


def _issues(r):
    assert r.status_code == 200, r.json
    return {i["code"]: i["message"] for i in r.json["issues"]}


def test_every_gap_code_has_plain_words_in_both_languages():
    assert set(MENTOR_PARTS) <= set(GAPS)
    assert all(GAPS[code]["en"] and CJK.search(GAPS[code]["zh"]) for code in MENTOR_PARTS)


def test_a_60_character_chinese_bio_is_long_enough(app, admin):
    pair = make_pair(app, admin, mentee={"bio": CHINESE_BIO[:60]})
    assert "bio_too_short" not in pair.mentee["profile"]["gaps"] and pair.mentee["profile"]["ready"]
    short = make_pair(app, admin, mentee={"bio": CHINESE_BIO[:40]})
    assert "bio_too_short" in short.mentee["profile"]["gaps"]


def test_profile_not_ready_answers_a_chinese_intro_in_chinese_and_in_words(app, admin):
    pair = make_pair(app, admin, mentee={"photo_url": None, "bio": "我是哥大的学生。"})
    assert {"photo_missing", "bio_too_short"} <= set(pair.mentee["profile"]["gaps"])
    assert not pair.mentee["profile"]["ready"]
    body = {"mentee_id": pair.mentee["id"], "mentor_id": pair.mentor["id"]}

    zh = _issues(admin.post("/api/v1/intros/preview", json={**body, "message": MESSAGE}))["profile_not_ready"]
    assert CJK.search(zh) and GAPS["bio_too_short"]["zh"] in zh and GAPS["photo_missing"]["zh"] in zh
    assert not re.search(r"[a-z]+_[a-z]+", zh), zh  # no gap code

    sent = pair.intro(MESSAGE)
    assert sent.status_code == 422 and sent.json["code"] == "outreach_blocked"
    blocked = {i["code"]: i["message"] for i in sent.json["coaching"]["issues"]}
    assert blocked["profile_not_ready"] == zh
    assert all(CJK.search(m) for m in blocked.values()) and all(CJK.search(s)
                                                                 for s in sent.json["coaching"]["suggestions"])

    en = _issues(admin.post("/api/v1/intros/preview", json={
        **body, "message": "Hi, I'm a Columbia student hoping to learn about credit risk. Could we talk?"}))
    assert "your intro about yourself is short" in en["profile_not_ready"].lower()
    assert not CJK.search(en["profile_not_ready"]) and not re.search(r"[a-z]+_[a-z]+", en["profile_not_ready"])


def test_too_many_pending_names_the_limit_in_the_message_language(app, admin):
    pair = make_pair(app, admin)
    for n in range(3):
        mentor = admin.post("/api/v1/members", json=mentor_payload(company=f"Bank {n}")).json
        r = admin.post("/api/v1/intros", json={"mentee_id": pair.mentee["id"], "mentor_id": mentor["id"],
                                               "message": varied_message(mentor, n)})
        assert r.status_code == 201, r.json
    zh = _issues(admin.post("/api/v1/intros/preview", json={"mentee_id": pair.mentee["id"],
                                                             "mentor_id": pair.mentor["id"], "message": MESSAGE}))
    assert "3" in zh["too_many_pending"] and CJK.search(zh["too_many_pending"])
