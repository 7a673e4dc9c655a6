"""The task queue: tasks in, the next due task out, tasks ended (design.md, "store").

Times are UTC epoch seconds (float); status values are :class:`~runner.models.task.TaskStatus`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import Any

from runner.models.task import TaskStatus
from runner.store.db import Database
from runner.store.rows import TASK_COLUMNS, TaskRow, row_to_task

# TaskStatus values in SQL text ("status=0"): the enum is the one definition
_PENDING, _RUNNING, _FAILED = (
    f"{s:d}" for s in (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.FAILED)
)


def insert_tasks(
    db: sqlite3.Connection,
    tasks: Iterable[Any],
    manifest_id: int | None,
    manifest: str | None,
    source: str,
    now: float,
) -> list[int]:
    """Inside a transaction: insert pending tasks (objects with the fields of
    ``runner.intake.NewTask``, workflow steps also ``step``, ``step_name``, ``unit``, ``firing``,
    ``on_failure``) of one manifest (``manifest_id`` row, may be None) named ``manifest``; returns
    their ids in order. ``now`` is the creation time, UTC epoch seconds."""
    ids = []
    for t in tasks:
        cur = db.execute(
            "INSERT INTO tasks(manifest_id, manifest, source, serial, username, script_name,"
            " script_config, status, job_count, start_at, created_at,"
            " step, step_name, unit, firing, on_failure)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
            ),
        )
        ids.append(int(cur.lastrowid))
    return ids


class TaskQueue(Database):
    """The ``tasks`` table as a queue: claim, end, look up (one transaction per call)."""

    def claim_next(self, serial: str, now: float | None = None) -> TaskRow | None:
        """Mark the next due pending task of ``serial`` running and return it (None if none is due).

        Order: scheduled start, then id (docs/spec/local-api.md, "Running rules"). A workflow step waits
        while an earlier step of its firing on the same unit is pending or running. The caller is
        the device's only worker, so at most one task per device runs.
        """
        now = time.time() if now is None else now
        with self._transaction():
            row = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks t WHERE serial=? AND status={_PENDING} AND start_at<=?"
                " AND (firing IS NULL OR NOT EXISTS (SELECT 1 FROM tasks p WHERE p.firing=t.firing"
                f" AND p.unit=t.unit AND p.step<t.step AND p.status IN ({_PENDING}, {_RUNNING})))"
                " ORDER BY start_at, id LIMIT 1",
                (serial, now),
            ).fetchone()
            if row is None:
                return None
            self._db.execute(
                f"UPDATE tasks SET status={_RUNNING}, started_at=?, ended_at=NULL, remark='' WHERE id=?",
                (now, row[0]),
            )
        task = row_to_task(row)
        return TaskRow(
            **{
                **task.__dict__,
                "status": TaskStatus.RUNNING,
                "started_at": now,
                "ended_at": None,
                "remark": "",
            }
        )

    def finish(
        self, task_id: int, status: TaskStatus, remark: str, now: float | None = None
    ) -> bool:
        """End a running task as completed or failed with ``remark``; False if it was not running
        (stopped or deleted meanwhile). A failed workflow step with ``on_failure: stop`` fails the
        later steps of its unit in the same transaction (remark naming the failed step)."""
        assert status in (TaskStatus.COMPLETED, TaskStatus.FAILED)
        now = time.time() if now is None else now
        with self._transaction():
            cur = self._db.execute(
                f"UPDATE tasks SET status=?, remark=?, ended_at=? WHERE id=? AND status={_RUNNING}",
                (int(status), remark, now, task_id),
            )
            if cur.rowcount == 1 and status == TaskStatus.FAILED:
                self._skip_later_steps(task_id, now)
        return cur.rowcount == 1

    def fail_pending(self, task_id: int, remark: str, now: float | None = None) -> bool:
        """Fail a pending task (device absent too long, stopped before it ran); later workflow
        steps of its unit are skipped as by :meth:`finish`."""
        now = time.time() if now is None else now
        with self._transaction():
            cur = self._db.execute(
                f"UPDATE tasks SET status={_FAILED}, remark=?, ended_at=? WHERE id=? AND status={_PENDING}",
                (remark, now, task_id),
            )
            if cur.rowcount == 1:
                self._skip_later_steps(task_id, now)
        return cur.rowcount == 1

    def _skip_later_steps(self, task_id: int, now: float) -> int:
        """Inside a transaction: fail the pending later steps of a failed task's unit when its
        workflow says ``on_failure: stop``; returns how many."""
        row = self._db.execute(
            "SELECT firing, unit, step, step_name, on_failure FROM tasks WHERE id=?", (task_id,)
        ).fetchone()
        if row is None or row[0] is None or row[4] != "stop":
            return 0
        firing, unit, step, step_name, _ = row
        cur = self._db.execute(
            f"UPDATE tasks SET status={_FAILED}, ended_at=?, remark=? WHERE firing=? AND unit=?"
            f" AND step>? AND status={_PENDING}",
            (now, f"skipped: step '{step_name}' failed", firing, unit, step),
        )
        return cur.rowcount

    def fail_running_after_crash(self, remark: str = "interrupted") -> list[TaskRow]:
        """On start: tasks left running by a crash end failed with ``remark``; returns them."""
        now = time.time()
        with self._transaction():
            rows = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE status={_RUNNING}"
            ).fetchall()
            self._db.execute(
                f"UPDATE tasks SET status={_FAILED}, remark=?, ended_at=? WHERE status={_RUNNING}",
                (remark, now),
            )
        return [row_to_task(r) for r in rows]

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
            rows = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE manifest=? ORDER BY id", (name,)
            ).fetchall()
        return [row_to_task(r) for r in rows]

    def manifest_names_of_tasks(self, task_ids: Iterable[int]) -> set[str]:
        ids = list(task_ids)
        if not ids:
            return set()
        with self._lock:
            rows = self._db.execute(
                f"SELECT DISTINCT manifest FROM tasks WHERE id IN ({','.join('?' * len(ids))})"
                " AND manifest IS NOT NULL",
                ids,
            ).fetchall()
        return {r[0] for r in rows}

    def pending_serials(self, due_before: float) -> list[tuple[int, str | None, float]]:
        """(id, serial, start_at) of the pending tasks scheduled before ``due_before`` (epoch
        seconds), for the device-absence watchdog."""
        with self._lock:
            return self._db.execute(
                f"SELECT id, serial, start_at FROM tasks WHERE status={_PENDING} AND start_at<=?",
                (due_before,),
            ).fetchall()

    def next_start(self, serial: str) -> float | None:
        """The earliest scheduled start of a pending task on ``serial`` (epoch seconds), or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT min(start_at) FROM tasks WHERE serial=? AND status={_PENDING}", (serial,)
            ).fetchone()
        return row[0]

    def manifest_change_times(self) -> dict[str, float]:
        """For every manifest name, the last time (epoch seconds) any of its tasks was created,
        started or ended, or a re-drop of it was taken in. Used at start to rewrite status files
        that a crash left older than the store."""
        with self._lock:
            rows = self._db.execute(
                "SELECT manifest, max(max(created_at, coalesce(started_at, 0), coalesce(ended_at, 0)))"
                " FROM tasks WHERE manifest IS NOT NULL GROUP BY manifest"
                " UNION ALL SELECT manifest, max(created_at) FROM intake_log GROUP BY manifest"
            ).fetchall()
        out: dict[str, float] = {}
        for name, when in rows:
            out[name] = max(out.get(name, 0.0), when or 0.0)
        return out

    def counts(self) -> dict[str, int]:
        """Tasks per status text, plus ``total``."""
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM tasks GROUP BY status").fetchall()
        out = {s.text: 0 for s in TaskStatus}
        for status, n in rows:
            out[TaskStatus(status).text] = n
        out["total"] = sum(out.values())
        return out
