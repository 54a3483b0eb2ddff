"""templated_message without the recipient (issue 12): the fingerprint reads nothing of the mentor, so a text keeps
its fingerprint whoever it is sent to, and a circulating script keeps being recognised with a handful of words
changed."""
import random

import coach
from tests.coach.test_coach import Tenant

CREDIT = coach.Party(id=301, name="Mei Lin", company="Goldman Sachs", title="VP, Credit Risk",
                     headline="Credit risk models and stress testing", skills=("stress testing", "SAS"),
                     domains=("finance/credit-risk",))
FRAUD = coach.Party(id=302, name="Linda Zhou", company="Capital One", title="Data Science Manager",
                    headline="Fraud detection with graph features", skills=("XGBoost", "graph features"),
                    domains=("data/fraud-detection",))
QUANT = coach.Party(id=303, name="Aisha Bello", company="JPMorgan Chase", title="Quantitative Analyst",
                    skills=("stochastic calculus",), domains=("finance/quant",))
MESSAGE = ("Hi, I'm Ana, a data science student at Fudan. I have been reading about credit risk models and stress "
           "testing, and about fraud detection with graph features, and I would love to learn how teams decide "
           "between the two kinds of models when labels arrive late. Could we talk for twenty minutes about how you "
           "got started and what you would read first?")


def _mentee(i, name="Ana Li", school="Fudan University"):
    return coach.Party(id=i, name=name, school=school)


def test_the_fingerprint_does_not_depend_on_the_recipient():
    ana = _mentee(1)
    assert coach.fingerprint(MESSAGE, ana, CREDIT) == coach.fingerprint(MESSAGE, ana, FRAUD) == \
        coach.fingerprint(MESSAGE, ana)


def test_the_same_text_re_addressed_to_another_mentor_is_templated():
    """The words of the first mentor's profile (credit risk, stress testing) are in the text; masking them for one
    recipient and not the other used to put the copy under the threshold."""
    tenant, ana = Tenant(), _mentee(1)
    assert tenant.send(MESSAGE, ana, CREDIT)["ok"]
    codes = {i["code"] for i in tenant.send(MESSAGE, ana, FRAUD)["issues"]}
    assert "templated_message" in codes


def _paraphrase(text, changed, seed):
    words, rng = text.split(), random.Random(seed)
    for i in rng.sample(range(len(words)), changed):
        words[i] = rng.choice(["truly", "keen", "hoping", "field", "path", "greatly", "deeply", "very"])
    return " ".join(words)


SCRIPT = ("Hi {first}, I'm {me}, a master's student at {school}. I came across your profile and was really impressed "
          "by what you have achieved at {company}. I am passionate about technology and I'm eager to learn how "
          "professionals like you grew in their careers. Would you be open to a 20-minute chat in the coming weeks? "
          "I would be grateful for any advice on breaking into the industry as an international student.")


def test_a_circulating_script_with_a_handful_of_words_changed_is_templated():
    """Three other mentees sent the script; a fourth changes about one word in ten, and fills in its own names."""
    names = [("Rohan Gupta", "Georgia Tech"), ("Li Wei", "NYU"), ("Chinedu Obi", "Purdue"), ("Maria Souza", "BU")]
    for seed in range(5):
        tenant = Tenant()
        for i, (name, school) in enumerate(names[:3]):
            mentee = _mentee(10 + i, name, school)
            text = SCRIPT.format(first="Mei", me=name.split()[0], school=school, company="Goldman Sachs")
            assert tenant.send(text, mentee, CREDIT)["ok"]
        name, school = names[3]
        text = _paraphrase(SCRIPT.format(first="Aisha", me=name.split()[0], school=school, company="JPMorgan Chase"),
                           changed=7, seed=seed)
        codes = {i["code"] for i in tenant.send(text, _mentee(20, name, school), QUANT)["issues"]}
        assert "templated_message" in codes, (seed, text)


def test_a_chinese_script_re_addressed_is_templated():
    script = ("{name}老师您好！我是{school}金融专业的研究生，看到您在{company}的经历非常敬佩。"
              "我对金融行业充满热情，希望能向您请教职业发展的经验，"
              "请问您最近是否方便抽出二十分钟聊一聊？非常感谢您的时间！")
    tenant = Tenant()
    schools = ["复旦大学", "北京大学", "浙江大学"]
    for i, school in enumerate(schools):
        text = script.format(name="林", school=school, company="高盛")
        assert tenant.send(text, _mentee(30 + i, f"学生{i}", school), CREDIT)["ok"]
    copy = script.format(name="周", school="清华大学", company="摩根大通")
    codes = {i["code"] for i in tenant.send(copy, _mentee(40, "学生四", "清华大学"), QUANT)["issues"]}
    assert "templated_message" in codes


def test_two_genuine_messages_on_one_topic_by_different_mentees_are_not_templated():
    tenant = Tenant()
    first = ("Hi Mei, I'm Ana from Fudan. Your headline about credit risk models and stress testing caught my eye: my "
             "capstone calibrates a PD model to a downturn and I keep fighting the data. How does your team pick the "
             "scenarios for the annual stress test, and what would you read first?")
    second = ("Dear Mei, I'm a second-year at Columbia who spent last summer at a regional bank validating stress "
              "testing models. I'm curious how Goldman's wholesale book differs from a retail one when you build PD "
              "models, and whether SAS is still part of your day. Could I ask you three questions in a short call?")
    assert tenant.send(first, _mentee(1), CREDIT)["ok"]
    assert tenant.send(second, _mentee(2, "Zhang Wei", "Columbia University"), CREDIT)["ok"]
