"""Every text the coach writes, in English and in Simplified Chinese (SPEC §6: the coach answers in the language the
message is written in).

`language(text)` decides "en" or "zh"; each function below takes that language first and the same plain parameters
in both languages, and returns the finding's (message, suggestion), or one text. The gates the service decides
(profile_not_ready, mentor_unavailable, too_many_pending) arrive as a code and parameters and are worded here too,
a profile's gap codes in plain words (GAPS): one table for both the English and the Chinese.

GAPS lives here rather than in mentorship/members/profile.py, which owns the codes: the coach is the one that writes
to the mentee, and as a pure library it may not import the service (tests/test_layers.py). A service test checks
that every gap code of members/profile.py has its words here in both languages.
"""
import math
import re
import unicodedata

from .length import CJK_WEIGHT

LANGUAGES = ("en", "zh")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
MIN_HAN = 3  # with fewer Chinese characters than this, Latin letters around them make the message English


def language(text: str | None) -> str:
    """"zh" when the message is mainly Chinese, "en" otherwise.

    Mainly Chinese: each Chinese character weighs CJK_WEIGHT Latin letters and together they weigh at least as much
    as the Latin letters, and there are at least MIN_HAN of them (or no Latin letters at all). So
    "能帮我refer一下吗" is Chinese, and "Hi 王磊, ..." is English."""
    folded = unicodedata.normalize("NFKC", text or "")
    han, latin = len(HAN.findall(folded)), len(LATIN.findall(folded))
    if not han or not latin:
        return "zh" if han else "en"
    return "zh" if han >= MIN_HAN and CJK_WEIGHT * han >= latin else "en"


