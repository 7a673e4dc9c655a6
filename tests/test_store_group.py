"""Group commit (runner/store/group.py): concurrent writes share one transaction and one COMMIT,
yet each keeps its own outcome: a write that fails loses only itself, a COMMIT that fails reaches
every writer of the group, and nobody is told "done" before the COMMIT is."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from runner.store import Store
from runner.store.group import GroupCommit, GroupRolledBack
from tests.test_store import task

WAIT = 30  # seconds a test waits for writers to queue before it gives up (never reached)


def together(
    group: GroupCommit, lock: threading.Lock, writes: list[Callable[[], Any]]
) -> list[Any]:
    """Run each of ``writes`` in its own thread so that all join one group: the lock is held
    (as a reader would) until every writer waits for its turn. Returns each write's result, or
    the exception it raised."""
    results: list[Any] = [None] * len(writes)

    def run(i: int) -> None:
        try:
            results[i] = writes[i]()
        except BaseException as e:  # noqa: BLE001 - the test looks at it
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writes))]
    with lock:
        for t in threads:
            t.start()
        # the first writer waits for the lock (holding the turn), the others for the turn
        assert group.wait_for_writers(len(writes) - 1, WAIT)
    for t in threads:
        t.join(WAIT)
        assert not t.is_alive()
    return results


class Table:
    """A real SQLite file with one table, written through a GroupCommit."""

    def __init__(self, folder: Path, **kwargs: Any):
        self.db = sqlite3.connect(
            folder / "t.db", isolation_level=None, check_same_thread=False, timeout=30
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS t(v TEXT PRIMARY KEY)")
        self.lock = threading.Lock()
        self.group = GroupCommit(
            self.db,
            self.lock,
            "BEGIN IMMEDIATE",
            in_transaction=lambda: self.db.in_transaction,
            **kwargs,
        )

    def insert(self, value: str, fail: bool = False) -> str:
        with self.group.block() as db:
            db.execute("INSERT INTO t(v) VALUES (?)", (value,))
            if fail:
                raise ValueError(f"refused {value}")
        return value

    def rows(self) -> set[str]:
        """What another connection reads: only what was committed."""
        other = sqlite3.connect(self.db.execute("PRAGMA database_list").fetchone()[2])
        try:
            return {r[0] for r in other.execute("SELECT v FROM t")}
        finally:
            other.close()


def test_writes_that_arrive_together_commit_together(tmp_path: Path):
    table = Table(tmp_path)
    values = [f"v{i}" for i in range(10)]
    results = together(table.group, table.lock, [lambda v=v: table.insert(v) for v in values])
    assert results == values
    assert table.rows() == set(values)
    assert table.group.transactions == 1


def test_a_write_that_fails_in_a_group_loses_only_its_own_rows(tmp_path: Path):
    table = Table(tmp_path)
    writes = [lambda i=i: table.insert(f"v{i}", fail=i == 2) for i in range(5)]
    results = together(table.group, table.lock, writes)
    assert isinstance(results[2], ValueError) and str(results[2]) == "refused v2"
    assert [r for i, r in enumerate(results) if i != 2] == ["v0", "v1", "v3", "v4"]
    assert table.rows() == {"v0", "v1", "v3", "v4"}
    assert table.group.transactions == 1


def test_the_last_write_of_a_group_failing_still_commits_the_others(tmp_path: Path):
    table = Table(tmp_path)
    turns = itertools.count()  # blocks run one after the other: the order they ran in

    def write(i: int) -> str:
        with table.group.block() as db:
            db.execute("INSERT INTO t(v) VALUES (?)", (f"v{i}",))
            if next(turns) == 3:  # the group's last block: it ends (COMMITs) the group
                raise ValueError(f"refused v{i}")
        return f"v{i}"

    results = together(table.group, table.lock, [lambda i=i: write(i) for i in range(4)])
    [failed] = [i for i, r in enumerate(results) if isinstance(r, ValueError)]
    assert table.rows() == {f"v{i}" for i in range(4)} - {f"v{failed}"}
    assert table.group.transactions == 1


def test_a_failed_commit_reaches_every_writer_of_the_group(tmp_path: Path):
    def disk_full() -> None:
        raise OSError(28, "No space left on device")

    table = Table(tmp_path, before_commit=disk_full)
    results = together(
        table.group, table.lock, [lambda i=i: table.insert(f"v{i}") for i in range(6)]
    )
    assert all(isinstance(r, OSError) and r.errno == 28 for r in results), results
    assert len({id(r) for r in results}) == len(results)  # each thread raised its own copy
    assert table.rows() == set()
    table.group.before_commit = None
    assert table.insert("after") == "after"  # the connection is usable again
    assert table.rows() == {"after"}


def test_a_write_that_rolls_the_transaction_back_itself_fails_the_writes_before_it(
    tmp_path: Path,
):
    table = Table(tmp_path)
    order: list[int] = []  # blocks run one after the other: the order they ran in

    def write(i: int) -> str:
        with table.group.block() as db:
            order.append(i)
            if len(order) == 2:  # the group's second block ends the transaction itself
                db.execute("ROLLBACK")
                return "rolled back"
            db.execute("INSERT INTO t(v) VALUES (?)", (f"v{i}",))
        return f"v{i}"

    results = together(table.group, table.lock, [lambda i=i: write(i) for i in range(4)])
    first, rolling, *later = order
    assert isinstance(results[first], GroupRolledBack)  # its row went with the transaction
    assert results[rolling] == "rolled back"
    assert [results[i] for i in later] == [f"v{i}" for i in later]  # a transaction of their own
    assert table.rows() == {f"v{i}" for i in later}


def test_a_group_is_at_most_max_blocks_long(tmp_path: Path):
    table = Table(tmp_path, max_blocks=3)
    results = together(
        table.group, table.lock, [lambda i=i: table.insert(f"v{i}") for i in range(7)]
    )
    assert sorted(results) == [f"v{i}" for i in range(7)]
    assert table.rows() == {f"v{i}" for i in range(7)}
    assert table.group.transactions == 3  # 3 + 3 + 1


def test_a_reader_waits_for_the_groups_commit(tmp_path: Path):
    """Readers share the connection and the lock: they never see a group's rows before its
    COMMIT (which a COMMIT that fails would take back)."""
    table = Table(tmp_path)
    inside = threading.Event()
    release = threading.Event()
    seen: list[set[str]] = []

    def slow() -> None:
        with table.group.block() as db:
            db.execute("INSERT INTO t(v) VALUES ('slow')")
            inside.set()
            assert release.wait(WAIT)

    def reader() -> None:
        with table.lock:  # what another connection sees: committed rows only
            seen.append(table.rows())

    writer = threading.Thread(target=slow)
    writer.start()
    assert inside.wait(WAIT)
    reading = threading.Thread(target=reader)
    reading.start()
    release.set()
    writer.join(WAIT)
    reading.join(WAIT)
    assert seen == [{"slow"}]  # read after the commit, not in the middle of the transaction


@settings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=12))
def test_exactly_the_writes_that_did_not_fail_are_committed(fails: list[bool]):
    folder = Path(tempfile.mkdtemp())
    try:
        table = Table(folder)
        writes = [lambda i=i, f=f: table.insert(f"v{i}", fail=f) for i, f in enumerate(fails)]
        results = together(table.group, table.lock, writes)
        for i, f in enumerate(fails):
            assert isinstance(results[i], ValueError) if f else results[i] == f"v{i}"
        assert table.rows() == {f"v{i}" for i, f in enumerate(fails) if not f}
        table.db.close()
    finally:
        shutil.rmtree(folder)


# -- through the store ------------------------------------------------------------------------


def open_store(store_url: str, tmp_path: Path) -> Store:
    return Store(tmp_path / "state.db" if store_url == "sqlite" else store_url)


def test_many_threads_creating_tasks_at_once_all_get_their_own_committed_ids(
    store_url: str, tmp_path: Path
):
    store = open_store(store_url, tmp_path)
    before = store._writes.transactions
    writes = [lambda: store.add_api_tasks([task(), task()]) for _ in range(16)]
    results = together(store._writes, store._lock, writes)
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) == 32
    assert store._writes.transactions - before == 1  # one COMMIT for the 16 creates
    store.close()
    reopened = open_store(store_url, tmp_path)
    assert {t.id for t in reopened.tasks_of_manifest(f"api-{results[0][0]}")} == set(results[0])
    assert reopened.counts()["total"] == 32
    if store_url == "sqlite":
        assert int((tmp_path / "task-ids").read_text()) >= max(ids)  # the ceiling covers them


def test_a_create_that_fails_in_a_group_leaves_the_others_created(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    broken = dataclasses.replace(task(), script_config={"not json": object()})
    # the failing create inserts one task before it fails: that row must go too
    tasks = [[task()], [task(), broken], [task()], [task()]]
    results = together(
        store._writes, store._lock, [lambda t=t: store.add_api_tasks(t) for t in tasks]
    )
    assert isinstance(results[1], TypeError)
    created = sorted(r[0] for i, r in enumerate(results) if i != 1)
    rows, total = store.list_tasks(limit=100)
    assert total == 3 and sorted(t.id for t in rows) == created


def test_creates_fail_together_when_the_task_id_ceiling_cannot_be_written(tmp_path: Path):
    store = Store(tmp_path / "state.db")
    ceiling = tmp_path / "task-ids"
    ceiling.unlink(missing_ok=True)
    ceiling.mkdir()  # a folder in its place: the ceiling cannot be raised, so nothing commits
    results = together(store._writes, store._lock, [lambda: store.add_api_tasks([task()])] * 5)
    assert all(isinstance(r, OSError) for r in results), results
    ceiling.rmdir()
    assert store.counts()["total"] == 0
    [first] = store.add_api_tasks([task()])
    assert store.counts()["total"] == 1 and first >= 1
