"""Workflow generations and firings: the workflows folder's state (runner.gitops, design.md).

A workflow's generation changes when its file's content does; each slot of its schedule is
recorded once (fired, caught up, missed or failed) together with the tasks it made.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from runner.models.task import TaskStatus
from runner.store.db import Database
from runner.store.rows import WorkflowRow
from runner.store.tasks import insert_tasks


class WorkflowLog(Database):
    """The ``workflows`` and ``firings`` tables (one transaction per call)."""

    _WORKFLOW_COLUMNS = (
        "name, path, sha256, generation, kind, document, applied_at, deleted_at, error"
    )

    def workflows(self) -> list[WorkflowRow]:
        """Every workflow the store knows (applied, failed to apply, or deleted), by name."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._WORKFLOW_COLUMNS} FROM workflows ORDER BY name"
            ).fetchall()
        return [WorkflowRow(*r[:5], json.loads(r[5]), *r[6:]) for r in rows]

    def workflow(self, name: str) -> WorkflowRow | None:
        """The workflow called ``name``, or None (asked for by every status-file write)."""
        with self._lock:
            return self._workflows_named([name]).get(name)

    def _workflows_named(self, names: Sequence[str]) -> dict[str, WorkflowRow]:
        """:meth:`workflow` of each of ``names`` that is one (the caller holds the lock)."""
        among, arg = self._among("name", names)
        rows = self._db.execute(
            f"SELECT {self._WORKFLOW_COLUMNS} FROM workflows WHERE {among}", (arg,)
        ).fetchall()
        return {r[0]: WorkflowRow(*r[:5], json.loads(r[5]), *r[6:]) for r in rows}

    def apply_workflow(
        self, *, name: str, path: str, sha256: str, kind: str, document: dict, now: float
    ) -> int:
        """Put a valid manifest file's content in force: a new name starts at generation 1, new
        content makes the next generation (``applied_at`` = ``now``), the same content changes
        nothing. Clears a previous error and un-deletes. Returns the generation in force."""
        with self._transaction():
            row = self._db.execute(
                "SELECT sha256, generation, deleted_at FROM workflows WHERE name=?", (name,)
            ).fetchone()
            if row is None:
                generation = 1
                self._db.execute(
                    "INSERT INTO workflows(name, path, sha256, generation, kind, document, applied_at)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (
                        name,
                        path,
                        sha256,
                        1,
                        kind,
                        json.dumps(document, ensure_ascii=False),
                        now,
                    ),
                )
            elif row[0] == sha256 and row[2] is None and row[1] > 0:
                generation = row[1]
                self._db.execute(
                    "UPDATE workflows SET path=?, error=NULL WHERE name=?", (path, name)
                )
            else:
                generation = row[1] + 1
                self._db.execute(
                    "UPDATE workflows SET path=?, sha256=?, generation=?, kind=?, document=?,"
                    " applied_at=?, deleted_at=NULL, error=NULL WHERE name=?",
                    (
                        path,
                        sha256,
                        generation,
                        kind,
                        json.dumps(document, ensure_ascii=False),
                        now,
                        name,
                    ),
                )
        return generation

    def workflow_error(self, *, name: str, path: str, sha256: str, error: str, now: float) -> None:
        """Record that a file failed to apply; the generation in force (if any) stays."""
        with self._transaction():
            cur = self._db.execute(
                "UPDATE workflows SET error=?, path=? WHERE name=?", (error, path, name)
            )
            if cur.rowcount == 0:
                self._db.execute(
                    "INSERT INTO workflows(name, path, sha256, generation, kind, document, applied_at, error)"
                    " VALUES (?,?,?,0,'',?,?,?)",
                    (name, path, sha256, "{}", now, error),
                )

    def delete_workflow(self, name: str, *, now: float, remark: str) -> int:
        """A workflow's file is gone: no more firings; its pending tasks end failed with
        ``remark`` (through the end-of-task function, ``TaskQueue._end``). Returns how many
        pending tasks were cancelled."""
        with self._transaction():
            self._db.execute("UPDATE workflows SET deleted_at=? WHERE name=?", (now, name))
            ids = [
                r[0]
                for r in self._db.execute(
                    f"SELECT id FROM tasks WHERE manifest=? AND status={TaskStatus.PENDING:d}"
                    " AND source='workflow'",
                    (name,),
                )
            ]
            ended = self._end(  # type: ignore[attr-defined]
                ids,
                status=TaskStatus.FAILED,
                remark=remark,
                expect=(TaskStatus.PENDING,),
                retry_at=None,
                max_retries=0,
                delete=False,
                now=now,
            )
        return len(ended.ended) + len(ended.skipped)

    def fire(
        self,
        *,
        workflow: str,
        slot: str,
        generation: int,
        outcome: str,
        due: float | None,
        tasks: Sequence[Any] = (),
        note: str = "",
        now: float | None = None,
    ) -> list[int] | None:
        """Record one slot of a workflow (``fired``, ``caught_up``, ``missed`` or ``failed``) and
        insert its tasks, in one transaction. None when that slot was already recorded: a slot
        fires at most once, whatever restarts happen."""
        now = self.now() if now is None else now
        with self._transaction():
            recorded = self._db.execute(
                "INSERT INTO firings(workflow, slot, generation, outcome, due, at, task_count, note)"
                " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (workflow, slot) DO NOTHING RETURNING 1",
                (workflow, slot, generation, outcome, due, now, len(tasks), note),
            ).fetchone()
            if recorded is None:  # that slot is recorded already (by this runner or another)
                return None
            ids = insert_tasks(self._db, tasks, None, workflow, "workflow", now, self.runner)
            self._touch({t.serial for t in tasks})
        return ids

    def firings(self, workflow: str, *, limit: int = 10) -> list[tuple[str, int, str, float, str]]:
        """The newest recorded slots of a workflow: (slot, generation, outcome, at, note)."""
        with self._lock:
            return self._db.execute(
                "SELECT slot, generation, outcome, at, note FROM firings WHERE workflow=?"
                " ORDER BY at DESC, slot DESC LIMIT ?",
                (workflow, limit),
            ).fetchall()

    def fired_slots(self, workflow: str, since: str) -> set[str]:
        """Slot keys of a workflow recorded at or after slot key ``since`` (keys sort by time)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT slot FROM firings WHERE workflow=? AND slot>=?", (workflow, since)
            ).fetchall()
        return {r[0] for r in rows}

    def last_due(self, workflow: str, generation: int) -> float | None:
        """The latest ``due`` (epoch seconds) recorded for a generation of a workflow, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT max(due) FROM firings WHERE workflow=? AND generation=?",
                (workflow, generation),
            ).fetchone()
        return row[0]

    def missed_count(self, workflow: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM firings WHERE workflow=? AND outcome='missed'", (workflow,)
            ).fetchone()
        return int(row[0])
