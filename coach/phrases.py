"""What a first message asks for, offers, and says of the mentor (SPEC §6).

Referral asks and payment offers are read clause by clause. A referral ask needs a request shape ("can you refer me",
"I'm hoping for an internal referral", "forward my résumé to the hiring manager", "帮我内推"); a payment offer needs
an offer shape ("I'll pay you", "$50 for your time", "name your price", "红包"). A match counts only outside the scope
of a negation in its clause ("I'm not asking for a referral", "我不是来要内推的"); hedges such as "not sure", "don't
mind" or "能不能" are not negations. Mentions are not offers: "PayPal's checkout API", "payments infrastructure",
"happy to buy you a coffee" and "a friend referred me to your talk" match nothing.

Personalization (`evidence`) weighs the mentor's profile terms the message mentions.
"""
import re
from functools import lru_cache

from . import aliases
from . import similarity as sim
from .similarity import normalise
from .skeleton import skeleton, views

_C = r"[\u4e00-\u9fff]"
# clause boundaries: sentence ends (a question mark stays with its clause), commas, dashes, "but" and its kin
_CLAUSE_END = re.compile(
    r"(?<=[?？])|[.!;:](?=\s|$)|[!;:\n。！；：，、()\"]|,(?=\s|$)|(?<=[\u4e00-\u9fff]),|,(?=[\u4e00-\u9fff])"
    r"|\s[-–—]+\s|[–—]+"
    r"|\b(?:but|however|although|though|yet|except|instead)\b|但是|不过|可是|只是|而是|但")
_NEG_EN = re.compile(r"\b(?:not|never|no|without|nor|neither|none|nothing|dont|doesnt|didnt|wont|wouldnt|cant|"
                     r"cannot|isnt|arent|wasnt|werent|havent|hasnt|shouldnt)\b|n't\b")
_HEDGE_EN = re.compile(
    r"\bnot\s+(?:sure|certain|only|just|yet|too\s+(?:much|big|difficult|busy)|a\s+(?:problem|bother|burden))\b"
    r"|\bno\s+(?:idea|pressure|obligation|worries|rush)\b|\b(?:do|does|would|did)\s*(?:not|n't|nt)\s+"
    r"(?:know|mind|hesitate|feel\s+(?:obligated|pressured))\b|\b(?:dont|doesnt|wouldnt|didnt)\s+"
    r"(?:know|mind|hesitate)\b|\bif\s+not\b|n't\s+wait\b|\bno\s+(?:matter|doubt)\b")
_NEG_ZH = re.compile(r"不|没|别|无意|并非")
_HEDGE_ZH = re.compile(rf"不知道|不确定|不好意思|不介意|不胜|不仅|不错|不久|不少|不同|不断|不太清楚|不清楚|不管|不论|"
                       rf"特别|区别|分别|类别|级别|性别|别人|({_C})不\1")
_NEG_KO = re.compile(r"아니|않|없")


def clauses(text: str) -> list[str]:
    """Normalised clauses of a message."""
    return _clauses(normalise(text))


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_END.split(text) if c and c.strip()]


_SENTENCE = re.compile(r"(?<=[.?!。！？])\s+|(?<=[。！？])|(?<=[?!])(?=[\u4e00-\u9fff])")
# a negation after the ask, with the writer as the subject: "asking for a referral is not why I'm writing",
# "a referral isn't what I'm after", "内推不是我的目的"
_NEG_AFTER_EN = re.compile(
    r"^[^.?!]{0,50}?\b(?:is|are|was|s|isnt|arent|wasnt|that'?s)\s*(?:not|n't|nt|never|hardly|far\s+from|"
    r"the\s+last\s+thing)\b(?:\s+(?:at\s+all|really|exactly|actually))?\s*(?:why|what|my|the|on|part|a\s+thing|"
    r"something|among|where|anything)"
    r"|^[^.?!]{0,40}?\b(?:is|are|s)\s+(?:not|n't|nt)\s+(?:something|a\s+thing)\s+i\b"
    r"|^\W{0,3}(?:not\s+(?:at\s+all|really|now|today|here)|no\s+way)\b")
_NEG_AFTER_ZH = re.compile(r"^[^。！？]{0,10}?(?:不是|并不是|并非|不在|无关|不会|不打算|不求|不要)")


def _negated_after(after: str) -> bool:
    return bool(_NEG_AFTER_EN.search(after) or _NEG_AFTER_ZH.search(after))


def negated(clause: str, start: int, end: int) -> bool:
    """True when a negation earlier in the clause (English, Chinese) or just after it (Korean) scopes over the
    match at clause[start:end]."""
    before = _HEDGE_EN.sub(" ", clause[max(0, start - 60):end])
    if _NEG_EN.search(before):
        return True
    if _NEG_ZH.search(_HEDGE_ZH.sub("", clause[max(0, start - 12):end])):
        return True
    return bool(_NEG_KO.search(clause[end:end + 14]))


