"""Meeting slot finder benchmark: two members with dense availability (3 windows a day, every day) in different
zones and 200 existing meetings each (inside their own availability, spread over +-60 days), find_slots called
~500 times with `now` varying over two months that include both March DST switches (US 8 March, EU 29 March).

Baseline, same process, same inputs: a naive scan over every 15-minute start of the 14 days, each start checked
by converting every 15 minutes of the slot to both zones with zoneinfo and scanning all 400 busy intervals,
stopping once 3 different days have a slot (the rule of find_slots; the naive scan does not fill same-day slots).

Scenarios: "dense" (common time every day, partly taken by meetings) and "disjoint" (no common time at all: the
naive scan has to look at every start before answering []).

Usage: .venv/bin/python bench/bench_slots.py [--runs N] [--seed S]
"""
import argparse
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mentorship.scheduling.slots import find_slots  # noqa: E402

BASE = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAYS, STEP, DURATION, MAX_SLOTS, LEAD = 14, 15, 30, 3, 60


def daily(*windows):
    return [{"weekday": d, "start": s, "end": e} for d in range(7) for s, e in windows]


SCENARIOS = {
    # New York 07-09, 12-13, 17-21 and Berlin 08-10, 13-16, 19-23:30: 1 h to 2.5 h in common a day
    "dense": (daily(("07:00", "09:00"), ("12:00", "13:00"), ("17:00", "21:00")), "America/New_York",
              daily(("08:00", "10:00"), ("13:00", "16:00"), ("19:00", "23:30")), "Europe/Berlin"),
    # Shanghai 09-10, 12-13, 14-17 (01-09 UTC) and Sao Paulo 08-10, 12-13, 14-17 (11-20 UTC): never together
    "disjoint": (daily(("09:00", "10:00"), ("12:00", "13:00"), ("14:00", "17:00")), "Asia/Shanghai",
                 daily(("08:00", "10:00"), ("12:00", "13:00"), ("14:00", "17:00")), "America/Sao_Paulo"),
}


def meetings(rng, availability, tz, count):
    """`count` meetings of 30-60 minutes, each inside one of the member's windows, within +-60 days of BASE."""
    zone, out = ZoneInfo(tz), []
    while len(out) < count:
        day = (BASE + timedelta(days=rng.randint(-60, 60))).astimezone(zone).date()
        window = rng.choice([w for w in availability if w["weekday"] == day.weekday()])
        start_h, start_m = map(int, window["start"].split(":"))
        local = datetime(day.year, day.month, day.day, start_h, start_m, tzinfo=zone)
        start = (local + timedelta(minutes=15 * rng.randint(0, 3))).astimezone(UTC)
        out.append((start, start + timedelta(minutes=rng.choice([30, 45, 60]))))
    return out


def _inside(availability, zone, instant):
    local = instant.astimezone(zone)
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    return any(w["weekday"] == local.weekday() and w["start"] <= hhmm < w["end"] for w in availability)


def naive(a, tz_a, b, tz_b, busy, now):
    """Every aligned start, one by one: zoneinfo conversions per 15 minutes of the slot, a scan of all busy."""
    zone_a, zone_b, step = ZoneInfo(tz_a), ZoneInfo(tz_b), timedelta(minutes=STEP)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = epoch + -((epoch - (now + timedelta(minutes=LEAD))) // step) * step
    horizon, length, found, days = now + timedelta(days=DAYS), timedelta(minutes=DURATION), [], set()
    while start + length <= horizon and len(found) < MAX_SLOTS:
        end = start + length
        day = start.astimezone(zone_a).date()
        if day not in days and all(
                _inside(a, zone_a, start + k * step) and _inside(b, zone_b, start + k * step)
                for k in range(DURATION // STEP)) and not any(s < end and start < e for s, e in busy):
            found.append((start, end))
            days.add(day)
        start += step
    return found


def percentiles(samples_ns):
    ms = sorted(x / 1e6 for x in samples_ns)
    return {"p50": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))], "max": ms[-1]}


def run(name, runs, rng):
    a, tz_a, b, tz_b = SCENARIOS[name]
    busy = meetings(rng, a, tz_a, 200) + meetings(rng, b, tz_b, 200)
    rng.shuffle(busy)
    nows = [BASE + timedelta(minutes=rng.randint(-30 * 1440, 30 * 1440), seconds=rng.randint(0, 59))
            for _ in range(runs)]
    ours, theirs, found, agree = [], [], 0, 0
    for now in nows:
        t0 = time.perf_counter_ns()
        slots = find_slots(a, tz_a, b, tz_b, busy, now, duration_minutes=DURATION, days=DAYS, max_slots=MAX_SLOTS,
                           step_minutes=STEP, lead_minutes=LEAD)
        t1 = time.perf_counter_ns()
        reference = naive(a, tz_a, b, tz_b, busy, now)
        t2 = time.perf_counter_ns()
        ours.append(t1 - t0)
        theirs.append(t2 - t1)
        found += len(slots)
        # same earliest slot, and the same slot per day whenever the 3 days exist
        agree += slots[:1] == reference[:1] and (len(reference) < MAX_SLOTS or slots == reference)
    mine, base = percentiles(ours), percentiles(theirs)
    print(f"\n{name}: {tz_a} x {tz_b}, {len(busy)} busy intervals, {runs} calls, {found / runs:.2f} slots/call, "
          f"agrees with the naive scan in {agree}/{runs}")
    print(f"  {'':<12}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label, stats in (("find_slots", mine), ("naive scan", base)):
        print(f"  {label:<12}{stats['p50']:>10.3f}{stats['p95']:>10.3f}{stats['max']:>10.3f}")
    print(f"  speed-up (naive / find_slots): p50 {base['p50'] / mine['p50']:.0f}x, p95 {base['p95'] / mine['p95']:.0f}x"
          f"; target p95 <= 20 ms: {'met' if mine['p95'] <= 20 else 'MISSED'}")
    return mine


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()} ({platform.system()}), seed {args.seed}")
    rng = random.Random(args.seed)
    find_slots([], "UTC", [], "UTC", [], BASE)  # warm imports and zone caches
    for name in SCENARIOS:
        run(name, args.runs, rng)


if __name__ == "__main__":
    main()
