"""The career office's charts (mentorship/reports/chart.py): inline SVG that parses, says every number as text,
draws widths to scale, survives zeros, escapes what it is given, and carries nothing a strict CSP would block."""
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorship.reports.chart import FUNNEL_STAGES, PAD, STUB, SVG_NS, funnel_stages, funnel_svg, health_svg

NS = {"svg": SVG_NS}
REPORT = {  # the shape of reports.funnel.funnel()
    "members": {"mentees": 300, "mentors": 80, "ready": 250},
    "intros": {"blocked": 12, "sent": 200, "accepted": 90, "declined": 40, "expired": 10},
    "meetings": {"scheduled": 120, "completed": 60, "missed": 9, "no_shows": {"7": 2}},
    "mentorships": {"active": 70, "closed": 20, "on_track": 50, "needs_check_in": 15, "at_risk": 5},
    "referrals": {"eligible": 30, "requested": 24, "approved": 18, "declined": 6,
                  "outcomes": {"submitted": 10, "interviewing": 5, "offer": 3, "hired": 2, "not_selected": 1}},
    "medians": {"days_to_first_meeting": 6.5, "days_to_referral_eligible": 40.0, "mentor_response_hours": 20.0},
}
HOSTILE = '<script>alert("x")</script> R&D "导师" <b>'


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    return root


def bars(root):
    return root.findall(".//svg:rect[@class='bar']", NS)


def texts(root):
    return [t.text or "" for t in root.findall(".//svg:text", NS)]


def viewbox_width(root):
    return float(root.get("viewBox").split()[2])


def assert_clean(svg):
    """Nothing a CSP of `script-src 'self'; style-src 'self'` blocks, and nothing fetched from elsewhere."""
    root = parse(svg)
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        assert tag not in {"script", "style", "foreignObject", "image", "use", "a"}, tag
        for name, value in element.attrib.items():
            assert name != "style" and not name.startswith("on"), name
            assert "href" not in name, name
            assert "http" not in value and "url(" not in value, (name, value)
    assert all(e.tag.startswith(f"{{{SVG_NS}}}") for e in root.iter())


def assert_accessible(svg):
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None  # scales down onto a phone
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    title, desc = root[0], root[1]
    assert title.tag == f"{{{SVG_NS}}}title" and title.text
    assert desc.tag == f"{{{SVG_NS}}}desc" and desc.text.endswith(".")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    return root


def test_the_funnel_report_becomes_the_spec_stages_in_order():
    stages = funnel_stages(REPORT)
    assert stages == [("intros.sent", 200), ("intros.accepted", 90), ("meetings.scheduled", 120),
                      ("meetings.completed", 60), ("referrals.eligible", 30), ("referrals.requested", 24),
                      ("referrals.approved", 18), ("referrals.outcomes.hired", 2)]
    assert [code for code, _ in stages] == list(FUNNEL_STAGES)
    assert funnel_stages({"intros": {"sent": 3}}) == [("intros.sent", 3)] + [(c, 0) for c in FUNNEL_STAGES[1:]]


def test_one_bar_per_stage_with_its_label_count_and_conversion_as_text():
    svg = funnel_svg(funnel_stages(REPORT), title="Acme funnel, March")
    root = assert_accessible(svg)
    assert_clean(svg)
    assert len(bars(root)) == len(FUNNEL_STAGES)
    groups = root.findall("svg:g", NS)
    assert [g.get("data-stage") for g in groups] == list(FUNNEL_STAGES)
    assert all(len(g.findall("svg:text", NS)) == 2 for g in groups)  # the label, then the count
    shown = texts(root)
    assert len(shown) == 2 * len(FUNNEL_STAGES)
    assert shown[:4] == ["Intros sent", "200", "Intros accepted", "90 · 45% of previous"]
    assert "120 · 133% of previous" in shown  # more meetings than accepted intros: above 100%, drawn anyway
    assert shown[-2:] == ["Hired", "2 · 11% of previous"]
    desc = root[1].text
    assert desc.startswith("Acme funnel, March: Intros sent 200; Intros accepted 90 (45% of previous);")
    for _, count in funnel_stages(REPORT):
        assert re.search(rf"\b{count}\b", desc)


def test_widths_are_proportional_to_the_counts_and_the_largest_fills_the_width():
    stages = [("a", 400), ("b", 200), ("c", 100), ("d", 1)]
    root = parse(funnel_svg(stages, title="t", width=800))
    widths = [float(b.get("width")) for b in bars(root)]
    span = 800 - 2 * PAD
    assert widths[0] == span
    for (_, count), width in zip(stages, widths, strict=True):
        assert width == pytest.approx(max(STUB, span * count / 400), abs=0.01)
    assert [float(b.get("x")) for b in bars(root)] == [PAD] * 4