_YOU = r"(?:you|u)"
_ACTORS = re.compile(r"\b(i|we|he|she|they|my|our|his|her|their|you|u|please|pls|kindly)\b")
_INFO = re.compile(r"\b(?:how|what|whether|why|when|where|which|about|earn|earned|earning|deserve|someday)\b")
_NOUN_TAIL = (r"(?!\s+(?:requests?|asks?|program|process|culture|system|bonus|policy|network|link|code|portal|tool|"
              r"rate|works?))")
_REFERRAL = r"(?:(?:internal|employee|job|quick|formal|direct|warm)\s+)?(?:referr?als?|recommendations?\s+internally)"
_DEST = (r"(?:(?:to|with|in\s+front\s+of)\s+(?:the|your|a|an|their|any|one\s+of\s+your)?\s*(?:hiring\s+(?:manager|"
         r"team|committee|lead)s?|recruit\w*|hr|talent\s+\w+|people\s+team|team\s+lead|right\s+(?:person|people))\b|"
         r"\binternally\b|\bon\s+my\s+behalf\b|\balong\b)")
_DEST_STRICT = _DEST.replace(r"|\balong\b", "")
_RESOURCES = (r"(?!\s+to\s+(?:(?:a|an|the|one|some|any|a\s+few|good|useful|helpful|relevant|great|your|favou?rite)"
              r"\s+){0,2}(?:resources?|books?|articles?|courses?|materials?|readings?|links?|websites?|blogs?|posts?|"
              r"papers?|podcasts?|tutorials?|communit(?:y|ies)|groups?|events?|someone|somebody|anyone|colleagues?|"
              r"people)\b(?![^.?!]{0,30}\b(?:hiring|hr|recruit\w*)\b))")

