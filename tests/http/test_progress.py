"""A warm-up's progress as a client sees it (docs/spec/local-api.md, "Task object", ``progress``):
growing over the API while it runs on simulated phones, kept after it ends, in the task list and
the status file alike, and written to the store about once a second per task."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.http.conftest import LiveRunner, data
from tests.stores import statements

DURATION = 5  # seconds of warm-up


def test_a_warmup_shows_its_progress_growing_while_it_runs_and_keeps_the_last(
    store_url: str, tmp_path: Path
):
    live = LiveRunner(tmp_path, simulate=3, store=store_url).start()
    try:
        updates = statements(live.runner.store, lambda sql: "SET progress_text" in sql)
        created = data(
            live.client.post(
                "/task",
                json={
                    "serials": live.serials,
                    "script_name": "account_warmup",
                    "script_config": {
                        "task_duration": DURATION,
                        "min_duration": 0.3,
                        "max_duration": 0.6,
                    },
                },
            )
        )
        first, *others = created["task_ids"]

        def measured_while_running(above: float = -1.0):
            task = live.task(first)
            assert task["status"] in (0, 1), task  # it must not end before we saw it grow
            progress = task["progress"]
            if task["status"] == 1 and progress and (progress["fraction"] or -1) > above:
                return progress

        seen = live.wait(measured_while_running, what="a measured progress")
        assert seen["text"].startswith("watched ") and 0 <= seen["fraction"] < 1
        grown = live.wait(lambda: measured_while_running(seen["fraction"]), what="it to grow")
        assert grown["fraction"] > seen["fraction"]

        for task_id in created["task_ids"]:
            done = live.wait_status(task_id, 2, timeout=30)
            watched = int(done["remark"].split()[1])  # "watched N videos in S s: ..."
            assert done["progress"]["text"] == f"watched {watched} videos, 5 of 5 s"
            assert done["progress"]["fraction"] == 1.0
            assert done["progress"]["updated"] <= done["end_time"]
        listed = {t["id"]: t for t in data(live.client.get("/task"))["list"]}
        assert listed[first]["progress"] == live.task(first)["progress"]

        # the status file carries the same object (it is written after the end)
        manifest = live.task(first)["manifest"]
        row = live.wait(
            lambda: next(
                (
                    t
                    for t in (live.status_file(manifest) or {}).get("tasks", [])
                    if t["id"] == first and t["status"] == 2
                ),
                None,
            ),
            what="the status file",
        )
        assert row["progress"] == live.task(first)["progress"]

        # throttled: about one write a second per task, however often the script reported
        times = [live.task(i) for i in created["task_ids"]]
        seconds = max(
            (
                datetime.fromisoformat(t["end_time"]) - datetime.fromisoformat(t["start_time"])
            ).total_seconds()
            for t in times
        )
        assert len(updates) <= 3 * (seconds + 3), (len(updates), seconds)
        assert live.runner.farm.progress.writes <= seconds + 3 + 3  # batches + the 3 last values
        assert others
    finally:
        live.stop()


def test_a_report_after_the_task_ended_changes_nothing(store_url: str, tmp_path: Path, monkeypatch):
    """A script that keeps its context and reports once its task has ended (a straggler: a
    thread it started, say) changes neither the progress nor the end the client sees."""
    import trio

    from runner import scripts

    kept = []

    async def follow_keeping_its_context(ctx, session, steps) -> str:
        kept.append(ctx)
        async with steps.step("tap Follow"):
            ctx.progress("followed 1 of 1", 1.0)
        return ""

    monkeypatch.setitem(scripts.SCRIPTS, "follow", follow_keeping_its_context)
    live = LiveRunner(tmp_path, simulate=1, store=store_url).start()
    try:
        [task_id] = data(
            live.client.post(
                "/task",
                json={
                    "serials": live.serials,
                    "script_name": "follow",
                    "script_config": {"target_users": ["alice"], "access_method": "direct"},
                },
            )
        )["task_ids"]
        ended = live.wait_status(task_id, 2)
        assert ended["progress"]["text"] == "followed 1 of 1"  # the last report stays
        [ctx] = kept
        trio.from_thread.run_sync(ctx.progress, "late", 0.1, trio_token=live._token)
        assert live.runner.farm.progress.flush() == []  # nothing left to write
        assert live.task(task_id) == ended
    finally:
        live.stop()