def _pick(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def or_list(items, lang: str) -> str:
    """"a, b or c" / "a、b或c"."""
    items = list(items)
    if len(items) < 2:
        return items[0] if items else ""
    return _pick(lang, ", ".join(items[:-1]) + f" or {items[-1]}", "、".join(items[:-1]) + f"或{items[-1]}")


def leaf(slug: str) -> str:
    """The last part of a domain slug, readable: "finance/credit-risk" -> "credit risk"."""
    return slug.rsplit("/", 1)[-1].replace("-", " ")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "…"


def hooks(mentor, lang: str = "en") -> tuple[str, ...]:
    """Concrete things of the mentor's profile a message could mention, as a phrase of the language."""
    found = []
    if mentor.company:
        found.append(_pick(lang, f"their work at {mentor.company}", f"对方在{mentor.company}的工作"))
    if mentor.skills:
        found.append(_pick(lang, f"their experience with {mentor.skills[0]}", f"对方在{mentor.skills[0]}方面的经验"))
    if mentor.domains:
        area = leaf(mentor.domains[0])
        found.append(_pick(lang, f"their focus on {area}", f"对方专注的{area}方向"))
    if mentor.headline:
        headline = _short(mentor.headline)
        found.append(_pick(lang, f"what they wrote in their headline, “{headline}”",
                           f"对方在个人标题里写的“{headline}”"))
    if mentor.school:
        found.append(_pick(lang, f"that they studied at {mentor.school}", f"对方曾在{mentor.school}求学"))
    return tuple(found)


def any_hook(lang: str) -> str:
    """What to mention when the profile offers nothing concrete."""
    return _pick(lang, "something they wrote in their profile", "对方资料里写到的某件事")


def _at(company: str | None) -> str:
    return f" at {company}" if company else ""


# --- the checks: (message, suggestion) ---------------------------------------------------------------------------

def cold_referral(lang: str, first: str, quoted: str, company: str | None) -> tuple[str, str]:
    if lang == "zh":
        work = f"您在{company}的工作" if company else "您的工作"
        return (f"你在消息里请{first}帮你内推（“{quoted}”）。第一次联系就提内推，往往聊不下去了："
                "内推是导师了解了你和你的能力之后，才会主动提出的事。",
                f"先别提内推，改成请教吧，比如：“能不能向您请教两三个关于{work}的问题？”"
                f"等你们慢慢熟悉了，{first}自然可能会主动提出推荐你。")
    return (f"Your message asks {first} for a referral (“{quoted}”). In a first message this usually ends the "
            "conversation: a referral is something a mentor offers later, once they know you and your work.",
            f"Leave the referral out. Ask to learn instead, for example: “Could I ask you two or three questions "
            f"about your work{_at(company)}?” If the relationship grows, {first} can offer to refer you later.")


def payment_offer(lang: str, quoted: str) -> tuple[str, str]:
    if lang == "zh":
        return (f"你在消息里提出给钱或送礼（“{quoted}”）。这里的导师都是无偿抽时间帮忙的，"
                "提出付费很容易让人觉得你是想花钱买内推。",
                "把这部分删掉吧。聊完之后真诚地道一声谢，过些天再简短地说说你的进展，就是最好的感谢"
                "（约对方喝咖啡聊聊、顺手请一杯咖啡是没问题的）。")
    return (f"Your message offers money or a gift (“{quoted}”). Mentors here give their time freely, and an offer of "
            "payment can read as buying a referral.",
            "Remove the offer. A sincere thank-you and a short follow-up after your chat are the best way to show "
            "appreciation (offering to buy a coffee at a coffee chat is fine).")


def templated(lang: str, first: str, hook: str, own_percent: int | None) -> tuple[str, str]:
    """`own_percent`: how alike the message is to one this mentee sent before; None: a script others sent."""
    if lang == "zh":
        why = (f"这条消息和你之前发给另一位导师的那条几乎一样（去掉姓名和公司之后，大约 {own_percent}% 相同）。"
               if own_percent is not None else "这段文字和其他同学已经发给这里导师的消息几乎一模一样。")
        return (why + "导师很容易看出套用的模板，这样的消息很少有人回复。",
                f"专门为{first}写一条吧：用你自己的话说说为什么想找对方（比如{hook}），以及你想向对方学些什么。")
    why = (f"This message is almost the same as one you already sent to another mentor (about {own_percent}% the "
           "same once names and companies are set aside)." if own_percent is not None else
           "This text is almost the same as messages other students have already sent to mentors here.")
    return (why + " Mentors notice copied messages and rarely answer them.",
            f"Write this one for {first} alone: say in your own words why you chose them (for example {hook}) and "
            "what you want to learn from them.")


def not_personalized(lang: str, first: str, examples, foreign: str | None, company: str | None) -> tuple[str, str]:
    """`examples`: hooks in the language; `foreign`: an organisation the message wrongly places the mentor at."""
    examples = or_list(examples, lang)
    if lang == "zh":
        msg = (f"你的消息提到了{foreign}，但{first}在{company}工作：读起来像是写给另一位导师的。" if foreign else
               f"除了名字之外，你的消息没有提到任何和{first}有关的具体内容。")
        return msg, f"从{first}的资料里挑一件具体的事，说说它为什么对你重要，比如{examples}。"
    msg = (f"Your message mentions {foreign}, but {first} is{_at(company)}: it reads as written for a different "
           "mentor." if foreign else f"Your message says nothing specific about {first} beyond their name.")
    return msg, f"Mention one thing from {first}'s profile and why it matters to you, for example {examples}."


def too_short(lang: str, length: int, minimum: int, first: str, hook: str) -> tuple[str, str]:
    """`length` and `minimum` in Latin-equivalent characters (a Chinese character counts CJK_WEIGHT)."""
    if lang == "zh":
        more = math.ceil((minimum - length) / CJK_WEIGHT)
        return (f"你的消息有点短：一个汉字按 {CJK_WEIGHT} 个字符算，现在大约是 {length} 个字符，至少需要 {minimum} 个，"
                "才能说清你是谁、为什么找这位导师、想学些什么。",
                f"再补两三句话（大约再写 {more} 个字）：你是谁（在读的专业和你的目标）、为什么选择{first}"
                f"（比如{hook}），再加一个具体的问题。")
    return (f"Your message is {length} characters; at least {minimum} are needed to say who you are, why this mentor, "
            "and what you hope to learn.",
            f"Add two or three sentences: who you are (your program and your goal), why you chose {first} ({hook}), "
            "and one specific question.")


def no_purpose(lang: str, domain: str | None, title: str | None, company: str | None) -> tuple[str, str]:
    """`domain`: the mentor's first domain slug, if any; `title`: their job title, if any."""
    area = leaf(domain) if domain else title
    if lang == "zh":
        where = f"在{company}" if company else ""
        how = f"您{where}是怎样做{area}方面的工作的" if area else f"您{where}是怎样做好本职工作的"
        return ("你的消息没有说明为什么想和对方联系，或者希望学到什么。",
                f"说说你希望学到什么，比如：“很想了解{how}，以及一路走来什么对您帮助最大。”")
    return ("Your message does not say why you want to connect or what you hope to learn.",
            f"Say what you hope to learn, for example: “I'd love to learn how you approach {area or 'your field'}"
            f"{_at(company)}, and what helped you get there.”")


def no_question(lang: str, first: str, company: str | None) -> tuple[str, str]:
    if lang == "zh":
        year = f"您在{company}工作的第一年" if company else "您入行的第一年"
        return (f"你的消息里没有一个能让{first}回答的问题。",
                f"最后提一个具体的问题，比如：“{year}，什么对您帮助最大？”")
    return (f"Your message has no question for {first} to answer.",
            f"End with one specific question, for example: “What helped you most in your first year{_at(company)}?”")


def too_long(lang: str, length: int, maximum: int, first: str) -> tuple[str, str]:
    if lang == "zh":
        return (f"你的消息大约有 {length} 个字符（一个汉字按 {CJK_WEIGHT} 个算）：导师每天要读很多消息，第一次联系写到 "
                f"{maximum} 个字符（约 {maximum // CJK_WEIGHT} 个汉字）以上就有点长了。",
                f"控制在四到六句话就好：你是谁、为什么找{first}、想学什么，再加一个问题。")
    return (f"Your message is {length} characters; mentors read many messages, and more than {maximum:,} is a lot "
            "for a first one.",
            f"Keep it to four to six sentences: who you are, why {first}, what you hope to learn, and one question.")


# --- the service's gates: code + params -> message ---------------------------------------------------------------

# a profile's gap codes (SPEC §3, mentorship/members/profile.py) in plain words: what is missing and what to do
GAPS = {
    "photo_missing": {
        "en": "there is no photo yet: add one so mentors can put a face to your name",
        "zh": "还没有照片：加一张吧，让导师知道在和谁交流"},
    "headline_missing": {
        "en": "there is no headline yet: one line on what you study and where you are headed",
        "zh": "还没有个人标题：用一句话写写你在学什么、想往哪个方向发展"},
    "bio_too_short": {
        "en": "your intro about yourself is short: tell mentors who you are, not just what you study",
        "zh": "你的自我介绍太短：告诉导师你是谁，而不只是你学了什么"},
    "bio_lists_courses": {
        "en": "your intro reads as a list of courses: tell mentors who you are, where you come from and what you "
              "want to do",
        "zh": "你的自我介绍像一张课程清单：说说你是谁、从哪里来、想做什么"},
    "domains_missing": {
        "en": "you have not picked the fields you are interested in",
        "zh": "还没有选择你感兴趣的领域"},
    "goals_missing": {
        "en": "you have not said what you hope a mentor can help you with",
        "zh": "还没有写明你希望导师在哪些方面帮助你"},
    "availability_missing": {
        "en": "you have not said when you are free to talk",
        "zh": "还没有填写你方便交流的时间"},
    "company_missing": {
        "en": "your company is missing",
        "zh": "还没有填写你所在的公司"},
    "capacity_zero": {
        "en": "your capacity is 0, so no mentee can be matched with you",
        "zh": "你能带的学员数是 0，暂时不会有学员匹配给你"},
}


def gap(code: str, lang: str) -> str:
    """One gap code in plain words (an unknown code as itself)."""
    return GAPS.get(code, {}).get(lang, code)


def profile_not_ready(lang: str, gaps=()) -> str:
    """`gaps`: the mentee's gap codes, each a sentence in plain words; none: the score alone is under the minimum."""
    words = [gap(code, lang) for code in gaps] or [_pick(lang, "your profile's score is below what this program "
                                                               "asks for", "你的资料完整度还没达到这里的要求")]
    if lang == "zh":
        return ("请先完善你的资料。" + "".join(f"{w}。" for w in words)
                + "导师回复之前会先看你的资料，其中最要紧的是一段真实的自我介绍。")
    return "Finish your profile first. " + "".join(f"{w[0].upper()}{w[1:]}. " for w in words) + \
        "Mentors read your profile before they answer, and a real intro about yourself matters most."


def mentor_unavailable(lang: str) -> str:
    return _pick(lang, "This mentor cannot take a new intro from you right now; your recommendations list mentors "
                       "who can.",
                 "这位导师目前没法接收你的新请求；你的推荐列表里有现在可以联系的导师。")


def too_many_pending(lang: str, limit: int) -> str:
    return _pick(lang, f"You already have {limit} intros waiting for an answer. Wait for one, or withdraw one, first.",
                 f"你已经有 {limit} 条联系请求在等回复了。先等其中一条有回音，或者撤回一条，再发新的吧。")


GATES = {"profile_not_ready": profile_not_ready, "mentor_unavailable": mentor_unavailable,
         "too_many_pending": too_many_pending}


def gate(code: str, params: dict | None, lang: str) -> str:
    """The message of a gate the service decided, from its code and parameters."""
    render = GATES.get(code)
    if render is None:
        return _pick(lang, f"This intro cannot be sent right now ({code}).", f"这条消息暂时无法发送（{code}）。")
    return render(lang, **(params or {}))
