"""The career office's charts as inline SVG drawn on the server (issue 13): the funnel and mentorship health.

Pure functions: no Flask, no database, no clock. The output is meant to be pasted into a page as is, so it holds
to the page's rules: `role="img"` with a `<title>` and a one-sentence `<desc>` of the numbers, every number also
written as text (nothing is said by colour alone), presentation attributes only (no `style`, which a CSP of
`style-src 'self'` blocks), no script, no external reference, every text XML-escaped, and a viewBox with
`width="100%"` so it shrinks onto a 375 px phone. Texts that a translation replaces are parameters (`labels`
per stage or category, `texts` for the few phrases), with readable English defaults.
"""
import hashlib
import unicodedata
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"

# The funnel's stages, in SPEC §11's order: paths into the dict `reports.funnel.funnel` returns. Counts of the
# period's intros, meetings and referrals; `members` (a snapshot, not of the period) and `intros.blocked` (a
# side path, not a step down the funnel) are left out.
FUNNEL_STAGES = ("intros.sent", "intros.accepted", "meetings.scheduled", "meetings.completed",
                 "referrals.eligible", "referrals.requested", "referrals.approved", "referrals.outcomes.hired")
# SPEC §7's health of active mentorships, best first (`funnel()["mentorships"]` counts them).
HEALTH = ("on_track", "needs_check_in", "at_risk")

DEFAULT_LABELS = {
    "intros.sent": "Intros sent",
    "intros.accepted": "Intros accepted",
    "meetings.scheduled": "Meetings scheduled",
    "meetings.completed": "Meetings completed",
    "referrals.eligible": "Eligible for a referral",
    "referrals.requested": "Referrals requested",
    "referrals.approved": "Referrals approved",
    "referrals.outcomes.hired": "Hired",
    "on_track": "On track",
    "needs_check_in": "Needs a check-in",
    "at_risk": "At risk",
}
DEFAULT_TEXTS = {
    "of_previous": "{percent} of previous",  # {percent} is replaced, e.g. "45%"
    "no_data": "No data yet.",
    "no_mentorships": "No active mentorships.",
    "funnel_title": "Funnel",
    "health_title": "Mentorship health",
}

FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK, MUTED, ON_BAR = "#1a202c", "#4a5568", "#ffffff"
BAR, TRACK = "#2b6cb0", "#e2e8f0"
HEALTH_FILLS = {"on_track": "#2f855a", "needs_check_in": "#b7791f", "at_risk": "#c53030"}
OTHER_FILL = "#718096"
PAD = 8
LABEL_SIZE, VALUE_SIZE = 20, 18  # viewBox units: at 640 wide on a 375 px phone, about 11 and 10 px
STUB = 2  # a zero count's bar: visibly there, visibly nothing
MIN_WIDTH = 200


def funnel_stages(data, codes=FUNNEL_STAGES):
    """[(code, count)] in order from the funnel report's dict; a path it does not have counts 0."""
    stages = []
    for code in codes:
        value = data
        for key in code.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        stages.append((code, value or 0))
    return stages


def funnel_svg(stages, *, title=None, labels=None, texts=None, width=640):
    """One horizontal bar per stage, as long as its count against the largest, with the label above it and the
    count and the conversion from the previous stage beside it. `stages`: (code, count) pairs or a mapping."""
    stages = _checked(stages.items() if hasattr(stages, "items") else stages)
    width = _checked_width(width)
    texts = {**DEFAULT_TEXTS, **(texts or {})}
    title = texts["funnel_title"] if title is None else title
    names = [_label(code, labels) for code, _ in stages]
    largest = max((count for _, count in stages), default=0)
    span = width - 2 * PAD
    row = LABEL_SIZE + 12 + 26 + 14  # label, gap, bar, gap
    height = PAD + row * len(stages) + (0 if stages else LABEL_SIZE + 2 * PAD)

    parts, summary = [], []
    previous = None  # the previous stage's count
    for index, ((code, count), name) in enumerate(zip(stages, names, strict=True)):
        top = PAD + index * row
        bar_top = top + LABEL_SIZE + 12
        length = span * count / largest if count else 0
        length = max(STUB, min(span, round(length, 2)))
        # The conversion from the previous stage; none for the first, nor after a stage of 0 (nothing to convert).
        rate = _percent(count, previous) if previous else None
        value = _number(count) + ("" if rate is None else " · " + _of_previous(rate, texts))
        summary.append(f"{name} {_number(count)}" + ("" if rate is None else f" ({_of_previous(rate, texts)})"))
        # The count beside the bar's end, or inside a long bar (white on the bar) where there is more room.
        outside, inside = width - 2 * PAD - length - 8, length - 16
        if outside >= min(inside, _text_width(value, VALUE_SIZE)):
            value_text = _text(PAD + length + 8, bar_top + 19, _fit(value, outside, VALUE_SIZE), VALUE_SIZE, INK)
        else:
            value_text = _text(PAD + length - 8, bar_top + 19, _fit(value, inside, VALUE_SIZE), VALUE_SIZE, ON_BAR,
                               anchor="end", weight="bold")
        parts.append(
            f'<g data-stage={_attr(code)}>'
            f'{_text(PAD, top + LABEL_SIZE - 4, _fit(name, span, LABEL_SIZE), LABEL_SIZE, INK)}'
            f'<rect class="bar" x="{PAD}" y="{bar_top}" width="{_n(length)}" height="26" rx="3" fill="{BAR}"/>'
            f'{value_text}</g>')
        previous = count
    if not stages:
        parts.append(_text(PAD, PAD + LABEL_SIZE, texts["no_data"], LABEL_SIZE, MUTED))
        summary = [texts["no_data"].rstrip(".")]
    return _svg("funnel", title, _sentence(title, summary), width, height, parts)


