"""The skeleton takes each disguise off (issue 12), and leaves plain text alone."""
import pytest

from coach.skeleton import skeleton, views


@pytest.mark.parametrize(("disguised", "plain"), [
    ("Could you r\u0435f\u0435r me?", "could you refer me?"),  # Cyrillic е
    ("\u0440ay you", "pay you"),  # Cyrillic р
    ("ref\u200berral", "referral"),  # zero-width space
    ("in\u00adternal re\u2060ferral", "internal referral"),  # soft hyphen, word joiner
    ("r e f e r me", "refer me"),
    ("I need a r e f e r r a l", "i need a referral"),  # the run swallowed "a": split again around the word
    ("r.e.f.e.r.r.a.l", "referral"),
    ("re.fer.ral", "referral"),
    ("r-e-f-e-r m-e", "refer me"),
    ("r3f3rr4l", "referral"),
    ("1nternal", "internal"),
    ("he1p", "help"),
    ("refer \U0001f64f me", "refer me"),
    ("\uff52\uff45\uff46\uff45\uff52", "refer"),  # full width
    ("\U0001d42b\U0001d41e\U0001d41f\U0001d41e\U0001d42b", "refer"),  # mathematical bold
    ("内 推一下", "内推一下"),
    ("内\u200b推", "内推"),
    ("hongbao", "红包"),
    ("nei tui", "内推"),
    ("gift-card", "gift card"),
    ("pay-for-referral", "pay for referral"),
    ("f0r a r3f3rr4l", "for a referral"),
    ("1n73r357", "interest"),
    ("r·e·a·l·l·y i_m_p_r_e_s_s_e_d b·y w-h-a-t", "really impressed by what"),
    ("a·t N_u_b_a_n_k. I a·m", "at nubank . i am"),
    ("I'm no7 l00k1ng f0r a j0b 4nd", "i'm not looking for a job and"),
])
def test_disguises_come_off(disguised, plain):
    assert skeleton(disguised) == plain


@pytest.mark.parametrize("text", [
    "rounds 1, 2, 3", "python, c, r, go", "jose nguyen works on h1b questions", "2024 and $50k", "ec2 and k8s",
    "我在高盛做信用风险模型", "state of the art", "a/b tests",
])
def test_plain_text_is_left_alone(text):
    assert skeleton(text) == text


def test_views_hold_the_skeleton_only_when_it_differs():
    assert views("Could you refer me?") == ("could you refer me?",)
    assert views("Could you r\u0435fer me?") == ("could you r\u0435fer me?", "could you refer me?")


def test_names_with_latin_letters_of_their_own_keep_them():
    assert skeleton("Łukasz Øster") == "łukasz øster"


def test_a_chinese_message_naming_employer_and_school_in_chinese_is_personalized():
    import coach
    mentor = coach.Party(id=200, name="David Chen", company="Morgan Stanley", title="Vice President, Rates",
                         school="Tsinghua University", headline="Rates trading", bio="I trade interest rate swaps.",
                         skills=("Python",), domains=("finance/trading",))
    mentee = coach.Party(id=5, name="李明", school="Columbia University", domains=("finance/trading",))
    named = ("陈老师您好！我是哥大金融工程专业的学生李明，也是清华的校友。看到您在摩根士丹利工作，我很想了解利率交易员"
             "日常的工作是什么样的，您当初是怎么从北京走到纽约的？")
    generic = ("老师您好！我是哥大金融工程专业的学生李明。我对金融行业很感兴趣，很想了解您日常的工作是什么样的，"
               "也想请教一下职业发展方面的问题，您当初是怎么一步步走过来的？")
    codes = {i["code"] for i in coach.review(named, mentee, mentor)["issues"]}
    assert "not_personalized" not in codes
    assert "not_personalized" in {i["code"] for i in coach.review(generic, mentee, mentor)["issues"]}
