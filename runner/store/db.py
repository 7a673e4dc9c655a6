"""The store's connection, whatever its engine, behind one lock.

Every part of the store (:mod:`runner.store.tasks`, :mod:`~runner.store.intake_log`,
:mod:`~runner.store.workflows`, :mod:`~runner.store.api`) works through :class:`Database`, with
SQL written once for both engines: ``?`` placeholders, and the few differences asked of the
engine (:meth:`Database._in`, ``_engine.greatest``, ``_engine.indexed_by``). The engines:

- :class:`runner.store.sqlite.SqliteEngine`: ``spool/state.db``, the embedded default;
- :class:`runner.store.postgres.PostgresEngine`: a PostgreSQL database shared by several runners.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from runner.store.errors import STORE_FAULTS, StoreError
from runner.store.group import GroupCommit
from runner.store.postgres import PostgresEngine, is_postgres_url
from runner.store.sqlite import SqliteEngine

__all__ = ["CHANNEL", "STORE_FAULTS", "Database", "StoreError"]

CHANNEL = "tikrunner"
"""The PostgreSQL NOTIFY channel of a shared store: JSON ``{"runner", "serials", "manifests"}``
of the tasks a transaction created or changed, or ``{"runner", "stop": [ids]}``
(runner/farm.py listens)."""

_PAYLOAD_MAX = 7000  # bytes of one NOTIFY payload (PostgreSQL's limit is 8000)


class Database:
    """The store at ``where``: a SQLite file path, or a ``postgresql://`` URL (a string).

    ``Database(path, synchronous="FULL")`` opens (or creates) the SQLite file; ``synchronous``
    is SQLite's ``PRAGMA synchronous`` (benchmarks use ``OFF``; unused by PostgreSQL).
    ``runner`` names this runner in the shared store (leases, who runs a task; default
    ``local``). Raises :class:`StoreError` when the store cannot be opened as it is.

    Thread-safe: one connection, one lock; callers hold ``_lock`` to read and use
    :meth:`_transaction` to write.
    """

    def __init__(self, where: Path | str, *, synchronous: str = "FULL", runner: str = "local"):
        self._lock = threading.Lock()
        self.runner = runner
        if isinstance(where, str) and is_postgres_url(where):
            self._engine: SqliteEngine | PostgresEngine = PostgresEngine(where)
            self.path: Path | None = None
        else:
            self._engine = SqliteEngine(where, synchronous=synchronous)
            self.path = self._engine.path
        self._db: Any = self._engine.connection
        self._touched: tuple[set[str], set[str]] = (set(), set())  # serials, manifests
        self._writes = GroupCommit(
            self._db,
            self._lock,
            self._engine.begin_sql,
            before_commit=self._before_commit,
            on_rollback=self._forget_touched,
            in_transaction=self._engine.in_transaction,
        )

    @property
    def engine(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.name

    @property
    def shared(self) -> bool:
        """Whether other runners may use this store at the same time (PostgreSQL)."""
        return self._engine.shared

    def describe(self) -> str:
        """Where the store is, for people: the file, or the URL without its password."""
        return str(self._engine)

    def now(self) -> float:
        """The store's clock (UTC epoch seconds): the database server's for a shared store, so
        that leases and schedule slots agree across PCs; this PC's for SQLite."""
        return self._engine.now()

    def sync_clock(self) -> float:
        """Measure the database server's clock again (PostgreSQL); returns the offset to this
        PC's clock in seconds (0 for SQLite)."""
        with self._lock:
            return self._engine.sync_clock()

    def listen(self) -> Any:
        """A context manager giving ``notifies(stop)``, the other runners' messages on
        :data:`CHANNEL` (PostgreSQL LISTEN on a connection of its own). Raises ``TypeError``
        for a SQLite store (nobody else to hear)."""
        if not isinstance(self._engine, PostgresEngine):
            raise TypeError("a SQLite store has no other runners to listen to")
        return self._engine.listen(CHANNEL)

    def try_lock(self, name: str) -> Any:
        """A lock only one runner of a shared store holds at a time (PostgreSQL: a session
        advisory lock on its own connection, :meth:`runner.store.postgres.PostgresEngine.
        try_lock`), or None when another holds it; a SQLite store has one runner, who always
        gets it. The lock has ``alive()`` and ``release()``."""
        if isinstance(self._engine, PostgresEngine):
            return self._engine.try_lock(name, self.runner)
        return _OnlyRunner()

    def free_lock_of_lost(self, name: str) -> str | None:
        """A shared store: end the session that holds lock ``name`` for a runner now ``lost``
        (:meth:`runner.store.postgres.PostgresEngine.free_lock_of_lost`); returns that runner's
        name, or None. Nothing on SQLite."""
        if not isinstance(self._engine, PostgresEngine):
            return None
        with self._lock:
            return self._engine.free_lock_of_lost(name)

    def close(self) -> None:
        """Close the connection (later calls raise an engine error)."""
        with self._lock:
            self._engine.close()

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        """``column IN values`` as SQL with one ``?``, and that parameter (never empty lists:
        callers return early)."""
        return self._engine.in_list(column, values)

    def _among(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        """As :meth:`_in`, as ``column=?`` for one value (the plainest plan on either engine)."""
        if len(values) == 1:
            return f"{column}=?", values[0]
        return self._engine.in_list(column, values)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One write transaction under the store's lock: committed when the block ends, undone
        when it raises (cancellation included). Concurrent writes share one transaction and one
        COMMIT (:mod:`runner.store.group`), each in its own savepoint; the block returns once
        that COMMIT is done. Before the commit, :meth:`_before_commit` runs once for the group
        (what a block that raised had touched is still announced: a harmless hint)."""
        with self._writes.block() as db:
            yield db

    def _forget_touched(self) -> None:
        self._touched[0].clear()
        self._touched[1].clear()

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Any]:
        """Several reads that see one state of the store (a read-only transaction)."""
        with self._lock:
            self._db.execute(self._engine.snapshot_sql)
            try:
                yield self._db
            finally:
                if self._engine.in_transaction():
                    self._db.execute("COMMIT")

    def _touch(self, serials: Any = (), manifests: Any = ()) -> None:
        """Inside a transaction: these serials' queues and these manifests' tasks changed; the
        other runners of a shared store are told when it commits (:meth:`_before_commit`)."""
        if self._engine.shared:
            self._touched[0].update(s for s in serials if s)
            self._touched[1].update(m for m in manifests if m)

    def _before_commit(self) -> None:
        """The engine's last step before a commit (SQLite: raise the task id ceiling), then the
        NOTIFYs of what the transaction touched (PostgreSQL sends them on commit, drops them on
        rollback), in payloads under PostgreSQL's 8000-byte limit."""
        self._engine.before_commit()
        serials, manifests = self._touched
        if not (serials or manifests):
            return
        items = [("serials", s) for s in sorted(serials)] + [
            ("manifests", m) for m in sorted(manifests)
        ]
        serials.clear()
        manifests.clear()
        chunk: dict[str, Any] = {"runner": self.runner, "serials": [], "manifests": []}
        size = 0
        for key, value in items:
            if size + len(value) > _PAYLOAD_MAX and size:
                self._engine.notify(CHANNEL, json.dumps(chunk))
                chunk = {"runner": self.runner, "serials": [], "manifests": []}
                size = 0
            chunk[key].append(value)
            size += len(json.dumps(value)) + 2
        self._engine.notify(CHANNEL, json.dumps(chunk))

    def _notify(self, message: dict[str, Any]) -> None:
        """Inside a transaction: send ``message`` (JSON, with this runner's name) to the other
        runners of a shared store on commit; nothing on SQLite."""
        if self._engine.shared:
            self._engine.notify(CHANNEL, json.dumps({"runner": self.runner, **message}))


class _OnlyRunner:
    """The lock of a store with one runner: always held."""

    @staticmethod
    def alive() -> bool:
        return True

    @staticmethod
    def release() -> None:
        return None