def health_svg(counts, *, title=None, labels=None, texts=None, width=640):
    """Active mentorships by health as one stacked bar, then a legend that says each category's count and share.
    `counts`: a mapping with on_track, needs_check_in, at_risk (e.g. `funnel()["mentorships"]`; other keys
    such as active/closed are ignored), or (category, count) pairs to draw other categories in their order."""
    if hasattr(counts, "items"):
        pairs = [(code, counts.get(code, 0)) for code in HEALTH]
    else:
        pairs = list(counts)
    pairs = _checked(pairs)
    width = _checked_width(width)
    texts = {**DEFAULT_TEXTS, **(texts or {})}
    title = texts["health_title"] if title is None else title
    total = sum(count for _, count in pairs)
    span = width - 2 * PAD
    bar_top, bar_height, line = PAD, 32, LABEL_SIZE + 14
    legend_top = bar_top + bar_height + 16
    height = legend_top + line * max(len(pairs), 1) + PAD

    parts = [f'<rect class="track" x="{PAD}" y="{bar_top}" width="{span}" height="{bar_height}" rx="3" '
             f'fill="{TRACK}"/>']
    summary, running = [], 0
    for code, count in pairs:
        # Boundaries from the running total, so the segments meet exactly and end at the track's end.
        start = round(PAD + (span * running / total if total else 0), 2)
        running += count
        end = round(PAD + (span * running / total if total else 0), 2)
        if end > start:  # a category too small to draw at this width is still in the legend, with its count
            parts.append(f'<rect class="segment" data-category={_attr(code)} x="{_n(start)}" '
                         f'y="{bar_top}" width="{_n(end - start)}" height="{bar_height}" '
                         f'fill="{HEALTH_FILLS.get(code, OTHER_FILL)}"/>')
    for index, (code, count) in enumerate(pairs):
        name = _label(code, labels)
        share = _percent(count, total) if total else None
        value = _number(count) + ("" if share is None else f" ({share})")
        summary.append(f"{name} {value}")
        top = legend_top + index * line
        parts.append(
            f'<g data-category={_attr(code)}>'
            f'<rect class="swatch" x="{PAD}" y="{top + 2}" width="18" height="18" rx="2" '
            f'fill="{HEALTH_FILLS.get(code, OTHER_FILL)}"/>'
            f'{_text(PAD + 28, top + 18, _fit(name + ": " + value, span - 28, LABEL_SIZE), LABEL_SIZE, INK)}'
            '</g>')
    if not total:
        parts.append(_text(PAD + 10, bar_top + 22, texts["no_mentorships"], VALUE_SIZE, MUTED))
        summary = [texts["no_mentorships"].rstrip(".")]
    return _svg("health", title, _sentence(title, summary), width, height, parts)


def _checked(pairs):
    checked = []
    for code, count in pairs:
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"{code!r}: a count is an integer >= 0, not {count!r}")
        checked.append((str(code), count))
    return checked


def _checked_width(width):
    if isinstance(width, bool) or not isinstance(width, int) or width < MIN_WIDTH:
        raise ValueError(f"width is an integer >= {MIN_WIDTH}, not {width!r}")
    return width


def _label(code, labels):
    if labels and code in labels:
        return str(labels[code])
    return DEFAULT_LABELS.get(code) or code.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _percent(part, whole):
    """A share as text: whole percents; a small nonzero share is "<1%", never a misleading "0%"."""
    if not whole:
        return None
    value = 100 * part / whole
    if 0 < value < 0.5:
        return "<1%"
    return f"{int(value + 0.5):,}%"  # half up, as people round


def _of_previous(rate, texts):
    return texts["of_previous"].replace("{percent}", rate)


def _number(count):
    return f"{count:,}"


def _n(value):
    """A coordinate without a float's noise: 12, 12.5, not 12.000000001."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _sentence(title, summary):
    return f"{title}: " + "; ".join(summary) + "."


def _text_width(text, size):
    """An estimate, in viewBox units, of how wide a text is drawn: wide (CJK) characters a full em, others about
    0.6 em. The SVG cannot measure on the server; a generous estimate keeps texts inside the box."""
    return size * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def _fit(text, room, size):
    """The text, shortened with an ellipsis if the estimate says it would not fit in `room` (the full text is
    always in the <desc>)."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""


def _text(x, y, content, size, fill, anchor="start", weight="normal"):
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"'
            + (f' font-weight="{weight}"' if weight != "normal" else "") + f">{_escape(content)}</text>")


def _clean(text):
    """Without the characters XML 1.0 cannot carry at all (control characters, surrogates, U+FFFE/FFFF)."""
    return "".join(c for c in str(text) if c in "\t\n\r" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF
                                                                 and c not in "\ufffe\uffff"))


def _escape(text):
    return escape(_clean(text), {'"': "&quot;"})


def _attr(text):
    """An attribute value, quoted and escaped."""
    return quoteattr(_clean(text))


def _svg(kind, title, description, width, height, parts):
    # Ids unique per content, so two charts on one page do not answer to each other's title.
    digest = hashlib.blake2s(f"{title}\0{description}\0{width}".encode(), digest_size=4).hexdigest()
    title_id, desc_id = f"{kind}-{digest}-title", f"{kind}-{digest}-desc"
    return (f'<svg xmlns="{SVG_NS}" class="chart chart-{kind}" role="img" '
            f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {width} {height}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" font-family="{_escape(FONT)}">'
            f'<title id="{title_id}">{_escape(title)}</title><desc id="{desc_id}">{_escape(description)}</desc>'
            + "".join(parts) + "</svg>")
