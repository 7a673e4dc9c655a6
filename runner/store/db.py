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
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from runner.store.errors import STORE_FAULTS, StoreError
from runner.store.postgres import PostgresEngine, is_postgres_url
from runner.store.sqlite import SqliteEngine

__all__ = ["STORE_FAULTS", "Database", "StoreError"]


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

    def close(self) -> None:
        """Close the connection (later calls raise an engine error)."""
        with self._lock:
            self._engine.close()

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        """``column IN values`` as SQL with one ``?``, and that parameter (never empty lists:
        callers return early)."""
        return self._engine.in_list(column, values)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One write transaction under the store's lock: committed when the block ends, rolled
        back when it raises (cancellation included). Before the commit, the engine's
        ``before_commit`` runs (SQLite: the task id ceiling is raised past any id handed out)."""
        with self._lock:
            self._db.execute(self._engine.begin_sql)
            try:
                yield self._db
                if self._engine.in_transaction():
                    self._engine.before_commit()
            except BaseException:
                if self._engine.in_transaction():
                    self._db.execute("ROLLBACK")
                raise
            if self._engine.in_transaction():
                self._db.execute("COMMIT")

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

    def _notify(self, channel: str, payload: str) -> None:
        """Inside a transaction: tell the other runners of a shared store (PostgreSQL NOTIFY,
        sent on commit); nothing on SQLite."""
        self._engine.notify(channel, payload)
