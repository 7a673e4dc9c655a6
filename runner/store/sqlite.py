"""The embedded engine: one SQLite file (``spool/state.db``), WAL journal, one connection.

Opening never starts a fresh store in place of a lost one: a ``state.db`` that exists but is
empty, not SQLite, damaged or made by a newer tikrunner raises :class:`StoreError` with one line
saying what to do, and nothing is written. Only a missing file makes a fresh store, built under a
temporary name and renamed into place once complete, so an existing ``state.db`` always holds a
whole store. Task ids never repeat across such events (:mod:`runner.store.ids`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runner.store.errors import StoreError, reason
from runner.store.ids import FILE_NAME, IdCeiling, IdFileError, fsync_folder, highest_id_in_spool
from runner.store.migrations import migrate

_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


class SqliteEngine:
    """The SQLite file at ``path``, checked, opened and migrated (:mod:`runner.store.migrations`).

    A missing file becomes a fresh store whose task ids start above the ceiling in ``task-ids``
    beside it and above any id the spool (``path``'s folder) still names. Raises
    :class:`StoreError` for an existing file that is empty (0 bytes), not a SQLite database,
    damaged (``PRAGMA quick_check`` fails, or SQLite says so), without the store's tables, made by
    a newer tikrunner, or unreadable; for a missing file whose ``-wal`` file is still there; and
    for a ``task-ids`` that holds no number.

    ``synchronous`` is SQLite's ``PRAGMA synchronous`` (``FULL``: every commit is on disk before
    it is said; benchmarks use ``OFF``). Not thread-safe by itself: :class:`~runner.store.db.
    Database` holds its lock around every use.
    """

    name = "sqlite"
    begin_sql = "BEGIN IMMEDIATE"  # takes the write lock at once: no deadlock on upgrade
    snapshot_sql = "BEGIN"
    greatest = "max"  # SQLite's scalar max(a, b, ...) (PostgreSQL: GREATEST)
    shared = False  # one runner per store (the spool lock says so)
    skip_locked = ""  # one writer at a time already

    def __init__(self, path: Path | str, *, synchronous: str = "FULL"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = synchronous
        try:
            self._ids = IdCeiling(self.path.with_name(FILE_NAME))
        except (IdFileError, OSError) as e:
            raise StoreError(
                f"store {self.path}: task id ceiling: {reason(e)}: write the highest task id"
                " ever handed out into it (or delete it if state.db is sound)"
            ) from None
        if not os.path.lexists(self.path):
            self._refuse_orphan_wal()
            self._create_fresh()
        self._check_header()
        self.connection = self._connect(self.path)
        db = self.connection
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if "tasks" not in tables:
                raise StoreError(self._refusal("holds no tikrunner store (no tasks table)"))
            check = db.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise StoreError(self._refusal(f"is damaged (SQLite: {check[0][0]})"))
            self._configure(db)
            migrate(db, self)
            self._ids.cover(self._highest_id())
        except sqlite3.OperationalError as e:  # locked, I/O error, read-only folder: not damage
            db.close()
            raise StoreError(
                f"store {self.path} cannot be used (SQLite: {e}): check that no other program"
                " holds it and that it and its folder are readable and writable"
            ) from None
        except sqlite3.DatabaseError as e:  # "file is not a database", "... malformed"
            db.close()
            raise StoreError(self._refusal(f"is damaged (SQLite: {e})")) from None
        except ValueError as e:  # a newer schema
            db.close()
            raise StoreError(
                f"store {self.path} was made by a newer tikrunner ({e}): run that version,"
                " or restore a backup made by this one"
            ) from None
        except OSError as e:  # the id ceiling could not be written
            db.close()
            raise StoreError(
                f"store {self.path}: cannot write {self._ids.path}: {reason(e)}"
            ) from None
        except BaseException:
            db.close()
            raise

    def __str__(self) -> str:
        return str(self.path)

    # -- the dialect (what differs from PostgreSQL, runner.store.postgres) ---------------------

    @staticmethod
    def in_list(column: str, values: Sequence[Any]) -> tuple[str, str]:
        """``column IN (values)`` as SQL with one ``?`` and its parameter (a JSON array)."""
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    @staticmethod
    def indexed_by(index: str) -> str:
        """SQLite's ``INDEXED BY`` hint (its planner misses some of our indexes)."""
        return f" INDEXED BY {index}"

    @staticmethod
    def now() -> float:
        """The store's clock: this PC's, UTC epoch seconds (one runner per SQLite store)."""
        return time.time()

    @staticmethod
    def sync_clock() -> float:
        """Nothing to measure: the store's clock is this PC's (offset 0)."""
        return 0.0

    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def before_commit(self) -> None:
        """Raise the task id ceiling past any id the transaction handed out."""
        self._ids.cover(self._highest_id())

    def notify(self, channel: str, payload: str) -> None:
        """Nothing: one runner per SQLite store, so nobody else to tell."""

    def schema_version(self, db: sqlite3.Connection) -> int:
        """``PRAGMA user_version``: how many migrations the store has had."""
        return int(db.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, db: sqlite3.Connection, number: int) -> None:
        db.execute(f"PRAGMA user_version={int(number):d}")

    def lock_schema(self, db: sqlite3.Connection) -> None:
        """Nothing more: ``BEGIN IMMEDIATE`` already holds the only write lock."""

    def columns(self, db: sqlite3.Connection, table: str) -> set[str]:
        """The column names of ``table``."""
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}

    def close(self) -> None:
        self.connection.close()

    # -- opening ------------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        return sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)

    def _configure(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={self._synchronous}")
        db.execute("PRAGMA foreign_keys=ON")

    def _refusal(self, what: str) -> str:
        name = self.path.name
        return (
            f"store {self.path} {what}: restore {name} from a backup, or move it aside (with any"
            f" {name}-wal and {name}-shm) to start a fresh store; task ids will continue above"
            f" {self._ids.value}"
        )

    def _check_header(self) -> None:
        """Refuse a file that cannot hold a store: unreadable, empty, or not SQLite."""
        try:
            with open(self.path, "rb") as f:
                head = f.read(len(_HEADER))
        except OSError as e:
            raise StoreError(self._refusal(f"cannot be read ({reason(e)})")) from None
        if not head:
            raise StoreError(self._refusal("is empty (0 bytes)"))
        if head != _HEADER:
            raise StoreError(self._refusal("is not a SQLite database"))

    def _refuse_orphan_wal(self) -> None:
        """A ``-wal`` file left without its ``state.db`` holds that store's latest commits, and
        SQLite would replay it into a fresh store of the same name: refuse rather than mix them."""
        wal = Path(f"{self.path}-wal")
        try:
            size = wal.stat().st_size
        except FileNotFoundError:
            return
        if size:
            raise StoreError(
                f"store {self.path} is missing but {wal.name} ({size} bytes) is still there: move"
                f" {wal.name} (and any {self.path.name}-shm) to where {self.path.name} went, or"
                " delete them to start a fresh store"
            )

    def _create_fresh(self) -> None:
        """Build a new store at a temporary name, its task ids above every id known, and rename
        it to ``path`` once whole (a crash leaves no ``state.db``, never a half-made one)."""
        tmp = self.path.with_name(f".{self.path.name}.new")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        floor = max(self._ids.value, highest_id_in_spool(self.path.parent))
        db = self._connect(tmp)
        try:
            self._configure(db)
            migrate(db, self)
            if floor:
                db.execute("INSERT INTO sqlite_sequence(name, seq) VALUES ('tasks', ?)", (floor,))
        finally:
            db.close()  # the last connection: checkpoints and removes the -wal file
        os.replace(tmp, self.path)
        fsync_folder(self.path.parent)

    def _highest_id(self) -> int:
        """The highest task id this store ever handed out (its AUTOINCREMENT counter)."""
        row = self.connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name='tasks'"
        ).fetchone()
        return int(row[0]) if row else 0
