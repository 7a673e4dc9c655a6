"""A task's ``result`` in the store (migration 7, ``tasks.result``), on both engines: stored with
the end of a run, completed or failed, handed out by every read, gone when a run starts over;
stores of step 6 are migrated keeping their tasks."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from runner.intake import NewTask
from runner.store import Store, TaskStatus, task_object
from runner.store.migrations import MIGRATIONS
from runner.store.postgres import PgConnection, PostgresEngine
from runner.store.sqlite import SqliteEngine
from tests.stores import claiming_store

PROFILE = {"username": "chef.mario", "followers": 3_800_000, "bio": "Pâtes «fraîches»\n🍝",
           "videos": [{"url": "https://www.tiktok.com/@chef.mario/video/7301"}]}  # fmt: skip


def scrape(serial: str = "sim-0001") -> NewTask:
    return NewTask(
        serial=serial,
        username=None,
        script_name="scrape_user",
        script_config={"target_users": ["chef.mario"], "video_count": 1},
        job_count=0,
        start_at=0.0,
    )


def test_a_result_is_stored_with_the_end_and_handed_out_by_every_read(
    store_url: str, tmp_path: Path
):
    store = claiming_store(store_url, tmp_path)
    [tid] = store.add_api_tasks([scrape()])
    assert store.get(tid).result is None
    claimed = store.claim_next("sim-0001", 1.0)
    assert claimed.id == tid and claimed.result is None
    store.end_tasks([tid], status=TaskStatus.COMPLETED, remark="", now=2.0, result=PROFILE)
    assert store.get(tid).result == PROFILE
    rows, total = store.list_tasks()
    assert total == 1 and rows[0].result == PROFILE
    store.close()
    reopened = claiming_store(store_url, tmp_path)
    assert task_object(reopened.get(tid), ZoneInfo("UTC"))["result"] == PROFILE


def test_a_failed_run_keeps_what_it_read_and_a_new_run_starts_without(
    store_url: str, tmp_path: Path
):
    store = claiming_store(store_url, tmp_path)
    [tid] = store.add_api_tasks([scrape()])
    store.claim_next("sim-0001", 1.0)
    missing = {"username": "chef.mario", "found": False}
    store.end_tasks([tid], status=TaskStatus.FAILED, remark="no such account", result=missing)
    assert store.get(tid).result == missing
    retried, row = store.retry_failed(tid)
    assert retried and row.result is None  # the next run starts over
    again = store.claim_next("sim-0001", store.now() + 1)
    assert again is not None and again.id == tid and again.result is None
    assert store.get(tid).result is None
    store.end_tasks([tid], status=TaskStatus.COMPLETED, remark="")  # a run that stored none
    assert store.get(tid).result is None


def test_a_sqlite_store_at_step_6_gets_the_result_column_keeping_its_tasks(tmp_path: Path):
    path = tmp_path / "state.db"
    db = sqlite3.connect(path, isolation_level=None)
    engine = SqliteEngine.__new__(SqliteEngine)
    for step in MIGRATIONS[:6]:
        step(db, engine)
    db.execute("PRAGMA user_version=6")
    db.execute(
        "INSERT INTO tasks(source, serial, script_name, script_config, status, start_at,"
        " created_at, remark) VALUES ('api', 'sim-0001', 'follow', '{}', 2, 0, 1.0, 'done')"
    )
    db.close()
    store = Store(path)
    old = store.get(1)
    assert (old.status, old.remark, old.result) == (TaskStatus.COMPLETED, "done", None)
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 7
        assert "result" in {r[1] for r in db.execute("PRAGMA table_info(tasks)")}


def test_a_postgresql_store_at_step_6_gets_the_result_column_keeping_its_tasks(pg_url: str):
    engine = PostgresEngine.__new__(PostgresEngine)
    db = PgConnection(pg_url)
    for step in MIGRATIONS[:6]:
        step(db, engine)
    engine.set_schema_version(db, 6)
    db.close()
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "INSERT INTO tasks(source, serial, script_name, script_config, status, start_at,"
            " created_at, remark) VALUES ('api', 'sim-0001', 'follow', '{}', 2, 0, 1.0, 'done')"
        )
    store = Store(pg_url)
    old = store.get(1)
    assert (old.status, old.remark, old.result) == (TaskStatus.COMPLETED, "done", None)
    store.close()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version FROM tikrunner_schema").fetchone()[0] == 7
        columns = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'tasks'"
            )
        }
    assert "result" in columns
