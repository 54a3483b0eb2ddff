"""Weekly availability as a bitmask over the half-hours of one reference week in UTC.

Members give recurring slots in their own time zone. Converting them through the reference week (rather than with a
fixed offset) is what makes the overlap right around daylight-saving changes: in the weeks where New York has
switched and London has not, their shared hours move by one. Masks are 336 bits (7 × 48 half-hours) packed into six
uint64 words, so an overlap over many members is one vectorised AND + popcount.
"""
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

SLOT_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
SLOTS = 7 * SLOTS_PER_DAY
WORDS = (SLOTS + 63) // 64


def week_start(week_of: datetime | date | None = None) -> date:
    """The Monday (UTC) of the week containing `week_of` (naive datetimes are taken as UTC; None = this week)."""
    if week_of is None:
        week_of = datetime.now(UTC)
    if isinstance(week_of, datetime):
        if week_of.tzinfo is not None:
            week_of = week_of.astimezone(UTC)
        week_of = week_of.date()
    return week_of - timedelta(days=week_of.weekday())


@lru_cache(maxsize=1024)
def _utc_slot_of_local_slot(tz: str, monday: date) -> np.ndarray:
    """For each local half-hour of the reference week, the UTC half-hour it falls in (wrapped into the week).

    Computed once per (time zone, week) at each slot's midpoint, so an offset change inside the week is honoured
    slot by slot. Offsets that are not a multiple of 30 minutes (e.g. +05:45) land in the slot holding the midpoint.
    """
    zone = ZoneInfo(tz)
    local_monday = datetime.combine(monday, time())
    utc_monday = local_monday.replace(tzinfo=UTC)
    table = np.empty(SLOTS, dtype=np.int64)
    for slot in range(SLOTS):
        local = (local_monday + timedelta(minutes=slot * SLOT_MINUTES + SLOT_MINUTES // 2)).replace(tzinfo=zone)
        minutes = (local.astimezone(UTC) - utc_monday).total_seconds() / 60
        table[slot] = int(minutes // SLOT_MINUTES) % SLOTS
    table.setflags(write=False)
    return table


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def local_slots(availability) -> np.ndarray:
    """Local half-hour indices (0 = Monday 00:00) whose midpoint lies inside one of the (weekday, start, end) slots."""
    return np.asarray(_local_slots(availability), dtype=np.int64)


def _local_slots(availability) -> list[int]:
    slots = []
    half = SLOT_MINUTES // 2
    for weekday, start, end in availability:
        # Slot s is in iff start <= s*30 + 15 < end; ceil division via negated floor division.
        first = -((half - _minutes(start)) // SLOT_MINUTES)
        stop = -((half - _minutes(end)) // SLOT_MINUTES)
        base = int(weekday) * SLOTS_PER_DAY
        slots.extend(range(base + max(first, 0), base + min(stop, SLOTS_PER_DAY)))
    return slots


def week_mask(availability, tz: str, monday: date) -> np.ndarray:
    """The member's availability as WORDS uint64 words over the UTC half-hours of the week starting `monday`
    (read-only: the same few weekly patterns recur across a cohort, so each is computed once)."""
    try:
        return _week_mask(tuple(availability), tz, monday)
    except TypeError:  # unhashable windows (lists): computed afresh
        return _week_mask.__wrapped__(availability, tz, monday)


@lru_cache(maxsize=1 << 14)
def _week_mask(availability, tz: str, monday: date) -> np.ndarray:
    # The mask as one Python int, bit s for UTC half-hour s, then its bytes read as little-endian words: a member's
    # handful of slots costs a few integer ORs, not a 336-bit array packed (~20 -> ~4 µs; each new profile pays it).
    bits, mask = _utc_bits(tz or "UTC", monday), 0
    for slot in _local_slots(availability):
        mask |= bits[slot]
    return np.frombuffer(mask.to_bytes(WORDS * 8, "little"), dtype="<u8")  # read-only: bytes are immutable


@lru_cache(maxsize=256)
def _utc_bits(tz: str, monday: date) -> tuple[int, ...]:
    """1 << (the UTC half-hour) of each local half-hour of the week (see _utc_slot_of_local_slot); ~19 kB an entry
    (336 integers of up to 336 bits), so fewer entries are kept than of the table it is made from: a process meets a
    few dozen zones a week."""
    return tuple(1 << slot for slot in _utc_slot_of_local_slot(tz, monday).tolist())
