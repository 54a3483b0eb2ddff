"""Text normalisation, near-duplicate fingerprints, and the vocabulary of a profile (SPEC §6).

A message is normalised (NFKC, casefold, Latin accents and punctuation dropped, light stemming), the words of the
people involved are masked, and the rest is cut into 3-token shingles: words for alphabetic scripts, single
characters for Chinese and Japanese (character shingles). The shingles go through datasketch's MinHash (SHA-1 based,
fixed seed: identical in every process) and the signature is cut into LSH bands. Two scripts that differ only in the
names and companies swapped into them get nearly the same signature.

Profile terms are what a message can mention of a mentor, each with a weight (company 1, a skill 1, a bio phrase 1,
a single bio word ⅓–1, role and domain words ¼ unless said of the mentor).
"""
import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS, ROWS = 32, 4  # 32 bands of 4 rows: pairs at Jaccard 0.6 share a band with probability 0.99, at 0.2 with 0.05
SHINGLE = 3
MASK = "\u2588"  # one token standing for any run of masked words
_EMPTY = (1 << 32) - 1  # datasketch's initial (maximum) hash value: a signature of no shingles at all
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1).permutations

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_CJK_RUN = re.compile(f"[{CJK}]+")
_TOKEN = re.compile(f"[{CJK}]|{MASK}|(?:(?![{CJK}])[^\\W_])+[+#]*")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"'})

STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further get got had has have having he her here hers
him his how i if in into is it its just me more most my myself no nor not now of off on once only or other our ours out
over own same she should so some such than that the their theirs them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your yours yourself im
ive id ill youre dont go going hi hello dear thank thanks regards best sincerely""".split())

# Words every first message may use about any mentor: they say nothing about *this* one.
GENERIC = frozenset("""
work job career experience learn lot life journey path role position company team industry field area space
sector firm organization business professional profession student graduate undergraduate master masters phd degree
program major minor study university college school institute department class course semester year month week day
time today minute hour interest passion advice insight guidance help support opportunity connect connection network
chat call coffee conversation meet talk mentor mentorship mentee profile linkedin background skill knowledge growth
grow goal future plan hope like love want great good really much many new current recent first next last
international visa sponsorship opt f1 h1b cpt people person someone something thing way world global story kind
different important senior junior lead staff principal manager director associate analyst engineer vp vice president
head specialist consultant intern ii iii sr jr chief officer member part full based currently previously former also
inc llc ltd corp corporation co group holdings technologies technology tech labs bank capital partners solutions
systems services plc gmbh america american usa us china chinese india indian brazil korea nigeria city state new york
management strategy operations scientist architect developer designer researcher data model build make use came come
made gave give take took know see said say think find found look need feel keep let put set run try ask tell show
move start spend spent got went become became seem read write big small real sure enjoy happy glad leadership
accomplishment achievement success successful inspiring impressive amazing dedicated""".split())

# CJK characters that glue words together: a bigram holding one says little (在字, 和特, 做推 …)
_CJK_FUNCTION = frozenset(
    "的了在是我你您他她和与也都就做从之把被对给让很有这那个一不没吗呢吧啊到为以于及并或还又再才而但等着过"
    "得地们会能要想说去来上下中")
GENERIC_CJK = frozenset("""
工作 经验 学习 职业 发展 希望 请教 行业 公司 学生 非常 感谢 机会 问题 可以 了解 什么 如何
怎么 因为 所以 如果 时间 分钟 咖啡 交流 建议 方向 领域 专业 毕业 大学 同学 美国 国际 留学
签证 帮助 喜欢 之前 现在 目前 负责 团队 项目 相关 方面 已经 自己 觉得 知道 看到 介绍 认识
联系 打扰 冒昧 您好 你好 谢谢 期待 回复 方便 愿意 名学 在读 研究 读研 硕士 博士 学位 课程
背景 职位 岗位 老师 前辈 学长 学姐 分享 聊聊 请问 很多 可能 是否 还是 以及 或者 对于 关于
特别 真的 一直 开始 进入 成为 平时 路径 成长""".split())


_LATIN_ACCENTS = re.compile(
    "(?<=[\u0000-\u024f])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def _strip_accents(text: str) -> str:
    """Drop combining accents from Latin letters only (résumé → resume, Nguyễn → Nguyen; Japanese dakuten stay)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", text)))


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """NFKC, casefolded, Latin accents dropped, typographic quotes made plain, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_QUOTES)
    return " ".join(_strip_accents(text).split())


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light, consistent stemmer: plurals, -ing, -ed, a final -e (so scale, scaled, scaling all give 'scal')."""
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 3:
            word = word[: -len(suffix)] + repl
            if suffix in ("ing", "ed") and len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "slz":
                word = word[:-1]
            break
    else:
        if word.endswith("es") and word[-3:-2] in ("s", "x", "z", "h") and not word.endswith("sses"):
            word = word[:-2]
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    if word.endswith("ll") and len(word) >= 6:
        word = word[:-1]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed word tokens of normalised text; each Chinese/Japanese character is a token of its own."""
    text = re.sub(r"'s\b", "", normalise(text)).replace("'", "")
    return [stem(t) for t in _TOKEN.findall(text)]


def cjk_bigrams(text: str) -> set[str]:
    """Distinct, non-generic CJK character bigrams of `text`."""
    grams = set()
    for run in _CJK_RUN.findall(normalise(text)):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return {g for g in grams - GENERIC_CJK if not _CJK_FUNCTION.intersection(g)}


_GENERIC_STEMS = frozenset(stem(w) for w in GENERIC)


def is_generic(token: str) -> bool:
    return token in STOPWORDS or token in _GENERIC_STEMS


@dataclass(frozen=True)
class Fingerprint:
    """What is kept of a sent intro: its MinHash signature and the LSH band keys the database indexes."""

    signature: tuple[int, ...]  # NUM_PERM values in 0..2**32-1
    band_keys: tuple[int, ...]  # BANDS signed 64-bit integers (none for a message without words)


_HONORIFIC = re.compile(f"[{CJK}]{{1,3}}?(?=老师|先生|女士|小姐|学长|学姐|师兄|师姐|前辈|总监|经理|博士|教授|同学)")
_PROPER = re.compile(r"(?<![.!?:]\s)(?<!^)(?<![.!?:])\b[A-Z][\w&'.-]*|\b[A-Z]{2,}\b")


def proper_nouns(message: str) -> frozenset[str]:
    """Stems of the words a writer capitalises inside a sentence (names, companies, schools, products) and of
    acronyms: what a script fills in for each recipient."""
    text = unicodedata.normalize("NFKC", message or "")
    words = {w for w in _PROPER.findall(text) if w not in ("I", "I'm", "I've", "I'd", "I'll")}
    return frozenset(t for w in words for t in tokens(w) if t.isascii())


def masked_tokens(message: str, mask_stems: frozenset[str], mask_cjk: tuple[str, ...] = (),
                  mask_bigrams: frozenset[str] = frozenset(), honorifics: bool = False) -> list[str]:
    """The message's tokens with masked words replaced by MASK, runs of masks collapsed into one; numbers are
    masked too."""
    text = normalise(message)
    for phrase in mask_cjk:  # names and companies written in Chinese: masked as whole strings
        if phrase and phrase in text:
            text = text.replace(phrase, f" {MASK} ")
    if honorifics:  # 陈老师, 王总: the name before the title
        text = _HONORIFIC.sub(f" {MASK} ", text)
    if mask_bigrams:
        text = _CJK_RUN.sub(lambda run: _mask_run(run.group(), mask_bigrams), text)
    out: list[str] = []
    for token in tokens(text):
        token = MASK if token in mask_stems or token.isdigit() else token
        if token != MASK or not out or out[-1] != MASK:
            out.append(token)
    return out


def _mask_run(run: str, bigrams: frozenset[str]) -> str:
    hidden = {j for i in range(len(run) - 1) if run[i:i + 2] in bigrams for j in (i, i + 1)}
    return "".join(f" {MASK} " if i in hidden else c for i, c in enumerate(run))


def shingles(seq: list[str]) -> set[str]:
    """Overlapping SHINGLE-token shingles (the whole sequence when it is shorter)."""
    if len(seq) < SHINGLE:
        return {" ".join(seq)} if seq and seq != [MASK] else set()
    return {" ".join(seq[i:i + SHINGLE]) for i in range(len(seq) - SHINGLE + 1)}


def from_shingles(shingle_set: set[str]) -> Fingerprint:
    if not shingle_set:
        return Fingerprint(signature=(_EMPTY,) * NUM_PERM, band_keys=())
    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=_PERMUTATIONS)
    minhash.update_batch(s.encode("utf-8") for s in sorted(shingle_set))
    signature = tuple(int(v) for v in minhash.hashvalues)
    return Fingerprint(signature=signature, band_keys=band_keys(signature))


def band_keys(signature: tuple[int, ...]) -> tuple[int, ...]:
    """One key per band: BLAKE2b-64 of (band number, its ROWS values), as a signed 64-bit integer."""
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS:(band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<I{ROWS}I", band, *rows), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def _is_empty(signature) -> bool:
    return not signature or all(v == _EMPTY for v in signature)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two shingle sets: the share of equal MinHash values."""
    return float(similarities(a, [b])[0])


