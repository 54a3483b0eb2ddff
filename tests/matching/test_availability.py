"""Weekly availability in UTC: the overlap moves with each side's daylight-saving changes, week by week."""
from datetime import UTC, date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MentorIndex, Profile, score_mentee
from matching.availability import SLOTS, WORDS, _utc_slot_of_local_slot, local_slots, week_mask, week_start
from matching.bits import shared_bits

NEW_YORK = ((0, "09:00", "10:00"),)   # Monday 09:00-10:00 in New York
LONDON = ((0, "14:00", "15:00"),)     # Monday 14:00-15:00 in London


def _overlap_hours(a, tz_a, b, tz_b, week):
    monday = week_start(week)
    shared = shared_bits(week_mask(a, tz_a, monday)[None, :], week_mask(b, tz_b, monday)[:, None])
    return int(shared[0, 0]) / 2


@pytest.mark.parametrize("week, hours", [
    (date(2024, 3, 4), 1.0),    # both on standard time: 14:00 UTC for both
    (date(2024, 3, 11), 0.0),   # New York switched on 10 March, London not yet: 13:00 vs 14:00 UTC
    (date(2024, 3, 25), 0.0),   # still only New York (London switches on 31 March)
    (date(2024, 4, 1), 1.0),    # both on summer time: 13:00 UTC for both
    (date(2024, 10, 28), 0.0),  # London back on 27 October, New York not until 3 November
    (date(2024, 11, 4), 1.0),   # both back on standard time
])
def test_new_york_and_london_overlap_follows_both_dst_calendars(week, hours):
    assert _overlap_hours(NEW_YORK, "America/New_York", LONDON, "Europe/London", week) == hours


def test_availability_component_uses_the_index_week():
    mentor = Profile(1, "mentor", timezone="Europe/London", availability=LONDON, free_capacity=1)
    mentee = Profile(2, "mentee", timezone="America/New_York", availability=NEW_YORK)
    in_gap = score_mentee(mentee, MentorIndex.build([mentor], week_of=datetime(2024, 3, 13, 12)))
    aligned = score_mentee(mentee, MentorIndex.build([mentor], week_of=datetime(2024, 4, 3, 12)))
    assert in_gap.components["availability"][0] == 0.0
    assert aligned.components["availability"][0] == pytest.approx(2 / 8)  # 1 h of the 4 h that earn full marks


def test_slots_use_the_midpoint_rule_and_accept_24_00():
    assert local_slots([(0, "09:00", "10:00")]).tolist() == [18, 19]
    assert local_slots([(0, "09:10", "09:50")]).tolist() == [18, 19]   # covers both midpoints (09:15, 09:45)
    assert local_slots([(0, "09:20", "09:40")]).tolist() == []         # covers neither
    assert local_slots([(6, "23:00", "24:00")]).tolist() == [SLOTS - 2, SLOTS - 1]


def test_slots_wrap_around_the_week_in_utc():
    monday = week_start(date(2025, 1, 8))
    # Monday 02:00 in Tokyo (UTC+9) is Sunday 17:00 UTC: the end of the same weekly pattern.
    mask = week_mask(((0, "02:00", "03:00"),), "Asia/Tokyo", monday)
    bits = np.unpackbits(mask.view(np.uint8), bitorder="little")[:SLOTS]
    assert np.flatnonzero(bits).tolist() == [6 * 48 + 34, 6 * 48 + 35]


def test_half_hour_and_45_minute_offsets():
    monday = week_start(date(2025, 1, 8))
    india = week_mask(((0, "14:30", "15:30"),), "Asia/Kolkata", monday)      # 09:00-10:00 UTC
    utc = week_mask(((0, "09:00", "10:00"),), "UTC", monday)
    assert (india == utc).all()
    nepal = week_mask(((0, "14:45", "15:45"),), "Asia/Kathmandu", monday)    # 09:00-10:00 UTC, :45 offset
    assert (nepal == utc).all()


def test_week_start_is_the_utc_monday():
    assert week_start(datetime(2024, 3, 10, 23, 30, tzinfo=UTC)) == date(2024, 3, 4)
    assert week_start(datetime(2024, 3, 11, 1, 0, tzinfo=UTC)) == date(2024, 3, 11)
    assert week_start(date(2024, 3, 17)) == date(2024, 3, 11)


_windows = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 48), st.integers(0, 48)).map(
    lambda w: (w[0], f"{w[1] * 30 // 60:02d}:{w[1] * 30 % 60:02d}", f"{w[2] * 30 // 60:02d}:{w[2] * 30 % 60:02d}")),
    max_size=5)


@settings(max_examples=300, deadline=None)
@given(windows=_windows, tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe",
                                             "Europe/London", ""]),
       week=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_week_mask_sets_the_utc_bit_of_each_local_slot(windows, tz, week):
    # The definition, bit by bit: each local half-hour's UTC half-hour, as 336 bools packed little-endian.
    monday = week_start(week)
    bits = np.zeros(WORDS * 64, dtype=bool)
    bits[_utc_slot_of_local_slot(tz or "UTC", monday)[local_slots(windows)]] = True
    expected = np.packbits(bits, bitorder="little").view("<u8")
    mask = week_mask(tuple(windows), tz, monday)
    assert mask.dtype == np.uint64 and mask.shape == (WORDS,) and not mask.flags.writeable
    np.testing.assert_array_equal(mask, expected)
    np.testing.assert_array_equal(week_mask([list(w) for w in windows], tz, monday), expected)  # unhashable
