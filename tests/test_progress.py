"""A task's progress (the task object's ``progress``, docs/spec/local-api.md, "Task object"):
reports reach the store throttled, the last one stays after the end, a late report changes
nothing, old stores are upgraded, and the scripts report what they see on the simulated phones.

Real stores on both engines (``store_url``); trio's mock clock for the throttle (writes are
counted, never timed)."""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import trio
import trio.testing
from hypothesis import example, given
from hypothesis import strategies as st

from runner.intake import NewTask
from runner.models import TaskProgress, clean_progress
from runner.progress import ProgressBoard
from runner.sim import SimFarm
from runner.store import Store, TaskStatus, task_object
from runner.store.migrations import MIGRATIONS
from runner.store.tasks import ProgressReport
from tests.devices.simfarm import make_ctx, run_tasks
from tests.scripts.harness import context_of, plan, run_contexts
from tests.stores import claiming_store, statements

V2_LAYOUT = Path(__file__).with_name("state_v2.sql")  # the store before progress (migration 2)
UTC = ZoneInfo("UTC")
EPOCH = 1_800_000_000.0  # report times under the mock clock: EPOCH + trio time


def new_task(serial: str = "sim-0001") -> NewTask:
    return NewTask(
        serial=serial,
        username=None,
        script_name="account_warmup",
        script_config={},
        job_count=0,
        start_at=0.0,
    )


def running(store: Store, serial: str = "sim-0001", now: float = 100.0):
    [task_id] = store.add_api_tasks([new_task(serial)])
    task = store.claim_next(serial, now=now)
    assert task is not None and task.id == task_id
    return task


def progress_updates(store: Store) -> list[str]:
    """Every SQL statement the store runs from now on that writes a progress."""
    return statements(store, lambda sql: sql.lstrip().startswith("UPDATE tasks SET progress_text"))


async def in_place(fn):
    return fn()


def board_of(store: Store, **kw) -> ProgressBoard:
    return ProgressBoard(store, clock=lambda: EPOCH + trio.current_time(), run_sync=in_place, **kw)


# -- the throttle ---------------------------------------------------------------------------


def test_45_tasks_reporting_every_10_ms_make_about_one_write_a_second(
    store_url: str, tmp_path: Path
):
    store = claiming_store(store_url, tmp_path)
    tasks = [running(store, f"sim-{i:04d}") for i in range(45)]
    board = board_of(store)
    writes = progress_updates(store)
    seen_midway: dict[int, str | None] = {}

    async def script(task, report) -> None:
        for i in range(1000):  # 10 s of mock time
            report(f"step {i}", i / 999)
            if i == 500:
                seen_midway[task.id] = store.get(task.id).progress_text
            await trio.sleep(0.01)
        await board.close(task)

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(board.run)
            async with trio.open_nursery() as scripts:
                for task in tasks:
                    scripts.start_soon(script, task, board.open(task))
            nursery.cancel_scope.cancel()

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    # 45,000 reports over 10 s: about one batch a second (one transaction each), plus the
    # 45 last values written as each task ended
    assert 45 * 9 <= len(writes) <= 45 * 12, len(writes)
    assert 9 <= board.writes <= 12 + 45, board.writes
    # the store followed within about a second of reports (100 of them)
    assert all(int(text.split()[1]) >= 400 for text in seen_midway.values()), seen_midway
    for task in tasks:  # the last report is what stays
        row = store.get(task.id)
        assert (row.progress_text, row.progress_fraction) == ("step 999", 1.0)
        assert row.progress_at == EPOCH + 9.99


def test_without_the_writer_the_last_report_is_still_written_at_the_end(
    store_url: str, tmp_path: Path
):
    store = claiming_store(store_url, tmp_path)
    task = running(store)
    board = board_of(store)
    writes = progress_updates(store)
    report = board.open(task)

    async def main() -> None:
        for i in range(300):
            report(f"video {i}", None)
        await board.close(task)

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert len(writes) == 1
    assert store.get(task.id).progress_text == "video 299"


# -- the end -----------------------------------------------------------------------------------


