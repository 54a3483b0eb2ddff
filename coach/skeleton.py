"""The skeleton of a message: what it says once its disguises are taken off (SPEC §6).

Writers who know a filter is there hide the words it looks for: look-alike letters from other scripts ("rеferral"
with a Cyrillic е), invisible characters inside a word, letters spelled out with spaces or dots ("r e f e r",
"r.e.f.e.r.r.a.l"), digits for letters ("r3ferral"), an emoji between a verb and its object ("refer 🙏 me"). The
skeleton undoes each of these, on top of `normalise` (NFKC, casefold, Latin accents and typographic quotes):

- confusables folded to the ASCII letter they imitate (Unicode's confusables.txt, UTS #39, as shipped by the
  maintained `confusable-homoglyphs` package; Chinese, Japanese and Korean characters are left alone);
- format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens, direction marks, BOM) and
  variation selectors dropped;
- symbols and emoji (categories So, Sk, Sm, Co, Cs) and decorative punctuation between words turned into spaces;
- a run of three or more single letters joined by one separator (space, dot, hyphen, underscore, middle dot, star,
  slash) joined into a word, and split again around a known trigger word when the run swallowed a neighbour
  ("a r e f e r r a l" -> "a referral");
- in a word that mixes letters and digits, the common swaps read back (0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, 8 b, @ a,
  $ s), "1" as "l" when that spells a known word;
- separators between two Chinese characters removed ("内 推", "内.推"), and pinyin of the trigger words written in
  characters ("neitui" -> 内推, "hongbao" -> 红包);
- hyphens and underscores between words read as spaces ("gift-card" -> "gift card").

Every check runs on the normalised text and, when it differs, on the skeleton as well; the fingerprint and the
lengths use the skeleton. Plain text passes through unchanged apart from the last rule, so a genuine message loses
nothing.
"""
import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import utils as _homoglyph_data

from .similarity import CJK, normalise


def _fold_table() -> dict[int, str]:
    """Every character Unicode lists as confusable with an ASCII letter or digit -> that letter (lower case)."""
    table: dict[int, str] = {}
    for char, glyphs in _homoglyph_data.load("confusables.json").items():
        group = [char] + [g["c"] for g in glyphs]
        ascii_ = sorted({g.lower() for g in group if len(g) == 1 and g.isascii() and g.isalnum()})
        letters = [a for a in ascii_ if a.isalpha()]
        target = letters[0] if letters else None
        if target is None:
            continue
        for glyph in group:
            if len(glyph) == 1 and not glyph.isascii() and not _is_cjk(glyph):
                table.setdefault(ord(glyph), target)
    return table


_CJK_CHAR = re.compile(f"[{CJK}\uac00-\ud7af]")


def _is_cjk(char: str) -> bool:
    return bool(_CJK_CHAR.match(char)) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


_FOLD = _fold_table()
# letters that imitate Latin ones in running text though Unicode's table lists them with nothing ASCII
for _glyph, _latin in zip("κχτωεηкмтнвгпиьѵђћґɩʏᴋᴍᴛνυ", "kxtwenkmthbrnubvhhriykmtvu", strict=True):
    _FOLD.setdefault(ord(_glyph), _latin)
for _keep in "ıłđøßæœðþ":  # Latin letters of real names that the table maps to something else: keep them
    _FOLD.pop(ord(_keep), None)

# the words the checks look for: a run of spelled-out letters is split around them, and "1" reads "l" in them
TRIGGERS = (
    "referral", "referrals", "referal", "refer", "referred", "referring", "internal", "internally", "recommend",
    "recommendation", "resume", "cv", "hiring", "manager", "recruiter", "interview", "vouch", "forward", "submit",
    "push", "pay", "paid", "money", "cash", "venmo", "paypal", "zelle", "gift", "card", "reward", "compensate",
    "price", "fee", "bonus", "dollars", "bucks", "job", "hire", "offer", "please", "me", "my", "you", "for",
    "help", "get", "application", "position", "role", "team", "name", "word", "good", "put", "pass", "hongbao",
    "neitui", "thank", "tip", "will", "would", "could", "can", "mail", "also", "all", "well", "still", "really",
    "email", "call", "sell", "tell", "feel", "full", "skill", "skills", "fellow", "hello", "like", "look",
    "learn", "help", "let", "lot", "love", "life", "list", "link", "little", "only", "role", "school", "real",
    "not", "no", "never", "nor", "none", "nothing", "without", "looking", "asking", "ask", "want", "need", "is",
    "nei", "tui", "hong", "bao", "ganxie", "fei",
)
_TRIGGER_SET = frozenset(TRIGGERS)
_SPLIT_AROUND = tuple(sorted((t for t in TRIGGERS if len(t) >= 4), key=len, reverse=True))

