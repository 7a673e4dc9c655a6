"""Daily schedules: the right instants across days, DST changes and restarts; jitter in bounds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.schedule import DailySchedule, jitter_seconds, parse_hhmm

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def schedule(at: list[str], tz=BERLIN, **extra) -> DailySchedule:
    return DailySchedule.from_spec("wf", {"at": at, **extra}, tz)


def test_daily_times_fire_every_day_at_local_time():
    slots = list(schedule(["09:00", "18:30"]).slots(utc(2026, 6, 1), utc(2026, 6, 3)))
    assert [s.key for s in slots] == [
        "2026-06-01T09:00",
        "2026-06-01T18:30",
        "2026-06-02T09:00",
        "2026-06-02T18:30",
    ]
    assert slots[0].at == utc(2026, 6, 1, 7, 0)  # 09:00 CEST is 07:00 UTC


def test_spring_forward_gap_time_fires_once_shifted_forward_by_the_gap():
    slots = list(schedule(["02:30"]).slots(utc(2026, 3, 27), utc(2026, 3, 31)))
    assert [s.key for s in slots] == [
        "2026-03-27T02:30",
        "2026-03-28T02:30",
        "2026-03-29T02:30",
        "2026-03-30T02:30",
    ]
    by_key = {s.key: s.at for s in slots}
    assert by_key["2026-03-28T02:30"] == utc(2026, 3, 28, 1, 30)  # CET, +01:00
    assert by_key["2026-03-29T02:30"] == utc(2026, 3, 29, 1, 30)  # does not exist: 03:30 CEST
    assert by_key["2026-03-30T02:30"] == utc(2026, 3, 30, 0, 30)  # CEST, +02:00


def test_fall_back_repeated_time_fires_once_at_its_first_occurrence():
    slots = list(schedule(["02:30"]).slots(utc(2026, 10, 24), utc(2026, 10, 27)))
    assert [s.key for s in slots] == ["2026-10-24T02:30", "2026-10-25T02:30", "2026-10-26T02:30"]
    assert {s.key: s.at for s in slots}["2026-10-25T02:30"] == utc(2026, 10, 25, 0, 30)  # CEST


def test_weekdays_limit_the_days():
    slots = list(
        schedule(["10:00"], weekdays=["sat", "sun"]).slots(utc(2026, 11, 16), utc(2026, 11, 30))
    )
    assert [s.key[:10] for s in slots] == ["2026-11-21", "2026-11-22", "2026-11-28", "2026-11-29"]


def test_jitter_is_within_bounds_and_the_same_on_every_run():
    sched = schedule(["09:00"], jitter=15)
    slots = list(sched.slots(utc(2026, 1, 1), utc(2026, 3, 1)))
    delays = [s.due - s.at for s in slots]
    assert all(0 <= d <= 15 * 60 for d in delays)
    assert len(set(delays)) > 10  # not one constant delay
    assert [s.due for s in sched.slots(utc(2026, 1, 1), utc(2026, 3, 1))] == [s.due for s in slots]
    assert jitter_seconds("wf", "2026-01-01T09:00", 0) == 0


@pytest.mark.parametrize("bad", ["9:00", "24:00", "12:60", "noon", "12:5", ""])
def test_bad_times_are_refused(bad):
    with pytest.raises(ValueError):
        parse_hhmm(bad)


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "America/Santiago",
]


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    times=st.lists(st.times().map(lambda t: t.strftime("%H:%M")), min_size=1, max_size=4),
    start=st.integers(min_value=int(utc(2025, 1, 1)), max_value=int(utc(2027, 1, 1))),
    cut1=st.integers(min_value=0, max_value=40 * 86400),
    cut2=st.integers(min_value=0, max_value=40 * 86400),
)
def test_a_restart_anywhere_neither_repeats_nor_skips_a_slot(zone, times, start, cut1, cut2):
    sched = schedule(times, tz=ZoneInfo(zone))
    a, b = sorted((cut1, cut2))
    whole = [s.key for s in sched.slots(start, start + b)]
    split = [s.key for s in sched.slots(start, start + a)] + [
        s.key for s in sched.slots(start + a, start + b)
    ]
    assert split == whole
    assert len(whole) == len(set(whole))