def similarities(new: Fingerprint, others: list[Fingerprint]) -> np.ndarray:
    """similarity(new, other) for each of `others`, in one vectorised comparison."""
    if not others:
        return np.zeros(0)
    if _is_empty(new.signature) or len(new.signature) != NUM_PERM:
        return np.zeros(len(others))
    empty = (_EMPTY,) * NUM_PERM
    matrix = np.asarray([o.signature if len(o.signature) == NUM_PERM else empty for o in others], dtype=np.uint64)
    scores = (matrix == np.asarray(new.signature, dtype=np.uint64)).mean(axis=1)
    scores[(matrix == _EMPTY).all(axis=1)] = 0.0
    return scores


# --- what a profile says: terms a message can mention, and the words masked in fingerprints -----------------------

STRONG, MEDIUM, LIGHT, WEAK = 1.0, 0.5, 0.34, 0.25


@dataclass(frozen=True)
class Term:
    key: str  # content stems (no stop words) joined by spaces
    concat: str  # the same joined together ("back end" and "backend" meet here)
    weight: float
    label: str
    alone: float | None = None  # the weight when not said of the mentor (no "you"/"your" near); None: the same
    raw: bool = False  # a phrase with stop words inside ("go-to-market"): matched with them


@dataclass(frozen=True)
class ProfileTerms:
    terms: tuple[Term, ...]
    cjk: frozenset[str]  # non-generic CJK bigrams of the profile
    cjk_orgs: tuple[str, ...]  # company and school written in CJK characters
    masks: frozenset[str]  # stems masked in fingerprints
    cjk_masks: tuple[str, ...]  # CJK strings (names, company, school, title) masked in fingerprints
    known: frozenset[str]  # every stem of the profile


def latin_words(text: str | None) -> list[str]:
    return [t for t in tokens(text or "") if t not in STOPWORDS and t.isascii()]


def _distinct(token: str, names: frozenset[str], min_len: int = 3) -> bool:
    return not is_generic(token) and token not in names and (len(token) >= min_len or not token.isalpha())


def _term(toks: list[str], weight: float, label: str, alone: float | None = None, raw: bool = False) -> Term:
    return Term(" ".join(toks), "".join(toks), weight, label, alone, raw)


def _phrase(text: str | None, weight: float, alone: float | None = None) -> Term:
    """The whole of a name or skill; matched with its stop words when it has some inside."""
    every = [t for t in tokens(text or "") if t.isascii()]
    content = [t for t in every if t not in STOPWORDS]
    raw = content != every and len(every) > 1
    return _term(every if raw else content, weight, text or "", alone, raw)


def organisation_terms(text: str | None, names: frozenset[str]) -> list[Term]:
    """Company or school: the whole name, and each distinctive word of it, are strong."""
    toks = latin_words(text)
    if not toks or (len(toks) == 1 and not _distinct(toks[0], names)):
        return []
    return [_phrase(text, STRONG)] + [_term([t], STRONG, text) for t in toks if _distinct(t, names)]


def prose_terms(text: str | None, names: frozenset[str], role: bool = False) -> list[Term]:
    """Title, headline, bio: two adjacent distinctive words are a strong phrase. One word alone is medium, or strong
    when long (long words are rarer) and said of the mentor; not said of them, it is light. Role words say little
    unless said of the mentor."""
    found, previous = [], None
    for token in latin_words(text):
        if not _distinct(token, names):
            previous = None
            continue
        if role:
            found.append(_term([token], MEDIUM, text, WEAK))
        else:
            found.append(_term([token], STRONG if len(token) >= 8 else MEDIUM, text, LIGHT))
        if previous:
            found.append(_term([previous, token], STRONG, text, WEAK if role else None))
        previous = token
    return found


def skill_and_domain_terms(party, names: frozenset[str]) -> list[Term]:
    found = []
    for skill in party.skills or ():
        toks = latin_words(skill)
        if any(_distinct(t, names, 2) for t in toks):
            found.append(_phrase(skill, STRONG, alone=MEDIUM))
            found += [_term([t], MEDIUM, skill, WEAK) for t in toks if len(toks) > 1 and _distinct(t, names)]
    for slug in party.domains or ():
        *parents, leaf = slug.split("/")
        words = leaf.replace("-", " ").replace("_", " ")
        toks = latin_words(words)
        if len(toks) > 1 or (toks and _distinct(toks[0], names)):
            found.append(_term(toks, STRONG, words, WEAK))
            found += [_term([t], MEDIUM, words, WEAK) for t in toks if len(toks) > 1 and _distinct(t, names)]
        found += [_term([t], WEAK, p, WEAK) for p in parents for t in latin_words(p.replace("-", " "))
                  if _distinct(t, names)]
    return found


def cjk_runs(*fields: str | None) -> list[str]:
    return [r for f in fields for r in _CJK_RUN.findall(normalise(f or "")) if len(r) >= 2]
