"""Group commit: concurrent writers of one connection share one transaction and one COMMIT.

A durable COMMIT costs a flush to disk (``PRAGMA synchronous=FULL``: an fsync of the WAL), far
more than the few rows a create or a spool batch writes. Writers that arrive while one COMMIT is
under way queue; the next transaction takes them all: each runs its block in its own
``SAVEPOINT``, one after the other on the one connection, and the last of the group COMMITs once
for all. Every writer returns only after that COMMIT succeeded, so what it says about its writes
(an HTTP answer, a status file, a log line) is still said only about durable state.

- A block that raises is rolled back to its savepoint (``ROLLBACK TO``), and only it: the others'
  writes stay and are committed. Its own exception is raised in its own thread.
- A failed COMMIT (or a failed ``before_commit``, the task id ceiling: runner.store.ids) rolls the
  whole group back, and every member raises.
- A group closes when nobody else waits to write, or at :data:`MAX_BLOCKS` blocks; a writer never
  waits for company that has not come.

SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT are the same in SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Callable, Iterator
from typing import Any

MAX_BLOCKS = 64
"""Blocks in one transaction at most: bounds how long readers (who wait on the same lock) and
the group's first writer wait for its COMMIT."""

_SAVEPOINT = "tikrunner_block"


class GroupRolledBack(Exception):
    """A block of the group ended the group's transaction itself (a plain ``ROLLBACK`` in it), so
    the writes of the blocks before it in the group are gone: raised in those blocks' threads."""


class _Group:
    """One transaction shared by several blocks."""

    __slots__ = ("size", "wrote", "done", "error")

    def __init__(self) -> None:
        self.size = 0  # blocks run in it
        self.wrote = 0  # blocks whose writes it holds (ran without raising)
        self.done = False  # committed or rolled back; the lock is released
        self.error: BaseException | None = None  # why it did not commit (every member raises)


