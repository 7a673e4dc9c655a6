"""The API's task operations (docs/spec/local-api.md, "Endpoints"), used by the HTTP shim (runner/http).

Each method is one transaction; what it answers is what was committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from runner.models.task import TaskStatus
from runner.store.db import Database
from runner.store.rows import TASK_COLUMNS, TaskRow, row_to_task
from runner.store.tasks import insert_tasks

_PENDING, _RUNNING, _FAILED = (
    f"{s:d}" for s in (TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.FAILED)
)


class ApiOperations(Database):
    """Create, list, stop, retry and delete tasks as the API's endpoints do."""

    def add_api_tasks(self, tasks: Sequence[Any], *, prefix: str = "api-") -> list[int]:
        """Insert the tasks of one ``POST /task`` (source ``api``) in one transaction.

        Their manifest name is ``<prefix><first task id>``, set in the same transaction, so the
        status writer gives them a status file of that name. Returns the ids in order (empty
        when ``tasks`` is empty).
        """
        now = self.now()
        with self._transaction():
            ids = insert_tasks(self._db, tasks, None, None, "api", now, self.runner)
            if ids:  # never by range: other runners' ids may interleave (PostgreSQL)
                among, arg = self._in("id", ids)
                self._db.execute(
                    f"UPDATE tasks SET manifest=? WHERE {among}", (f"{prefix}{ids[0]}", arg)
                )
                self._touch({t.serial for t in tasks})
        return ids

    def list_tasks(
        self,
        *,
        status: TaskStatus | int | None = None,
        serial: str | None = None,
        script_name: str | None = None,
        source: str | None = None,
        manifest: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[TaskRow], int]:
        """One page of the tasks matching every given filter, in id order, and how many match.

        ``manifest`` is the manifest's name (every generation of it: what its status file lists).
        ``limit``/``offset`` are rows. Returns (rows, total). The page's ids are picked from the
        narrow filter indexes first, then the rows are read, so deep pages stay fast.
        """
        where, args = [], []
        for column, value in (
            ("status", status),
            ("serial", serial),
            ("script_name", script_name),
            ("source", source),
            ("manifest", manifest),
        ):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        with self._snapshot():
            total = self._db.execute(f"SELECT count(*) FROM tasks{cond}", args).fetchone()[0]
            rows = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE id IN"
                f" (SELECT id FROM tasks{cond} ORDER BY id LIMIT ? OFFSET ?) ORDER BY id",
                [*args, limit, offset],
            ).fetchall()
        return [row_to_task(r) for r in rows], int(total)

    def retry_failed(self, task_id: int) -> tuple[bool, TaskRow | None]:
        """Put a failed task back to pending, due now, ``retry_count`` + 1, remark and times
        cleared (and its ``result``). Returns (retried, the task afterwards or None when there is no such task)."""
        now = self.now()
        with self._transaction():
            cur = self._db.execute(
                f"UPDATE tasks SET status={_PENDING}, retry_count=retry_count+1, start_at=?,"
                f" started_at=NULL, ended_at=NULL, remark='', result=NULL WHERE id=? AND status={_FAILED}"
                " RETURNING serial",
                (now, task_id),
            )
            self._touch([r[0] for r in cur.fetchall()])
            row = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE id=?", (task_id,)
            ).fetchone()
        return cur.rowcount == 1, (row_to_task(row) if row else None)

    def retry_all_failed(self) -> list[tuple[int, str | None]]:
        """Every failed task back to pending (as :meth:`retry_failed`), in one transaction.

        Returns (id, manifest) of each task retried."""
        now = self.now()
        with self._transaction():
            rows = self._db.execute(
                f"UPDATE tasks SET status={_PENDING}, retry_count=retry_count+1, start_at=?,"
                f" started_at=NULL, ended_at=NULL, remark='', result=NULL WHERE status={_FAILED}"
                " RETURNING id, manifest, serial",
                (now,),
            ).fetchall()
            self._touch([r[2] for r in rows])
        return [(int(r[0]), r[1]) for r in rows]

    def delete_tasks(self, task_ids: Iterable[int]) -> list[tuple[int, str | None]]:
        """Delete the given tasks that exist and are not running, in one transaction, through
        the end-of-task function (``end_tasks(delete=True)``: the step policy applies).

        Running tasks are left alone (stop them first). Returns (id, manifest) of each task
        deleted, in id order."""
        done = self.end_tasks(  # type: ignore[attr-defined]
            task_ids,
            status=TaskStatus.FAILED,
            remark="deleted",
            expect=(TaskStatus.PENDING, TaskStatus.COMPLETED, TaskStatus.FAILED),
            delete=True,
        )
        return [(i, done.manifest_of[i]) for i in done.ended]

    def statuses(self, task_ids: Iterable[int]) -> dict[int, int]:
        """Status of each given task that exists (id -> status)."""
        ids = sorted({int(i) for i in task_ids})
        if not ids:
            return {}
        among, arg = self._in("id", ids)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, status FROM tasks WHERE {among}", (arg,)
            ).fetchall()
        return {int(i): int(s) for i, s in rows}

    def manifest_page(
        self, *, limit: int = 20, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of manifest names, the latest first, and how many names there are.

        A name is listed once whatever its generations: every name some task carries, every name
        a refused spool file was logged under, every manifest of the workflows folder. Newest
        first by ``at``: when the name last brought work in (its newest task created), was
        refused, or had its workflow file applied (UTC epoch seconds). Each item is ``{name,
        at, source, kind, counts: {total, pending, running, completed, failed}, refusal,
        file, workflow}``: ``source`` the newest task's (``api``, ``spool``, ``workflow``; for a name
        with no task: ``workflow`` when it is a workflow's, else ``spool``), ``kind`` the newest
        accepted manifest's (``Task``, ``Workflow``, ...; None for API tasks), ``file`` its file
        name in ``accepted/`` (None for API tasks), ``refusal`` as
        :meth:`~runner.store.intake_log.IntakeLog.last_refusal`, ``workflow`` the
        :class:`~runner.store.rows.WorkflowRow` or None. The names are picked from the
        ``tasks_manifest`` index (no task row read but each name's newest), then only the
        page's names are counted."""
        names_sql = (
            "SELECT name, max(at) AS at FROM ("
            " SELECT g.name, (SELECT created_at FROM tasks WHERE id=g.last) AS at FROM"
            "  (SELECT manifest AS name, max(id) AS last FROM tasks"
            "   WHERE manifest IS NOT NULL GROUP BY manifest) AS g"
            " UNION ALL SELECT manifest, max(created_at) FROM intake_log"
            "  WHERE outcome='rejected' GROUP BY manifest"
            " UNION ALL SELECT name, applied_at FROM workflows"
            ") AS named GROUP BY name"
        )
        counted: list = []
        newest: list = []
        with self._snapshot():
            page = self._db.execute(
                f"SELECT name, at, count(*) OVER () FROM ({names_sql}) AS names"
                " ORDER BY at DESC, name LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
            total = page[0][2] if page else self._count_names(names_sql)
            names = [r[0] for r in page]
            if names:
                among, wanted = self._in("manifest", names)
                hint = self._engine.indexed_by("tasks_manifest_status")
                counted = self._db.execute(
                    f"SELECT manifest, status, count(*) FROM tasks{hint}"
                    f" WHERE {among} GROUP BY manifest, status",
                    (wanted,),
                ).fetchall()
                newest = self._db.execute(
                    "SELECT t.manifest, t.source, m.kind, m.filename FROM tasks AS t"
                    " LEFT JOIN manifests AS m ON m.id = t.manifest_id WHERE t.id IN"
                    f" (SELECT max(id) FROM tasks WHERE {among} GROUP BY manifest)",
                    (wanted,),
                ).fetchall()
        counts: dict[str, dict[str, int]] = {n: {s.text: 0 for s in TaskStatus} for n in names}
        for name, status, n in counted:
            counts[name][TaskStatus(status).text] = int(n)
        origin = {name: (source, kind, file) for name, source, kind, file in newest}
        items = []
        for name, at, _ in page:
            c = counts[name]
            workflow = self.workflow(name)  # type: ignore[attr-defined]
            fallback = ("workflow" if workflow is not None else "spool", None, None)
            source, kind, file = origin.get(name, fallback)
            if workflow is not None and workflow.kind:
                kind = workflow.kind
            items.append(
                {
                    "name": name,
                    "at": at,
                    "source": source,
                    "kind": kind if source != "api" else None,
                    "counts": {"total": sum(c.values()), **c},
                    "file": file,
                    "refusal": self.last_refusal(name),  # type: ignore[attr-defined]
                    "workflow": workflow,
                }
            )
        return items, int(total)

    def _count_names(self, names_sql: str) -> int:
        """How many names ``names_sql`` gives (for a page past the end, which has no row to
        carry the count)."""
        return int(self._db.execute(f"SELECT count(*) FROM ({names_sql}) AS names").fetchone()[0])
