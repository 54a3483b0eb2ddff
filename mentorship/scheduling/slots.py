"""Meeting slots inside two members' weekly availability, each in their own time zone. Pure: no Flask, no database.

- Availability: weekly wall-clock windows in the member's zone (`members.availability`), "HH:MM", "24:00" allowed
  as an end. A window on local date D is the set of instants whose wall-clock time in that zone is on D and within
  [start, end). Daylight saving then needs no special case: a spring-forward gap has no instants (01:30-03:30 on
  the US switch day lasts one real hour) and both passes of a fall-back fold count (01:00-02:00 on the US
  fall-back day lasts two real hours). Every returned instant, in the member's zone, lies in that day's window.
- Slots: the whole slot lies in (now, now + days]; it starts at least `lead_minutes` (default 60) after now, on a
  multiple of `step_minutes` in UTC (15 -> :00/:15/:30/:45); it is inside both availabilities and overlaps no busy
  interval (all intervals half-open: back-to-back is fine).
- Spreading, over member A's local dates: the earliest slot of each day that overlaps no slot picked before it (a
  slot may run past midnight), earliest days first; if fewer than
  `max_slots` days have one, the earliest further slots on the days used that overlap no slot picked. Returned in
  chronological order; deterministic.
- Datetimes: aware in any zone, or naive = UTC; results aware UTC. Handled to the second (sub-second parts of busy
  intervals and of a checked slot are rounded outwards).
- Zone offsets are sampled every 12 hours (cached per zone) and transitions found by bisection: two transitions
  less than 12 hours apart that cancel out would be missed (no IANA zone has any).
"""
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["LEAD_MINUTES", "Window", "find_slots", "fits", "free_intervals", "weekly_windows"]

LEAD_MINUTES = 60
DAY = 86400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_SAMPLE = 12 * 3600
_HHMM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")
Interval = tuple[int, int]  # [start, end) in POSIX seconds


@dataclass(frozen=True)
class Window:
    """One weekly availability window in the member's own zone: weekday 0=Monday..6=Sunday, "HH:MM" < "HH:MM"."""

    weekday: int
    start: str
    end: str

    def __post_init__(self):
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, not {self.weekday!r}")
        for value in (self.start, self.end):
            if not isinstance(value, str) or not _HHMM.fullmatch(value):
                raise ValueError(f"{value!r} is not HH:MM")
        if self.start == "24:00" or self.start >= self.end:
            raise ValueError(f"window {self.start}-{self.end}: start must be before end")

    @property
    def minutes(self) -> tuple[int, int]:
        """(start, end) in minutes after local midnight."""
        return int(self.start[:2]) * 60 + int(self.start[3:]), int(self.end[:2]) * 60 + int(self.end[3:])


def weekly_windows(availability: Iterable) -> list[Window]:
    """Windows from `[{"weekday", "start", "end"}]` (Window objects and (weekday, start, end) tuples also accepted),
    sorted and without duplicates. Raises ValueError on an invalid window."""
    return sorted({Window(*_fields(item)) for item in availability or ()}, key=lambda w: (w.weekday, w.start, w.end))


def _fields(item) -> tuple:
    if isinstance(item, Window):
        return item.weekday, item.start, item.end
    if isinstance(item, dict):
        return item["weekday"], item["start"], item["end"]
    return tuple(item)


@lru_cache(maxsize=4096, typed=True)
def _window_minutes(weekday, start, end) -> tuple[int, int, int]:
    return weekday, *Window(weekday, start, end).minutes


def _by_weekday(availability) -> dict[int, list[tuple[int, int]]]:
    days: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in {_window_minutes(*_fields(item)) for item in availability or ()}:
        days.setdefault(weekday, []).append((start, end))
    return days


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _floor_s(value: datetime) -> int:
    return (_utc(value) - _EPOCH) // _SECOND