def test_a_zero_count_is_a_thin_stub_and_the_next_stage_has_no_conversion():
    root = parse(funnel_svg([("a", 10), ("b", 0), ("c", 4)], title="t"))
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[1] == STUB and 0 < STUB < widths[2] < widths[0]
    assert texts(root)[1::2] == ["10", "0 · 0% of previous", "4"]  # nothing converts from zero: no percentage


@pytest.mark.parametrize("stages", [[("a", 0), ("b", 0), ("c", 0)], [("a", 0)], []])
def test_all_zero_or_no_stages_do_not_divide_by_zero(stages):
    svg = funnel_svg(stages, title="Empty")
    root = assert_accessible(svg)
    assert_clean(svg)
    assert [float(b.get("width")) for b in bars(root)] == [STUB] * len(stages)
    assert not any("%" in t for t in texts(root)) and "%" not in root[1].text
    if not stages:
        assert texts(root) == ["No data yet."] and root[1].text == "Empty: No data yet."


def test_small_shares_are_not_rounded_to_zero_and_big_counts_are_grouped():
    shown = texts(parse(funnel_svg([("a", 1_000_000), ("b", 1_000)], title="t")))
    assert shown[1::2] == ["1,000,000", "1,000 · <1% of previous"]


def test_labels_titles_and_texts_are_escaped_and_chinese_is_kept():
    labels = {"intros.sent": HOSTILE, "intros.accepted": "介绍已接受"}
    svg = funnel_svg([("intros.sent", 5), ("intros.accepted", 2)], title="漏斗 <&>", labels=labels,
                     texts={"of_previous": "上一步的 {percent}"})
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "R&amp;D" in svg
    assert "介绍已接受" in svg and "漏斗" in svg  # as characters, not character references
    assert_clean(svg)
    root = assert_accessible(svg)
    assert texts(root) == [HOSTILE, "5", "介绍已接受", "2 · 上一步的 40%"]
    assert root[0].text == "漏斗 <&>"
    assert root[1].text == f"漏斗 <&>: {HOSTILE} 5; 介绍已接受 2 (上一步的 40%)."


def test_control_characters_in_a_label_title_or_code_do_not_break_the_xml():
    root = parse(funnel_svg([("a\x01\"<", 1)], title="t\x00", labels={"a\x01\"<": "bad\x07label\ufffe"}))
    assert texts(root)[0] == "badlabel" and root[0].text == "t"
    assert root.find("svg:g", NS).get("data-stage") == 'a"<'


def test_default_labels_are_readable_english_from_the_code():
    shown = texts(parse(funnel_svg([("referrals.outcomes.offer", 3), ("some_stage", 1), ("intros.sent", 1)],
                                   title="t")))
    assert shown[0::2] == ["Offer", "Some stage", "Intros sent"]


def test_a_label_too_long_for_the_width_is_shortened_on_screen_but_whole_in_the_description():
    long = "申请" * 40
    root = parse(funnel_svg([("a", 1)], title="t", labels={"a": long}, width=320))
    assert texts(root)[0].endswith("…") and len(texts(root)[0]) < len(long)
    assert long in root[1].text


def test_the_count_goes_inside_a_long_bar_and_beside_a_short_one():
    root = parse(funnel_svg([("a", 100), ("b", 10)], title="t"))
    first, second = root.findall(".//svg:g", NS)
    inside, outside = first.findall("svg:text", NS)[1], second.findall("svg:text", NS)[1]
    assert inside.get("text-anchor") == "end" and inside.get("fill") == "#ffffff"
    assert outside.get("text-anchor") == "start" and float(outside.get("x")) > PAD + 10 * 624 / 100


def test_two_different_charts_on_one_page_have_different_ids():
    one, two = (parse(funnel_svg([("a", n)], title="t")) for n in (1, 2))
    assert one[0].get("id") != two[0].get("id")
    assert parse(health_svg({"on_track": 1}))[0].get("id") != one[0].get("id")


@pytest.mark.parametrize("stages", [[("a", -1)], [("a", 1.5)], [("a", "3")], [("a", True)], [("a", None)]])
def test_counts_are_integers_at_least_zero(stages):
    with pytest.raises(ValueError):
        funnel_svg(stages, title="t")


@pytest.mark.parametrize("width", [0, 199, 640.0, "640"])
def test_the_width_is_a_sensible_integer(width):
    with pytest.raises(ValueError):
        funnel_svg([("a", 1)], title="t", width=width)


def test_a_mapping_of_stages_keeps_its_order():
    root = parse(funnel_svg({"intros.sent": 3, "intros.accepted": 1}, title="t"))
    assert texts(root)[0::2] == ["Intros sent", "Intros accepted"]


# Mentorship health: the categories reports.funnel computes (SPEC §7's health of active mentorships).

def segments(root):
    return root.findall(".//svg:rect[@class='segment']", NS)


