"""The task store: the only state tikrunner has (design.md, "store"), behind one interface.

Two engines behind the same methods and the same tests: SQLite (``spool/state.db``, the
embedded default: WAL journal, one connection) and PostgreSQL (``store: postgresql://...``, one
database shared by several runners). One connection guarded by a lock, so the store may be
called from trio's worker threads. Every state change is one committed transaction
before anything is said about it (status file, HTTP answer, log line). Times are UTC epoch seconds
(float) here; conversion to the runner's local time happens where people read them.

The store's jobs, one module each, joined in :class:`Store`:

- :mod:`runner.store.tasks`: the task queue (claim the next due task, end it, look tasks up);
- :mod:`runner.store.intake_log`: spool files taken in, their manifests and tasks;
- :mod:`runner.store.workflows`: workflow generations and the slots fired;
- :mod:`runner.store.api`: the API's task operations (create, list, stop, retry, delete);
- :mod:`runner.store.status_reads`: what status files show, for many manifests in one read;
- :mod:`runner.store.actions`: account safety (actions attempted per account, cool-downs, the
  holds of pending tasks);
- :mod:`runner.store.db` and :mod:`runner.store.migrations`: the connection and the numbered
  schema steps applied when the store is opened; :mod:`runner.store.sqlite` and
  :mod:`runner.store.postgres`: the engines;
  :mod:`runner.store.group`: group commit (concurrent writes share one transaction and one
  COMMIT, each still all-or-none and answered only once committed).

Task status values are :class:`runner.models.task.TaskStatus` (re-exported here).
"""

from __future__ import annotations

from pathlib import Path

from runner.models.task import TaskStatus
from runner.store.actions import ActionLog, CoolDown
from runner.store.api import ApiOperations
from runner.store.errors import STORE_FAULTS, StoreError
from runner.store.farm import FarmLog, Reaped, RunnerRow
from runner.store.intake_log import IntakeLog
from runner.store.postgres import is_postgres_url, safe_url
from runner.store.rows import IntakeRecord, TaskRow, WorkflowRow, task_object
from runner.store.status_reads import StatusReads, StatusSource
from runner.store.tasks import TaskQueue
from runner.store.workflows import WorkflowLog

__all__ = [
    "CoolDown",
    "STORE_FAULTS",
    "IntakeRecord",
    "Reaped",
    "RunnerRow",
    "Store",
    "StatusSource",
    "StoreError",
    "TaskRow",
    "TaskStatus",
    "WorkflowRow",
    "is_postgres_url",
    "open_store",
    "safe_url",
    "task_object",
]


class Store(TaskQueue, IntakeLog, WorkflowLog, ApiOperations, FarmLog, ActionLog, StatusReads):
    """The task store at ``where``: a SQLite file path (created with its tables if missing,
    migrated if older), or a ``postgresql://`` URL string (its tables created or migrated).

    ``Store(where, synchronous="FULL", runner="local")``. Thread-safe: one connection, one
    lock; every public method is one transaction. Opening raises :class:`StoreError` (one
    actionable line) for a ``state.db`` that is empty, not SQLite, damaged or made by a newer
    tikrunner, or a PostgreSQL server that cannot be reached (:class:`runner.store.db.Database`);
    later calls raise one of :data:`STORE_FAULTS` only for real database faults (disk full,
    corruption, the connection lost).
    """


def open_store(
    spec: str, spool: Path, *, runner: str = "local", synchronous: str = "FULL"
) -> Store:
    """The store a ``store:`` setting names: ``sqlite`` (``<spool>/state.db``) or a
    ``postgresql://`` URL. ``runner`` is this runner's name in a shared store. Raises
    :class:`StoreError` as :class:`Store` does, and for a setting that is neither."""
    if spec == "sqlite":
        return Store(Path(spool) / "state.db", synchronous=synchronous, runner=runner)
    if is_postgres_url(spec):
        return Store(spec, runner=runner)
    raise StoreError(
        f"store {spec!r} is neither 'sqlite' nor a postgresql:// URL: write store: sqlite, or"
        " store: postgresql://user@host:5432/dbname"
    )