# (pattern, kind): kind "direct" = an ask on its own; "noun" = informational words before it turn it into a question
# about referrals; "agent" = the mentor must be the one acting (the nearest pronoun before it is not I/we)
REFERRAL_PATTERNS = [
    (re.compile(rf"\bref+er+(?:ring)?\s+(?:me|us|my\s+(?:profile|resume|cv|application|name|candidacy))\b"
                rf"{_RESOURCES}"), "direct"),
    (re.compile(r"\b(?:be|get|getting|being)\s+referred\b"), "noun"),
    (re.compile(rf"\b(?:ask(?:ing)?(?:\s+{_YOU})?\s+for|request(?:ing)?|look(?:ing)?\s+for|hop(?:e|ing)\s+for|"
                r"seek(?:ing)?|i\s+(?:really\s+|just\s+|do\s+|would\s+)?(?:need|want)|get(?:ting)?|obtain(?:ing)?|"
                r"receiv(?:e|ing)|provid(?:e|ing)|giv(?:e|ing)|offer(?:ing)?\s+me|write\s+me|appreciate|"
                r"grateful\s+for|love|like|consider(?:ing)?|chance\s+(?:of|for|at)|possib(?:le|ility)|open\s+to|"
                r"help(?:ing)?(?:\s+me)?\s+(?:with|get|obtain|secure)|here\s+for|reaching\s+out\s+for|writing\s+for|"
                rf"contacting\s+{_YOU}\s+for|look(?:ing)?\s+forward\s+to)\b(?P<gap>(?:\W+\w+){{0,4}}?)\W+"
                rf"{_REFERRAL}\b{_NOUN_TAIL}"), "noun"),
    (re.compile(rf"\breferr?als?\b{_NOUN_TAIL}[^.?!]{{0,30}}?\b(?:possible|an\s+option|available|would\s+help|"
                r"would\s+mean|be\s+(?:great|amazing|wonderful|helpful)|please|pls|plz)\b"), "noun"),
    (re.compile(r"\breferr?al\s+for\s+(?:me|the|this|that|a|an|your|any|open|one)\b"), "noun"),
    (re.compile(r"\b(?:put(?:ting)?\s+(?:in\s+)?a\s+(?:good\s+|kind\s+)?word|(?:say|speak)(?:ing)?\s+a\s+good\s+word)"
                r"\b"), "mentor"),
    (re.compile(r"\b(?:use|mention|drop|list)\s+your\s+name\b|\bhelp\s+me\s+(?:get|land|secure)\s+(?:an?\s+)?"
                r"(?:interview|offer)\b"), "direct"),
    (re.compile(r"\b(?:forward(?:ing)?|pass(?:ing)?|hand(?:ing)?|rout(?:e|ing)|submit(?:ting)?|circulat(?:e|ing)|"
                r"flag(?:ging)?|check(?:ing)?\s+on)\s+(?:along\s+|on\s+)?(?:me\s+)?my\s+(?:\w+\s+)?(?:resume|cv|profile|"
                r"application|portfolio|candidacy|name)\b"), "agent"),
    (re.compile(r"\bmy\s+(?:\w+\s+)?(?:resume|cv|profile|application|candidacy|name)\b[^.?!]{0,30}\binternally\b"),
     "agent"),
    (re.compile(r"\b(?:forward|pass|hand|send|share|submit|give|route|get|put|bring|take|mention)\w*\s+(?:\w+\s+){0,3}?"
                rf"(?:it\s+|them\s+|this\s+)?(?:along\s+|on\s+)?{_DEST_STRICT}"), "mentor"),
    (re.compile(r"\b(?:recommend|introduc|connect|link|nominat|endors|put|refer)\w*\s+me\s+(?:in\s+touch\s+)?"
                r"(?:to|with)\s+(?:the|your|a|an|their|any|one\s+of\s+your)?\s*(?:hiring\s+(?:manager|team|"
                r"committee|lead)s?|recruit\w*|hr|talent\s+(?:team|acquisition|partner)s?|headhunter\w*)\b"), "direct"),
    (re.compile(r"\b(?:recommend(?:ing)?\s+me\s+for|vouch(?:ing)?\s+for\s+me|put(?:ting)?\s+(?:me|my\s+name)\s+"
                r"forward|help\s+me\s+get\s+(?:my\s+)?foot\s+in\s+the\s+door)\b"),
     "direct"),
    (re.compile(r"\b(?:apply(?:ing)?|application)\s+(?:internally|through\s+you|on\s+your\s+behalf)\b"), "direct"),
    (re.compile(r"\bget\s+me\s+(?:an?\s+)?(?:interview|job|offer|foot\s+in|in\s+(?:the\s+door|front)|hired|"
                r"considered|shortlisted)\b|\b(?:fast[- ]?track|expedit)\w*\s+my\s+(?:application|candidacy|"
                r"resume|cv)\b"), "direct"),
    # Chinese: an ask frame (帮/请/能不能/希望/求…) before 内推, 推荐我, or handing on a résumé
    (re.compile(r"(?:帮|请|麻烦|能否|能不能|可否|可不可以|可以|希望|求|拜托|劳烦|是否|愿意|给我|需要|要|想)"
                r"[^，。！？]{0,10}?(?:内推|内部推荐|推荐我|把我推荐|(?:递|转|转交|转发|推|投|交)(?:一下|下|个)?"
                r"(?:我的)?简历|简历[^，。！？]{0,6}(?:递|转|转交|转发|推|交)给)"), "zh"),
    (re.compile(r"(?:推荐我|把我推荐给)(?!一些|几|些|书|资料|课程|文章|看|读|学|的|参加)"
                r"(?:去|到|给|进|面试|应聘|申请|岗位|职位|hr|吗|$)"), "zh"),
    (re.compile(r"(?:사내\s*)?추천(?:해\s*주|을\s*(?:부탁|해)|\s*부탁|받을\s*수)"), "direct"),
    (re.compile(r"\b(?:me\s+indicar(?:ia)?|(?:uma|sua)\s+indicacao)\b"), "direct"),
]
# a cheap necessary condition of each pattern above, checked once on the whole message
REFERRAL_NEEDLES = [re.compile(n) for n in (
    r"ref", r"referred", r"referr?al|recommendation", r"referr?al", r"referr?al", r"word", r"name|interview|offer",
    r"resume|cv|profile|application|portfolio|candidacy|name", r"internally",
    r"hiring|recruit|\bhr\b|talent|people team|team lead|right p|internally|behalf",
    r"hiring|recruit|\bhr\b|talent|headhunt", r"recommend|vouch|forward|foot", r"internally|through you|behalf",
    r"get me|fast|expedit", r"内推|内部推荐|推荐|简历", r"推荐", r"추천", r"indica")]