_DIGITS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"})
_MIXED = re.compile(r"(?<![a-z0-9@$_])(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[013457@$8])[a-z0-9@$]{2,}(?![a-z0-9@$_])")
# words that hold digits of their own: never read as letters
_REAL = frozenset("""
h1b h4 f1 j1 o1 l1 e2 e3 l2 ec2 s3 k8s b2b b2c c2c p2p 401k 403b 529 w2 w4 w8 i20 i94 i9 ds160 g5 2d 3d 4g 5g mp3 mp4
a11y i18n l10n web3 web2 gpt3 gpt4 gpt4o covid19 y2k 1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th 24h 24x7 7x24 cs50 6s
""".split())
_NUMBERISH = re.compile(r"[$@]?\d[\d,.]*(?:th|k|m|b|h|x|s|yrs?|hrs?|mins?|am|pm|gb|mb|tb|kb|ms|px|usd|rmb)?"
                        r"|\d*(?:1st|2nd|3rd)|[a-z]\d+|\d+[a-z]")
_SEPARATOR = r"[ .\-_·*/|•,]"
# three or more single letters (or digits standing for letters) joined by one repeated separator
# three or more single letters (or digits standing for letters) spelled out: joined by single spaces, or by dots,
# hyphens, underscores, middle dots or stars (mixed or not)
_PUNCTED = re.compile(r"(?<![a-z0-9@$_])[a-z0-9@$](?:[.\-_·*][a-z0-9@$]){2,}(?![a-z0-9@$_])")
_SPACED = re.compile(r"(?<![a-z0-9@$_.\-·*])[a-z0-9@$](?: [a-z0-9@$]){2,}(?![a-z0-9@$_\-·*]|\.[a-z0-9])")
_SPACED_PAIR = re.compile(r"(?<![a-z0-9@$_.\-·*])\b(m e|m y|c v|h r)\b(?! [a-z0-9@$]\b)")
_DIGIT_GAP = re.compile(r"(?<=\d)[_·*](?=\d)")  # "$5_0": an amount spelled out
# chunks of one to three letters glued by a dot, hyphen or underscore, three or more ("re.fer.ral", "ref-er-ral")
_CHUNKED = re.compile(r"(?<![\w.\-])[a-z0-9]{1,3}(?:[.\-_·*][a-z0-9]{1,3}){2,}(?![\w\-])")
# a two-letter word spelled out ("m-e", "a·t", "c.v"; "e.g" and "u.s" become "eg" and "us", which is harmless)
_PAIR = re.compile(r"(?<![\w.\-·*])([a-z])[.\-_·*]([a-z])\.?(?![\w\-·*])")
_HANGUL = "\uac00-\ud7af"
_BETWEEN_CJK = re.compile(f"(?<=[{CJK}])[\\s.\\-_·*/|•]+(?=[{CJK}])"
                          f"|(?<=[{_HANGUL}])[.\\-_·*/|•]+(?=[{_HANGUL}])")  # Korean keeps its spaces between words
_WORD_HYPHEN = re.compile(r"(?<=[a-z])[-_](?=[a-z])")
_PINYIN = [(re.compile(r"\bnei\s*tui\b"), "内推"), (re.compile(r"\bhong\s*bao\b"), "红包"),
           (re.compile(r"\bganxie\s*fei\b"), "感谢费")]
_SPACES = re.compile(r"[ \t]+")


