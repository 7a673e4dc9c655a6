"""Account safety: limits per account and action, working hours, cool-downs (issue 14; README,
"Account safety").

Takes the runner's config (``limits``, ``limits_by_tag``, ``working_hours``,
``working_hours_by_tag``, ``working_hours_by_phone``, ``cooldown`` and each inventory account's
``limits``, ``tags``, ``working_hours``) and the store's record of actions and cool-downs
(runner/store/actions.py). Gives:

- :class:`Policy`: the rules that apply to an account (the most specific wins: the account's own,
  then its tags' (between two tags the stricter, field by field: the lower ``per_hour`` and
  ``per_day``, the higher ``min_gap``, the intersection of working hours), then the default),
  and :meth:`Policy.hold`, the scheduler's question "may this task start now, and if not, until
  when and why" (the ``waiting: ...`` remark);
- :class:`AccountGuard`: what a running task's ``ctx.attempt(kind)`` calls: the action is
  counted in the store *before* the tap, in one transaction with the check, so that a crash can
  never let an account pass its limit and nothing is counted twice.

Time: the store's UTC epoch seconds; ``per_hour`` is any 60 minutes (the attempts after
``now - 3600``), ``per_day`` the calendar day from local midnight in the runner's time zone
(``timezone:``), working hours are local wall times. Remarks show local times.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from runner.errors import LimitReached

log = logging.getLogger(__name__)

HOUR = 3600.0
#: Scripts whose task is not held back by its action limits: they count their actions as they
#: happen and stop doing the limited ones (the warm-up goes on watching).
UNGATED_SCRIPTS = frozenset({"account_warmup"})

_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)\s*([dhms]))", re.IGNORECASE)
_UNIT = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(value: Any) -> float:
    """Seconds of a duration: a number (seconds) or text such as ``6h``, ``90m``, ``30s``,
    ``1h30m``, ``2d``. Raises ``ValueError`` for anything else or a negative number."""
    if isinstance(value, bool):
        raise ValueError("a duration such as 6h, 90m or 30s is expected")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
        parts = _DURATION.findall(text)
        if parts and "".join(n + u for n, u in parts).lower() == text.lower():
            return sum(float(n) * _UNIT[u.lower()] for n, u in parts)
    raise ValueError(f"not a duration such as 6h, 90m or 30s: {value!r}")


Duration = Annotated[float, BeforeValidator(parse_duration)]

_CLOCK = re.compile(r"(\d{1,2}):(\d\d)")


def parse_range(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` -> (start, end) in minutes after local midnight. An end before the
    start runs past midnight (``22:00-02:00``); ``24:00`` is the end of the day; the hour may
    have one digit (``8:30``). Raises ``ValueError`` saying what is wrong for anything else: not
    that shape, a time of day out of range (``25:00``, ``12:60``), an empty range (start =
    end)."""
    if not isinstance(text, str):
        raise ValueError(f"not a time range HH:MM-HH:MM (for example 08:30-12:00): {text!r}")
    start, sep, end = text.strip().partition("-")
    a, b = _CLOCK.fullmatch(start.strip()), _CLOCK.fullmatch(end.strip())
    if not sep or a is None or b is None:
        raise ValueError(f"not a time range HH:MM-HH:MM (for example 08:30-12:00): {text!r}")
    for clock in (a, b):
        hour, minute = int(clock[1]), int(clock[2])
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            raise ValueError(f"{clock[0]} is not a time of day (00:00 to 24:00) in {text!r}")
    lo, hi = int(a[1]) * 60 + int(a[2]), int(b[1]) * 60 + int(b[2])
    if lo == hi:
        raise ValueError(f"the time range {text!r} is empty (it starts where it ends)")
    return lo, hi


def _range(text: str) -> str:
    parse_range(text)
    return text.strip()


TimeRange = Annotated[str, BeforeValidator(_range)]
WorkingHours = Annotated[list[TimeRange], Field(min_length=1)]

#: The action kinds limits may name: what the scripts count before their tap
#: (``ctx.attempt(kind)``; a task of a script of that name waits at the kind's limit too).
ACTION_KINDS = (
    "follow", "unfollow", "like", "bookmark", "comment", "post", "profile", "message", "share",
)  # fmt: skip


