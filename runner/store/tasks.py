"""The task queue: tasks in, the next due task out, tasks ended (design.md, "store").

Times are UTC epoch seconds (float); status values are :class:`~runner.models.task.TaskStatus`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from runner.models.task import TaskStatus
from runner.store.db import Database
from runner.store.rows import TASK_COLUMNS, TaskRow, row_to_task

# TaskStatus values in SQL text ("status=0"): the enum is the one definition
_PENDING, _RUNNING, _FAILED = (
    f"{s:d}" for s in (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.FAILED)
)

# The tasks claim_next may claim (parameters: serial, now, now): pending, due, not held back, and
# no earlier step of their workflow firing pending or running.
_DUE = (
    f"serial=? AND status={_PENDING} AND start_at<=? AND (wait_until IS NULL OR wait_until<=?)"
    " AND (firing IS NULL OR NOT EXISTS (SELECT 1 FROM tasks p WHERE p.firing=t.firing"
    f" AND p.unit=t.unit AND p.step<t.step AND p.status IN ({_PENDING}, {_RUNNING})))"
)


def insert_tasks(
    db: Any,
    tasks: Iterable[Any],
    manifest_id: int | None,
    manifest: str | None,
    source: str,
    now: float,
    owner: str | None = None,
) -> list[int]:
    """Inside a transaction: insert pending tasks (objects with the fields of
    ``runner.intake.NewTask``, workflow steps also ``step``, ``step_name``, ``unit``, ``firing``,
    ``on_failure``) of one manifest (``manifest_id`` row, may be None) named ``manifest``; returns
    their ids in order. ``now`` is the creation time, UTC epoch seconds; ``owner`` the runner that
    took them in (it writes their status file). ``db`` is the store's
    connection (either engine's: ``?`` placeholders)."""
    ids = []
    for t in tasks:
        cur = db.execute(
            "INSERT INTO tasks(manifest_id, manifest, source, serial, username, script_name,"
            " script_config, status, job_count, start_at, created_at,"
            " step, step_name, unit, firing, on_failure, owner)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                manifest_id,
                manifest,
                source,
                t.serial,
                t.username,
                t.script_name,
                json.dumps(t.script_config, ensure_ascii=False),
                int(TaskStatus.PENDING),
                t.job_count,
                t.start_at,
                now,
                getattr(t, "step", None),
                getattr(t, "step_name", None),
                getattr(t, "unit", None),
                getattr(t, "firing", None),
                getattr(t, "on_failure", None),
                owner,
            ),
        )
        ids.append(int(cur.fetchone()[0]))
    return ids


@dataclass(frozen=True)
class ProgressReport:
    """One progress report of a task's run, as :meth:`TaskQueue.record_progress` takes it:
    ``started_at`` names the run (the task's ``started_at`` when it was claimed, UTC epoch
    seconds), ``text`` and ``fraction`` are already clean (:func:`runner.models.clean_progress`),
    ``at`` is when the script made it (UTC epoch seconds)."""

    task_id: int
    started_at: float
    text: str
    fraction: float | None
    at: float


@dataclass
class EndResult:
    """What :meth:`TaskQueue.end_tasks` did: ``ended`` the ids ended (or deleted, or put back),
    ``retried`` whether the one task became an automatic retry, ``skipped`` the later workflow
    steps failed by the step policy, ``manifests`` and ``serials`` those of every task touched,
    ``manifest_of`` each ended task's manifest name (or None)."""

    ended: list[int] = field(default_factory=list)
    manifest_of: dict[int, str | None] = field(default_factory=dict)
    retried: bool = False
    skipped: list[int] = field(default_factory=list)
    manifests: set[str] = field(default_factory=set)
    serials: set[str] = field(default_factory=set)