def test_health_is_one_stacked_bar_in_proportion_with_a_legend_of_counts_and_shares():
    svg = health_svg(REPORT["mentorships"])  # active and closed are not categories: ignored
    root = assert_accessible(svg)
    assert_clean(svg)
    assert root[0].text == "Mentorship health"
    assert [s.get("data-category") for s in segments(root)] == ["on_track", "needs_check_in", "at_risk"]
    span = 640 - 2 * PAD
    widths = [float(s.get("width")) for s in segments(root)]
    assert widths == pytest.approx([span * 50 / 70, span * 15 / 70, span * 5 / 70], abs=0.01)
    xs = [float(s.get("x")) for s in segments(root)]
    assert xs[0] == PAD and xs[1] == pytest.approx(PAD + widths[0], abs=0.02)
    assert xs[2] + widths[2] == pytest.approx(PAD + span, abs=0.02)
    assert texts(root) == ["On track: 50 (71%)", "Needs a check-in: 15 (21%)", "At risk: 5 (7%)"]
    assert root[1].text == "Mentorship health: On track 50 (71%); Needs a check-in 15 (21%); At risk 5 (7%)."
    assert len(root.findall(".//svg:rect[@class='swatch']", NS)) == 3


def test_health_without_active_mentorships_says_so():
    for counts in ({}, {"on_track": 0, "needs_check_in": 0, "at_risk": 0}):
        svg = health_svg(counts)
        root = assert_accessible(svg)
        assert_clean(svg)
        assert segments(root) == [] and not any("%" in t for t in texts(root))
        assert "No active mentorships." in texts(root)
        assert root[1].text == "Mentorship health: No active mentorships."


def test_health_skips_empty_categories_in_the_bar_but_lists_them_and_escapes_labels():
    svg = health_svg({"on_track": 0, "needs_check_in": 3, "at_risk": 1}, title="导师关系 & 健康",
                     labels={"on_track": "进展顺利", "needs_check_in": '<b>R&D</b> "导师"'})
    assert "<b>" not in svg and "&lt;b&gt;R&amp;D&lt;/b&gt;" in svg
    assert_clean(svg)
    root = parse(svg)
    assert [s.get("data-category") for s in segments(root)] == ["needs_check_in", "at_risk"]
    assert texts(root) == ["进展顺利: 0 (0%)", '<b>R&D</b> "导师": 3 (75%)', "At risk: 1 (25%)"]


# Properties: any counts, increasing or not, give a chart that parses and stays inside its box.

def check_inside(root):
    width = viewbox_width(root)
    height = float(root.get("viewBox").split()[3])
    for rect in root.iter(f"{{{SVG_NS}}}rect"):
        x, w = float(rect.get("x")), float(rect.get("width"))
        assert 0 <= x and 0 < w and x + w <= width - PAD + 1e-9
        assert float(rect.get("y")) + float(rect.get("height")) <= height
    for text in root.iter(f"{{{SVG_NS}}}text"):
        assert 0 <= float(text.get("x")) <= width and 0 < float(text.get("y")) <= height


COUNTS = st.lists(st.integers(min_value=0, max_value=10**9), max_size=12)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(counts=st.one_of(COUNTS, COUNTS.map(lambda c: sorted(c, reverse=True))),
       width=st.integers(min_value=200, max_value=2000),
       label=st.text(max_size=60))
def test_any_funnel_parses_and_no_bar_is_wider_than_the_chart(counts, width, label):
    stages = [(f"stage_{i}", n) for i, n in enumerate(counts)]
    svg = funnel_svg(stages, title=label or "t", labels={"stage_0": label}, width=width)
    root = parse(svg)
    assert viewbox_width(root) == width
    assert len(bars(root)) == len(counts)
    assert len(texts(root)) == (2 * len(counts) or 1)
    check_inside(root)
    widths = [float(b.get("width")) for b in bars(root)]
    if any(counts):
        assert max(widths) == width - 2 * PAD
    for (a, wa), (b, wb) in pairwise(zip(counts, widths, strict=True)):
        assert (a < b) <= (wa <= wb) and (a == b) <= (wa == wb)  # order kept (rounding may tie near-equals)
    assert "<script" not in svg and "style=" not in svg


@PROPERTY
@given(counts=st.fixed_dictionaries({}, optional={k: st.integers(min_value=0, max_value=10**9)
                                                  for k in ("on_track", "needs_check_in", "at_risk")}),
       width=st.integers(min_value=200, max_value=2000))
def test_any_health_parses_and_the_segments_fill_the_track_at_most(counts, width):
    root = parse(health_svg(counts, width=width))
    check_inside(root)
    total = sum(float(s.get("width")) for s in segments(root))
    assert total == pytest.approx(width - 2 * PAD if any(counts.values()) else 0, abs=0.05)