def test_a_report_after_the_end_changes_nothing(store_url: str, tmp_path: Path):
    store = claiming_store(store_url, tmp_path)
    task = running(store)
    board = board_of(store)
    report = board.open(task)
    writes = progress_updates(store)

    async def main() -> None:
        report("watched 39 videos, 590 of 600 s", 590 / 600)
        board.flush()
        report("watched 40 videos, 600 of 600 s", 1.0)
        await board.close(task)  # what the worker does before recording the end
        store.finish(task.id, TaskStatus.COMPLETED, "watched 40 videos in 600 s")
        report("watched 41 videos, 610 of 600 s", 1.0)  # a straggler
        assert board.flush() == []

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert len(writes) == 2
    ended = store.get(task.id)
    assert ended.status == TaskStatus.COMPLETED and ended.remark == "watched 40 videos in 600 s"
    assert task_object(ended, UTC)["progress"] == {
        "text": "watched 40 videos, 600 of 600 s",
        "fraction": 1.0,
        "updated": "2027-01-15 08:00:00",
    }


def test_the_store_takes_a_report_only_for_the_run_it_belongs_to(store_url: str, tmp_path: Path):
    store = claiming_store(store_url, tmp_path)

    def report(task, text: str, started_at: float | None = None) -> list[int]:
        when = task.started_at if started_at is None else started_at
        return store.record_progress([ProgressReport(task.id, when, text, 0.5, 200.0)])

    done = running(store, "sim-0001")
    assert report(done, "last words") == [done.id]
    store.finish(done.id, TaskStatus.COMPLETED, "")
    failed = running(store, "sim-0002")
    store.finish(failed.id, TaskStatus.FAILED, "stopped")
    benched = running(store, "sim-0003")
    store.end_tasks([benched.id], status=TaskStatus.PENDING, remark="waiting: phone benched")
    deleted = running(store, "sim-0004")
    store.end_tasks([deleted.id], status=TaskStatus.FAILED, remark="deleted", delete=True)
    for task in (done, failed, benched, deleted):
        assert report(task, "too late") == []
    assert store.get(done.id).progress_text == "last words"
    assert store.get(failed.id).progress_text is None
    # a retry is a new run: the old run's reports do not land in it, and it starts with none
    ok, _ = store.retry_failed(failed.id)
    assert ok
    later = time.time() + 1  # retried tasks are due now
    again = store.claim_next("sim-0002", now=later)
    assert again.id == failed.id and again.started_at == later
    assert report(again, "old run", started_at=failed.started_at) == []
    assert report(again, "new run") == [failed.id]
    assert store.get(failed.id).progress_text == "new run"


def test_a_task_that_starts_again_shows_no_progress_until_it_reports(
    store_url: str, tmp_path: Path
):
    store = claiming_store(store_url, tmp_path)
    task = running(store)
    store.record_progress([ProgressReport(task.id, task.started_at, "uploading 40%", 0.4, 150.0)])
    store.finish(task.id, TaskStatus.FAILED, "the upload did not finish")
    assert task_object(store.get(task.id), UTC)["progress"]["text"] == "uploading 40%"
    store.retry_failed(task.id)
    again = store.claim_next("sim-0001", now=time.time() + 1)
    assert again.progress_text is None
    assert task_object(store.get(task.id), UTC)["progress"] is None


# -- the migration -----------------------------------------------------------------------------


def test_a_store_at_migration_2_is_upgraded_in_place_keeping_its_tasks(tmp_path: Path):
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    db.executescript(V2_LAYOUT.read_text())
    for i, status in enumerate((0, 1, 2, 3), start=1):
        db.execute(
            "INSERT INTO tasks(id, source, serial, script_name, script_config, status, start_at,"
            " started_at, created_at, remark) VALUES (?, 'api', ?, 'account_warmup', ?, ?, 0,"
            " ?, 1.0, 'r')",
            (i, f"sim-000{i}", json.dumps({}), status, None if status == 0 else 50.0),
        )
    db.commit()
    db.close()

    store = Store(path)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 3
    tasks = [store.get(i) for i in (1, 2, 3, 4)]
    assert [t.status for t in tasks] == list(TaskStatus)
    assert [task_object(t, UTC)["progress"] for t in tasks] == [None] * 4
    # the task that was running when the old version stopped can take a report
    assert store.record_progress([ProgressReport(2, 50.0, "video 3", None, 60.0)]) == [2]
    assert task_object(store.get(2), UTC)["progress"] == {
        "text": "video 3",
        "fraction": None,
        "updated": "1970-01-01 00:01:00",
    }