# --- beyond the phrase lists above: the other ordinary ways of asking (English, Chinese, the two mixed) -----------
_JOB = r"(?:job|jobs|position|role|internship|offer|interview|spot|seat|opening|place|foot\s+in\s+the\s+door)"
_ZH_ASK = r"(?:帮|请|麻烦|能否|能不能|可否|可不可以|可以|希望|求|拜托|劳烦|是否|愿意|给我|需要|想|方便|有没有|有机会)"
_ZH_STOP = r"[^，。！？,.!?]"
_EXTRA_REFERRALS = [
    # an internal push / push my application: asks the mentor to act inside the company
    ((r"\b(?:internal(?:ly)?|inside|insider)\s+(?:push|boost|nudge|fast[- ]?track|track|help|support|"
      r"recommendation|word)\b"), "noun", r"internal|inside"),
    ((r"\bpush\s+(?:me|my\s+(?:\w+\s+)?(?:resume|cv|profile|application|candidacy|name))\b"), "mentor", r"push"),
    ((r"\b(?:put|submit|enter|add|nominat)\w*\s+(?:me|my\s+name)\s+(?:forward|in|up|down)?\s*(?:for|as\s+a\s+"
      r"candidate)\b|\bnominat\w*\s+me\b"), "mentor", r"put|submit|enter|add|nominat"),
    ((r"\b(?:be|act\s+as|serve\s+as|become)\s+my\s+(?:referr?er|referee|reference|sponsor|internal\s+contact|"
      r"champion|advocate)\b"), "mentor", r"my"),
    ((r"\b(?:submit|put\s+in|drop|do|make|writ(?:e|ing)|send|file|enter|pass\s+along|sign\s+off\s+on|kick\s+off)"
      rf"\s+(?:me\s+)?(?:an?\s+|the\s+|one\s+)?(?:quick\s+|internal\s+|employee\s+|formal\s+)?{_REFERRAL}\b"
      rf"{_NOUN_TAIL}"), "mentor", r"referr?al|recommendation"),
    # paying for a referral asks for one
    ((rf"\b(?:pay|paying|offer|offering|give|giving)\s+(?:\S+\s+){{0,3}}?for\s+(?:a|an|the|your|this|my|one)?\s*"
      rf"{_REFERRAL}\b"), "direct", r"referr?al"),
    # a job, not a conversation: "help me get a job at Google", "could you get me in", "hire me"
    ((rf"\bhelp\s+(?:me\s+)?(?:to\s+)?(?:get|land|secure|find|obtain|grab|snag)\s+(?:me\s+)?(?:an?\s+|the\s+|that\s+|"
      rf"this\s+|your\s+|one\s+)?(?:\w+\s+){{0,2}}?{_JOB}\s+(?:at|with|on|in|inside)\b"), "mentor", r"help"),
    ((r"\b(?:get|bring|sneak|squeeze)\s+me\s+(?:in|into|on|onto|through)\b(?!\s+(?:touch|contact))"), "mentor",
     r"get|bring|sneak|squeeze"),
    ((rf"\b(?:give|offer|find|get|arrange|line\s+up|set\s+up|secure|land)\s+me\s+(?:an?\s+|the\s+|that\s+|one\s+)?"
      rf"(?:\w+\s+){{0,2}}?{_JOB}\b"), "mentor", r"me"),
    ((r"\b(?:hire|employ|take\s+on|onboard)\s+me\b|\bpull\s+(?:some\s+|a\s+few\s+)?strings\b|"
      r"\bopen\s+(?:some\s+|a\s+few\s+)?doors?\s+for\s+me\b"), "mentor", r"hire|employ|take on|onboard|strings|doors"),
    ((r"\b(?:any|an?)\s+(?:openings?|positions?|roles?|vacanc\w+|spots?|jobs?)\s+(?:on|in|at)\s+your\s+"
      r"(?:team|company|firm|group|org\w*)\s+(?:for\s+me|that\s+(?:i|you)\s+could|you\s+could\s+(?:put|refer))"),
     "noun", r"opening|position|role|vacanc|spot|job"),
    # Chinese: 内推 in any word order, recommending me, handing on my CV, a job or an interview for me
    ((r"内推|内部推荐|内部推|推荐一下我|把我推荐|推荐我(?!一些|几|些|书|资料|课程|文章|看|读|学|的|参加)"), "zh2",
     r"内推|内部推|推荐"),
    ((rf"{_ZH_ASK}{_ZH_STOP}{{0,8}}?推(?:我|一下我|荐一下我|一把|一推)"
      r"|帮(?:我|忙)(?:推|递|转)一下(?!书|资料|课程|文章)|推荐一下(?=[?？吗呢。!！,，]|$)"), "zh2", r"推"),
    ((rf"简历{_ZH_STOP}{{0,10}}?(?:推|递|转)一下|简历{_ZH_STOP}{{0,10}}?(?:转|递|推|交|发|投|给|传|带)(?:一下|下)?"
      rf"{_ZH_STOP}{{0,6}}?(?:hr|招聘|经理|内部|团队|"
      r"部门|负责人|老板|组|leader|manager|面试官|recruiter)"
      rf"|(?:转|递|推|交|转发|转交|带)(?:一下|下|给)?{_ZH_STOP}{{0,4}}简历"), "zh2", r"简历"),
    ((rf"{_ZH_ASK}{_ZH_STOP}{{0,8}}?(?:找|安排|拿|要|争取|介绍|弄|搞)(?:一个|个|一份|份)?{_ZH_STOP}{{0,4}}?"
      r"(?:工作|面试|offer|实习|职位|岗位|内推)(?!的经验|经验|的流程|流程|的技巧|技巧|的准备|准备)"
      r"|给我(?:一个|个)?(?:面试|工作|实习|offer)(?:机会)?"), "zh2", r"工作|面试|offer|实习|职位|岗位|内推"),
    # Chinese with an English verb: 能帮我refer一下吗, 求refer, 给我一个referral, 帮我push一下
    ((rf"{_ZH_ASK}{_ZH_STOP}{{0,8}}?(?<![a-z])(?:ref+er+(?:r?al|ring|red)?|referr?al|recommend|push|submit|forward|"
      r"vouch|pass)(?![a-z])"
      rf"|(?<![a-z])(?:ref+er+|referr?al|recommend|push|submit|forward|vouch)\s*(?:一下|下|我|吗|呢|一个|个|给)"),
     "zh2", r"ref|recommend|push|submit|forward|vouch|pass"),
]
REFERRAL_PATTERNS += [(re.compile(pattern), kind) for pattern, kind, _ in _EXTRA_REFERRALS]
REFERRAL_NEEDLES += [re.compile(needle) for _, _, needle in _EXTRA_REFERRALS]
_ZH_OTHERS = re.compile(r"(?:很多|不少|许多|其他|别的|好多|有些|一些)(?:同学|人|学生|学弟|学妹|朋友)|别人|大家|有人|"
                        r"他们|她们|他|她")
