"""The task store: the only state tikrunner has (design.md, "store").

SQLite through the standard library, WAL journal, one writer connection guarded by a lock, so the
store may be called from trio's worker threads. Every state change is one committed transaction
before anything is said about it (status file, HTTP answer, log line).

Times are UTC epoch seconds (float) here; conversion to the runner's local time happens where
people read them (status files, the API's task object).

Tables:
- ``manifests``: one row per accepted manifest (name, content sha256, source, labels, file name).
- ``tasks``: the API's task object plus scheduling columns.
- ``intake_log``: one row per spool file taken in (accepted, duplicate), written in the same
  transaction as its tasks, so a crash between commit and the final rename is finished on restart
  instead of taken twice.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PENDING, RUNNING, COMPLETED, FAILED = 0, 1, 2, 3
STATUS_TEXT = {PENDING: "pending", RUNNING: "running", COMPLETED: "completed", FAILED: "failed"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS manifests (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'Task',
    labels      TEXT NOT NULL DEFAULT '{}',
    filename    TEXT,
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS manifests_name ON manifests(name, sha256);
CREATE TABLE IF NOT EXISTS tasks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    manifest_id   INTEGER REFERENCES manifests(id) ON DELETE SET NULL,
    manifest      TEXT,
    source        TEXT NOT NULL,
    serial        TEXT,
    username      TEXT,
    script_name   TEXT NOT NULL,
    script_config TEXT NOT NULL,
    status        INTEGER NOT NULL DEFAULT 0,
    job_count     INTEGER NOT NULL DEFAULT 0,
    start_at      REAL NOT NULL,
    started_at    REAL,
    ended_at      REAL,
    created_at    REAL NOT NULL,
    retry_count   INTEGER NOT NULL DEFAULT 0,
    remark        TEXT NOT NULL DEFAULT '',
    step          INTEGER,
    step_name     TEXT,
    unit          TEXT,
    firing        TEXT,
    on_failure    TEXT
);
CREATE INDEX IF NOT EXISTS tasks_due ON tasks(serial, status, start_at, id);
CREATE INDEX IF NOT EXISTS tasks_manifest ON tasks(manifest);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status, id);
CREATE INDEX IF NOT EXISTS tasks_status_start ON tasks(status, start_at);
CREATE TABLE IF NOT EXISTS intake_log (
    id          INTEGER PRIMARY KEY,
    claim_name  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    manifest_id INTEGER,
    manifest    TEXT NOT NULL,
    final_name  TEXT NOT NULL,
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS intake_log_claim ON intake_log(claim_name, sha256);
CREATE TABLE IF NOT EXISTS workflows (
    name        TEXT PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    document    TEXT NOT NULL,
    applied_at  REAL NOT NULL,
    deleted_at  REAL,
    error       TEXT
);
CREATE TABLE IF NOT EXISTS firings (
    workflow    TEXT NOT NULL,
    slot        TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    due         REAL,
    at          REAL NOT NULL,
    task_count  INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workflow, slot)
);
-- the API's task listing (GET /api/v1/task): each filter, in id order
CREATE INDEX IF NOT EXISTS tasks_serial_id ON tasks(serial, id);
CREATE INDEX IF NOT EXISTS tasks_script_id ON tasks(script_name, id);
CREATE INDEX IF NOT EXISTS tasks_source_id ON tasks(source, id);
"""


_STEP_COLUMNS = (
    ("step", "INTEGER"),
    ("step_name", "TEXT"),
    ("unit", "TEXT"),
    ("firing", "TEXT"),
    ("on_failure", "TEXT"),
)


@dataclass(frozen=True)
class TaskRow:
    """A task as stored. Times are UTC epoch seconds or None; ``script_config`` is a dict."""

    id: int
    manifest_id: int | None
    manifest: str | None
    source: str
    serial: str | None
    username: str | None
    script_name: str
    script_config: dict[str, Any]
    status: int
    job_count: int
    start_at: float
    started_at: float | None
    ended_at: float | None
    created_at: float
    retry_count: int
    remark: str
    step: int | None = None  # workflow tasks: 0-based step, its label, unit and firing
    step_name: str | None = None
    unit: str | None = None
    firing: str | None = None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


