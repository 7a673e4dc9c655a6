"""The scheduler: which task next on which phone, and how every task ends (design.md,
"scheduler").

One part owns the running rules of docs/spec/local-api.md ("Running rules") and the README:

- **Due times, no polling.** A device worker asks :meth:`Scheduler.wait_for_work` and is woken
  by an event: :meth:`Scheduler.notify` (new tasks, a retry, a task that ended and unblocks a
  workflow step) or the next scheduled start of its phone, whichever comes first. Nothing polls.
- **One task per phone** is the worker's own loop; **at most ``device_limit`` phones run tasks
  at once** (the number ``/license/check`` reports): a worker holds one of ``device_limit`` slots
  (:meth:`Scheduler.slot`, first come first served) from opening its phone's session until its
  task ended. Phones beyond the limit keep their workers and wait for a slot; their tasks stay
  pending.
- **Retries** (``retry:`` in tikrunner.yaml): a failed task goes back to pending after a random
  wait in [``min_wait``, ``max_wait``] seconds, until it has been retried ``max_retry_count``
  times, and only when the failure is safe to repeat (``TaskFailed.retry_safe``: nothing
  irreversible was done, or the script's check showed it did not happen). Tasks stopped,
  deleted, interrupted (crash, shutdown, phone gone), skipped or failed for want of their phone
  are never retried automatically.
- **Device back-off.** A phone whose uiautomator server will not start is benched
  (:meth:`Scheduler.bench`) for 5 s, then 10, 20, ... up to 300 s, instead of failing its pending
  tasks one after another: its tasks wait, :attr:`Scheduler.benched` shows it (and the log).
- **Absent phones** (:meth:`Scheduler.watch_absent`): a pending, due task whose phone has had no
  worker for ``device_wait`` seconds fails with a remark naming the device; a task for a serial
  no adb server reports is logged when it is first seen, and its failure is logged too.
- **Account safety** (runner/limits.py; README, "Account safety"): :meth:`Scheduler.claim`
  takes the first due task of the phone that may start now. A task whose account is cooling
  down, outside its working hours, or would pass a limit of its script's action kind stays
  pending, held back until the time it may run (``tasks.wait_until``) with a remark ``waiting:
  follow limit 150/day for @alice; next at 2026-12-02 00:00``; the phone's other tasks go on.
  :meth:`Scheduler.guard` is what a running task counts its actions through (``ctx.attempt``).
- **How a task ends**: :meth:`Scheduler.end` is the one way, used by the device workers, the
  HTTP stop and delete, crash recovery and the watchdog. It decides the retry and commits the
  end through the store's one end-of-task function (``Store.end_tasks``), which applies the
  retry and the workflow step policy (``on_failure: stop`` skips the unit's later steps) in the
  same transaction.

Time: ``clock`` is injected (UTC epoch seconds, ``time.time`` by default); waits are trio sleeps
of the difference, so tests drive everything with ``trio.testing.MockClock`` and a clock derived
from it (``lambda: base + trio.current_time()``) without real sleeps.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import trio

from runner.config import RetryPolicy, RunnerConfig
from runner.errors import TaskFailed, device_state_remark
from runner.limits import AccountGuard, Policy
from runner.models.task import TaskStatus

log = logging.getLogger(__name__)

#: Back-off of a benched phone: the first wait (seconds), the factor per failure, the cap.
BENCH_FIRST = 5.0
BENCH_FACTOR = 2.0
BENCH_MAX = 300.0
#: Least seconds between two passes of the absent-device watchdog (it is woken by events; this
#: coalesces a burst of them).
WATCH_COALESCE = 0.5


def bench_seconds(failures: int) -> float:
    """Seconds a phone stays benched after its ``failures``-th failure in a row (1-based):
    5, 10, 20, 40, 80, 160, then 300 for ever."""
    if failures < 1:
        return 0.0
    return min(BENCH_MAX, BENCH_FIRST * BENCH_FACTOR ** (failures - 1))


def retry_wait(
    policy: RetryPolicy, retry_count: int, failure: TaskFailed | None, rng: random.Random
) -> float | None:
    """Seconds until a task that failed with ``failure`` runs again, or None (no retry).

    ``retry_count`` is how often it was retried already. None when retries are off
    (``max_retry_count`` 0), the task was retried that many times, there is no script failure
    (stopped, deleted, interrupted, skipped, phone absent) or the failure is not known to be safe
    to repeat (``failure.retry_safe`` is not True). Otherwise uniform in [``min_wait``,
    ``max_wait``] (docs/spec/local-api.md, "Running rules": a random 5-60 s wait).
    """
    if failure is None or failure.retry_safe is not True:
        return None
    if retry_count >= policy.max_retry_count:
        return None
    low, high = sorted((policy.min_wait, policy.max_wait))
    return rng.uniform(low, high)


@dataclass
class Bench:
    """A phone taken out of work for a while: why, how many failures in a row, and until when
    (UTC epoch seconds)."""

    serial: str
    reason: str
    failures: int
    since: float
    until: float

    def as_dict(self) -> dict[str, Any]:
        """``{serial, reason, failures, since, until}`` (times: UTC epoch seconds), for the
        devices view and logs."""
        return {
            "serial": self.serial,
            "reason": self.reason,
            "failures": self.failures,
            "since": self.since,
            "until": self.until,
        }


@dataclass
class Ended:
    """What :meth:`Scheduler.end` did: ``ended`` the ids of the tasks it ended (or deleted; a
    task not in an expected state, already ended or deleted meanwhile, is left out);
    ``retry_at`` the epoch second of the retry (None: none); ``skipped`` the ids of later
    workflow steps failed by the step policy; ``manifests`` the manifest names whose status files
    changed."""

    ended: list[int]
    retry_at: float | None = None
    skipped: list[int] = field(default_factory=list)
    manifests: set[str] = field(default_factory=set)


@dataclass
class Scheduler:
    """The running rules over one store (see the module docstring).

    ``store`` is the runner's :class:`runner.store.Store`; ``status`` its status writer (or
    anything with ``mark(*names)``; None: no status files); ``config`` gives ``device_limit``,
    ``device_wait`` (seconds) and ``retry``. ``clock``: UTC epoch seconds; ``rng`` draws retry
    waits; ``run_sync(fn, *args)`` runs a blocking store call (default
    ``trio.to_thread.run_sync``; tests with a mock clock call the store directly). Async methods run in the runner's trio loop; :meth:`notify` may be called from any
    thread once :meth:`bind` ran.
    """

    store: Any
    config: RunnerConfig
    status: Any = None
    clock: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)
    run_sync: Callable[..., Any] = trio.to_thread.run_sync
    #: Phones benched now, by serial.
    benched: dict[str, Bench] = field(default_factory=dict)
    #: Serials that have a device worker now.
    present: set[str] = field(default_factory=set)
    #: When each serial last lost its worker (epoch seconds).
    gone_since: dict[str, float] = field(default_factory=dict)
    #: serial -> its adb state as an adb server lists it (``unauthorized``, ...), or None when
    #: none does; names the state in the remark of tasks that waited for the phone in vain.
    adb_state: Callable[[str], str | None] = lambda serial: None
    #: Whether another runner of a shared store holds (or last held) the serial's phone: its
    #: pending tasks are that runner's to run and wait for it, never failed here as absent.
    elsewhere: Callable[[str], bool] = lambda serial: False
    _events: dict[str, trio.Event] = field(default_factory=dict)
    _watch: trio.Event | None = None
    _token: trio.lowlevel.TrioToken | None = None
    _slots: trio.CapacityLimiter | None = None
    _started: float | None = None
    _told_unknown: set[str] = field(default_factory=set)
    _fails: dict[str, int] = field(default_factory=dict)
    _policy: tuple[tuple[int, ...], Policy] | None = None

    # -- wake-ups ------------------------------------------------------------------------------

    def bind(self) -> None:
        """Attach to the running trio loop (call once, in it, before workers start)."""
        self._token = trio.lowlevel.current_trio_token()
        self._slots = trio.CapacityLimiter(self.config.device_limit)
        if self._started is None:
            self._started = self.clock()

    def notify(self, serials: Iterable[str | None] | None = None, *, watch: bool = True) -> None:
        """There may be new work: wake the workers of ``serials`` (None: every worker) and, with
        ``watch``, the absent-device watchdog. Thread-safe; a no-op before :meth:`bind` or after
        the loop ended."""
        if self._token is None:
            return
        chosen = None if serials is None else {s for s in serials if s}
        try:
            self._token.run_sync_soon(self._fire, chosen, watch)
        except trio.RunFinishedError:
            pass

    def _fire(self, serials: set[str] | None, watch: bool) -> None:
        events = self._events
        for serial in list(events) if serials is None else serials & set(events):
            events.pop(serial).set()
        if watch and self._watch is not None:
            self._watch.set()

    def changed(self, serial: str) -> trio.Event:
        """The event the next :meth:`notify` concerning ``serial`` sets. Take it *before* looking
        at the store, so a notify between the look and the wait is not lost."""
        event = self._events.get(serial)
        if event is None:
            event = self._events[serial] = trio.Event()
        return event

    async def due(self, serial: str) -> bool:
        """Whether ``serial`` has a pending task whose scheduled start has come."""
        start = await self.run_sync(self.store.next_start, serial)
        return start is not None and start <= self.clock()

    async def wait_for_work(self, serial: str, event: trio.Event, blocked: bool = False) -> None:
        """Wait until ``serial`` may have a task to claim: ``event`` (from :meth:`changed`) is
        set, or the time its next pending task may start comes (its scheduled start, or the end
        of its hold: a limit, working hours, a cool-down; ``tasks.wait_until``): a timer, so a
        held task runs at its time with nothing else happening. With ``blocked`` (a claim just
        found nothing although a task is due: it waits for an earlier workflow step, which only
        an event ends), the timer is for the next such time still to come (a later start, a
        hold's end: that step may be the one held); else a task already due returns at once."""
        now = self.clock()
        start = await self.run_sync(self.store.next_start, serial)
        if start is not None and start <= now:
            if not blocked:
                return
            start = await self.run_sync(self.store.next_start, serial, now)
        delay = math.inf if start is None else start - now
        with trio.move_on_after(delay):
            await event.wait()

    # -- account safety -----------------------------------------------------------------------

    def policy(self) -> Policy:
        """The account-safety rules of the config, built again when the inventory changed."""
        accounts = self.config.accounts
        key = (id(accounts), *map(id, accounts))
        if self._policy is None or self._policy[0] != key:
            self._policy = (key, Policy(self.config))
        return self._policy[1]

    async def claim(self, serial: str) -> Any:
        """Claim the first due task of ``serial`` that may start now (a
        :class:`runner.store.TaskRow`, running), or None. Due tasks before it that may not
        (cool-down, working hours, an action limit: :meth:`runner.limits.Policy.hold`) are held
        back in the store until they may, with their ``waiting: ...`` remark; they never hold
        the phone's other tasks back. Without any rule and any cool-down this is one
        ``claim_next``."""
        store = self.store
        now = self.clock()
        policy = self.policy()
        cooling = await self.run_sync(store.cool_downs, now)
        if not cooling and not policy.any_rule():
            return await self.run_sync(store.claim_next, serial, now)
        page = 16

        def gate() -> tuple[int | None, list[tuple[int, float, str]], int]:
            rows = store.due_tasks(serial, now, page)
            holds = []
            for row in rows:
                hold = policy.hold(store, row, now, cooling)
                if hold is None:
                    return row.id, holds, len(rows)
                holds.append((row.id, hold.until, hold.remark))
            return None, holds, len(rows)

        while True:
            chosen, holds, seen = await self.run_sync(gate)
            if holds:
                await self.run_sync(store.hold_tasks, holds)
                for task_id, _, remark in holds:
                    log.info("task %d on %s waits: %s", task_id, serial, remark)
                if self.status is not None:
                    self.status.mark(*await self.run_sync(
                        store.manifest_names_of_tasks, [h[0] for h in holds]
                    ))  # fmt: skip
            if chosen is not None:
                task = await self.run_sync(partial(store.claim_next, serial, now, task_id=chosen))
                if task is not None:
                    return task
                continue  # taken meanwhile (stopped, deleted): look again
            if seen < page:
                return None

    def guard(self, task: Any, task_log: Any = None) -> AccountGuard:
        """What the running ``task`` (claimed: ``started_at`` set) counts its actions through:
        ``ctx.attempt`` and ``ctx.cool_down`` (runner/limits.py), on this scheduler's store and
        clock."""
        policy = self.policy()
        return AccountGuard(
            store=self.store,
            policy=policy,
            subject=policy.subject(task.username, task.serial),
            task_id=task.id,
            run=task.started_at or 0.0,
            clock=self.clock,
            run_sync=self.run_sync,
            log=task_log,
        )

    # -- device slots and back-off ------------------------------------------------------------

    @asynccontextmanager
    async def slot(self, serial: str) -> AsyncIterator[None]:
        """Hold one of the ``device_limit`` slots for ``serial`` while the block runs (a session
        opens and a task runs on it). Waits, first come first served, while every slot is held."""
        assert self._slots is not None, "bind() first"
        if self._slots.available_tokens == 0:
            log.info(
                "device %s waits: device_limit %d phones already run tasks",
                serial,
                self.config.device_limit,
            )
        async with self._slots:
            yield

    def slots_in_use(self) -> int:
        """How many phones hold a slot now."""
        return 0 if self._slots is None else self._slots.borrowed_tokens

    def bench(self, serial: str, reason: str) -> Bench:
        """Take ``serial`` out of work after a failure to get it working (its uiautomator server
        would not start): for :func:`bench_seconds` of its failures in a row. Logged. Returns the
        bench."""
        now = self.clock()
        reason = " ".join(reason.split())  # exception texts carry newlines
        failures = self._fails.get(serial, 0) + 1
        self._fails[serial] = failures
        wait = bench_seconds(failures)
        bench = self.benched[serial] = Bench(serial, reason, failures, now, now + wait)
        log.warning(
            "device %s benched for %g s (failure %d in a row): %s; its tasks wait",
            serial,
            wait,
            failures,
            reason,
        )
        return bench

    def healthy(self, serial: str) -> None:
        """``serial`` works (its session opened): back-off reset, off the bench."""
        self._fails.pop(serial, None)
        if self.benched.pop(serial, None) is not None:
            log.info("device %s works again: off the bench", serial)

    async def wait_off_bench(self, serial: str) -> None:
        """Return once ``serial`` is not benched (at once when it is not)."""
        bench = self.benched.get(serial)
        if bench is not None:
            await trio.sleep(max(0.0, bench.until - self.clock()))

    def device_info(self, serial: str) -> dict[str, Any]:
        """What the scheduler knows of a phone, for the devices view: ``{serial, worker,
        benched}`` (``benched``: :meth:`Bench.as_dict` or None)."""
        bench = self.benched.get(serial)
        return {
            "serial": serial,
            "worker": serial in self.present,
            "benched": None if bench is None else bench.as_dict(),
        }

    # -- device presence ----------------------------------------------------------------------

    def device_up(self, serial: str) -> None:
        """``serial`` has a worker now."""
        self.present.add(serial)
        self._told_unknown.discard(serial)
        self.notify([serial])

    def device_down(self, serial: str) -> None:
        """``serial`` lost its worker (offline, unauthorized, gone, adb server unreachable)."""
        self.present.discard(serial)
        self.gone_since[serial] = self.clock()
        self.notify([serial])

    # -- the end of a task --------------------------------------------------------------------

    async def end(
        self,
        task_ids: int | Iterable[int],
        status: TaskStatus,
        remark: str,
        *,
        expect: tuple[TaskStatus, ...] = (TaskStatus.RUNNING,),
        failure: TaskFailed | None = None,
        retry_count: int = 0,
        delete: bool = False,
        wait_until: float | None = None,
        result: dict[str, Any] | None = None,
    ) -> Ended:
        """End tasks: the one way a task ends, whatever ended it.

        ``status`` COMPLETED or FAILED with ``remark``, for the tasks whose status is one of
        ``expect``; PENDING puts a running task back in the queue (its phone could not run it;
        with ``wait_until``, UTC epoch seconds, not claimed before then: a limit reached).
        ``delete``: the tasks are deleted instead (``status`` ignored). A failed task whose ``failure`` is safe to repeat goes back to
        pending after :func:`retry_wait` instead (one task at a time: ``retry_count`` is its
        retry count). The store applies the workflow step policy in the same transaction; the
        status files of every changed manifest are marked and the workers woken. Returns
        :class:`Ended`. ``result``: what the script read (a JSON object; the task's ``result``),
        stored with a completed or failed end.
        """
        ids = [task_ids] if isinstance(task_ids, int) else list(task_ids)
        now = self.clock()
        retry_at = None
        if status == TaskStatus.FAILED and not delete and len(ids) == 1:
            wait = retry_wait(self.config.retry, retry_count, failure, self.rng)
            if wait is not None:
                retry_at = now + wait
        result = await self.run_sync(
            lambda: self.store.end_tasks(
                ids,
                status=status,
                remark=remark,
                expect=expect,
                retry_at=retry_at,
                max_retries=self.config.retry.max_retry_count,
                delete=delete,
                now=now,
                wait_until=wait_until,
                result=result,
            )
        )
        ended = Ended(
            ended=list(result.ended),
            retry_at=retry_at if result.retried else None,
            skipped=list(result.skipped),
            manifests=set(result.manifests),
        )
        if ended.retry_at is not None:
            log.info(
                "task %s: retry in %.0f s (%s)", ids[0], ended.retry_at - now, remark or "failed"
            )
        if ended.skipped:
            log.info("tasks %s: skipped (on_failure: stop)", ", ".join(map(str, ended.skipped)))
        if self.status is not None and ended.manifests:
            self.status.mark(*ended.manifests)
        self.notify(result.serials, watch=False)
        return ended

    async def recover_after_crash(self, remark: str = "interrupted") -> Ended:
        """On start: tasks a crash left running end failed with ``remark`` (never retried),
        through :meth:`end`, so the workflow step policy applies to them too."""
        running = await self.run_sync(self.store.running_ids)
        if not running:
            return Ended(ended=[])
        log.warning(
            "%d task(s) were running when tikrunner stopped: failed %r", len(running), remark
        )
        return await self.end(running, TaskStatus.FAILED, remark, expect=(TaskStatus.RUNNING,))

    # -- pending tasks whose phone is away ----------------------------------------------------

    async def watch_absent(self) -> None:
        """Fail pending tasks whose phone has had no worker for ``config.device_wait`` seconds
        past their scheduled start (docs/spec/local-api.md, "Running rules"); runs until
        cancelled. Woken by :meth:`notify` and by the next such deadline, never polling faster
        than :data:`WATCH_COALESCE`. A serial no adb server reports is logged once when its
        first task is seen, and each failure is logged."""
        wait = self.config.device_wait
        while True:
            self._watch = event = trio.Event()
            pass_start = trio.current_time()
            now = self.clock()
            rows = await self.run_sync(self.store.pending_by_serial)
            started = self._started if self._started is not None else now
            deadline = math.inf
            overdue: list[str] = []
            for serial, first_start, count in rows:
                if not serial or serial in self.present or self.elsewhere(serial):
                    continue
                if serial not in self._told_unknown and serial not in self.gone_since:
                    self._told_unknown.add(serial)
                    log.warning(
                        "%d pending task(s) for device %s, which no adb server reports; they "
                        "fail if it is not connected within %g s of their start",
                        count,
                        serial,
                        wait,
                    )
                since = max(self.gone_since.get(serial, 0.0), started)
                due = max(first_start, since) + wait
                if due <= now:
                    overdue.append(serial)
                else:
                    deadline = min(deadline, due)
            if overdue:
                deadline = now  # once those failed, look again: later tasks have their own times
            for serial in overdue:
                ids = await self.run_sync(self.store.pending_due_ids, serial, now - wait)
                ids = [i for i in ids if serial not in self.present and not self.elsewhere(serial)]
                if not ids:
                    continue
                remark = f"device {serial} not connected for {wait:g} s"
                state = self.adb_state(serial)
                if state and state != "device":  # listed, but not usable: say why and what to do
                    remark = f"{device_state_remark(serial, state)} (waited {wait:g} s)"
                result = await self.end(
                    ids, TaskStatus.FAILED, remark, expect=(TaskStatus.PENDING,)
                )
                if result.ended:
                    log.warning("tasks %s: failed, %s", ", ".join(map(str, ids)), remark)
            with trio.move_on_after(max(0.0, deadline - self.clock())):
                await event.wait()
            await trio.sleep_until(pass_start + WATCH_COALESCE)  # a burst of events: one pass