_ZH_INFO2 = re.compile(r"了解|流程|机制|制度|政策|是怎么|如何运作|怎么做|怎么看|看法|经验|规则|文化|难度|成功率|"
                       r"有用吗|重要吗")
_OTHERS = re.compile(r"\b(?:they|he|she|students?|people|others|classmates?|friends?|peers?|candidates?|everyone|"
                     r"everybody|many|most|some|folks|someone|somebody|applicants?|mentees?|juniors?|alumni|"
                     r"strangers?|lots|plenty)\b")
_WRITER_VERBS = re.compile(r"^(?:ask|request|look|hop|seek|need|want|get|obtain|receiv|appreciat|grateful|love|like|"
                           r"consider|chance|possib|open|here|reaching|writing|contacting)")


def _others_act(clause: str, start: int) -> bool:
    """The nearest subject in the six words before `start` is someone other than the writer ('many students ask
    you for referrals', 'my friends got referred')."""
    words = " ".join(clause[max(0, start - 60):start].split()[-6:])
    last = None
    for found in re.finditer(r"\b(?:i|we|me|my|our|you|u|please|pls|kindly)\b|" + _OTHERS.pattern, words):
        last = found.group()
    return last is not None and bool(_OTHERS.fullmatch(last))


_ZH_INFO = re.compile(r"了解|流程|机制|制度|政策|是怎么|如何运作|怎么做")


def _mentor_acts(clause: str, start: int, default: bool) -> bool:
    """Who does the verb at `start`: the nearest subject in the five words before it. 'you', 'please' = the mentor;
    'I', 'my manager', 'she' = someone else; nobody named = `default`."""
    found = _ACTORS.findall(" ".join(clause[max(0, start - 50):start].split()[-5:]))
    return default if not found else found[-1] in ("you", "u", "please", "pls", "kindly")


def _ask(kind: str, clause: str, match: re.Match) -> bool:
    start = match.start()
    if kind in ("zh", "zh2"):
        before = clause[max(0, start - 12):start]
        if _ZH_OTHERS.search(before) and not re.search(r"我|帮|请|求", before[-4:]):
            return False
        if kind == "zh2":
            around = clause[max(0, start - 8):start] + match.group() + clause[match.end():match.end() + 8]
            return not _ZH_INFO2.search(around)
    elif _others_act(clause, start):
        return False
    if kind == "noun" and _mentor_acts(clause, start, False) and _WRITER_VERBS.match(match.group()) \
            and not re.search(r"\b(?:me|my|us)\b", clause[max(0, start - 12):match.end()]):
        return False  # "you get asked for referrals all the time": the mentor is asked, not by this writer
    if kind == "noun":
        gap = match.groupdict().get("gap") or ""
        return not _INFO.search(gap) and not _INFO.search(clause[max(0, start - 50):start])
    if kind == "agent":
        return _mentor_acts(clause, start, bool(re.search(_DEST, clause[match.end():match.end() + 60])))
    if kind == "mentor":
        return _mentor_acts(clause, start, True)
    if kind == "zh":
        return not _ZH_INFO.search(match.group() + clause[match.end():match.end() + 8])
    return True


def _find(patterns, needles, text: str, accept) -> list[str]:
    """Matches of `patterns` in the clauses of the message's skeleton (a negation or a name is read as undisguised as
    the ask) that `accept` takes as an ask or an offer and no negation scopes over, before or after."""
    view = skeleton(text)
    active = [rule for rule, needle in zip(patterns, needles, strict=True) if needle.search(view)]
    found: list[str] = []
    for sentence, clause, at in _units(view) if active else ():
        for pattern, kind in active:
            for match in pattern.finditer(clause):
                if accept(kind, clause, match) and not negated(clause, match.start(), match.end()) \
                        and not _negated_after(sentence[at + match.end():]):
                    found.append(match.group().strip())
    return found


@lru_cache(maxsize=256)
def _units(view: str) -> tuple[tuple[str, str, int], ...]:
    """(sentence, clause, where the clause starts in the sentence) for each clause of `view`."""
    units = []
    for sentence in _SENTENCE.split(view):
        for clause in _clauses(sentence):
            units.append((sentence, clause, sentence.find(clause)))
    return tuple(units)