_TASK_COLUMNS = (
    "id, manifest_id, manifest, source, serial, username, script_name, script_config, status,"
    " job_count, start_at, started_at, ended_at, created_at, retry_count, remark,"
    " step, step_name, unit, firing"
)


def _row_to_task(row: Sequence[Any]) -> TaskRow:
    values = list(row)
    values[7] = json.loads(values[7])
    return TaskRow(*values)


@dataclass(frozen=True)
class WorkflowRow:
    """A manifest of the workflows folder as the store keeps it: the generation in force (0: the
    file never applied), its parsed document, when it came into force (epoch seconds), when its
    file was deleted, and the last apply error (the file as it is now failed to apply)."""

    name: str
    path: str
    sha256: str
    generation: int
    kind: str
    document: dict[str, Any]
    applied_at: float
    deleted_at: float | None
    error: str | None


@dataclass(frozen=True)
class IntakeRecord:
    """A spool file already taken in: how it ended and where it was put (a name in accepted/)."""

    outcome: str  # "accepted" or "duplicate"
    manifest_id: int | None
    manifest: str
    final_name: str


class Store:
    """The SQLite task store at ``path`` (created with its tables if missing).

    Thread-safe: one connection, one lock; every public method is one transaction. Raises
    ``sqlite3.Error`` only for real database faults (disk full, corruption).
    """

    def __init__(self, path: Path | str, *, synchronous: str = "FULL"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._db.executescript(_SCHEMA)
            self._ids_never_reused()
            have = {row[1] for row in self._db.execute("PRAGMA table_info(tasks)")}
            for column, kind in _STEP_COLUMNS:
                if column not in have:  # a store made before workflows existed
                    self._db.execute(f"ALTER TABLE tasks ADD COLUMN {column} {kind}")
            self._db.execute("CREATE INDEX IF NOT EXISTS tasks_firing ON tasks(firing, unit, step)")

    def _ids_never_reused(self) -> None:
        """A store made before task ids were AUTOINCREMENT gets its ``tasks`` table rebuilt, so a
        deleted task's id is never handed out again (clients and ``api-<id>`` status files rely
        on ids being unique for ever)."""
        sql = self._db.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name='tasks'"
        ).fetchone()[0]
        if "AUTOINCREMENT" in sql.upper():
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("ALTER TABLE tasks RENAME TO tasks_old")
            create = re.sub(
                r"INTEGER\s+PRIMARY\s+KEY\s*,", "INTEGER PRIMARY KEY AUTOINCREMENT,", sql, count=1
            )
            self._db.execute(create)
            columns = ", ".join(r[1] for r in self._db.execute("PRAGMA table_info(tasks_old)"))
            self._db.execute(f"INSERT INTO tasks ({columns}) SELECT {columns} FROM tasks_old")
            self._db.execute("DROP TABLE tasks_old")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.executescript(_SCHEMA)  # the indexes went with the old table

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``) under the store's lock: committed when the
        block ends, rolled back when it raises (cancellation included)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            if self._db.in_transaction:
                self._db.execute("COMMIT")

    def take_in(
        self, items: Sequence[Any], *, source: str = "spool"
    ) -> list[tuple[str, list[int]]]:
        """Commit a batch of planned spool files in one transaction.

        Each item (``spool.IntakeItem``: claim_name, sha256, final_name, plan) becomes either a
        new manifest with all its tasks (``"accepted"``) or, when a manifest of the same name and
        content exists (earlier, or earlier in this batch), nothing but a log row
        (``"duplicate"``). Returns (outcome, task ids) per item, in order. All or nothing.
        """
        now = time.time()
        results: list[tuple[str, list[int]]] = []
        with self._transaction():
            for item in items:
                plan = item.plan
                row = self._db.execute(
                    "SELECT id FROM manifests WHERE name=? AND sha256=? ORDER BY id LIMIT 1",
                    (plan.name, item.sha256),
                ).fetchone()
                if row is not None:
                    outcome, manifest_id, ids = "duplicate", int(row[0]), []
                else:
                    cur = self._db.execute(
                        "INSERT INTO manifests(name, sha256, source, kind, labels, filename, created_at)"
                        " VALUES (?,?,?,?,?,?,?)",
                        (
                            plan.name,
                            item.sha256,
                            source,
                            plan.kind,
                            json.dumps(plan.labels or {}),
                            item.final_name,
                            now,
                        ),
                    )
                    manifest_id = int(cur.lastrowid)
                    ids = self._insert_tasks(plan.tasks, manifest_id, plan.name, source, now)
                    outcome = "accepted"
                self._db.execute(
                    "INSERT INTO intake_log(claim_name, sha256, outcome, manifest_id, manifest,"
                    " final_name, created_at) VALUES (?,?,?,?,?,?,?)",
                    (
                        item.claim_name,
                        item.sha256,
                        outcome,
                        manifest_id,
                        plan.name,
                        item.final_name,
                        now,
                    ),
                )
                results.append((outcome, ids))
        return results

    def add_tasks(
        self,
        tasks: Iterable[Any],
        *,
        source: str,
        manifest: str | None = None,
        now: float | None = None,
    ) -> list[int]:
        """Insert tasks with no manifest row (HTTP creates), in one transaction; returns their ids."""
        now = time.time() if now is None else now
        with self._transaction():
            ids = self._insert_tasks(tasks, None, manifest, source, now)
        return ids

    def _insert_tasks(
        self,
        tasks: Iterable[Any],
        manifest_id: int | None,
        manifest: str | None,
        source: str,
        now: float,
    ) -> list[int]:
        ids = []
        for t in tasks:
            cur = self._db.execute(
                "INSERT INTO tasks(manifest_id, manifest, source, serial, username, script_name,"
                " script_config, status, job_count, start_at, created_at,"
                " step, step_name, unit, firing, on_failure)"
                " VALUES (?,?,?,?,?,?,?,0,?,?,?,?,?,?,?,?)",
                (
                    manifest_id,
                    manifest,
                    source,
                    t.serial,
                    t.username,
                    t.script_name,
                    json.dumps(t.script_config, ensure_ascii=False),
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

    def claim_next(self, serial: str, now: float | None = None) -> TaskRow | None:
        """Mark the next due pending task of ``serial`` running and return it (None if none is due).

        Order: scheduled start, then id (docs/spec/local-api.md, "Running rules"). A workflow step waits
        while an earlier step of its firing on the same unit is pending or running. The caller is
        the device's only worker, so at most one task per device runs.
        """
        now = time.time() if now is None else now
        with self._transaction():
            row = self._db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks t WHERE serial=? AND status=0 AND start_at<=?"
                " AND (firing IS NULL OR NOT EXISTS (SELECT 1 FROM tasks p WHERE p.firing=t.firing"
                " AND p.unit=t.unit AND p.step<t.step AND p.status IN (0, 1)))"
                " ORDER BY start_at, id LIMIT 1",
                (serial, now),
            ).fetchone()
            if row is None:
                return None
            self._db.execute(
                "UPDATE tasks SET status=1, started_at=?, ended_at=NULL, remark='' WHERE id=?",
                (now, row[0]),
            )
        task = _row_to_task(row)
        return TaskRow(
            **{
                **task.__dict__,
                "status": RUNNING,
                "started_at": now,
                "ended_at": None,
                "remark": "",
            }
        )

    def finish(self, task_id: int, status: int, remark: str, now: float | None = None) -> bool:
        """End a running task as completed or failed with ``remark``; False if it was not running
        (stopped or deleted meanwhile). A failed workflow step with ``on_failure: stop`` fails the
        later steps of its unit in the same transaction (remark naming the failed step)."""
        assert status in (COMPLETED, FAILED)
        now = time.time() if now is None else now
        with self._transaction():
            cur = self._db.execute(
                "UPDATE tasks SET status=?, remark=?, ended_at=? WHERE id=? AND status=1",
                (status, remark, now, task_id),
            )
            if cur.rowcount == 1 and status == FAILED:
                self._skip_later_steps(task_id, now)
        return cur.rowcount == 1

    def fail_pending(self, task_id: int, remark: str, now: float | None = None) -> bool:
        """Fail a pending task (device absent too long, stopped before it ran); later workflow
        steps of its unit are skipped as by :meth:`finish`."""
        now = time.time() if now is None else now
        with self._transaction():
            cur = self._db.execute(
                "UPDATE tasks SET status=3, remark=?, ended_at=? WHERE id=? AND status=0",
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
            "UPDATE tasks SET status=3, ended_at=?, remark=? WHERE firing=? AND unit=? AND step>?"
            " AND status=0",
            (now, f"skipped: step '{step_name}' failed", firing, unit, step),
        )
        return cur.rowcount

    def fail_running_after_crash(self, remark: str = "interrupted") -> list[TaskRow]:
        """On start: tasks left running by a crash end failed with ``remark``; returns them."""
        now = time.time()
        with self._transaction():
            rows = self._db.execute(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE status=1").fetchall()
            self._db.execute(
                "UPDATE tasks SET status=3, remark=?, ended_at=? WHERE status=1", (remark, now)
            )
        return [_row_to_task(r) for r in rows]

    # -- reading -----------------------------------------------------------------------------

    def get(self, task_id: int) -> TaskRow | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id=?", (task_id,)
            ).fetchone()
        return _row_to_task(row) if row else None

    def tasks_of_manifest(self, name: str) -> list[TaskRow]:
        """All tasks of every manifest called ``name``, in id order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE manifest=? ORDER BY id", (name,)
            ).fetchall()
        return [_row_to_task(r) for r in rows]

    def intake_records(self, claim_name: str, sha256: str) -> list[IntakeRecord]:
        """Intake log rows for a claimed spool file name and content, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT outcome, manifest_id, manifest, final_name FROM intake_log"
                " WHERE claim_name=? AND sha256=? ORDER BY id DESC",
                (claim_name, sha256),
            ).fetchall()
        return [IntakeRecord(*r) for r in rows]

    def duplicates_of(self, name: str) -> tuple[int, float | None]:
        """How many identical re-drops of manifest ``name`` were taken in, and when the last was."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*), max(created_at) FROM intake_log WHERE manifest=? AND outcome='duplicate'",
                (name,),
            ).fetchone()
        return int(row[0]), row[1]

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
                "SELECT id, serial, start_at FROM tasks WHERE status=0 AND start_at<=?",
                (due_before,),
            ).fetchall()

    def next_start(self, serial: str) -> float | None:
        """The earliest scheduled start of a pending task on ``serial`` (epoch seconds), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT min(start_at) FROM tasks WHERE serial=? AND status=0", (serial,)
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
        out = {text: 0 for text in STATUS_TEXT.values()}
        for status, n in rows:
            out[STATUS_TEXT[status]] = n
        out["total"] = sum(out.values())
        return out

    # -- workflows folder (runner.gitops) -----------------------------------------------------

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
            r = self._db.execute(
                f"SELECT {self._WORKFLOW_COLUMNS} FROM workflows WHERE name=?", (name,)
            ).fetchone()
        return None if r is None else WorkflowRow(*r[:5], json.loads(r[5]), *r[6:])

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
        with self._lock:
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
        ``remark``. Returns how many pending tasks were cancelled."""
        with self._transaction():
            self._db.execute("UPDATE workflows SET deleted_at=? WHERE name=?", (now, name))
            cur = self._db.execute(
                "UPDATE tasks SET status=3, remark=?, ended_at=? WHERE manifest=? AND status=0"
                " AND source='workflow'",
                (remark, now, name),
            )
        return cur.rowcount

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
        now = time.time() if now is None else now
        with self._transaction():
            try:
                self._db.execute(
                    "INSERT INTO firings(workflow, slot, generation, outcome, due, at, task_count, note)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (workflow, slot, generation, outcome, due, now, len(tasks), note),
                )
            except sqlite3.IntegrityError:  # that slot is recorded already
                self._db.execute("ROLLBACK")
                return None
            ids = self._insert_tasks(tasks, None, workflow, "workflow", now)
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

    # -- the API's task operations --------------------------------------------------------------
    # Used by the HTTP shim (runner/http); each method is one transaction (docs/spec/local-api.md).

    def add_api_tasks(self, tasks: Sequence[Any], *, prefix: str = "api-") -> list[int]:
        """Insert the tasks of one ``POST /task`` (source ``api``) in one transaction.

        Their manifest name is ``<prefix><first task id>``, set in the same transaction, so the
        status writer gives them a status file of that name. Returns the ids in order (empty
        when ``tasks`` is empty).
        """
        now = time.time()
        with self._transaction():
            ids = self._insert_tasks(tasks, None, None, "api", now)
            if ids:
                self._db.execute(
                    "UPDATE tasks SET manifest=? WHERE id BETWEEN ? AND ?",
                    (f"{prefix}{ids[0]}", ids[0], ids[-1]),
                )
        return ids

    def list_tasks(
        self,
        *,
        status: int | None = None,
        serial: str | None = None,
        script_name: str | None = None,
        source: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[TaskRow], int]:
        """One page of the tasks matching every given filter, in id order, and how many match.

        ``limit``/``offset`` are rows. Returns (rows, total). The page's ids are picked from the
        narrow filter indexes first, then the rows are read, so deep pages stay fast.
        """
        where, args = [], []
        for column, value in (
            ("status", status),
            ("serial", serial),
            ("script_name", script_name),
            ("source", source),
        ):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                total = self._db.execute(f"SELECT count(*) FROM tasks{cond}", args).fetchone()[0]
                rows = self._db.execute(
                    f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id IN"
                    f" (SELECT id FROM tasks{cond} ORDER BY id LIMIT ? OFFSET ?) ORDER BY id",
                    [*args, limit, offset],
                ).fetchall()
            finally:
                self._db.execute("COMMIT")
        return [_row_to_task(r) for r in rows], int(total)

    def stop_pending(self, task_id: int, remark: str) -> TaskRow | None:
        """Fail ``task_id`` with ``remark`` if it is pending; returns the task afterwards (None
        when there is no such task). A task in any other state is returned unchanged."""
        now = time.time()
        with self._transaction():
            self._db.execute(
                "UPDATE tasks SET status=3, remark=?, ended_at=? WHERE id=? AND status=0",
                (remark, now, task_id),
            )
            row = self._db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id=?", (task_id,)
            ).fetchone()
        return _row_to_task(row) if row else None

    def stop_running(self, task_id: int, remark: str) -> bool:
        """Fail ``task_id`` with ``remark`` if the store says it runs (a task no worker of this
        runner holds); False when it was not running."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE tasks SET status=3, remark=?, ended_at=? WHERE id=? AND status=1",
                (remark, time.time(), task_id),
            )
        return cur.rowcount == 1

    def retry_failed(self, task_id: int) -> tuple[bool, TaskRow | None]:
        """Put a failed task back to pending, due now, ``retry_count`` + 1, remark and times
        cleared. Returns (retried, the task afterwards or None when there is no such task)."""
        now = time.time()
        with self._transaction():
            cur = self._db.execute(
                "UPDATE tasks SET status=0, retry_count=retry_count+1, start_at=?,"
                " started_at=NULL, ended_at=NULL, remark='' WHERE id=? AND status=3",
                (now, task_id),
            )
            row = self._db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id=?", (task_id,)
            ).fetchone()
        return cur.rowcount == 1, (_row_to_task(row) if row else None)

    def retry_all_failed(self) -> list[tuple[int, str | None]]:
        """Every failed task back to pending (as :meth:`retry_failed`), in one transaction.

        Returns (id, manifest) of each task retried."""
        now = time.time()
        with self._transaction():
            rows = self._db.execute(
                "UPDATE tasks SET status=0, retry_count=retry_count+1, start_at=?,"
                " started_at=NULL, ended_at=NULL, remark='' WHERE status=3"
                " RETURNING id, manifest",
                (now,),
            ).fetchall()
        return [(int(r[0]), r[1]) for r in rows]

    def delete_tasks(self, task_ids: Iterable[int]) -> list[tuple[int, str | None]]:
        """Delete the given tasks that exist and are not running, in one transaction.

        Running tasks are left alone (stop them first). Returns (id, manifest) of each task
        deleted, in id order."""
        ids = json.dumps(sorted({int(i) for i in task_ids}))
        with self._transaction():
            rows = self._db.execute(
                "DELETE FROM tasks WHERE id IN (SELECT value FROM json_each(?))"
                " AND status!=1 RETURNING id, manifest",
                (ids,),
            ).fetchall()
        return sorted((int(r[0]), r[1]) for r in rows)

    def statuses(self, task_ids: Iterable[int]) -> dict[int, int]:
        """Status of each given task that exists (id -> status)."""
        ids = json.dumps(sorted({int(i) for i in task_ids}))
        with self._lock:
            rows = self._db.execute(
                "SELECT id, status FROM tasks WHERE id IN (SELECT value FROM json_each(?))",
                (ids,),
            ).fetchall()
        return {int(i): int(s) for i, s in rows}