# -- cleaning ----------------------------------------------------------------------------------


@given(st.text(), st.one_of(st.none(), st.floats(), st.integers(), st.booleans(), st.text()))
@example("a\nb\t c  ", 1.7)
@example("x" * 500, float("nan"))
def test_any_report_is_cleaned_into_a_valid_progress(text, fraction):
    line, value = clean_progress(text, fraction)
    assert "\n" not in line and line == line.strip() and len(line) <= 200
    assert value is None or 0.0 <= value <= 1.0
    if isinstance(fraction, float) and math.isfinite(fraction):
        assert value == round(min(1.0, max(0.0, fraction)), 4)
    TaskProgress(text=line, fraction=value, updated="2026-11-22 10:15:06")


def test_secrets_never_reach_the_stored_progress(store_url: str, tmp_path: Path):
    store = claiming_store(store_url, tmp_path)
    task = running(store)
    board = board_of(store)
    report = board.open(task, secrets=["sk-SECRET-1234"])

    async def main() -> None:
        report("comment from sk-SECRET-1234 endpoint")
        await board.close(task)

    trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))
    assert store.get(task.id).progress_text == "comment from *** endpoint"


# -- the scripts, on simulated phones ----------------------------------------------------------


def collecting(ctx):
    reports: list[tuple[str, float | None]] = []
    return dataclasses.replace(ctx, report=lambda t, f=None: reports.append((t, f))), reports


def test_warmup_reports_videos_and_seconds_growing_to_the_whole_duration():
    farm = SimFarm(1, seed=51)
    body = {
        "serials": ["sim-0001"],
        "script_name": "account_warmup",
        "script_config": {"task_duration": 2, "min_duration": 0.3, "max_duration": 0.5},
    }
    ctx, reports = collecting(context_of(plan(body, farm.accounts)[0]))
    [remark] = run_contexts(farm, [ctx]).values()
    measured = [(t, f) for t, f in reports if f is not None]
    fractions = [f for _, f in measured]
    assert fractions == sorted(fractions) and fractions[0] < 0.5
    watched = int(remark.split()[1])
    assert measured[-1] == (f"watched {watched} videos, 2 of 2 s", 1.0)
    assert any(t.startswith("watched 1 videos,") for t, _ in measured)


def test_post_reports_its_steps_and_the_upload_percentage_it_sees(tmp_path: Path):
    farm = SimFarm(1, seed=31, upload_seconds=2.0)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"clip")
    body = {
        "serials": ["sim-0001"],
        "script_name": "post",
        "script_config": {"material_list": [str(video)], "post_way": "addButton"},
    }
    ctx, reports = collecting(context_of(plan(body, farm.accounts)[0]))
    assert list(run_contexts(farm, [ctx]).values()) == [""]
    texts = [t for t, _ in reports]
    for step in ("push media", "tap Post", "wait for the upload", "check the post"):
        assert step in texts, texts
    uploads = [(t, f) for t, f in reports if t.startswith("uploading ")]
    assert uploads, texts
    assert all(f == int(t.removeprefix("uploading ").rstrip("%")) / 100 for t, f in uploads)


def test_follow_reports_each_step_it_takes():
    farm = SimFarm(1, seed=1)
    ctx, reports = collecting(make_ctx("sim-0001", "follow", "@alice", access_method="direct"))
    assert run_tasks(farm, "sim-0001", [ctx]) == [""]
    texts = [t for t, _ in reports]
    assert texts[0] == "health check" and texts[-1] == "tap Follow", texts
    assert "open profile" in texts
    assert all(f is None for _, f in reports)
