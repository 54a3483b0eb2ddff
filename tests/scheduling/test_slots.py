"""The slot finder against an independent oracle: each instant converted to the member's zone with zoneinfo and
looked up in that local weekday's windows, and a brute-force scan over every aligned start."""
import json
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorship.scheduling.slots import LEAD_MINUTES, Window, find_slots, fits, free_intervals, weekly_windows

ROOT = Path(__file__).resolve().parents[2]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
ZONES = ["America/New_York", "Europe/London", "Asia/Shanghai", "Asia/Kolkata", "Australia/Sydney",
         "America/Sao_Paulo", "Pacific/Auckland", "UTC", "Asia/Kathmandu", "Australia/Lord_Howe"]
# Sundays of the DST switches of 2026: US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct, Sydney and Auckland 5 Apr, Auckland
# 27 Sep, Sydney and Lord Howe 4 Oct; the weeks around them (New York and London 4 h apart from 9 to 28 March).
SWITCHES = [date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 9, 27), date(2026, 10, 4),
            date(2026, 10, 25), date(2026, 11, 1)]


def at(*args):
    return datetime(*args, tzinfo=UTC)


def av(*windows):
    return [{"weekday": d, "start": s, "end": e} for d, s, e in windows]


# ---------------------------------------------------------------- the oracle (shares no code with the module)

def _minute(hhmm):
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def in_window(availability, tz, instant):
    """`instant`'s wall-clock time in `tz` lies inside a window of that local weekday."""
    local = instant.astimezone(ZoneInfo(tz))
    second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return any(w["weekday"] == local.weekday() and _minute(w["start"]) * 60 <= second < _minute(w["end"]) * 60
               for w in availability)