def _kind(value: str) -> str:
    if value not in ACTION_KINDS:
        import difflib

        close = difflib.get_close_matches(str(value), ACTION_KINDS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(
            f"unknown action kind {value!r}{hint}; limits name one of {', '.join(ACTION_KINDS)}"
        )
    return value


ActionKind = Annotated[str, AfterValidator(_kind)]


class ActionLimit(BaseModel):
    """The limits of one action kind (follow, like, comment, post, unfollow, message, ...):
    at most ``per_hour`` in any 60 minutes, ``per_day`` per calendar day (local midnight to
    midnight), and ``min_gap`` seconds between two of them. A field left out is not limited
    (or inherited, see :class:`Policy`); 0 forbids the action."""

    model_config = ConfigDict(extra="forbid")

    per_hour: int | None = Field(default=None, ge=0)
    per_day: int | None = Field(default=None, ge=0)
    min_gap: float | None = Field(default=None, ge=0)

    def empty(self) -> bool:
        return self.per_hour is None and self.per_day is None and self.min_gap is None


Limits = dict[ActionKind, ActionLimit]


def stricter(limits: Iterable[ActionLimit | None]) -> ActionLimit | None:
    """Field by field the stricter of ``limits``: the lowest ``per_hour`` and ``per_day``, the
    highest ``min_gap`` (fields none sets stay unset); None when none is given."""
    given = [x for x in limits if x is not None]
    if not given:
        return None

    def pick(name: str, choose: Callable[..., Any]) -> Any:
        values = [getattr(x, name) for x in given if getattr(x, name) is not None]
        return choose(values) if values else None

    return ActionLimit(
        per_hour=pick("per_hour", min), per_day=pick("per_day", min), min_gap=pick("min_gap", max)
    )


def overlay(*layers: ActionLimit | None) -> ActionLimit | None:
    """The first layer that sets a field gives it (most specific first); None when no layer
    sets anything."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer is None:
            continue
        for name in ("per_hour", "per_day", "min_gap"):
            if name not in merged and getattr(layer, name) is not None:
                merged[name] = getattr(layer, name)
    return ActionLimit(**merged) if merged else None


# -- local time -----------------------------------------------------------------------------------


def local(at: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(at, tz)


def shown(at: float, tz: tzinfo) -> str:
    """``YYYY-MM-DD HH:MM`` (``:SS`` when not on the minute) of UTC epoch ``at`` in ``tz``."""
    moment = local(at, tz)
    return moment.strftime("%Y-%m-%d %H:%M" if moment.second == 0 else "%Y-%m-%d %H:%M:%S")


def _midnight(day: date, tz: tzinfo) -> float:
    return datetime.combine(day, time(0), tzinfo=tz).timestamp()


def day_bounds(at: float, tz: tzinfo) -> tuple[float, float]:
    """UTC epoch seconds of the local midnight that began the day of ``at`` and of the next."""
    today = local(at, tz).date()
    return _midnight(today, tz), _midnight(today + timedelta(days=1), tz)


def _intervals(ranges: Sequence[str], around: float, tz: tzinfo) -> list[tuple[float, float]]:
    """The working-hours ``ranges`` as UTC epoch intervals from the day before ``around`` to a
    week after, merged and sorted."""
    today = local(around, tz).date()
    spans = []
    for offset in range(-1, 9):
        day = today + timedelta(days=offset)
        for text in ranges:
            lo, hi = parse_range(text)
            if hi <= lo:
                hi += 1440
            start = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=lo)
            end = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=hi)
            spans.append((_wall(start), _wall(end)))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _wall(moment: datetime) -> float:
    """Epoch seconds of a local wall time (days added as wall days, so DST is honoured)."""
    return datetime.combine(moment.date(), moment.time(), tzinfo=moment.tzinfo).timestamp()


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@dataclass(frozen=True)
class Hours:
    """Working hours: ``sets`` of ranges that must all allow a moment (an account's, or its
    tags', and its phone's); empty: always."""

    sets: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sets)

    def text(self) -> str:
        return "; ".join(", ".join(s) for s in self.sets)

    def window(self, at: float, tz: tzinfo) -> tuple[bool, float | None]:
        """(inside, boundary): whether ``at`` is inside the working hours, and when the current
        window ends (inside) or the next one starts (outside); None: no such time within a week
        (never, or always)."""
        if not self.sets:
            return True, None
        spans = _intervals(self.sets[0], at, tz)
        for more in self.sets[1:]:
            spans = _intersect(spans, _intervals(more, at, tz))
        for lo, hi in spans:
            if lo <= at < hi:
                return True, hi
            if at < lo:
                return False, lo
        return False, None


# -- the rules of an account ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Whose actions a task counts: ``key`` the store's account key (the username; for a phone
    whose account is not known, ``serial:<SERIAL>``), ``shown`` how remarks name it (``@alice``,
    ``device R58M123ABC``), ``account`` the inventory entry (or None), ``serial`` the phone."""

    key: str
    shown: str
    account: Any = None
    serial: str | None = None


@dataclass(frozen=True)
class Hold:
    """Why a task may not start now: until ``until`` (UTC epoch seconds), ``remark`` saying
    which rule and when (``follow limit 150/day for @alice; next at 2026-12-02 00:00``)."""

    until: float
    remark: str


@dataclass(frozen=True)
class History:
    """What the store knows of one account and kind when a rule is checked: ``times`` of its
    attempts since ``since`` (UTC epoch seconds, ascending) and its cool-down, if any
    (``(until, reason)``)."""

    times: tuple[float, ...]
    cooling: tuple[float, str] | None = None


def kind_of(script_name: str) -> str | None:
    """The action kind a task of ``script_name`` does once (follow, unfollow, comment, post,
    like, message, ...: the script's name), or None for a script that is never held back by
    action limits (:data:`UNGATED_SCRIPTS`)."""
    return None if script_name in UNGATED_SCRIPTS else script_name


@dataclass
class Policy:
    """The account-safety rules of one config (a :class:`runner.config.RunnerConfig`); cheap to
    build, built again when the inventory changes."""

    config: Any
    by_name: dict[str, Any] = field(default_factory=dict)
    by_serial: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for account in self.config.accounts:
            self.by_name.setdefault(account.username.casefold(), account)
            if account.enabled:
                self.by_serial.setdefault(account.serial, []).append(account)

    @property
    def tz(self) -> tzinfo:
        return self.config.tz()

    def any_rule(self) -> bool:
        """Whether any limit or working hours is configured at all (else only cool-downs can
        hold a task back)."""
        c = self.config
        if c.limits or c.limits_by_tag or c.working_hours or c.working_hours_by_tag:
            return True
        if c.working_hours_by_phone:
            return True
        return any(a.limits or a.working_hours for a in c.accounts)

    def subject(self, username: str | None, serial: str | None) -> Subject:
        """Whose task this is: its ``username``; for a task by serial, the one enabled account
        the inventory binds to the phone; with none or several, the phone itself."""
        if username:
            name = username.removeprefix("@")
            account = self.by_name.get(name.casefold())
            key = account.username if account is not None else name
            return Subject(key, f"@{key}", account, serial)
        bound = self.by_serial.get(serial or "", [])
        if len(bound) == 1:
            a = bound[0]
            return Subject(a.username, f"@{a.username}", a, serial)
        return Subject(f"serial:{serial}", f"device {serial}", None, serial)

    def limit(self, subject: Subject, kind: str) -> ActionLimit | None:
        """The limits of ``kind`` for ``subject``: field by field (``per_hour``, ``per_day``,
        ``min_gap`` each on its own) the account's own, else the stricter of its tags', else the
        default ``limits``; None when nothing limits it. An account's ``{follow: {per_day:
        20}}`` changes its per_day only: per_hour and min_gap still come from its tags or the
        default; a rule never lifts a field a less specific one sets (give a higher number to
        loosen it), and a tag's value wins over the default's even when looser."""
        account = subject.account
        own = account.limits.get(kind) if account is not None else None
        tags = account.tags if account is not None else []
        by_tag = stricter(self.config.limits_by_tag.get(t, {}).get(kind) for t in tags)
        rule = overlay(own, by_tag, self.config.limits.get(kind))
        return None if rule is None or rule.empty() else rule

    def hours(self, subject: Subject) -> Hours:
        """The working hours of ``subject``: the account's own, else the intersection of its
        tags', else the default ``working_hours``; and its phone's (``working_hours_by_phone``)
        as well."""
        c = self.config
        account = subject.account
        sets: list[tuple[str, ...]] = []
        if account is not None and account.working_hours:
            sets.append(tuple(account.working_hours))
        else:
            tags = account.tags if account is not None else []
            tagged = [tuple(c.working_hours_by_tag[t]) for t in tags if t in c.working_hours_by_tag]
            if tagged:
                sets.extend(tagged)
            elif c.working_hours:
                sets.append(tuple(c.working_hours))
        phone = c.working_hours_by_phone.get(subject.serial or "")
        if phone:
            sets.append(tuple(phone))
        return Hours(tuple(sets))

    def since(self, rule: ActionLimit, now: float) -> float:
        """From when the attempts matter for ``rule`` at ``now`` (UTC epoch seconds)."""
        start, _ = day_bounds(now, self.tz)
        return min(start, now - max(HOUR, rule.min_gap or 0.0))

    def verdict(
        self, subject: Subject, kind: str, rule: ActionLimit | None, history: History, now: float
    ) -> Hold | None:
        """Whether one more ``kind`` of ``subject`` at ``now`` passes ``rule`` given
        ``history``; a :class:`Hold` (the latest time any of its limits allows it) if not."""
        tz = self.tz
        if history.cooling is not None and history.cooling[0] > now:
            until, reason = history.cooling
            return Hold(
                until, f"{subject.shown} cooling down ({reason}); next at {shown(until, tz)}"
            )
        if rule is None:
            return None
        times = history.times
        holds: list[Hold] = []
        start, end = day_bounds(now, tz)
        if rule.per_day is not None and sum(1 for t in times if t >= start) >= rule.per_day:
            what = f"{kind} limit {rule.per_day}/day for {subject.shown}"
            holds.append(Hold(end, f"{what}; next at {shown(end, tz)}"))
        hour = [t for t in times if t > now - HOUR]
        if rule.per_hour is not None and len(hour) >= rule.per_hour:
            until = hour[len(hour) - rule.per_hour] + HOUR if rule.per_hour else now + HOUR
            what = f"{kind} limit {rule.per_hour}/hour for {subject.shown}"
            holds.append(Hold(until, f"{what}; next at {shown(until, tz)}"))
        if rule.min_gap and times and now - times[-1] < rule.min_gap:
            until = times[-1] + rule.min_gap
            what = f"{kind} min_gap {rule.min_gap:g} s for {subject.shown}"
            holds.append(Hold(until, f"{what}; next at {shown(until, tz)}"))
        return max(holds, key=lambda h: h.until) if holds else None

    def hours_hold(self, subject: Subject, now: float) -> Hold | None:
        """A :class:`Hold` when ``now`` is outside ``subject``'s working hours (until the next
        window; a week ahead when none comes within a week)."""
        hours = self.hours(subject)
        inside, boundary = hours.window(now, self.tz)
        if inside:
            return None
        until = boundary if boundary is not None else now + 7 * 86400
        return Hold(
            until,
            f"outside working hours {hours.text()} for {subject.shown}; next at "
            f"{shown(until, self.tz)}",
        )

    def hold(self, store: Any, task: Any, now: float, cooling: dict[str, Any]) -> Hold | None:
        """May ``task`` (a :class:`runner.store.TaskRow`, pending and due) start at ``now``?
        None if so; else the :class:`Hold` (cool-down first, then working hours, then the limit
        of its script's action kind). ``cooling`` is the store's active cool-downs
        (``store.cool_downs(now)``); the kind's history is read from ``store``."""
        subject = self.subject(task.username, task.serial)
        cool = cooling.get(subject.key)
        if cool is not None and cool.until > now:
            return self.verdict(subject, "", None, History((), (cool.until, cool.reason)), now)
        held = self.hours_hold(subject, now)
        if held is not None:
            return held
        kind = kind_of(task.script_name)
        rule = self.limit(subject, kind) if kind else None
        if rule is None:
            return None
        times = store.action_times(subject.key, kind, self.since(rule, now))
        return self.verdict(subject, kind, rule, History(tuple(times)), now)


# -- counting as a task runs ----------------------------------------------------------------------


@dataclass
class AccountGuard:
    """A running task's account, as ``ctx.attempt`` and ``ctx.cool_down`` use it
    (runner/scripts/context.py).

    ``store`` the runner's store, ``policy`` the rules, ``subject`` whose actions they are,
    ``task_id`` and ``run`` (the task's ``started_at``: this run) name each attempt with a
    sequence number, so the same attempt is never stored twice; ``clock`` is the scheduler's
    (UTC epoch seconds); ``run_sync`` runs a blocking store call (``trio.to_thread.run_sync``).
    ``log`` the task's logger (events: limits hit, cool-downs)."""

    store: Any
    policy: Policy
    subject: Subject
    task_id: int
    run: float
    clock: Callable[[], float]
    run_sync: Callable[..., Any]
    log: Any = None
    seq: int = 0
    refused: dict[str, Hold] = field(default_factory=dict)

    async def attempt(self, kind: str, *, raise_on_limit: bool = True) -> bool:
        """Count one ``kind`` action about to be done (before the tap): True when it was
        counted and may be done. When the account is at a limit of ``kind`` or cooling down,
        nothing is counted and :class:`runner.errors.LimitReached` is raised (the worker puts
        the task back to pending, ``waiting: ...``), or with ``raise_on_limit=False`` False is
        returned. The check and the count are one store transaction (several runners share
        the counts). Cancelled: counted or not, as the store committed."""
        self.seq += 1
        rule = self.policy.limit(self.subject, kind)
        subject, policy = self.subject, self.policy

        def check(history: History, now: float) -> Hold | None:
            return policy.verdict(subject, kind, rule, history, now)

        hold = await self.run_sync(
            lambda: self.store.attempt_action(
                subject.key,
                kind,
                now=self.clock(),
                since=policy.since(rule or ActionLimit(), self.clock()),
                check=check,
                task_id=self.task_id,
                run=self.run,
                seq=self.seq,
                serial=subject.serial,
            )
        )
        if hold is None:
            return True
        if kind not in self.refused and self.log is not None:
            self.log.warning("limit reached: %s", hold.remark)
        self.refused[kind] = hold
        if raise_on_limit:
            raise LimitReached(hold.remark, hold.until, kind=kind, account=subject.key)
        return False

    async def cool_down(self, reason: str, seconds: float | None = None) -> float:
        """The account cools down for ``seconds`` (None: the config's ``cooldown``) because of
        ``reason`` (what TikTok said); its tasks wait until then. Logged. Returns the end, UTC
        epoch seconds."""
        now = self.clock()
        wait = self.policy.config.cooldown if seconds is None else seconds
        until = now + wait
        reason = " ".join(str(reason).split())
        await self.run_sync(lambda: self.store.cool_down(self.subject.key, until, reason, now=now))
        text = (
            f"{self.subject.shown} cools down until {shown(until, self.policy.tz)} "
            f"({wait:g} s): {reason}"
        )
        log.warning("%s", text)
        if self.log is not None:
            self.log.warning("%s", text)
        return until

    def working_left(self) -> float | None:
        """Seconds until the account's current working-hours window ends (None: no working
        hours apply; 0 when outside them)."""
        now = self.clock()
        inside, boundary = self.policy.hours(self.subject).window(now, self.policy.tz)
        if not self.policy.hours(self.subject):
            return None
        if not inside:
            return 0.0
        return None if boundary is None else max(0.0, boundary - now)


def account_safety(
    config: Any, store: Any, now: float, only: set[str] | None = None
) -> list[dict[str, Any]]:
    """Each inventory account's safety as shown to people (``GET /api/v1/accounts``, the CLI,
    the dashboard): ``{username, serial, limits: {kind: {per_hour, per_day, min_gap, hour, day,
    last_at}}, working_hours: [[ranges], ...] | None, working_now: bool, working_next: float |
    None, cool_down: {until,
    reason, since} | None}``. ``hour`` counts the kind's attempts in the last 60 minutes,
    ``day`` since local midnight; ``working_next`` when ``working_now`` changes next (the
    window's end inside it, the next one's start outside; None: no change within a week); times
    are UTC epoch seconds. Kinds shown: those with a limit for the account, and those it did
    today. ``only``: just the accounts with these lower-case usernames (one page of them)."""
    policy = Policy(config)
    start, _ = day_bounds(now, policy.tz)
    counts = store.action_counts(now - HOUR, start)
    done: dict[str, set[str]] = {}
    for who, kind in counts:
        done.setdefault(who, set()).add(kind)
    cooling = store.cool_downs(now)
    out = []
    for account in config.accounts:
        if only is not None and account.username.lower() not in only:
            continue
        subject = policy.subject(account.username, account.serial)
        kinds = set(config.limits) | {
            k for t in account.tags for k in config.limits_by_tag.get(t, {})
        }
        kinds |= set(account.limits) | done.get(subject.key, set())
        limits = {}
        for kind in sorted(kinds):
            rule = policy.limit(subject, kind)
            hour, day, last = counts.get((subject.key, kind), (0, 0, None))
            limits[kind] = {
                "per_hour": rule.per_hour if rule else None,
                "per_day": rule.per_day if rule else None,
                "min_gap": rule.min_gap if rule else None,
                "hour": hour,
                "day": day,
                "last_at": last,
            }
        hours = policy.hours(subject)
        working_now, working_next = hours.window(now, policy.tz)
        cool = cooling.get(subject.key)
        out.append(
            {
                "username": account.username,
                "serial": account.serial,
                "limits": limits,
                "working_hours": [list(s) for s in hours.sets] or None,
                "working_now": working_now,
                "working_next": working_next,
                "cool_down": None
                if cool is None
                else {"until": cool.until, "reason": cool.reason, "since": cool.since},
            }
        )
    return out
