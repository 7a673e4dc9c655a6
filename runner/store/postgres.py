"""The shared engine: a PostgreSQL database that several runners use at once (issue 12).

``store: postgresql://user@host:5432/dbname`` in tikrunner.yaml (or ``TIKRUNNER_STORE``, or
``serve --store``). The schema is the SQLite store's, numbered the same
(:mod:`runner.store.migrations`), its version in the table ``tikrunner_schema``; runners that
start together migrate one at a time (a transaction-level advisory lock). The store's SQL is
written once, with ``?`` placeholders; :class:`PgConnection` turns them into psycopg's ``%s``.

The database's clock is the farm's clock: :meth:`PostgresEngine.now` is this PC's clock corrected
by the offset to the server's ``clock_timestamp()``, measured at open and again by every
heartbeat (:meth:`PostgresEngine.sync_clock`), so leases and schedule slots agree across PCs
whose clocks drift.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import pq

from runner.store.errors import StoreError
from runner.store.migrations import migrate

SCHEMES = ("postgresql://", "postgres://")
"""The URL prefixes that name a PostgreSQL store (libpq's own)."""

_MIGRATION_LOCK = 0x74696B72  # pg_advisory_xact_lock key while migrating ("tikr")


def is_postgres_url(spec: str) -> bool:
    """Whether ``spec`` (a ``store:`` value) names a PostgreSQL server (``postgresql://...``)."""
    return spec.startswith(SCHEMES)


def safe_url(url: str) -> str:
    """``url`` without its password (for messages and logs: secrets never reach them).
    ``postgresql://user:secret@host/db`` -> ``postgresql://user@host/db``."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(an unreadable URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


class PgConnection:
    """One psycopg connection (autocommit: the store says BEGIN and COMMIT itself) that takes
    the store's SQL as SQLite does: ``?`` placeholders, ``execute()`` returning a cursor.

    A connection found broken (server restarted, network cut) is opened again before the next
    statement; the statement that met the break raises ``psycopg.OperationalError`` to its
    caller (a worker retries later), never a retry here that might run a write twice. Text
    parameters lose NUL characters (PostgreSQL's text cannot hold them; U+FFFD instead).
    Not thread-safe: the store's lock is held around every use."""

    def __init__(self, url: str):
        self._url = url
        self._sql: dict[str, str] = {}
        self.raw = self._open()

    def _open(self) -> psycopg.Connection:
        return psycopg.connect(self._url, autocommit=True, connect_timeout=10)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        if self.raw.broken or self.raw.closed:
            self.raw = self._open()
        if not params:
            return self.raw.execute(sql)
        query = self._sql.get(sql)
        if query is None:
            query = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return self.raw.execute(query, [_clean(p) for p in params])

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def _clean(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


class PostgresEngine:
    """The PostgreSQL database at ``url``, connected and migrated.

    Raises :class:`StoreError` (one line, the URL without its password) when the server cannot
    be reached or refuses the login, or when the schema is newer than this tikrunner's.
    Not thread-safe by itself: :class:`~runner.store.db.Database` holds its lock around every
    use."""

    name = "postgresql"
    begin_sql = "BEGIN"
    snapshot_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    greatest = "GREATEST"
    shared = True  # several runners at once
    skip_locked = " FOR UPDATE SKIP LOCKED"  # a row another claim holds is passed over

    def __init__(self, url: str):
        self.url = url
        self.offset = 0.0  # the server's clock minus this PC's, seconds
        try:
            self.connection = PgConnection(url)
        except psycopg.Error as e:
            raise StoreError(
                f"store {safe_url(url)} cannot be reached ({_first_line(e)}): check that the"
                " PostgreSQL server runs and that the URL's host, port, user, password and"
                " database are right"
            ) from None
        try:
            migrate(self.connection, self)
            self.sync_clock()
        except ValueError as e:  # a newer schema
            self.connection.close()
            raise StoreError(
                f"store {safe_url(url)} was made by a newer tikrunner ({e}): run that version"
            ) from None
        except psycopg.Error as e:
            self.connection.close()
            raise StoreError(
                f"store {safe_url(url)} cannot be used ({_first_line(e)}): check that the user"
                " may create tables in that database"
            ) from None

    def __str__(self) -> str:
        return safe_url(self.url)

    # -- the dialect ---------------------------------------------------------------------------

    @staticmethod
    def in_list(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (values)`` as SQL with one ``?`` and its parameter (a PostgreSQL array)."""
        return f"{column} = ANY(?)", list(values)

    @staticmethod
    def indexed_by(index: str) -> str:
        """No hint: PostgreSQL's planner picks the index itself."""
        return ""

    def now(self) -> float:
        """The farm's clock: the database server's, UTC epoch seconds (this PC's clock plus the
        offset last measured by :meth:`sync_clock`)."""
        return time.time() + self.offset

    def sync_clock(self) -> float:
        """Measure the server's clock against this PC's (half the round trip taken off); returns
        the offset in seconds. Caller holds the store's lock."""
        before = time.time()
        server = self.connection.execute(
            "SELECT extract(epoch FROM clock_timestamp())::float8"
        ).fetchone()[0]
        after = time.time()
        self.offset = float(server) - (before + after) / 2
        return self.offset

    def in_transaction(self) -> bool:
        return self.connection.in_transaction

    def before_commit(self) -> None:
        """Nothing: the ``tasks`` identity never hands out an id twice while the database lives."""

    def notify(self, channel: str, payload: str) -> None:
        """``NOTIFY channel, payload`` inside the caller's transaction: delivered to every
        listening runner when it commits, dropped if it rolls back (PostgreSQL's rule)."""
        self.connection.execute("SELECT pg_notify(?, ?)", (channel, payload))

    @contextlib.contextmanager
    def listen(self, channel: str) -> Iterator[Callable[[Callable[[], bool]], Iterator[str]]]:
        """A connection of its own that LISTENs on ``channel``; yields ``notifies(stop)``, a
        generator of the payloads received, checking ``stop()`` at least once a second and
        ending when it says True. Raises ``psycopg.Error`` when the connection fails."""
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        try:
            conn.execute(f'LISTEN "{channel}"')

            def notifies(stop: Callable[[], bool]) -> Iterator[str]:
                while not stop():
                    for note in conn.notifies(timeout=1.0):
                        yield note.payload
                        if stop():
                            return

            yield notifies
        finally:
            conn.close()

    def try_lock(self, name: str, runner: str) -> SessionLock | None:
        """The session advisory lock ``name`` on a connection of its own (its
        ``application_name`` ``tikrunner:<runner>``, so that others can tell who holds it), or
        None when another session holds it. The lock lasts as long as that connection: released
        by :meth:`SessionLock.release`, or by the server when the connection dies (the runner
        killed: at once; its PC's power cut: when TCP notices, or when another runner ends the
        session of a lost runner, :meth:`free_lock_of_lost`)."""
        conn = psycopg.connect(
            self.url,
            autocommit=True,
            connect_timeout=10,
            application_name=f"tikrunner:{runner}"[:63],
        )
        try:
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(name),)).fetchone()[0]
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return None
        return SessionLock(conn)

    def free_lock_of_lost(self, name: str) -> str | None:
        """End the database session holding the lock ``name`` when the runner it belongs to is
        ``lost`` in the ``runners`` table (its heartbeat stopped, its connection a zombie the
        server has not noticed yet); returns that runner's name, or None when the lock is free
        or held by a live runner. Needs the right to end that session (the same database user)."""
        row = self.connection.execute(
            "SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a"
            " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.classid = 0 AND l.objid = ? AND l.objsubid = 1",
            (_lock_key(name),),
        ).fetchone()
        if row is None or not (row[1] or "").startswith("tikrunner:"):
            return None
        holder = row[1].removeprefix("tikrunner:")
        lost = self.connection.execute(
            "SELECT 1 FROM runners WHERE name = ? AND state = 'lost'", (holder,)
        ).fetchone()
        if lost is None:
            return None
        self.connection.execute("SELECT pg_terminate_backend(?)", (row[0],))
        return holder

    def schema_version(self, db: PgConnection) -> int:
        """The number of migrations applied (the row of ``tikrunner_schema``; 0: a new database)."""
        if db.execute("SELECT to_regclass('tikrunner_schema')").fetchone()[0] is None:
            return 0
        row = db.execute("SELECT version FROM tikrunner_schema").fetchone()
        return int(row[0]) if row else 0

    def set_schema_version(self, db: PgConnection, number: int) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS tikrunner_schema (version INTEGER NOT NULL)")
        db.execute("DELETE FROM tikrunner_schema")
        db.execute("INSERT INTO tikrunner_schema(version) VALUES (?)", (int(number),))

    def lock_schema(self, db: PgConnection) -> None:
        """One runner migrates at a time: the others wait here, then find the step done."""
        db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))

    def columns(self, db: PgConnection, table: str) -> set[str]:
        rows = db.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        ).fetchall()
        return {r[0] for r in rows}

    def close(self) -> None:
        self.connection.close()


class SessionLock:
    """A held session advisory lock (:meth:`PostgresEngine.try_lock`)."""

    def __init__(self, conn: psycopg.Connection):
        self._conn = conn

    def alive(self) -> bool:
        """Whether the lock is still held: its connection answers."""
        try:
            self._conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def release(self) -> None:
        """Give the lock up (closing its connection; never raises)."""
        try:
            self._conn.close()
        except psycopg.Error:
            pass


def _lock_key(name: str) -> int:
    """The advisory lock key of ``name``: a CRC-32 (0..2**32-1), so that ``pg_locks`` shows it
    whole in ``objid`` (``classid`` 0)."""
    return zlib.crc32(f"tikrunner:{name}".encode())


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