def _strip_table() -> dict[int, str | None]:
    """One str.translate table for the whole first step: format characters and variation selectors dropped, symbols
    and emoji made spaces, confusables folded. Built once over the planes where such characters live."""
    table: dict[int, str | None] = {}
    planes = (range(0x80, 0x10000), range(0x1D400, 0x1D800), range(0x1F000, 0x1FB00), range(0xE0000, 0xE0080),
              range(0xE0100, 0xE01F0))
    for code in (c for plane in planes for c in plane):
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
            table[code] = None
        elif category in ("So", "Sk", "Sm", "Co", "Cs") or char in "•★☆♥♡❤✓✔→←":
            table[code] = " "
        elif code in _FOLD:
            table[code] = _FOLD[code]
    for char in "~^|":  # ASCII symbols between words
        table[ord(char)] = " "
    return table


_STRIP = _strip_table()


def _strip_invisible(text: str) -> str:
    return text.translate(_STRIP)


def _read_digits(match: re.Match) -> str:
    word = match.group()
    plain = word.translate(_DIGITS)
    if "1" in word:
        as_l = word.replace("1", "l").translate(_DIGITS)
        if as_l in _TRIGGER_SET and plain not in _TRIGGER_SET:
            return as_l
    if plain in _TRIGGER_SET:
        return plain
    return word if word in _REAL or _NUMBERISH.fullmatch(word) else plain


def _split_known(run: str) -> str:
    """A joined run of spelled-out letters, with spaces put back around a trigger word inside it when what is left
    on either side is a one-letter word ("areferral" -> "a referral") or trigger words; otherwise as it is
    ("prefer" stays)."""
    if run in _TRIGGER_SET:
        return run
    for word in _SPLIT_AROUND:
        at = run.find(word)
        while at >= 0:
            left, right = _split_part(run[:at]), _split_part(run[at + len(word):])
            if left is not None and right is not None:
                return " ".join(p for p in (left, word, right) if p)
            at = run.find(word, at + 1)
    return run


def _split_part(part: str) -> str | None:
    if part in ("", "a", "i") or part in _TRIGGER_SET:
        return part
    split = _split_known(part)
    return split if split != part else None


def _join_spelled(match: re.Match) -> str:
    letters = re.sub(r"[ .\-_·*]", "", match.group())
    if not any(c.isalpha() for c in letters):  # "1, 2, 3": numbers, not a word
        return match.group()
    if _NUMBERISH.fullmatch(letters):  # "$5_0": an amount spelled out
        return f" {letters} "
    number = re.fullmatch(r"(\d{2,})([a-z].*)", letters)  # "3-0-m-i-n-u-t-e"
    if number:
        return f" {number[1]} {_split_known(number[2].translate(_DIGITS))} "
    return f" {_split_known(letters.translate(_DIGITS))} "


def _join_chunks(match: re.Match) -> str:
    joined = re.sub(r"[.\-_·*]", "", match.group()).translate(_DIGITS)
    if not any(word in joined for word in _SPLIT_AROUND):  # "end-to-end" stays; "re.fer.ral" is a word
        return match.group()
    return f" {_split_known(joined)} "


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """`normalise(text)` with its disguises taken off (see the module's docstring)."""
    text = normalise(_strip_invisible(unicodedata.normalize("NFKC", text or "")))
    text = _PUNCTED.sub(_join_spelled, text)
    text = _SPACED.sub(_join_spelled, text)
    text = _CHUNKED.sub(_join_chunks, text)
    text = _DIGIT_GAP.sub("", text)
    text = _SPACED_PAIR.sub(lambda m: m[1].replace(" ", ""), text)
    text = _PAIR.sub(lambda m: m[1] + m[2], text)
    text = _MIXED.sub(_read_digits, text)
    for pattern, chars in _PINYIN:
        text = pattern.sub(chars, text)
    text = _BETWEEN_CJK.sub("", text)
    text = _WORD_HYPHEN.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def views(text: str) -> tuple[str, ...]:
    """The texts a check reads: the normalised message, and its skeleton when that differs."""
    plain, bare = normalise(text), skeleton(text)
    return (plain,) if bare == plain else (plain, bare)