def referral_asks(text: str) -> list[str]:
    """The phrases of `text` that ask the mentor for a referral (empty when there are none)."""
    return _find(REFERRAL_PATTERNS, REFERRAL_NEEDLES, text, _ask)


_AMOUNT = (r"(?:(?:[$€£¥₹]|r\$|us\$|rmb\s?|inr\s?)\s?\d[\d,.]*\s?k?\b|\b\d[\d,.]*\s?k?\s?(?:dollars|usd|bucks|rmb|yuan|"
           r"reais|rupees|inr|euros?|won|naira)\b|\d+\s?(?:元|块|美元|美金|人民币|万))")
_NOT_FOOD = r"(?!\s+(?:for\s+)?(?:the\s+|your\s+|a\s+|our\s+)?(?:coffee|tea|drinks?|lunch|meal|dinner|chai|boba))"
_FOR_HELP = (r"\bfor\s+(?:your|a|the|this|an|each|every|any|my)?\s*(?:\d+[- ]?)?(?:time|help|referral|advice|"
             r"intro\w*|recommendation|session|call|chat|min\w*|hours?|review|favou?r|it|that|trouble|coffee\s+chat|"
             r"mock\s+interview|guidance|assistance|effort|mentor\w*)\b")
_PAY_VERB = r"(?:pay|paying|compensat(?:e|ing)|reward(?:ing)?|tip(?:ping)?|reimburs(?:e|ing))"
_PLATFORM = r"(?:venmo|paypal|zelle|cash\s?app|wechat(?:\s+pay)?|alipay|wise|western\s+union)"

PAYMENT_PATTERNS = [
    (re.compile(r"\b(?:i|i'll|i'd|let\s+me|to|and|gladly|happily)\s+(?:\w+\s+){0,2}?"
                rf"(?:{_PAY_VERB}|venmo|paypal|zelle|cash\s?app|wire)\s+{_YOU}\b"
                r"(?!\s+back\s+(?:by|with|someday|one\s+day|in\s+kind))"), "offer"),
    (re.compile(rf"\b(?:pay|paying|compensat(?:e|ing))\b[^.?!]{{0,25}}?{_FOR_HELP}"), "offer"),
    (re.compile(rf"\b(?:happy|willing|glad|ready|prepared|offer(?:ing)?|able)\s+to\s+(?:pay|compensate|reward|tip)\b"
                rf"(?!\s+it\s+forward){_NOT_FOOD}"), "offer"),
    (re.compile(r"\bi\s*(?:'ll|'d|\s+will|\s+would|\s+can|\s+could|\s+am\s+able\s+to)\s+(?:gladly\s+|happily\s+|"
                rf"definitely\s+|also\s+)?(?:pay|compensate|reward|tip)\b(?!\s+it\s+forward){_NOT_FOOD}"), "offer"),
    (re.compile(rf"\b(?:pay|give|send|offer|transfer|tip|venmo|paypal|zelle|wire|reward)(?:ing)?\s+(?:{_YOU}\s+)?"
                rf"(?:(?:a|an|the)\s+)?{_AMOUNT}"), "offer"),
    (re.compile(rf"{_AMOUNT}[^.?!]{{0,40}}?(?:{_FOR_HELP}|\b(?:as\s+a\s+(?:thank|token|gift)|in\s+exchange|"
                r"if\s+you\s+(?:refer|help|can|could)|gift\s?cards?|amazon|starbucks)\b)"), "offer"),
    (re.compile(r"\bname\s+your\s+price\b|\bwhatever\s+you\s+(?:charge|want|ask|think\s+is\s+fair)\b|"
                r"\bwhat\s+(?:do|would)\s+you\s+charge\b|\bwhat(?:'s|\s+is|\s+would\s+be)\s+your\s+(?:hourly\s+)?"
                r"(?:rate|fee|price)\b|\byour\s+(?:usual\s+|standard\s+|normal\s+)?(?:hourly|consulting|coaching)\s+(?:rate|fee)s?\b|"
                r"\bfor\s+a\s+(?:small\s+)?fee\b|\bpaid\s+(?:session|consultation|referral|call|mentorship|intro\w*)\b|"
                r"\bmake\s+it\s+worth\s+your\s+(?:while|time)\b|\b(?:split|share)\s+(?:the\s+|my\s+)?(?:referral\s+|"
                r"signing\s+)?bonus\b|\bbonus\s+share\b|\bshare\s+of\s+(?:the|my)\s+(?:referral\s+)?bonus\b|"
                r"\bhonorarium\b|\bfinder'?s\s+fee\b|\baccept\s+(?:a|an|this|my|some)\s+(?:small\s+|little\s+)?"
                r"(?:gift|present|token)\b"), "offer"),
    (re.compile(rf"\b(?:send|give|offer|get|buy|mail|ship|bring)\w*\s+{_YOU}\s+(?:(?:a|an|some|small|little|nice|"
                r"the|my)\s+){0,3}(?:\w+\s+){0,4}?(?:gifts?|present|souvenirs?|vouchers?|iphone|airpods|ipad|tickets?|"
                r"money|cash|bonus|share|token\s+of|red\s+envelopes?|lucky\s+money)\b|\b(?:send|give|offer|get|mail)\w*\s+"
                rf"{_YOU}\s+(?:(?:a|an|one|some)\s+)?(?:big\s+|small\s+)?红包"), "offer"),
    (re.compile(r"\b(?:gift\s?cards?|gift\s+certificates?|vouchers?|token\s+of\s+(?:my\s+)?(?:appreciation|"
                r"gratitude|thanks))\b"), "gift"),
    (re.compile(rf"\b(?:via|through|over|by|on|using|with)\s+{_PLATFORM}\b"), "platform"),
    (re.compile(rf"\byour\s+{_PLATFORM}\s*(?:handle|account|id|username|email|info|details|qr|address|\?|$)"),
     "offer"),
    (re.compile(r"(?:给|送|包|转|塞)(?:您|你)?(?:一个|个|一份|份)?(?:大|小)?红包|发(?:您|你)(?:一个|个)?(?:大|小)?红包|"
                r"红包[^，。！？,]{0,6}(?:给|送|发)(?:您|你)|(?:感谢|谢谢|答谢|酬谢)[^，。！？,]{0,6}红包|有(?:大)?红包|"
                r"红包[^，。！？,]{0,4}(?:感谢|答谢|酬谢|奉上)|报酬|酬劳|酬谢|重谢|感谢费|辛苦费|咨询费|介绍费|好处费|有偿|付费(?:咨询|服务|请教)|愿意付费|可以付费|"
                r"(?:给|付|转|送)(?:您|你)[^，。！？]{0,8}(?:钱|费|元|块|红包|礼物|礼品|购物卡|礼品卡|美元|美金|人民币)|"
                r"(?:转账|打钱)给(?:您|你)|(?:微信|支付宝)(?:转账|转给|付)"), "offer"),
]
_PAY_YOU = r"\b(?:pay|compensat|reward|tip|reimburs|venmo|paypal|zelle|cash\s?app|wire)\w*\s+(?:you|u)\b"
_PLATFORMS = r"venmo|paypal|zelle|cash\s?app|wechat|alipay|wise|western"
PAYMENT_NEEDLES = [re.compile(n) for n in (
    _PAY_YOU, r"\b(?:pay|paying|compensat)", r"\b(?:pay|compensate|reward|tip)\b", r"\b(?:pay|compensate|reward|tip)\b",
    r"\d", r"\d", r"price|charge|rate|fee|paid|worth|bonus|honorarium|accept",
    r"\b(?:send|give|offer|get|buy|mail|ship|bring)\w*\s+(?:you|u)\b", r"gift|voucher|token", _PLATFORMS, _PLATFORMS,
    r"[\u4e00-\u9fff]")]
