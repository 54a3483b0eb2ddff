"""Disguises for outreach messages (issue 12): the tricks a mentee might use to slip a referral ask or a payment offer
past the coach, or that a genuine message may carry by accident (a pasted full-width name, an emoji).

Each disguise class is a function (text, rng, focus) -> text that changes at least one word (or one gap between words)
of the text, chosen at random; `focus` words (the trigger vocabulary, by default `FOCUS`) are chosen at least half of
the time, so the words that matter are never protected. Classes:

    homoglyph  Latin letters -> Cyrillic/Greek/Armenian look-alikes (а е о р с х у і ј ѕ ԁ ո, ο α ν ...), or the word
               (or some of its letters) in full-width letters (ｒｅｆｅｒ)
    invisible  format characters inside a word: U+200B/C/D, U+2060, U+FEFF, U+00AD, U+200E/F
    spelled    a whole word spelled out with one separator: "r e f e r", "r.e.f.e.r", "r-e-f", "r_e_f", "r·e·f"
    digits     some letters of a word as digits: e->3, a->4, o->0, i->1, s->5, t->7
    symbols    an emoji or symbol (🙏 🚀 ✨ 😊 ★ • ~) as a separate token between two words
    cjk        a space or an invisible character between two Chinese characters

`disguise(text, classes, rng)` applies classes in the canonical order of CLASSES (letters are swapped before words are
spelled out, and symbols go between words, not between spelled-out letters); `disguised(text)` is the hypothesis
strategy: 1-3 distinct classes among those applicable to the text, and a seed for the choices inside each class.

Readability is kept: a word spelled out with spaces never touches another spelled-out word or a one-letter word (so
word boundaries stay recoverable), digits only go into words of three letters or more, and symbols never land between
two single letters.
"""
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

HOMOGLYPHS = {
    "a": "аα", "c": "с", "d": "ԁ", "e": "е", "h": "һ", "i": "іι", "j": "ј", "k": "κ", "n": "ո", "o": "оο",
    "p": "рρ", "s": "ѕ", "u": "υ", "v": "ν", "x": "хχ", "y": "у",
    "A": "АΑ", "B": "ВΒ", "C": "С", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ", "J": "Ј", "K": "КΚ", "M": "МΜ", "N": "Ν",
    "O": "ОΟ", "P": "РΡ", "S": "Ѕ", "T": "ТΤ", "X": "ХΧ", "Y": "ҮΥ", "Z": "Ζ",
}
INVISIBLES = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"
SEPARATORS = (" ", ".", "-", "_", "·")
DIGITS = {"e": "3", "a": "4", "o": "0", "i": "1", "s": "5", "t": "7",
          "E": "3", "A": "4", "O": "0", "I": "1", "S": "5", "T": "7"}
SYMBOLS = ("🙏", "🚀", "✨", "😊", "★", "•", "~")
RATES = (0.1, 0.25, 0.5, 1.0)  # share of the candidate words a class disguises (at least one)
# the words that matter for the blocking codes: referral asks, payment offers (English stems; Chinese strings)
FOCUS = re.compile(r"refer|recommend|resume|forward|hiring|recruit|intern|pay|paid|money|cash|venmo|zelle|gift|fee|"
                   r"dollar|compensat|reward|price|rate|tip|card|usd|hr", re.IGNORECASE)
FOCUS_CJK = re.compile(r"内推|推荐|推一下|简历|红包|付|费|重谢|购物卡|价格|金额|元")


