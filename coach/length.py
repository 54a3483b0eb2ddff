"""Lengths in Latin-equivalent characters (SPEC §6): a CJK character counts 3, since one carries about as much as a
short word. Used for the coach's too_short / too_long, a profile's bio_too_short and a career plan's minimum."""
import re

CJK_WEIGHT = 3
# Han ideographs (extension A, the unified block, compatibility ideographs, extensions B and later), kana and Hangul
# syllables: each counts 3. CJK punctuation (U+3000-303F) and fullwidth forms (U+FF00-FFEF) count 1, like their
# Latin counterparts.
WIDE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f]")


def collapse(text: str | None) -> str:
    """The text with each run of whitespace (including the ideographic space) one space, and none at either end."""
    return " ".join((text or "").split())


def wide_count(text: str | None) -> int:
    """How many characters of the text count CJK_WEIGHT."""
    return len(WIDE.findall(text or ""))


def latin_length(text: str | None) -> int:
    """Length in Latin-equivalent characters: whitespace collapsed, each CJK character counting 3."""
    collapsed = collapse(text)
    return len(collapsed) + (CJK_WEIGHT - 1) * wide_count(collapsed)