_GIFT_FRAME = re.compile(rf"\b(?:send|give|offer|get|buy|mail)\w*\s+{_YOU}\b|\bfor\s+{_YOU}\b|\bthank\w*|"
                         r"\btoken\b|\bas\s+a\s+(?:gift|present)\b|\b(?:i|i'll|i'd|i\s+will|i\s+can|i\s+could|happy\s+to|"
                         r"glad\s+to|willing\s+to)\s+(?:\w+\s+){0,2}?(?:send|give|offer|get|buy|mail)\b")
_PLATFORM_FRAME = re.compile(r"\bi\s+(?:\S+\s+){0,3}?(?:send|pay|transfer|tip|compensate)\b|[$€£¥₹]")


def _offer(kind: str, clause: str, match: re.Match) -> bool:
    if kind == "gift":
        return bool(_GIFT_FRAME.search(clause))
    if kind == "platform":
        return bool(_PLATFORM_FRAME.search(clause))
    return True


def payment_offers(text: str) -> list[str]:
    """The phrases of `text` that offer the mentor money, gifts or a price (empty when there are none)."""
    return _find(PAYMENT_PATTERNS, PAYMENT_NEEDLES, text, _offer)


_QUESTION = re.compile(
    r"[?？]|\bi\s+(?:was\s+|am\s+)?wonder(?:ing|ed)?\b|\b(?:i'd|i\s+would)\s+(?:love|like)\s+to\s+(?:know|ask|hear|"
    r"learn|understand)\s+(?:how|what|whether|if|why|which|when|about|your)\b|\bcurious\s+(?:how|what|whether|if|"
    r"why|about|to\s+(?:know|hear|learn))\b|\b(?:could|would|can)\s+you\s+(?:share|tell|explain|describe|walk)\b|"
    r"[吗呢]|请问|如何|怎么|怎样|是否|能否|什么|哪些|可不可以|能不能")
