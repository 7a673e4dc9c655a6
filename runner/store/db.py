"""The store's connection: one SQLite file, WAL journal, one writer connection behind one lock.

Every part of the store (:mod:`runner.store.tasks`, :mod:`~runner.store.intake_log`,
:mod:`~runner.store.workflows`, :mod:`~runner.store.api`) works through :class:`Database`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from runner.store.migrations import migrate


class Database:
    """The SQLite file at ``path``, opened and migrated (:func:`runner.store.migrations.migrate`).

    Thread-safe: one connection, one lock; callers hold ``_lock`` to read and use
    :meth:`_transaction` to write. ``synchronous`` is SQLite's ``PRAGMA synchronous`` (``FULL``:
    every commit is on disk before it is said; benchmarks use ``OFF``).
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
            migrate(self._db)

    def close(self) -> None:
        """Close the connection (later calls raise ``sqlite3.ProgrammingError``)."""
        with self._lock:
            self._db.close()

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