def is_cjk(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _word_char(c: str) -> bool:
    return (c.isalnum() or c in INVISIBLES) and not is_cjk(c)


def words(text: str) -> list[tuple[int, int]]:
    """Spans of the Latin (and digit, full-width, look-alike) words of text: runs of word characters, CJK excluded."""
    spans, start = [], None
    for i, c in enumerate(text + " "):
        if _word_char(c) if i < len(text) else False:
            start = i if start is None else start
        elif start is not None:
            spans.append((start, i))
            start = None
    return spans


def _choose(candidates: Sequence, rng: random.Random, focused: Callable[[object], bool]) -> list:
    """A random subset of candidates (at least one), each taken with the class's rate, focus ones at least half the
    time."""
    rate = rng.choice(RATES)
    chosen = [c for c in candidates if rng.random() < (max(rate, 0.5) if focused(c) else rate)]
    return chosen or [rng.choice(list(candidates))]


def _some(positions: Sequence[int], rng: random.Random) -> list[int]:
    """Some of a word's positions, at least one."""
    share = rng.choice((0.3, 0.6, 1.0))
    return [p for p in positions if rng.random() < share] or [rng.choice(list(positions))]


def _replace_words(text: str, spans, rng, focus, change: Callable[[str, random.Random], str]) -> str:
    if not spans:
        return text
    chosen = set(_choose(spans, rng, lambda s: bool(focus and focus.search(text[s[0]:s[1]]))))
    out, last = [], 0
    for start, end in spans:
        if (start, end) in chosen:
            out += [text[last:start], change(text[start:end], rng)]
            last = end
    return "".join(out) + text[last:]


# --- the classes -------------------------------------------------------------------------------------------------

def _homoglyph_word(word: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(word) if c.isascii() and c.isalpha()]
    mapped = [i for i in letters if word[i] in HOMOGLYPHS]
    chars = list(word)
    if rng.random() < 0.3 or not mapped:  # full-width: the whole word, or some of its letters
        for i in (letters if rng.random() < 0.5 else _some(letters, rng)):
            chars[i] = chr(ord(chars[i]) + 0xFEE0)
    else:
        for i in _some(mapped, rng):
            chars[i] = rng.choice(HOMOGLYPHS[chars[i]])
    return "".join(chars)


def homoglyph(text: str, rng: random.Random, focus=FOCUS) -> str:
    spans = [s for s in words(text) if any(c.isascii() and c.isalpha() for c in text[s[0]:s[1]])]
    return _replace_words(text, spans, rng, focus, _homoglyph_word)


def _invisible_word(word: str, rng: random.Random) -> str:
    cuts = set(_some(range(1, len(word)), rng))
    return "".join((rng.choice(INVISIBLES) if i in cuts else "") + c for i, c in enumerate(word))


def invisible(text: str, rng: random.Random, focus=FOCUS) -> str:
    return _replace_words(text, [s for s in words(text) if s[1] - s[0] >= 2], rng, focus, _invisible_word)


def _letters_only(text: str, span: tuple[int, int]) -> bool:
    """A whole word of two letters or more (not a piece of "don't" or "PayPal's")."""
    (start, end), word = span, text[span[0]:span[1]]
    glued = text[max(0, start - 1):start] in ("'", "’") or text[end:end + 1] in ("'", "’")
    return len(word) >= 2 and all(c.isalnum() for c in word) and not glued


def spelled(text: str, rng: random.Random, focus=FOCUS) -> str:
    """Whole words spelled out, one separator per word. A word spelled with spaces never touches another one or a
    one-letter word, so each run of single letters is exactly one word."""
    spans = words(text)
    candidates = [s for s in spans if _letters_only(text, s)]
    if not candidates:
        return text
    chosen = set(_choose(candidates, rng, lambda s: bool(focus and focus.search(text[s[0]:s[1]]))))
    out, last, spaced_before = [], 0, False
    for k, (start, end) in enumerate(spans):
        if (start, end) not in chosen:
            spaced_before = False
            continue
        sep = rng.choice(SEPARATORS)
        if sep == " ":
            neighbours = [spans[j] for j in (k - 1, k + 1) if 0 <= j < len(spans)]
            touching = [n for n in neighbours if text[min(n[1], end):max(n[0], start)].strip() == ""]
            if spaced_before or any(n[1] - n[0] == 1 or n in chosen for n in touching):
                sep = rng.choice(SEPARATORS[1:])
        spaced_before = sep == " "
        out += [text[last:start], sep.join(text[start:end])]
        last = end
    return "".join(out) + text[last:]


def _digits_word(word: str, rng: random.Random) -> str:
    chars = list(word)
    for i in _some([i for i, c in enumerate(word) if c in DIGITS], rng):
        chars[i] = DIGITS[chars[i]]
    return "".join(chars)


def digits(text: str, rng: random.Random, focus=FOCUS) -> str:
    spans = [s for s in words(text) if sum(c.isalpha() for c in text[s[0]:s[1]]) >= 3
             and any(c in DIGITS for c in text[s[0]:s[1]])]
    return _replace_words(text, spans, rng, focus, _digits_word)


def _gaps(text: str) -> list[tuple[int, str]]:
    """Where a symbol can go between two words, and how: (position, template). Before a run of whitespace (not
    between two single letters: they may be a spelled-out word), or after Chinese punctuation followed by text."""
    gaps = []
    for m in re.finditer(r"\s+", text):
        before, after = text[:m.start()].rsplit(None, 1)[-1:], text[m.end():].split(None, 1)[:1]
        if before and after and not (len(before[0]) == 1 and len(after[0]) == 1):
            gaps.append((m.start(), " {}"))
    gaps += [(m.end(), " {} ") for m in re.finditer(r"[，。！？：；、](?=[^\s，。！？：；、])", text)]
    return sorted(gaps)


def symbols(text: str, rng: random.Random, focus=FOCUS) -> str:
    gaps = _gaps(text)
    if not gaps:
        return text
    near = [(m.start(), m.end()) for m in (focus.finditer(text) if focus else ())]
    chosen = set(_choose(gaps, rng, lambda g: any(abs(g[0] - s) <= 2 or abs(g[0] - e) <= 2 for s, e in near)))
    out, last = [], 0
    for gap, template in gaps:
        if (gap, template) in chosen:
            out += [text[last:gap], template.format(rng.choice(SYMBOLS))]
            last = gap
    return "".join(out) + text[last:]


def cjk(text: str, rng: random.Random, focus=FOCUS_CJK) -> str:
    gaps = [i for i in range(1, len(text)) if is_cjk(text[i - 1]) and is_cjk(text[i])]
    if not gaps:
        return text
    near = [(m.start(), m.end()) for m in (focus.finditer(text) if focus else ())]
    chosen = set(_choose(gaps, rng, lambda g: any(s < g < e for s, e in near)))
    return "".join((rng.choice(" " + INVISIBLES) if i in chosen else "") + c for i, c in enumerate(text))


CLASSES: dict[str, Callable[..., str]] = {  # in the order they are applied
    "digits": digits, "homoglyph": homoglyph, "spelled": spelled, "invisible": invisible, "symbols": symbols,
    "cjk": cjk,
}


def applicable(text: str) -> list[str]:
    """The classes that can change text (with any seed)."""
    found_spans = words(text)
    spans = [text[s:e] for s, e in found_spans]
    found = {
        "digits": any(sum(c.isalpha() for c in w) >= 3 and any(c in DIGITS for c in w) for w in spans),
        "homoglyph": any(any(c.isascii() and c.isalpha() for c in w) for w in spans),
        "spelled": any(_letters_only(text, s) for s in found_spans),
        "invisible": any(len(w) >= 2 for w in spans),
        "symbols": bool(_gaps(text)),
        "cjk": any(is_cjk(a) and is_cjk(b) for a, b in zip(text, text[1:], strict=False)),
    }
    return [name for name in CLASSES if found[name]]


def disguise(text: str, classes: Sequence[str], rng: random.Random) -> str:
    """text with each of `classes` applied, in the canonical order."""
    for name in CLASSES:
        if name in classes:
            text = CLASSES[name](text, rng)
    return text


@dataclass(frozen=True)
class Disguised:
    classes: tuple[str, ...]
    seed: int
    text: str


@st.composite
def disguised(draw, text: str, classes: Sequence[str] | None = None, max_classes: int = 3) -> Disguised:
    """1..max_classes distinct classes among `classes` (default: all) applicable to text, applied with a drawn seed."""
    names = [n for n in applicable(text) if classes is None or n in classes]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(max_classes, len(names)), unique=True))
    seed = draw(st.integers(0, 2**32 - 1))
    ordered = tuple(n for n in CLASSES if n in chosen)
    return Disguised(ordered, seed, disguise(text, ordered, random.Random(seed)))
