"""The store: task ids are never handed out twice, and stores from older versions are upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runner.intake import NewTask
from runner.store import Store


def task(serial: str = "sim-0001") -> NewTask:
    return NewTask(
        serial=serial,
        username=None,
        script_name="follow",
        script_config={"target_users": ["a"]},
        job_count=0,
        start_at=0.0,
    )


def test_a_deleted_tasks_id_is_never_reused(tmp_path: Path):
    store = Store(tmp_path / "state.db")
    [first] = store.add_api_tasks([task()])
    store.delete_tasks([first])
    [second] = store.add_api_tasks([task()])
    assert second > first
    store.close()
    reopened = Store(tmp_path / "state.db")
    reopened.delete_tasks([second])
    [third] = reopened.add_api_tasks([task()])
    assert third > second


def test_a_store_made_before_autoincrement_is_upgraded_keeping_its_tasks(tmp_path: Path):
    path = tmp_path / "state.db"
    store = Store(path)
    ids = store.add_api_tasks([task(), task("sim-0002")])
    store.close()
    db = sqlite3.connect(path)  # make it look like the first release's table
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name='tasks'").fetchone()[0]
    db.executescript(
        "ALTER TABLE tasks RENAME TO t0;"
        + sql.replace("AUTOINCREMENT", "")
        + "; INSERT INTO tasks SELECT * FROM t0; DROP TABLE t0;"
    )
    db.close()
    upgraded = Store(path)
    assert [upgraded.get(i).serial for i in ids] == ["sim-0001", "sim-0002"]
    upgraded.delete_tasks([ids[1]])
    [new] = upgraded.add_api_tasks([task()])
    assert new > ids[1]
