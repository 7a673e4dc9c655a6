"""Progress of running tasks: the scripts' reports, kept in memory and written to the store in
throttled batches (the task object's ``progress``, docs/spec/local-api.md, "Task object").

A script reports through its context, ``ctx.progress(text, fraction)``
(runner/scripts/context.py): synchronous, cheap, no device call, never raises. The
:class:`ProgressBoard` keeps each running task's latest report; :meth:`ProgressBoard.run` writes
the reports made since its last write in one store transaction, at once when the first one
comes and then at most once per ``interval`` seconds (1 s). So a task's progress is written at
most about once a second however often its script reports, and 45 phones reporting cost one
transaction a second, not 45.

When a task ends, its worker calls :meth:`ProgressBoard.close` before it records the end: the
last report not yet written is written then, so the ended task keeps it ("watched 40 videos, 600
of 600 s"), and the run's reporter goes deaf: a report made after that is dropped. The store
writes a report only while its run is the task's current one
(:meth:`runner.store.tasks.TaskQueue.record_progress`), so a report that raced the end, or
came from a run a retry replaced, never resurrects or overwrites the end.

Status files (runner/status.py) show the progress the store has when they are written: a batch
marks the manifests of the tasks it changed, each at most once per ``status_interval`` seconds
(5 s); the end marks them anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import trio

from runner.logs import longest_first, mask
from runner.models import clean_progress
from runner.store import STORE_FAULTS, Store, TaskRow
from runner.store.tasks import ProgressReport
from runner.wakeup import Wakeup

log = logging.getLogger(__name__)

#: Seconds between two store writes of the board (each task's progress at most once per this).
INTERVAL = 1.0
#: Seconds between two status-file rewrites of one manifest caused by progress alone.
STATUS_INTERVAL = 5.0

Reporter = Callable[..., None]
"""``report(text, fraction=None)``: what a task's context calls (see :meth:`ProgressBoard.open`)."""


@dataclass(frozen=True, eq=False)
class _Run:
    """One run of a task: ``started_at`` (UTC epoch seconds) as claimed tells it from a retry."""

    task_id: int
    started_at: float
    manifest: str | None
    secrets: tuple[str, ...]