class TaskQueue(Database):
    """The ``tasks`` table as a queue: claim, end, look up (one transaction per call)."""

    def due_tasks(self, serial: str, now: float, limit: int = 16) -> list[TaskRow]:
        """The first ``limit`` tasks :meth:`claim_next` could claim on ``serial`` at ``now``, in
        its order (nothing changed): the scheduler asks which of them may start
        (runner/limits.py) and claims that one by id."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks t WHERE {_DUE} ORDER BY start_at, id LIMIT ?",
                (serial, now, now, limit),
            ).fetchall()
        return [row_to_task(r) for r in rows]

    def claim_next(
        self, serial: str, now: float | None = None, *, task_id: int | None = None
    ) -> TaskRow | None:
        """Mark the next due pending task of ``serial`` running and return it (None if none is due).

        Order: scheduled start, then id (docs/spec/local-api.md, "Running rules"). A workflow step waits
        while an earlier step of its firing on the same unit is pending or running; a task held
        back (``wait_until``, runner/store/actions.py) waits until then. ``task_id``: claim that
        task only (if it is still the serial's and claimable). The caller is the device's only
        worker, so at most one task per device runs.
        """
        now = self.now() if now is None else now
        leased, args = "", [serial, now, now]
        if task_id is not None:
            leased, args = " AND t.id=?", [*args, task_id]
        if self.shared:  # only the runner that holds the phone's lease (runner/store/farm.py)
            leased += (
                " AND EXISTS (SELECT 1 FROM phones WHERE phones.serial=t.serial AND runner=?"
                " AND lease_until>?)"
            )
            args += [self.runner, self.now()]  # the lease by the store's clock, always
        with self._transaction():
            row = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks t WHERE {_DUE}"
                f"{leased} ORDER BY start_at, id LIMIT 1{self._engine.skip_locked}",
                args,
            ).fetchone()
            if row is None:
                return None
            self._db.execute(
                f"UPDATE tasks SET status={_RUNNING}, started_at=?, ended_at=NULL, remark='',"
                " wait_until=NULL,"
                " progress_text=NULL, progress_fraction=NULL, progress_at=NULL, runner=?,"
                " result=NULL WHERE id=?",
                (now, self.runner, row[0]),
            )
            self._touch((), (row[2],))
        task = row_to_task(row)
        return TaskRow(
            **{
                **task.__dict__,
                "status": TaskStatus.RUNNING,
                "started_at": now,
                "ended_at": None,
                "remark": "",
                "progress_text": None,
                "progress_fraction": None,
                "progress_at": None,
                "runner": self.runner,
                "result": None,
            }
        )

    def record_progress(self, reports: Iterable[ProgressReport]) -> list[int]:
        """Store scripts' progress reports (the task object's ``progress``), all in one
        transaction; returns the ids of the tasks whose progress changed.

        A report is written only while its run is the task's current one: the task is running
        and its ``started_at`` is the report's (the run the script belongs to). A report of a
        run that ended (completed, failed, stopped, deleted, back to pending) or was superseded
        by a retry changes nothing, so a late report never resurrects or overwrites an end.
        Callers throttle (runner/progress.py: at most about one write per second per task)."""
        rows = [(r.text, r.fraction, r.at, r.task_id, r.started_at) for r in reports]
        if not rows:
            return []
        changed = []
        with self._transaction():
            for row in rows:
                hit = self._db.execute(
                    "UPDATE tasks SET progress_text=?, progress_fraction=?, progress_at=?"
                    f" WHERE id=? AND status={_RUNNING} AND started_at=? RETURNING id",
                    row,
                ).fetchone()
                if hit is not None:
                    changed.append(int(hit[0]))
        return changed

    def end_tasks(
        self,
        task_ids: Iterable[int],
        *,
        status: TaskStatus,
        remark: str,
        expect: Iterable[TaskStatus] = (TaskStatus.RUNNING,),
        retry_at: float | None = None,
        max_retries: int = 0,
        delete: bool = False,
        now: float | None = None,
        wait_until: float | None = None,
        result: dict[str, Any] | None = None,
    ) -> EndResult:
        """The one end-of-task function (design.md, "store"): every way a task ends comes here,
        in one transaction.

        Each of ``task_ids`` whose status is one of ``expect`` (others are left alone: already
        ended, or deleted) becomes, by the arguments:

        - ``delete``: deleted (``status`` and ``remark`` unused);
        - ``status`` PENDING: back in the queue as it was (its phone could not run it; retry
          count and start unchanged), ``remark`` saying why it waits, not claimed before
          ``wait_until`` (UTC epoch seconds; None: at once; an account limit reached);
        - ``status`` FAILED with ``retry_at`` (UTC epoch seconds; one task only): an automatic
          retry, pending again from ``retry_at`` with ``retry_count`` + 1 and remark ``retry N
          of <max_retries> after: <remark>`` (runner/scheduler.py decides when);
        - else ``status`` COMPLETED or FAILED with ``remark``, ``ended_at`` = ``now`` and
          ``result`` (what the script read, a JSON object, or None) as the task's ``result``.

        The workflow step policy (docs/spec/local-api.md; README "Workflows"): a workflow step
        that ends failed (not retried) or is deleted before it completed, in a workflow with
        ``on_failure: stop``, fails the pending later steps of its unit with remark ``skipped:
        step '<name>' failed`` (``... was deleted``). Returns an :class:`EndResult`.
        """
        now = self.now() if now is None else now
        with self._transaction():
            return self._end(
                task_ids,
                status=status,
                remark=remark,
                expect=expect,
                retry_at=retry_at,
                max_retries=max_retries,
                delete=delete,
                now=now,
                wait_until=wait_until,
                read=result,
            )

    def _end(
        self,
        task_ids: Iterable[int],
        *,
        status: TaskStatus,
        remark: str,
        expect: Iterable[TaskStatus],
        retry_at: float | None,
        max_retries: int,
        delete: bool,
        now: float,
        wait_until: float | None = None,
        read: dict[str, Any] | None = None,
    ) -> EndResult:
        """:meth:`end_tasks` inside the caller's transaction (``read``: its ``result``)."""
        wanted = sorted({int(i) for i in task_ids})
        states = ",".join(f"{TaskStatus(s):d}" for s in expect) or "-1"
        result = EndResult()
        if not wanted:
            return result
        among, wanted_arg = self._in("id", wanted)
        rows = self._db.execute(
            "SELECT id, manifest, serial, firing, unit, step, step_name, on_failure, status"
            f" FROM tasks WHERE {among} AND status IN ({states}) ORDER BY id",
            (wanted_arg,),
        ).fetchall()
        ids = [r[0] for r in rows]
        if not ids:
            return result
        among, args = self._in("id", ids)
        retry = retry_at is not None and len(ids) == 1 and status == TaskStatus.FAILED
        if delete:
            self._db.execute(f"DELETE FROM tasks WHERE {among}", (args,))
        elif status == TaskStatus.PENDING:
            self._db.execute(
                f"UPDATE tasks SET status={_PENDING}, started_at=NULL, ended_at=NULL,"
                f" remark=?, wait_until=? WHERE {among}",
                (remark, wait_until, args),
            )
        elif retry:
            count = self._db.execute(
                "SELECT retry_count FROM tasks WHERE id=?", (ids[0],)
            ).fetchone()[0]
            self._db.execute(
                f"UPDATE tasks SET status={_PENDING}, retry_count=retry_count+1, start_at=?,"
                " started_at=NULL, ended_at=NULL, remark=?, wait_until=NULL WHERE id=?",
                (retry_at, f"retry {count + 1} of {max_retries} after: {remark}", ids[0]),
            )
            result.retried = True
        else:
            assert status in (TaskStatus.COMPLETED, TaskStatus.FAILED)
            stored = None if read is None else json.dumps(read, ensure_ascii=False)
            self._db.execute(
                f"UPDATE tasks SET status=?, remark=?, ended_at=?, wait_until=NULL, result=?"
                f" WHERE {among}",
                (int(status), remark, now, stored, args),
            )
        result.ended = ids
        for task_id, manifest, serial, firing, unit, step, name, on_failure, was in rows:
            result.manifest_of[task_id] = manifest
            if manifest is not None:
                result.manifests.add(manifest)
            if serial:
                result.serials.add(serial)
            stops = firing is not None and on_failure == "stop"
            if not stops or retry or status == TaskStatus.PENDING:
                continue
            if delete and was == TaskStatus.COMPLETED:
                continue
            if not delete and status != TaskStatus.FAILED:
                continue
            why = "was deleted" if delete else "failed"
            skipped = self._db.execute(
                f"UPDATE tasks SET status={_FAILED}, ended_at=?, remark=? WHERE firing=?"
                f" AND unit=? AND step>? AND status={_PENDING} RETURNING id, manifest, serial",
                (now, f"skipped: step '{name}' {why}", firing, unit, step),
            ).fetchall()
            for sid, smanifest, sserial in skipped:
                result.skipped.append(int(sid))
                if smanifest is not None:
                    result.manifests.add(smanifest)
                if sserial:
                    result.serials.add(sserial)
        result.skipped.sort()
        self._touch(result.serials, result.manifests)
        return result

    def finish(
        self, task_id: int, status: TaskStatus, remark: str, now: float | None = None
    ) -> bool:
        """End a running task as completed or failed with ``remark`` (:meth:`end_tasks`, no
        retry); False if it was not running (stopped or deleted meanwhile)."""
        return bool(self.end_tasks([task_id], status=status, remark=remark, now=now).ended)

    def running_ids(self) -> list[int]:
        """Ids of the tasks the store says are running (on start: what a crash left running);
        in a shared store, those this runner claimed."""
        mine, args = ("", ()) if not self.shared else (" AND runner=?", (self.runner,))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM tasks WHERE status={_RUNNING}{mine} ORDER BY id", args
            ).fetchall()
        return [int(r[0]) for r in rows]

    # -- reading -----------------------------------------------------------------------------

    def get(self, task_id: int) -> TaskRow | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE id=?", (task_id,)
            ).fetchone()
        return row_to_task(row) if row else None

    def tasks_of_manifest(self, name: str) -> list[TaskRow]:
        """All tasks of every manifest called ``name``, in id order."""
        with self._lock:
            return self._tasks_of_manifests([name]).get(name, [])

    def _tasks_of_manifests(self, names: Sequence[str]) -> dict[str, list[TaskRow]]:
        """:meth:`tasks_of_manifest` of each of ``names`` that has tasks (the caller holds the
        lock: runner.store.status_reads)."""
        among, arg = self._among("manifest", names)
        rows = self._db.execute(
            f"SELECT {TASK_COLUMNS} FROM tasks WHERE {among} ORDER BY id", (arg,)
        ).fetchall()
        found: dict[str, list[TaskRow]] = {}
        for row in rows:
            task = row_to_task(row)
            found.setdefault(task.manifest or "", []).append(task)
        return found

    def manifest_names_of_tasks(self, task_ids: Iterable[int]) -> set[str]:
        ids = list(task_ids)
        if not ids:
            return set()
        among, arg = self._in("id", ids)
        with self._lock:
            rows = self._db.execute(
                f"SELECT DISTINCT manifest FROM tasks WHERE {among} AND manifest IS NOT NULL",
                (arg,),
            ).fetchall()
        return {r[0] for r in rows}

    def pending_by_serial(self) -> list[tuple[str | None, float, int]]:
        """For each serial with pending tasks: (serial, earliest scheduled start in UTC epoch
        seconds, how many), for the absent-device watchdog."""
        with self._lock:
            return self._db.execute(
                f"SELECT serial, min(start_at), count(*) FROM tasks WHERE status={_PENDING}"
                " GROUP BY serial"
            ).fetchall()

    def pending_due_ids(self, serial: str, due_before: float) -> list[int]:
        """Ids of the pending tasks of ``serial`` scheduled at or before ``due_before`` (UTC
        epoch seconds), in id order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM tasks WHERE serial=? AND status={_PENDING} AND start_at<=?"
                " ORDER BY id",
                (serial, due_before),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def next_start(self, serial: str, after: float | None = None) -> float | None:
        """The earliest time a pending task on ``serial`` may start (epoch seconds: its scheduled
        start, or its hold's end when later), or None. With ``after``: the earliest such time
        later than ``after`` (what a worker whose due tasks all wait for an event, an earlier
        workflow step, still has a timer for: a start or a hold's end to come)."""
        start = f"{self._engine.greatest}(start_at, coalesce(wait_until, 0))"
        later, args = ("", (serial,)) if after is None else (f" AND {start}>?", (serial, after))
        with self._lock:
            row = self._db.execute(
                f"SELECT min({start}) FROM tasks WHERE serial=? AND status={_PENDING}{later}",
                args,
            ).fetchone()
        return row[0]

    def manifest_change_times(self) -> dict[str, float]:
        """For every manifest name, the last time (epoch seconds) any of its tasks was created,
        started or ended, or a re-drop of it was taken in. Used at start to rewrite status files
        that a crash left older than the store."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT manifest, max({self._engine.greatest}(created_at,"
                " coalesce(started_at, 0), coalesce(ended_at, 0)))"
                " FROM tasks WHERE manifest IS NOT NULL GROUP BY manifest"
                " UNION ALL SELECT manifest, max(created_at) FROM intake_log GROUP BY manifest"
            ).fetchall()
        out: dict[str, float] = {}
        for name, when in rows:
            out[name] = max(out.get(name, 0.0), when or 0.0)
        return out

    def counts_by_script(self) -> dict[tuple[int, str], int]:
        """Tasks per (status 0-3, script_name); pairs with no task are absent (for /metrics)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT status, script_name, count(*) FROM tasks GROUP BY status, script_name"
            ).fetchall()
        return {(int(status), script): n for status, script, n in rows}

    def counts(self) -> dict[str, int]:
        """Tasks per status text, plus ``total``."""
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM tasks GROUP BY status").fetchall()
        out = {s.text: 0 for s in TaskStatus}
        for status, n in rows:
            out[TaskStatus(status).text] = n
        out["total"] = sum(out.values())
        return out
