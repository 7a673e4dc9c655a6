"""The task store: the only state tikrunner has (design.md, "store"), behind one interface.

SQLite through the standard library, WAL journal, one writer connection guarded by a lock, so the
store may be called from trio's worker threads. Every state change is one committed transaction
before anything is said about it (status file, HTTP answer, log line). Times are UTC epoch seconds
(float) here; conversion to the runner's local time happens where people read them.

The store's jobs, one module each, joined in :class:`Store`:

- :mod:`runner.store.tasks`: the task queue (claim the next due task, end it, look tasks up);
- :mod:`runner.store.intake_log`: spool files taken in, their manifests and tasks;
- :mod:`runner.store.workflows`: workflow generations and the slots fired;
- :mod:`runner.store.api`: the API's task operations (create, list, stop, retry, delete);
- :mod:`runner.store.db` and :mod:`runner.store.migrations`: the connection and the numbered
  schema steps (``PRAGMA user_version``) applied when the store is opened.

Task status values are :class:`runner.models.task.TaskStatus` (re-exported here).
"""

from __future__ import annotations

from runner.models.task import TaskStatus
from runner.store.api import ApiOperations
from runner.store.db import StoreError
from runner.store.intake_log import IntakeLog
from runner.store.rows import IntakeRecord, TaskRow, WorkflowRow, task_object
from runner.store.tasks import TaskQueue
from runner.store.workflows import WorkflowLog

__all__ = [
    "IntakeRecord",
    "Store",
    "StoreError",
    "TaskRow",
    "TaskStatus",
    "WorkflowRow",
    "task_object",
]


class Store(TaskQueue, IntakeLog, WorkflowLog, ApiOperations):
    """The SQLite task store at ``path`` (created with its tables if missing, migrated if older).

    ``Store(path, synchronous="FULL")``. Thread-safe: one connection, one lock; every public
    method is one transaction. Opening raises :class:`StoreError` (one actionable line) for a
    ``state.db`` that is empty, not SQLite, damaged or made by a newer tikrunner
    (:class:`runner.store.db.Database`); later calls raise ``sqlite3.Error`` only for real
    database faults (disk full, corruption).
    """