class ProgressBoard:
    """The latest progress report of every running task, and its throttled writer.

    ``store``: where reports go (:meth:`~runner.store.tasks.TaskQueue.record_progress`).
    ``status``: a :class:`runner.status.StatusWriter` (or anything with ``mark(*names)``) told
    which manifests changed; None: none. ``interval`` and ``status_interval`` are seconds;
    ``clock`` gives the reports' times (UTC epoch seconds); ``run_sync`` runs a blocking
    function off the trio loop (default ``trio.to_thread.run_sync``; tests with trio's mock
    clock run it in place). :attr:`writes` counts the store transactions made (for tests and
    benchmarks). :meth:`open` and reports are thread-safe.
    """

    def __init__(
        self,
        store: Store,
        status: Any = None,
        *,
        interval: float = INTERVAL,
        status_interval: float = STATUS_INTERVAL,
        clock: Callable[[], float] = time.time,
        run_sync: Callable[[Callable[[], Any]], Awaitable[Any]] | None = None,
    ) -> None:
        self.store = store
        self.status = status
        self.interval = interval
        self.status_interval = status_interval
        self.clock = clock
        self._run_sync = run_sync or trio.to_thread.run_sync
        self.writes = 0
        self._runs: dict[int, _Run] = {}  # task id -> its open run
        self._dirty: dict[int, ProgressReport] = {}  # task id -> its report not yet written
        self._lock = threading.Lock()  # guards _runs and _dirty (held briefly, never for I/O)
        self._writing = threading.Lock()  # one store write at a time: a batch and a close
        self._marked: dict[str, float] = {}  # manifest -> when progress last marked its file
        self._failing = False  # the last batch failed (logged once until one succeeds)
        self._wakeup = Wakeup()

    # -- the scripts' side --------------------------------------------------------------------

    def open(self, task: TaskRow, secrets: Iterable[str] = ()) -> Reporter:
        """Start taking reports for ``task``'s run (a task the store just claimed: its
        ``started_at`` names the run); returns its reporter, ``report(text, fraction=None)``.

        The reporter cleans each report (:func:`runner.models.clean_progress`: one line, at most
        200 characters, fraction clamped to 0..1 or None), replaces ``secrets`` in the text by
        ``***``, keeps it as the task's latest and wakes the writer. It never raises, never
        waits, and does nothing once :meth:`close` ended the run (or a later run of the same
        task was opened)."""
        assert task.started_at is not None, "open() takes a claimed (running) task"
        run = _Run(
            task.id,
            task.started_at,
            task.manifest,
            longest_first(secrets),
        )
        with self._lock:
            self._runs[task.id] = run
            self._dirty.pop(task.id, None)
        return partial(self._report, run)

    def _report(self, run: _Run, text: object, fraction: object = None) -> None:
        line, value = clean_progress(mask(str(text), run.secrets), fraction)
        report = ProgressReport(run.task_id, run.started_at, line, value, self.clock())
        with self._lock:
            if self._runs.get(run.task_id) is not run:
                return  # the run ended (or was replaced): a late report changes nothing
            self._dirty[run.task_id] = report
        self._wakeup.set()

    # -- the writer ---------------------------------------------------------------------------

    def _has_work(self) -> bool:
        with self._lock:
            return bool(self._dirty)

    async def run(self) -> None:
        """Write reports until cancelled: a batch as soon as something was reported, then at
        most one batch per ``interval`` seconds. (Nothing is lost when it stops: each task's
        last report is written by :meth:`close` when the task ends.)"""
        with self._wakeup.attached():
            while True:
                await self._wakeup.until(self._has_work)
                await self._run_sync(self.flush)
                await trio.sleep(self.interval)

    def flush(self) -> list[int]:
        """Write every report not yet written, in one store transaction (blocking); returns the
        ids of the tasks whose stored progress changed. A store error (locked, disk full) is
        logged once and the reports are kept for the next batch; never raises a store fault (``STORE_FAULTS``)."""
        with self._writing:
            with self._lock:
                reports, self._dirty = list(self._dirty.values()), {}
            if not reports:
                return []
            try:
                changed = self.store.record_progress(reports)
            except STORE_FAULTS as e:
                if not self._failing:
                    log.warning("could not store the tasks' progress (%s); trying again", e)
                self._failing = True
                with self._lock:  # kept unless a newer report came meanwhile or the run ended
                    for r in reports:
                        run = self._runs.get(r.task_id)
                        if run is not None and run.started_at == r.started_at:
                            self._dirty.setdefault(r.task_id, r)
                return []
            self.writes += 1
            if self._failing:
                log.info("the tasks' progress is stored again")
                self._failing = False
            with self._lock:
                manifests = {
                    run.manifest
                    for i in changed
                    if (run := self._runs.get(i)) is not None and run.manifest
                }
            self._mark(manifests)
        return changed

    def _mark(self, manifests: set[str]) -> None:
        if self.status is None or not manifests:
            return
        now = time.monotonic()
        # forget marks older than the interval (the dict stays as small as the busy manifests)
        self._marked = {m: t for m, t in self._marked.items() if now - t < self.status_interval}
        due = sorted(manifests - self._marked.keys())
        for m in due:
            self._marked[m] = now
        if due:
            self.status.mark(*due)

    async def close(self, task: TaskRow) -> None:
        """End ``task``'s run (called by its worker before the end is recorded): its last report
        not yet written is written now, and later reports of the run are dropped. Does nothing
        for a run that is not open (never reported, already closed, or a later run is open).
        Never raises a store fault (``STORE_FAULTS``) (logged: the end must still be recorded)."""
        await self._run_sync(partial(self._close, task.id, task.started_at))

    def forget(self, task: TaskRow) -> None:
        """Drop ``task``'s run without writing anything (its worker is done with it; after
        :meth:`close` this does nothing). Thread-safe, never blocks on the store."""
        with self._lock:
            run = self._runs.get(task.id)
            if run is not None and run.started_at == task.started_at:
                del self._runs[task.id]
                self._dirty.pop(task.id, None)

    def _close(self, task_id: int, started_at: float | None) -> None:
        with self._writing:
            with self._lock:
                run = self._runs.get(task_id)
                if run is None or run.started_at != started_at:
                    return
                del self._runs[task_id]
                last = self._dirty.pop(task_id, None)
            if last is None:
                return
            try:
                self.store.record_progress([last])
            except STORE_FAULTS as e:
                log.warning("task %d: could not store its last progress (%s)", task_id, e)
                return
            self.writes += 1