def earliest_start(now, step, lead=LEAD_MINUTES):
    """The first instant on the UTC step grid at least `lead` after now (and after now)."""
    step = timedelta(minutes=step)
    target = now + timedelta(minutes=lead)
    start = EPOCH + -((EPOCH - target) // step) * step
    return start + step if start <= now else start


class Oracle:
    """Brute force on a `grain`-minute grid: windows, offsets and busy intervals must all sit on that grid."""

    def __init__(self, a, tz_a, b, tz_b, busy, now, duration, days, step, grain):
        self.step, self.duration = timedelta(minutes=step), timedelta(minutes=duration)
        self.first, self.horizon = earliest_start(now, step), now + timedelta(days=days)
        self.grain = timedelta(minutes=grain)
        self.free, t = {}, self.first
        while t < self.horizon:
            clear = not any(s < t + self.grain and t < e for s, e in busy)
            self.free[t] = clear and in_window(a, tz_a, t) and in_window(b, tz_b, t)
            t += self.grain

    def ok(self, start):
        t = start
        while t < start + self.duration:
            if not self.free.get(t, False):
                return False
            t += self.grain
        return True

    def valid_starts(self):
        starts, s = [], self.first
        while s + self.duration <= self.horizon:
            if self.ok(s):
                starts.append(s)
            s += self.step
        return starts


def check(a, tz_a, b, tz_b, busy, now, duration, days, step, max_slots, grain):
    slots = find_slots(a, tz_a, b, tz_b, busy, now, duration_minutes=duration, days=days, max_slots=max_slots,
                       step_minutes=step)
    oracle = Oracle(a, tz_a, b, tz_b, busy, now, duration, days, step, grain)
    valid = oracle.valid_starts()
    local_day = lambda t: t.astimezone(ZoneInfo(tz_a)).date()  # noqa: E731
    # sound
    assert len(slots) <= max_slots
    assert [s for s, _ in slots] == sorted(s for s, _ in slots)
    for (s, e), following in zip(slots, [*slots[1:], None], strict=False):
        assert s.utcoffset() == e.utcoffset() == timedelta(0)
        assert e - s == timedelta(minutes=duration)
        assert now < s and s >= now + timedelta(minutes=LEAD_MINUTES) and e <= now + timedelta(days=days)
        assert (s - EPOCH) % timedelta(minutes=step) == timedelta(0)
        for availability, tz in ((a, tz_a), (b, tz_b)):
            assert in_window(availability, tz, s) and in_window(availability, tz, e - MICRO)
            assert all(in_window(availability, tz, s + k * oracle.grain) for k in range(duration // grain))
        assert not any(bs < e and s < be for bs, be in busy)
        assert following is None or e <= following[0]
        assert oracle.ok(s)
        assert fits(a, tz_a, b, tz_b, busy, s, e)
    # complete: the earliest valid start first, then the earliest start of each following day that overlaps none
    # picked before it (a slot may run past midnight into the next day)
    assert bool(slots) == bool(valid)
    if valid:
        assert slots[0][0] == valid[0]
    length, first = timedelta(minutes=duration), []
    for day in sorted({local_day(v) for v in valid}):
        clear = [v for v in valid if local_day(v) == day and all(not (p < v + length and v < p + length)
                                                                  for p in first)]
        if clear and len(first) < max_slots:
            first.append(min(clear))
    assert sorted({local_day(s) for s, _ in slots}) == sorted({local_day(p) for p in first})
    for p in first:
        assert min(s for s, _ in slots if local_day(s) == local_day(p)) == p
    if len(first) >= max_slots:
        assert len(slots) == max_slots
    return slots


# ---------------------------------------------------------------- strategies

@st.composite
def availabilities(draw, grain):
    count = draw(st.integers(0, 10))
    windows = []
    for _ in range(count):
        start = draw(st.integers(0, 1440 // grain - 1)) * grain
        end = draw(st.integers(start // grain + 1, min(1440, start + 720) // grain)) * grain
        windows.append((draw(st.integers(0, 6)), f"{start // 60:02d}:{start % 60:02d}",
                        f"{end // 60:02d}:{end % 60:02d}"))
    return av(*windows)


nows = st.one_of(
    st.builds(lambda day, seconds: datetime.combine(day, time(), UTC) + timedelta(seconds=seconds),
              st.sampled_from(SWITCHES), st.floats(-10 * 86400, 3 * 86400).map(lambda x: round(x, 6))),
    st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
)


@st.composite
def busy_lists(draw, now, days, grain):
    base = now.replace(second=0, microsecond=0, minute=now.minute - now.minute % grain)
    out = []
    for _ in range(draw(st.integers(0, 12))):
        start = base + timedelta(minutes=grain * draw(st.integers(-300 // grain, days * 1440 // grain)))
        out.append((start, start + timedelta(minutes=grain * draw(st.integers(1, 480 // grain)))))
    return out


@st.composite
def cases(draw, grain, max_days):
    a = draw(availabilities(grain))
    b = draw(st.one_of(availabilities(grain), st.just(a)))
    now, days = draw(nows), draw(st.integers(1, max_days))
    return dict(a=a, tz_a=draw(st.sampled_from(ZONES)), b=b, tz_b=draw(st.sampled_from(ZONES)),
                busy=draw(busy_lists(now, days, grain)), now=now, days=days,
                duration=draw(st.sampled_from([15, 20, 30, 45, 60])),
                step=draw(st.sampled_from([5, 15, 30])), max_slots=draw(st.integers(1, 4)))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases(grain=5, max_days=14))
def test_slots_are_sound_complete_and_spread(case):
    check(**case, grain=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(grain=1, max_days=3))
def test_windows_on_any_minute(case):
    check(**case, grain=1)


@PROPERTY
@given(case=cases(grain=5, max_days=2), offset=st.integers(0, 2 * 288), length=st.integers(1, 24))
def test_fits_agrees_with_the_oracle(case, offset, length):
    oracle = Oracle(case["a"], case["tz_a"], case["b"], case["tz_b"], case["busy"], case["now"], length * 5,
                    case["days"], 5, 5)
    start = oracle.first + timedelta(minutes=5 * offset)
    end = start + timedelta(minutes=5 * length)
    if end > oracle.horizon:
        return
    assert fits(case["a"], case["tz_a"], case["b"], case["tz_b"], case["busy"], start, end) == oracle.ok(start)


@PROPERTY
@given(availability=availabilities(1), tz=st.sampled_from(ZONES), start=nows, hours=st.integers(1, 72))
def test_free_intervals_are_exactly_the_local_windows(availability, tz, start, hours):
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(hours=hours)
    found = free_intervals(weekly_windows(availability), tz, start, end)
    for (s, e), following in zip(found, [*found[1:], None], strict=False):
        assert s.utcoffset() == timedelta(0) and start <= s < e <= end
        assert following is None or e < following[0]  # merged
        assert in_window(availability, tz, s) and in_window(availability, tz, e - MICRO)
    minute, t = timedelta(minutes=1), start
    while t < end:
        assert any(s <= t < e for s, e in found) == in_window(availability, tz, t)
        t += minute


# ---------------------------------------------------------------- examples

NEW_YORK = av((0, "09:00", "10:00"))  # Mondays 09:00-10:00 in New York
LONDON = av((0, "14:00", "15:00"))    # Mondays 14:00-15:00 in London


@pytest.mark.parametrize("now, days, expected", [
    (at(2026, 3, 1), 14, [at(2026, 3, 2, 14)]),    # 2 March: both on standard time, 14:00 UTC; 9 March: no
    (at(2026, 3, 8, 12), 14, []),                  # 9 and 16 March: New York on summer time, London not yet
    (at(2026, 3, 20), 14, [at(2026, 3, 30, 13)]),  # 23 March: no; 30 March: both on summer time, 13:00 UTC
    (at(2026, 10, 20), 7, []),                     # 26 October: London back on GMT, New York not until 1 Nov
    (at(2026, 10, 28), 14, [at(2026, 11, 2, 14), at(2026, 11, 9, 14)]),  # both back on standard time
])
def test_new_york_and_london_overlap_follows_both_dst_calendars(now, days, expected):
    slots = find_slots(NEW_YORK, "America/New_York", LONDON, "Europe/London", [], now, duration_minutes=60, days=days)
    assert [s for s, _ in slots] == expected
    assert all(e - s == timedelta(hours=1) for s, e in slots)


@pytest.mark.parametrize("now", [at(2026, 3, 1), at(2026, 3, 15), at(2026, 7, 1), at(2026, 11, 1)])
def test_shanghai_has_no_daylight_saving(now):
    shanghai = av((0, "21:00", "22:00"))  # 13:00 UTC all year round
    slots = find_slots(shanghai, "Asia/Shanghai", av((0, "13:00", "14:00")), "UTC", [], now, duration_minutes=60,
                       days=7)
    assert len(slots) == 1 and slots[0][0].time() == time(13) and slots[0][0].weekday() == 0


def test_overlap_across_utc_midnight():
    sydney = av((1, "09:00", "12:00"))    # Tuesday 09:00-12:00 AEDT (+11) = Monday 22:00 - Tuesday 01:00 UTC
    new_york = av((0, "17:00", "21:00"))  # Monday 17:00-21:00 EST (-5) = Monday 22:00 - Tuesday 02:00 UTC
    slots = find_slots(sydney, "Australia/Sydney", new_york, "America/New_York", [], at(2026, 1, 12),
                       duration_minutes=180, days=7)
    assert slots == [(at(2026, 1, 12, 22), at(2026, 1, 13, 1))]
    assert fits(sydney, "Australia/Sydney", new_york, "America/New_York", [], at(2026, 1, 12, 23), at(2026, 1, 13))
    assert not fits(sydney, "Australia/Sydney", new_york, "America/New_York", [], at(2026, 1, 13), at(2026, 1, 13, 2))


def test_half_hour_zone_aligns_in_utc():
    kolkata = av((2, "14:30", "15:30"))  # 09:00-10:00 UTC
    slots = find_slots(kolkata, "Asia/Kolkata", av((2, "08:00", "12:00")), "UTC", [], at(2026, 5, 4), days=7)
    assert slots == [(at(2026, 5, 6, 9), at(2026, 5, 6, 9, 30)), (at(2026, 5, 6, 9, 30), at(2026, 5, 6, 10))]


def test_spread_over_different_days_then_filled():
    weekdays = av(*[(d, "09:00", "17:00") for d in range(5)])
    slots = find_slots(weekdays, "Europe/Berlin", weekdays, "Europe/Berlin", [], at(2026, 6, 1, 6, 50))
    # Monday 1 June 08:50 in Berlin: the lead time moves the first start to 10:00 local (08:00 UTC)
    assert [s for s, _ in slots] == [at(2026, 6, 1, 8), at(2026, 6, 2, 7), at(2026, 6, 3, 7)]
    one_day = av((0, "09:00", "10:30"))
    filled = find_slots(one_day, "UTC", one_day, "UTC", [], at(2026, 6, 1), days=6)  # only one Monday
    assert [s for s, _ in filled] == [at(2026, 6, 1, 9), at(2026, 6, 1, 9, 30), at(2026, 6, 1, 10)]
    assert find_slots(one_day, "UTC", one_day, "UTC", [], at(2026, 6, 1), max_slots=2, days=14) == [
        (at(2026, 6, 1, 9), at(2026, 6, 1, 9, 30)), (at(2026, 6, 8, 9), at(2026, 6, 8, 9, 30))]


def test_busy_intervals_remove_slots():
    one_day = av((0, "09:00", "11:00"))
    busy = [(at(2026, 6, 1, 9), at(2026, 6, 1, 9, 40)),
            (datetime(2026, 6, 1, 12, 30, tzinfo=ZoneInfo("Europe/Berlin")), at(2026, 6, 1, 10, 45))]  # 10:30 UTC
    slots = find_slots(one_day, "UTC", one_day, "UTC", busy, at(2026, 6, 1), days=6)
    assert slots == [(at(2026, 6, 1, 9, 45), at(2026, 6, 1, 10, 15))]  # 10:15 would end after the second starts
    assert not fits(one_day, "UTC", one_day, "UTC", busy, at(2026, 6, 1, 9, 30), at(2026, 6, 1, 10))
    assert fits(one_day, "UTC", one_day, "UTC", busy, at(2026, 6, 1, 9, 40), at(2026, 6, 1, 10, 30))  # back to back


def test_no_common_availability():
    assert find_slots(av((0, "09:00", "10:00")), "UTC", av((1, "09:00", "10:00")), "UTC", [], at(2026, 6, 1)) == []
    assert find_slots([], "UTC", av((1, "09:00", "10:00")), "UTC", [], at(2026, 6, 1)) == []
    assert find_slots(av((0, "09:00", "09:20")), "UTC", av((0, "09:00", "09:20")), "UTC", [], at(2026, 6, 1)) == []


def test_lead_time_and_horizon():
    daily = av(*[(d, "00:00", "24:00") for d in range(7)])
    now = at(2026, 6, 1, 8, 20, 5)
    slots = find_slots(daily, "UTC", daily, "UTC", [], now, days=1, max_slots=1)
    assert slots == [(at(2026, 6, 1, 9, 30), at(2026, 6, 1, 10))]
    assert find_slots(daily, "UTC", daily, "UTC", [], now, lead_minutes=0, max_slots=1)[0][0] == at(2026, 6, 1, 8, 30)
    exact = at(2026, 6, 1, 8)
    assert find_slots(daily, "UTC", daily, "UTC", [], exact, lead_minutes=0, max_slots=1)[0][0] == at(2026, 6, 1, 8, 15)
    # (now, now + days]: a slot may end exactly at now + days, not a second later
    tuesday = av((1, "08:00", "09:00"))
    assert find_slots(tuesday, "UTC", tuesday, "UTC", [], at(2026, 6, 1, 8, 30), days=1) == [
        (at(2026, 6, 2, 8), at(2026, 6, 2, 8, 30))]
    assert find_slots(tuesday, "UTC", tuesday, "UTC", [], at(2026, 6, 1, 8, 29, 59), days=1) == []


def test_naive_datetimes_are_utc():
    one_day = av((0, "09:00", "10:00"))
    naive = find_slots(one_day, "UTC", one_day, "UTC", [(datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 9, 30))],
                       datetime(2026, 6, 1), days=2)
    assert naive == [(at(2026, 6, 1, 9, 30), at(2026, 6, 1, 10))]


def test_spring_forward_gap_and_fall_back_fold():
    sunday = [Window(6, "01:30", "03:30")]
    # 8 March 2026 in New York: 02:00-03:00 does not exist, the window lasts one real hour
    assert free_intervals(sunday, "America/New_York", at(2026, 3, 7), at(2026, 3, 10)) == [
        (at(2026, 3, 8, 6, 30), at(2026, 3, 8, 7, 30))]
    # 1 November 2026: 01:00-02:00 happens twice (EDT, then EST), both passes count
    assert free_intervals([Window(6, "01:00", "02:00")], "America/New_York", at(2026, 10, 31), at(2026, 11, 3)) == [
        (at(2026, 11, 1, 5), at(2026, 11, 1, 7))]
    assert free_intervals([Window(6, "01:30", "01:45")], "America/New_York", at(2026, 10, 31), at(2026, 11, 3)) == [
        (at(2026, 11, 1, 5, 30), at(2026, 11, 1, 5, 45)), (at(2026, 11, 1, 6, 30), at(2026, 11, 1, 6, 45))]
    # a window entirely inside the gap has no instants at all
    assert free_intervals([Window(6, "02:05", "02:55")], "America/New_York", at(2026, 3, 7), at(2026, 3, 10)) == []
    # Lord Howe moves by 30 minutes: 02:00 -> 02:30 on 4 October 2026 (+10:30 -> +11)
    assert free_intervals([Window(6, "01:45", "02:45")], "Australia/Lord_Howe", at(2026, 10, 3), at(2026, 10, 5)) == [
        (at(2026, 10, 3, 15, 15), at(2026, 10, 3, 15, 45))]


def test_window_ending_at_midnight_and_clipping():
    evening = [Window(0, "22:00", "24:00"), Window(1, "00:00", "01:00")]
    assert free_intervals(evening, "UTC", at(2026, 6, 1), at(2026, 6, 3)) == [(at(2026, 6, 1, 22), at(2026, 6, 2, 1))]
    assert free_intervals(evening, "UTC", at(2026, 6, 1, 23, 10, 30), at(2026, 6, 2, 0, 5)) == [
        (at(2026, 6, 1, 23, 10, 30), at(2026, 6, 2, 0, 5))]


def test_weekly_windows_parse_and_validate():
    assert weekly_windows([{"weekday": 2, "start": "18:00", "end": "20:00"}, (0, "09:00", "12:00"),
                           Window(0, "09:00", "12:00")]) == [Window(0, "09:00", "12:00"), Window(2, "18:00", "20:00")]
    for bad in [(7, "09:00", "10:00"), (-1, "09:00", "10:00"), (0, "10:00", "10:00"), (0, "11:00", "10:00"),
                (0, "9:00", "10:00"), (0, "24:00", "24:00"), (0, "23:00", "24:30"), (True, "09:00", "10:00")]:
        with pytest.raises(ValueError):
            weekly_windows([bad])


def test_invalid_arguments():
    with pytest.raises(ValueError):
        find_slots([], "UTC", [], "UTC", [], at(2026, 6, 1), duration_minutes=0)
    assert find_slots(av((0, "09:00", "10:00")), "UTC", av((0, "09:00", "10:00")), "UTC", [], at(2026, 6, 1),
                      max_slots=0) == []
    assert not fits([], "UTC", [], "UTC", [], at(2026, 6, 1, 10), at(2026, 6, 1, 10))


def test_modules_import_neither_flask_nor_sqlalchemy():
    # Loaded by file path in a fresh interpreter: importing the package would run mentorship/__init__.py (Flask).
    probe = (
        "import importlib.util, json, sys\n"
        "for name in ('slots', 'ics'):\n"
        "    spec = importlib.util.spec_from_file_location(name, f'mentorship/scheduling/{name}.py')\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'mentorship'})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