def _ceil_s(value: datetime) -> int:
    return -((_EPOCH - _utc(value)) // _SECOND)


def _datetime(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def _ceil_to(seconds: int, step: int) -> int:
    return -(-seconds // step) * step


@lru_cache(maxsize=16384)
def _cell(tz: str, k: int) -> tuple[tuple[int, int], ...]:
    """(instant, UTC offset) at the start of the k-th 12-hour cell since the epoch and at each change inside it."""
    zone = ZoneInfo(tz)

    def offset(seconds: int) -> int:
        return int(_datetime(seconds).astimezone(zone).utcoffset().total_seconds())

    low, end = k * _SAMPLE, (k + 1) * _SAMPLE
    changes = [(low, offset(low))]
    while offset(end) != changes[-1][1]:
        high = end  # offset(low) == changes[-1][1] != offset(high): bisect to the change
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
        changes.append((high, offset(high)))
        low = high
    return tuple(changes)


class _Zone:
    """A zone's UTC offsets over [lo, hi) as constant-offset segments: starts[i] .. ends[i] at offsets[i]."""

    def __init__(self, tz: str, lo: int, hi: int):
        self.starts: list[int] = []
        self.offsets: list[int] = []
        for k in range(lo // _SAMPLE, max(hi - 1, lo) // _SAMPLE + 1):
            for instant, offset in _cell(tz, k):
                if instant <= lo:
                    self.starts, self.offsets = [lo], [offset]
                elif instant < hi and offset != self.offsets[-1]:
                    self.starts.append(instant)
                    self.offsets.append(offset)
        self.ends = [*self.starts[1:], max(hi, lo)]

    def _segment(self, seconds: int) -> int:
        return max(bisect_right(self.starts, seconds) - 1, 0)

    def local_day(self, seconds: int) -> int:
        """The local date of an instant, as days since 1970-01-01."""
        return (seconds + self.offsets[self._segment(seconds)]) // DAY

    def next_midnight(self, seconds: int) -> int:
        """The first instant after `seconds` whose local date is later (the end of the range if none is)."""
        target = (self.local_day(seconds) + 1) * DAY
        for i in range(self._segment(seconds), len(self.starts)):
            candidate = max(self.starts[i], target - self.offsets[i])
            if candidate < self.ends[i]:
                return candidate
        return self.ends[-1]

    def intervals(self, days: dict[int, list[tuple[int, int]]], lo: int, hi: int) -> list[Interval]:
        """The weekly windows as merged instants within [lo, hi) (which the segments must cover)."""
        found = []
        segments = list(zip(self.starts, self.ends, self.offsets, strict=True))
        for day in range((lo + min(self.offsets)) // DAY, (hi - 1 + max(self.offsets)) // DAY + 1):
            for start, end in days.get((day + 3) % 7, ()):  # 1970-01-01 was a Thursday
                local_start, local_end = day * DAY + start * 60, day * DAY + end * 60
                for first, last, offset in segments:
                    a, b = max(local_start - offset, first, lo), min(local_end - offset, last, hi)
                    if a < b:
                        found.append((a, b))
        return _merge(found)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[list[int]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        elif a < b:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _intersect(xs: list[Interval], ys: list[Interval]) -> list[Interval]:
    out, i, j = [], 0, 0
    while i < len(xs) and j < len(ys):
        a, b = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if a < b:
            out.append((a, b))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(free: list[Interval], busy: list[Interval]) -> list[Interval]:
    out, j = [], 0
    for a, b in free:
        while j < len(busy) and busy[j][1] <= a:
            j += 1
        k = j
        while k < len(busy) and busy[k][0] < b:
            if busy[k][0] > a:
                out.append((a, busy[k][0]))
            a = max(a, busy[k][1])
            k += 1
        if a < b:
            out.append((a, b))
    return out


def _busy(busy, lo: int, hi: int) -> list[Interval]:
    """The busy intervals overlapping [lo, hi), to the second (rounded outwards), merged."""
    lo_dt, hi_dt, found = _datetime(lo), _datetime(hi), []
    for start, end in busy or ():
        if start.tzinfo is None or end.tzinfo is None:
            start, end = _utc(start), _utc(end)
        if start < hi_dt and end > lo_dt:
            found.append((_floor_s(start), _ceil_s(end)))
    return _merge(found)


def _common_free(a_availability, a_tz, b_availability, b_tz, busy, lo, hi) -> tuple[list[Interval], _Zone]:
    zone_a, zone_b = _Zone(a_tz, lo, hi), _Zone(b_tz, lo, hi)
    both = _intersect(zone_a.intervals(_by_weekday(a_availability), lo, hi),
                      zone_b.intervals(_by_weekday(b_availability), lo, hi))
    return _subtract(both, _busy(busy, lo, hi)), zone_a


def free_intervals(windows, tz: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The member's availability as merged, sorted, aware-UTC intervals within [start, end)."""
    lo, hi = _floor_s(start), _ceil_s(end)
    if hi <= lo:
        return []
    start, end = _utc(start).astimezone(UTC), _utc(end).astimezone(UTC)
    found = _Zone(tz, lo, hi).intervals(_by_weekday(windows), lo, hi)
    clipped = ((max(_datetime(a), start), min(_datetime(b), end)) for a, b in found)
    return [(a, b) for a, b in clipped if a < b]


def _spread(free: list[Interval], zone: _Zone, duration: int, step: int, max_slots: int) -> list[int]:
    picked: list[int] = []
    days: set[int] = set()
    for a, b in free:  # 1. the earliest slot of each local day of member A, clear of the slots picked
        start = _ceil_to(a, step)
        while start + duration <= b and len(picked) < max_slots:
            clash = next((p for p in picked if p < start + duration and start < p + duration), None)
            if clash is not None:  # the previous day's slot ran past midnight
                start = _ceil_to(clash + duration, step)
                continue
            day = zone.local_day(start)
            if day not in days:
                days.add(day)
                picked.append(start)
            start = _ceil_to(zone.next_midnight(start), step)
    for a, b in free:  # 2. fill up on the days already used, clear of the slots picked
        start = _ceil_to(a, step)
        while start + duration <= b and len(picked) < max_slots:
            clash = next((p for p in picked if p < start + duration and start < p + duration), None)
            if clash is None:
                picked.append(start)
                start = _ceil_to(start + duration, step)
            else:
                start = _ceil_to(clash + duration, step)
    return sorted(picked)


def find_slots(a_availability, a_tz: str, b_availability, b_tz: str, busy: Iterable[tuple[datetime, datetime]],
               now: datetime, duration_minutes: int = 30, days: int = 14, max_slots: int = 3,
               step_minutes: int = 15, *, lead_minutes: int = LEAD_MINUTES) -> list[tuple[datetime, datetime]]:
    """Up to `max_slots` (start, end) aware-UTC slots, spread over member A's local days (see the module rules)."""
    if duration_minutes <= 0 or step_minutes <= 0 or lead_minutes < 0:
        raise ValueError("duration_minutes and step_minutes must be positive, lead_minutes not negative")
    if max_slots <= 0 or days <= 0:
        return []
    duration, step = duration_minutes * 60, step_minutes * 60
    now = _utc(now)
    earliest = _ceil_to(max(_ceil_s(now + timedelta(minutes=lead_minutes)), _floor_s(now) + 1), step)
    horizon = _floor_s(now + timedelta(days=days))
    if earliest + duration > horizon:
        return []
    free, zone_a = _common_free(a_availability, a_tz, b_availability, b_tz, busy, earliest, horizon)
    return [(_datetime(s), _datetime(s + duration)) for s in _spread(free, zone_a, duration, step, max_slots)]


def fits(a_availability, a_tz: str, b_availability, b_tz: str, busy: Iterable[tuple[datetime, datetime]],
         start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies inside both members' availability and clear of every busy interval."""
    lo, hi = _floor_s(start), _ceil_s(end)
    if hi <= lo:
        return False
    free, _ = _common_free(a_availability, a_tz, b_availability, b_tz, busy, lo, hi)
    return free == [(lo, hi)]