class GroupCommit:
    """Group commit over ``conn`` (anything with ``.execute(sql)``: a ``sqlite3.Connection``, a
    psycopg connection), whose users all hold ``lock`` (a ``threading.Lock``, not an RLock: it is
    taken by a group's first writer and released by whichever member commits).

    ``begin`` is the statement opening a write transaction (``"BEGIN IMMEDIATE"`` on SQLite,
    ``"BEGIN"`` on PostgreSQL). ``before_commit()`` runs once per group, inside the transaction,
    just before COMMIT (raising there rolls the group back: every member raises);
    ``on_rollback()`` once when a group's transaction ends without a COMMIT.
    ``in_transaction()`` says whether the connection is still inside a transaction; it lets a
    block that ended the transaction itself (a plain ``ROLLBACK``) be noticed, and the earlier
    blocks of its group raise :class:`GroupRolledBack` instead of believing their writes kept.
    ``max_blocks``: blocks per transaction at most.

    Use ``with group.block() as conn: ...`` from any thread; thread-safe.
    """

    def __init__(
        self,
        conn: Any,
        lock: threading.Lock,
        begin: str,
        *,
        before_commit: Callable[[], object] | None = None,
        on_rollback: Callable[[], object] | None = None,
        in_transaction: Callable[[], bool] | None = None,
        max_blocks: int = MAX_BLOCKS,
    ) -> None:
        self.conn = conn
        self.lock = lock
        self.begin = begin
        self.before_commit = before_commit
        self.on_rollback = on_rollback
        self.in_transaction = in_transaction
        self.max_blocks = max_blocks
        mutex = threading.Lock()  # guards the fields below; the conditions share it
        self._turn = threading.Condition(mutex)  # writers waiting for the connection: one woken
        self._done = threading.Condition(mutex)  # members waiting for their group's end: all
        self._arrived = threading.Condition(mutex)  # :meth:`wait_for_writers`
        self._group: _Group | None = None  # the open transaction, if any
        self._busy = False  # a block, a BEGIN or a COMMIT is using the connection
        self._waiting = 0  # writers waiting for their turn
        self.transactions = 0  # transactions ended (committed or rolled back): for benches

    @contextlib.contextmanager
    def block(self) -> Iterator[Any]:
        """Run the ``with`` block's writes in the current group's transaction (opening one when
        none is open), in a savepoint of its own; yields the connection.

        Returns once the group's COMMIT is done. Raises what the block raised (its writes
        undone, the group's others kept); when the group's COMMIT or ``before_commit`` fails,
        that error (a copy of it in every member but the committer); when the group's
        transaction could not be begun, that error (nothing was written);
        :class:`GroupRolledBack` as the class says.
        """
        group = self._take_turn()
        conn = self.conn
        failure: BaseException | None = None  # what the block raised
        lost: BaseException | None = None  # the group's transaction is gone (not committable)
        try:
            conn.execute(f"SAVEPOINT {_SAVEPOINT}")
        except BaseException as e:
            self._finish(group, e, broken=True)
            raise
        try:
            yield conn
        except BaseException as e:
            failure = e
            try:
                conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
            except Exception as e2:  # the transaction itself failed (I/O error, ...)
                lost = e2
        else:
            if self.in_transaction is not None and not self.in_transaction():
                lost = GroupRolledBack(
                    "another write of the same transaction rolled it back; nothing of this"
                    " write was kept: try it again"
                )
            else:
                try:
                    conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
                except BaseException as e:
                    failure = lost = e
        error = self._finish(group, lost, broken=lost is not None, wrote=failure is None)
        if failure is not None:
            raise failure
        if lost is not None and isinstance(lost, GroupRolledBack):
            return  # this block ended the transaction itself: what it did is what it wanted
        if error is not None:
            raise error

    def wait_for_writers(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` writers wait for their turn (True), or ``timeout``
        seconds passed (False). For tests and benches that need a group to form."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self._waiting >= count, timeout)

    # -- turns --------------------------------------------------------------------------------

    def _take_turn(self) -> _Group:
        """Wait until the connection is free, then join the open group or open a new one
        (taking the lock and beginning the transaction). Raises what BEGIN raised."""
        with self._turn:
            self._waiting += 1
            self._arrived.notify_all()
            try:
                while self._busy:
                    self._turn.wait()
            finally:
                self._waiting -= 1
            self._busy = True
            group = self._group
            if group is not None:
                return group
            group = self._group = _Group()
        try:
            self.lock.acquire()
        except BaseException:
            self._end(group, unlock=False)
            raise
        try:
            self.conn.execute(self.begin)
        except BaseException:
            self._end(group)
            raise
        return group

    def _end(self, group: _Group, *, unlock: bool = True, counted: bool = False) -> None:
        """The group's transaction is over (or never began): free the lock and the turn, and
        wake its members."""
        if unlock:
            self.lock.release()
        with self._turn:
            group.done = True
            self._group = None
            self._busy = False
            if counted:
                self.transactions += 1
            self._done.notify_all()
            self._turn.notify()  # the next writer opens the next group

    def _finish(
        self, group: _Group, lost: BaseException | None, *, broken: bool, wrote: bool = False
    ) -> BaseException | None:
        """After one block: pass the turn to a waiting writer, or end the group (COMMIT, or
        ROLLBACK when nothing is left to commit or the transaction is lost), then wait until the
        group ended. Returns the error this member must raise for the group, if any."""
        with self._turn:
            group.size += 1
            if wrote and not broken:
                group.wrote += 1
            if broken and group.wrote:
                group.error = lost
            closing = broken or self._waiting == 0 or group.size >= self.max_blocks
            if not closing:
                self._busy = False
                self._turn.notify()  # one waiting writer takes the turn (there is one)
                while not group.done:
                    self._done.wait()
                return _copy(group.error)
        error = None
        committed = False
        try:
            if broken or not group.wrote:
                _rollback(self.conn)
            else:
                if self.before_commit is not None:
                    self.before_commit()
                self.conn.execute("COMMIT")
                committed = True
        except BaseException as e:
            _rollback(self.conn)
            group.error = error = e
        finally:
            if not committed and self.on_rollback is not None:
                with contextlib.suppress(Exception):
                    self.on_rollback()
            self._end(group, counted=True)
        return None if broken else error


def _rollback(conn: Any) -> None:
    """End whatever transaction is left, ignoring the error when none is."""
    with contextlib.suppress(Exception):
        conn.execute("ROLLBACK")


def _copy(error: BaseException | None) -> BaseException | None:
    """A fresh exception like ``error`` for one more thread to raise (an exception object raised
    in several threads at once would share, and garble, its traceback)."""
    if error is None:
        return None
    try:
        clone = copy.copy(error)
    except Exception:
        clone = GroupRolledBack(f"the group's transaction failed: {error}")
    clone.__cause__ = error
    clone.__traceback__ = None
    return clone
