"""Lengths in Latin-equivalent characters (SPEC §6): a CJK character counts 3, whitespace runs count 1."""
import pytest

import coach
from coach.length import latin_length

MENTOR = coach.Party(id=101, name="王磊", company="招商银行", title="信用风险分析师", domains=("finance/credit-risk",),
                     skills=("SAS",))
MENTEE = coach.Party(id=1, name="李明")


@pytest.mark.parametrize(("text", "length"), [
    ("", 0), (None, 0), ("  Hello,\n\n  world  ", 12),  # whitespace collapsed like the coach always did
    ("你好", 6), ("你好。", 7), ("你好！", 7),  # CJK punctuation and fullwidth forms count 1
    ("能帮我refer一下吗", 6 * 3 + 5), ("かな カナ", 4 * 3 + 1), ("안녕하세요", 15), ("你\u3000好", 7),
])
def test_latin_length(text, length):
    assert latin_length(text) == length
    assert coach.latin_length is latin_length


def _chinese(n):
    """n Chinese characters of a plausible first message (no punctuation, so n is exact)."""
    text = "您好王磊我是哥大金融工程硕士在读的学生看到您在招商银行做信用风险模型很想向您请教如何入行以及" * 3
    return text[:n]


def test_a_60_character_chinese_message_is_not_too_short_a_35_character_one_is():
    assert latin_length(_chinese(60)) == 180
    assert "too_short" not in {i["code"] for i in coach.review(_chinese(60), MENTEE, MENTOR)["issues"]}
    assert latin_length(_chinese(35)) == 105
    assert "too_short" in {i["code"] for i in coach.review(_chinese(35), MENTEE, MENTOR)["issues"]}


def test_too_long_counts_a_chinese_character_three_times():
    assert "too_long" in {i["code"] for i in coach.review(_chinese(120) * 5, MENTEE, MENTOR)["issues"]}  # 1800
    assert "too_long" not in {i["code"] for i in coach.review(_chinese(120) * 4, MENTEE, MENTOR)["issues"]}  # 1440
