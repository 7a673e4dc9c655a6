"""The store: task ids are never handed out twice (on both engines), and stores from older
versions are upgraded in place by the numbered migrations (``PRAGMA user_version`` on SQLite, the
row of ``tikrunner_schema`` on PostgreSQL), one runner at a time."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest

from runner.intake import NewTask
from runner.store import Store, StoreError, TaskStatus, open_store
from runner.store.migrations import MIGRATIONS
from runner.store.postgres import PgConnection, PostgresEngine

TODAYS_LAYOUT = Path(__file__).with_name("state_v0.sql")  # before numbered migrations


def task(serial: str = "sim-0001") -> NewTask:
    return NewTask(
        serial=serial,
        username=None,
        script_name="follow",
        script_config={"target_users": ["a"]},
        job_count=0,
        start_at=0.0,
    )


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


def pg_version(url: str) -> int:
    with psycopg.connect(url) as db:
        return db.execute("SELECT version FROM tikrunner_schema").fetchone()[0]


def test_a_deleted_tasks_id_is_never_reused(store_url: str, tmp_path: Path):
    store = open_store(store_url, tmp_path)
    [first] = store.add_api_tasks([task()])
    store.delete_tasks([first])
    [second] = store.add_api_tasks([task()])
    assert second > first
    store.close()
    reopened = open_store(store_url, tmp_path)
    reopened.delete_tasks([second])
    [third] = reopened.add_api_tasks([task()])
    assert third > second


def test_a_new_store_is_at_the_last_migration(tmp_path: Path):
    Store(tmp_path / "state.db").close()
    assert user_version(tmp_path / "state.db") == len(MIGRATIONS) >= 1


def test_a_store_of_the_layout_before_numbered_migrations_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    db.executescript(TODAYS_LAYOUT.read_text())
    db.execute(
        "INSERT INTO manifests(id, name, sha256, source, filename, created_at)"
        " VALUES (1, 'daily', 'abc', 'spool', 'daily.yaml', 1.0)"
    )
    for i, status in enumerate((0, 1, 2, 3), start=1):
        db.execute(
            "INSERT INTO tasks(id, manifest_id, manifest, source, serial, script_name,"
            " script_config, status, start_at, created_at, remark)"
            " VALUES (?, 1, 'daily', 'spool', 'sim-0001', 'follow', ?, ?, 0, 1.0, 'r')",
            (i, json.dumps({"target_users": [f"u{i}"]}), status),
        )
    db.execute(
        "INSERT INTO intake_log(claim_name, sha256, outcome, manifest_id, manifest, final_name,"
        " created_at) VALUES ('daily.yaml', 'abc', 'accepted', 1, 'daily', 'daily.yaml', 1.0)"
    )
    db.execute("DELETE FROM tasks WHERE id=4")  # the highest id handed out stays taken
    db.commit()
    db.close()
    assert user_version(path) == 0

    store = Store(path)
    tasks = store.tasks_of_manifest("daily")
    assert [(t.id, t.status, t.script_config["target_users"]) for t in tasks] == [
        (1, TaskStatus.PENDING, ["u1"]),
        (2, TaskStatus.RUNNING, ["u2"]),
        (3, TaskStatus.COMPLETED, ["u3"]),
    ]
    assert [r.final_name for r in store.intake_records("daily.yaml", "abc")] == ["daily.yaml"]
    assert store.add_api_tasks([task()]) == [5]
    store.close()
    assert user_version(path) == len(MIGRATIONS)


def test_a_store_made_before_autoincrement_and_workflows_is_upgraded_keeping_its_tasks(
    tmp_path: Path,
):
    path = tmp_path / "state.db"
    store = Store(path)
    ids = store.add_api_tasks([task(), task("sim-0002")])
    store.close()
    db = sqlite3.connect(path)  # make it look like the first release's table
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name='tasks'").fetchone()[0]
    first = sql.replace("AUTOINCREMENT", "").split("    step ")[0].rstrip().rstrip(",") + ")"
    db.executescript(
        "ALTER TABLE tasks RENAME TO t0;"
        + first
        + "; INSERT INTO tasks SELECT id, manifest_id, manifest, source, serial, username,"
        " script_name, script_config, status, job_count, start_at, started_at, ended_at,"
        " created_at, retry_count, remark FROM t0; DROP TABLE t0; PRAGMA user_version=0;"
    )
    db.close()
    upgraded = Store(path)
    assert [upgraded.get(i).serial for i in ids] == ["sim-0001", "sim-0002"]
    assert upgraded.get(ids[0]).step_name is None
    upgraded.delete_tasks([ids[1]])
    [new] = upgraded.add_api_tasks([task()])
    assert new > ids[1]


def test_a_store_made_by_a_newer_tikrunner_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "state.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="made by a newer tikrunner"):
        Store(path)
    assert user_version(path) == len(MIGRATIONS) + 1


# -- PostgreSQL: the same steps, the version in tikrunner_schema ------------------------------


def test_a_new_postgresql_store_gets_every_step(pg_url: str):
    Store(pg_url).close()
    assert pg_version(pg_url) == len(MIGRATIONS)
    with psycopg.connect(pg_url) as db:
        columns = {
            r[0]
            for r in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'tasks'"
            )
        }
        indexes = {r[0] for r in db.execute("SELECT indexname FROM pg_indexes")}
    # the columns and indexes of the later steps are there
    assert {"step_name", "progress_text", "progress_fraction"} <= columns
    assert {"intake_log_manifest", "tasks_manifest_status"} <= indexes


def at_step(url: str, number: int) -> None:
    """Make the database at ``url`` what a tikrunner knowing only the first ``number`` steps
    left."""
    engine = PostgresEngine.__new__(PostgresEngine)  # the dialect only: no migration at open
    db = PgConnection(url)
    for step in MIGRATIONS[:number]:
        step(db, engine)
    engine.set_schema_version(db, number)
    db.close()


def test_a_postgresql_store_at_an_older_step_is_migrated_keeping_its_tasks(pg_url: str):
    at_step(pg_url, 2)  # before progress (step 3)
    with psycopg.connect(pg_url) as db:
        db.execute(
            "INSERT INTO tasks(source, serial, script_name, script_config, status, start_at,"
            " created_at, remark) VALUES ('api', 'sim-0001', 'follow', '{}', 0, 0, 1.0, 'r')"
        )
    store = Store(pg_url)
    old = store.get(1)
    assert (old.id, old.status, old.progress_text) == (1, TaskStatus.PENDING, None)
    assert store.add_api_tasks([task()]) == [2]
    store.close()
    assert pg_version(pg_url) == len(MIGRATIONS)


def test_a_postgresql_store_made_by_a_newer_tikrunner_is_refused_untouched(pg_url: str):
    Store(pg_url).close()
    with psycopg.connect(pg_url) as db:
        db.execute("UPDATE tikrunner_schema SET version = %s", (len(MIGRATIONS) + 1,))
    with pytest.raises(StoreError, match="made by a newer tikrunner") as refused:
        Store(pg_url)
    assert "\n" not in str(refused.value)
    assert "postgresql://postgres@127.0.0.1" in str(refused.value)
    assert pg_version(pg_url) == len(MIGRATIONS) + 1


def test_runners_starting_together_on_a_new_database_both_open_it(pg_url: str):
    """Migrations take turns (an advisory lock): neither runner meets the other's half-made
    tables."""
    opened: list[Store] = []
    failed: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        try:
            opened.append(Store(pg_url, runner=threading.current_thread().name))
        except BaseException as e:  # reported below
            failed.append(e)

    threads = [threading.Thread(target=open_one, name=f"r{i}") for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failed == [] and len(opened) == 4
    ids = [s.add_api_tasks([task()])[0] for s in opened]
    assert len(set(ids)) == 4
    for s in opened:
        s.close()
    assert pg_version(pg_url) == len(MIGRATIONS)
