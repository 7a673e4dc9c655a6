"""A damaged or emptied ``state.db`` stops ``tikrunner serve`` with one line saying what is wrong
and what to do, loses nothing, and task ids stay unique when the operator starts a fresh store."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from runner.intake import NewTask
from runner.status import dump_status
from runner.store import Store, StoreError
from runner.store.ids import BLOCK

TASKS = 3000  # enough rows for a store of many pages (a truncated file loses real data)


def task(i: int = 0) -> NewTask:
    return NewTask(
        serial=f"sim-{i % 4:04d}",
        username=None,
        script_name="follow",
        script_config={"target_users": [f"user{i}"]},
        job_count=0,
        start_at=0.0,
    )


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, int]:
    """A closed store's bytes holding TASKS pending tasks, and its highest id."""
    path = tmp_path_factory.mktemp("filled") / "state.db"
    store = Store(path)
    ids = store.add_api_tasks([task(i) for i in range(TASKS)])
    store.close()
    return path.read_bytes(), ids[-1]


def serve(root: Path) -> subprocess.CompletedProcess[str]:
    config = root / "tikrunner.yaml"
    config.write_text(
        json.dumps({"spool": str(root / "spool"), "adb": ["127.0.0.1:9"], "http": None}),
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "runner.cli", "serve", "--config", str(config), "--no-http"],
        env=dict(os.environ, ADBUTILS_ADB_PATH="/bin/false"),
        capture_output=True,
        text=True,
        timeout=60,
    )


DAMAGE = {
    "emptied": (lambda good: b"", "is empty (0 bytes)"),
    "garbage": (lambda good: bytes(range(256)) * (len(good) // 256), "is not a SQLite database"),
    "truncated": (lambda good: good[: len(good) // 2], "is damaged (SQLite: "),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_store_stops_serve_with_one_line_and_loses_nothing(
    tmp_path: Path, filled: tuple[bytes, int], damage: str
):
    good, highest = filled
    spool = tmp_path / "spool"
    (spool / "incoming").mkdir(parents=True)
    make, what = DAMAGE[damage]
    Store(spool / "state.db").close()  # a store that handed out ids up to `highest` ...
    (spool / "state.db").write_bytes(good)
    Store(spool / "state.db").close()
    bad = make(good)
    (spool / "state.db").write_bytes(bad)  # ... then emptied, overwritten or cut short
    waiting = spool / "incoming" / "later.json"
    waiting.write_text("{}", encoding="utf-8")

    result = serve(tmp_path)

    assert result.returncode == 2, result.stderr
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(said) == 1, result.stderr
    [line] = said
    assert line.startswith(f"tikrunner: store {spool / 'state.db'} {what}"), line
    assert "restore state.db from a backup, or move it aside" in line
    assert line.endswith(f"task ids will continue above {highest + BLOCK}")  # the ceiling
    assert (spool / "state.db").read_bytes() == bad  # nothing written over what is left
    assert waiting.exists()  # the spool was not touched

    # The operator moves it aside as told: a fresh store never hands out an id it gave before.
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        if (spool / name).exists():
            (spool / name).rename(spool / f"{name}.damaged")
    fresh = Store(spool / "state.db")
    [new] = fresh.add_api_tasks([task()])
    assert new > highest
    fresh.close()


def test_a_fresh_store_continues_above_the_ids_the_spool_still_names(tmp_path: Path):
    """No ``task-ids`` file (a spool of an earlier release): the ids of the status files and
    artifact folders left in the spool are a floor for the fresh store."""
    spool = tmp_path / "spool"
    (spool / "status").mkdir(parents=True)
    (spool / "artifacts" / "5120").mkdir(parents=True)
    doc = {"manifest": "daily", "phase": "pending", "tasks": [{"id": 6398, "serial": "sim-0001"}]}
    (spool / "status" / "daily.status.yaml").write_text(dump_status(doc), encoding="utf-8")
    (spool / "status" / "api-6000.status.yaml").write_text("manifest: x\n", encoding="utf-8")
    store = Store(spool / "state.db")
    assert store.add_api_tasks([task()]) == [6399]
    store.close()


def test_a_store_holding_no_tables_is_refused(tmp_path: Path):
    """A SQLite file that is not a tikrunner store (its tables lost with a deleted -wal file,
    say) is not taken for a fresh one."""
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("CREATE TABLE other (x)")
    with pytest.raises(StoreError, match="holds no tikrunner store"):
        Store(tmp_path / "state.db")


def test_a_missing_store_is_created_fresh_and_ids_survive_its_loss(tmp_path: Path):
    store = Store(tmp_path / "state.db")
    assert store.add_api_tasks([task(), task(1)]) == [1, 2]
    store.close()
    (tmp_path / "state.db").unlink()  # lost without a trace, -wal and all
    again = Store(tmp_path / "state.db")
    [new] = again.add_api_tasks([task()])
    assert new > 2
    again.close()
    assert not list(tmp_path.glob(".state.db.new*"))


def test_apply_dry_run_says_the_same_line_for_a_damaged_store(tmp_path: Path, capsys):
    from runner.gitops_cli import run_apply

    (tmp_path / "workflows").mkdir()
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "state.db").write_bytes(b"")
    code = run_apply(tmp_path / "workflows", dry_run=True, config_path=None, spool=spool)
    assert code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"tikrunner apply: store {spool / 'state.db'} is empty (0 bytes)")
    assert (spool / "state.db").read_bytes() == b""


def test_a_store_moved_aside_without_its_wal_file_is_not_replaced(tmp_path: Path):
    """SQLite would replay a leftover -wal file into a fresh store of the same name."""
    store = Store(tmp_path / "state.db")
    store.add_api_tasks([task()])
    (tmp_path / "state.db").rename(tmp_path / "state.db.old")  # -wal left behind, still open
    with pytest.raises(StoreError, match="is missing but state.db-wal"):
        Store(tmp_path / "state.db")
    store.close()