_PURPOSE = re.compile(
    r"\b(?:learn\w*|hear|understand\w*|ask|advice|advis\w*|insights?|guidance|perspectives?|tips?|suggestions?|"
    r"feedback|curious|explor\w*|discuss\w*|know\s+(?:more|how|what|about)|chat|talk|call|connect\w*|speak|"
    r"meet|conversation|hope\s+to|hoping\s+to|goal|aim|aspir\w*|would\s+(?:love|like)\s+to|'d\s+(?:love|like)\s+to|"
    r"want\s+to|interested\s+in|reaching\s+out\s+(?:because|to|as)|questions?)\b|学习|请教|了解|建议|交流|聊|指点|希望|想")


def asks_question(text: str) -> bool:
    return bool(_QUESTION.search(normalise(text)))


def states_purpose(text: str) -> bool:
    return bool(_PURPOSE.search(normalise(text)))


# --- personalization: what the message says of this mentor --------------------------------------------------------

_ADDRESS = frozenset({"you", "your", "u", "yourself"})
# Chinese for "your …", "you at …", "you did …": read as "your" where it stands
_ZH_ADDRESS = re.compile(r"(?:您|你)(?:的|在|做|负责|当初|从|之前|曾经|目前|现在|所在|带领|领导|参与)")
_NEAR = 8  # tokens: a role or domain word this close to "you"/"your" is about the mentor


class _Index:
    """Where each word starts in a token sequence, and each run of two or three words that, written together,
    spells a profile term ("back end" -> "backend"): positions in the original message."""

    def __init__(self, seq: list[tuple[int, str]], concats: frozenset[str]):
        self.seq, self.pos = [t for _, t in seq], [p for p, _ in seq]
        self.starts: dict[str, list[int]] = {}
        self.joined: dict[str, list[int]] = {}
        for k, token in enumerate(self.seq):
            self.starts.setdefault(token, []).append(k)
            for glued in ("".join(self.seq[k:k + n]) for n in (2, 3) if k + n <= len(self.seq)):
                if glued in concats:
                    self.joined.setdefault(glued, []).append(self.pos[k])

    def find(self, words: list[str], concat: str) -> list[int]:
        found = [self.pos[k] for k in self.starts.get(words[0], ()) if self.seq[k:k + len(words)] == words]
        return found or [self.pos[k] for k in self.starts.get(concat, ())] + self.joined.get(concat, [])


def _matches(toks: list[str], terms: sim.ProfileTerms) -> dict[str, tuple[float, str]]:
    """key -> (weight, label) of the profile terms found among `toks`, phrases absorbing their own words."""
    every = list(enumerate(toks))
    concats = frozenset(t.concat for t in terms.terms)
    index = {False: _Index([(i, t) for i, t in every if t not in sim.STOPWORDS], concats)}
    if any(t.raw for t in terms.terms):
        index[True] = _Index(every, concats)
    addressed = [i for i, t in every if t in _ADDRESS]
    best: dict[str, tuple[float, str]] = {}
    for term in terms.terms:
        where = index[term.raw].find(term.key.split(" "), term.concat)
        if not where:
            continue
        weight = term.weight
        if term.alone is not None and not any(abs(p - a) <= _NEAR for p in where for a in addressed):
            weight = term.alone
        if weight > best.get(term.key, (0.0, ""))[0]:
            best[term.key] = (weight, term.label)
    inside = {word for key in best if " " in key for word in key.split()}
    return {k: v for k, v in best.items() if " " in k or k not in inside}


def evidence(text: str, terms: sim.ProfileTerms) -> tuple[float, tuple[str, ...]]:
    """How much `text` says of this mentor (the total weight of the profile terms it mentions, case, plurals, hyphens
    and spacing aside; their company or school in either script; the CJK bigrams it shares with their Chinese text;
    Chinese names of fields read as their English words), and what it mentions; the skeleton is read too when the
    text alone says too little. Role and domain words weigh little unless said of the mentor."""
    best = _evidence(text, terms)
    if best[0] < 1.0:
        for view in views(text)[1:]:
            best = max(best, _evidence(view, terms))
    return best


def _evidence(text: str, terms: sim.ProfileTerms) -> tuple[float, tuple[str, ...]]:
    plain = normalise(text)
    glossed = _ZH_ADDRESS.sub(lambda m: f" your {m.group()} ", aliases.gloss_inline(plain))
    best = _matches([t for t in sim.tokens(glossed) if t.isascii()], terms)
    orgs = [org for org in terms.cjk_orgs if org in plain]
    shared = sorted(sim.cjk_bigrams(text) & terms.cjk)
    total = sum(w for w, _ in best.values()) + sim.STRONG * len(orgs) + min(2 * sim.STRONG, sim.LIGHT * len(shared))
    return round(total, 3), tuple(dict.fromkeys(label for _, label in best.values())) + tuple(orgs) + tuple(shared)
