"""Recurring schedules: daily wall-clock times in the runner's time zone (issue 6).

A schedule names local times (``at: ["09:00", "18:30"]``), optionally weekdays, optionally a jitter
in minutes. Each (local date, time) pair is one **slot**, identified by its key
``"YYYY-MM-DDTHH:MM"``: a slot fires at most once, whatever the clock does, so a restart never fires
a slot twice and the repeated hour of a DST fall-back fires once (at its first occurrence).

Time zone rules come from the standard library's zoneinfo (PEP 615):
- a local time that does not exist (the spring-forward gap, e.g. 02:30 in Europe/Berlin on
  2026-03-29) fires at the instant zoneinfo gives it with ``fold=0``: shifted forward by the gap
  (03:30 CEST);
- a local time that happens twice (fall-back) fires at its first occurrence (``fold=0``).

Jitter delays a slot by a pseudo-random 0..``jitter`` minutes, the same for a given workflow and
slot on every run (seeded by name and key), so a restart computes the same firing instant.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Slot:
    """One firing of a schedule: ``key`` (local ``YYYY-MM-DDTHH:MM``), ``at`` (UTC epoch seconds of
    the nominal local time) and ``due`` (``at`` plus the slot's jitter, seconds)."""

    key: str
    at: float
    due: float


def parse_hhmm(text: str) -> time:
    """``"HH:MM"`` (00:00-23:59) to a ``time``; raises ValueError otherwise."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"{text!r} is not HH:MM")
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"{text!r} is not a time of day (00:00-23:59)")
    return time(h, m)


def jitter_seconds(name: str, key: str, jitter_minutes: float) -> float:
    """The delay (seconds, 0..jitter_minutes*60) of slot ``key`` of schedule ``name``: stable across
    runs and processes (seeded from a hash of both, not from Python's randomized ``hash``)."""
    if jitter_minutes <= 0:
        return 0.0
    seed = int.from_bytes(hashlib.sha256(f"{name}\x00{key}".encode()).digest()[:8], "big")
    return random.Random(seed).uniform(0.0, jitter_minutes * 60.0)


@dataclass(frozen=True)
class DailySchedule:
    """Daily local times, optional weekdays (``mon``..``sun``; empty: every day), optional jitter
    (minutes), in the zone ``tz``. ``name`` seeds the jitter."""

    name: str
    times: tuple[time, ...]
    tz: tzinfo
    weekdays: frozenset[int] = frozenset()  # 0 = Monday, as date.weekday()
    jitter: float = 0.0

    @classmethod
    def from_spec(cls, name: str, spec: dict, tz: tzinfo) -> DailySchedule:
        """Build from a manifest's ``schedule`` mapping (``at``, ``weekdays``, ``jitter``)."""
        times = tuple(sorted({parse_hhmm(t) for t in spec["at"]}))
        days = frozenset(WEEKDAYS.index(d.lower()[:3]) for d in spec.get("weekdays") or ())
        return cls(
            name=name, times=times, tz=tz, weekdays=days, jitter=float(spec.get("jitter") or 0)
        )

    def _slot(self, day: date, at: time) -> Slot:
        local = datetime.combine(day, at, tzinfo=self.tz)  # fold=0: gap shifts forward, fold once
        epoch = local.timestamp()
        key = f"{day.isoformat()}T{at.strftime('%H:%M')}"
        return Slot(key=key, at=epoch, due=epoch + jitter_seconds(self.name, key, self.jitter))

    def slots(self, start: float, end: float) -> Iterator[Slot]:
        """Slots whose nominal instant ``at`` lies in [start, end) (UTC epoch seconds), in order."""
        if not self.times or end <= start:
            return
        day = datetime.fromtimestamp(start, self.tz).date() - timedelta(days=1)
        last = datetime.fromtimestamp(end, self.tz).date() + timedelta(days=1)
        while day <= last:
            if not self.weekdays or day.weekday() in self.weekdays:
                for at in self.times:
                    slot = self._slot(day, at)
                    if start <= slot.at < end:
                        yield slot
            day += timedelta(days=1)

    def next_slot(self, after: float, horizon_days: int = 8) -> Slot | None:
        """The first slot with ``at`` >= ``after`` (epoch seconds), or None if the schedule has no
        day within ``horizon_days`` (an empty weekday set cannot happen: empty means every day)."""
        return next(self.slots(after, after + horizon_days * 86400.0), None)


def apply_slot(generation: int) -> str:
    """The slot key of the one firing of an unscheduled workflow's ``generation`` (it fires once,
    when that generation is applied): ``apply-<generation>``. Recorded in the store's firings."""
    return f"apply-{generation}"


def schedule_of(name: str, document: dict[str, Any], tz: tzinfo) -> DailySchedule | None:
    """The daily schedule of the workflows-folder manifest ``name`` whose parsed document is
    ``document`` (its ``spec.schedule``, already validated), or None when it has none and so fires
    once per generation. Raises what :meth:`DailySchedule.from_spec` raises."""
    spec = document.get("spec") or {}
    sched = spec.get("schedule")
    if not sched:
        return None
    return DailySchedule.from_spec(name, sched, tz)


def stored_schedule(
    name: str, document: dict[str, Any], tz: tzinfo
) -> tuple[DailySchedule | None, str | None]:
    """:func:`schedule_of` for a generation read back from the store: ``(schedule, None)``, or
    ``(None, why)`` when its schedule cannot be read (a Task's schedule applied by a tikrunner
    that did not check it on reading), so that one bad row never stops the others."""
    try:
        return schedule_of(name, document, tz), None
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        return None, f"its schedule cannot be read: {e}"
