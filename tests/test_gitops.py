"""A workflows folder applied to the store and its schedules fired, on a fake clock: firings at the
right instants over several days, across a DST change and a restart; missed slots reported, not
run late (unless catch_up); generations, invalid files and deletions."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runner.config import Account
from runner.gitops import WorkflowFolder, describe_changes
from runner.intake import IntakeContext
from runner.status import StatusWriter
from tests.serving import load_yaml
from tests.stores import claiming_store

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def wf(name: str = "daily", *, at=("02:30", "09:00"), steps=None, **schedule) -> dict:
    spec: dict = {
        "serials": ["sim-0001", "sim-0002"],
        "steps": steps or [{"script_name": "follow", "script_config": {"target_users": ["a"]}}],
    }
    if at is not None:
        spec["schedule"] = {"at": list(at), **schedule}
    return {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": name},
        "spec": spec,
    }


class Farm:
    """A workflows folder, a store (``store``: what ``store:`` takes) and a status folder under
    ``root``, on a fake clock."""

    def __init__(self, root: Path, now: float, store: str = "sqlite"):
        self.root = root
        self.folder = root / "workflows"
        self.folder.mkdir(parents=True)
        self.store = claiming_store(store, root)
        self.status = StatusWriter(self.store, root / "status", BERLIN)
        (root / "status").mkdir()
        self.clock = Clock(now)
        self.accounts: list[Account] = [Account(username="base", serial="sim-0009")]
        self.restart()

    def context(self, now: float) -> IntakeContext:
        return IntakeContext(
            accounts=self.accounts, now=datetime.fromtimestamp(now, BERLIN), rng=random.Random(0)
        )

    def restart(self) -> None:
        """A new runner process on the same store and folder (started at the clock's now)."""
        self.runner = WorkflowFolder(
            self.folder,
            self.store,
            self.status,
            self.context,
            BERLIN,
            accounts=self.accounts,
            clock=self.clock,
        )

    def write(self, name: str, doc: dict | str) -> None:
        path = self.folder / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")

    def run_until(self, end: float, step: float = 1800) -> None:
        """Scan and tick every ``step`` seconds of fake time up to ``end``."""
        while self.clock.now < end:
            self.runner.scan()
            self.runner.tick()
            self.clock.now = min(end, self.clock.now + step)
        self.runner.scan()
        self.runner.tick()

    def firings(self, name: str = "daily") -> list[tuple[str, str]]:
        return sorted(
            (slot, outcome) for slot, _, outcome, _, _ in self.store.firings(name, limit=1000)
        )

    def status_doc(self, name: str = "daily") -> dict:
        self.status.flush()
        return load_yaml(self.root / "status" / f"{name}.status.yaml")


def test_firings_land_on_local_times_across_the_dst_change_and_a_restart(store_url, tmp_path):
    farm = Farm(tmp_path, utc(2026, 3, 27, 12), store_url)
    farm.write("daily.yaml", wf())
    farm.run_until(utc(2026, 3, 29, 5))
    farm.restart()  # a restart (clean, no time lost) in the middle
    farm.run_until(utc(2026, 3, 31, 12))
    assert farm.firings() == [
        ("2026-03-28T02:30", "fired"),
        ("2026-03-28T09:00", "fired"),
        ("2026-03-29T02:30", "fired"),  # 02:30 does not exist that night: fired at 03:30 CEST
        ("2026-03-29T09:00", "fired"),
        ("2026-03-30T02:30", "fired"),
        ("2026-03-30T09:00", "fired"),
        ("2026-03-31T02:30", "fired"),
        ("2026-03-31T09:00", "fired"),
    ]
    starts = sorted({t.start_at for t in farm.store.tasks_of_manifest("daily")})
    assert utc(2026, 3, 29, 1, 30) in starts  # 03:30 CEST
    assert utc(2026, 3, 30, 7, 0) in starts  # 09:00 CEST
    assert utc(2026, 3, 28, 8, 0) in starts  # 09:00 CET
    assert len(farm.store.tasks_of_manifest("daily")) == 8 * 2  # two phones each time
    # ticking again, or restarting again, fires nothing twice
    farm.restart()
    farm.run_until(farm.clock.now + 60)
    assert len(farm.store.tasks_of_manifest("daily")) == 16


def test_slots_missed_while_stopped_are_reported_not_run_late(store_url, tmp_path):
    farm = Farm(tmp_path, utc(2026, 6, 1, 12), store_url)
    farm.write("daily.yaml", wf(at=["09:00"]))
    farm.run_until(utc(2026, 6, 2, 12))
    farm.clock.now = utc(2026, 6, 5, 12)  # stopped for three days
    farm.restart()
    farm.run_until(utc(2026, 6, 6, 12))
    assert farm.firings() == [
        ("2026-06-02T09:00", "fired"),
        ("2026-06-03T09:00", "missed"),
        ("2026-06-04T09:00", "missed"),
        ("2026-06-05T09:00", "missed"),
        ("2026-06-06T09:00", "fired"),
    ]
    status = farm.status_doc()
    assert status["schedule"]["missed"] == 3
    assert status["observed_generation"] == 1


def test_catch_up_runs_only_the_latest_missed_slot_once(store_url, tmp_path):
    farm = Farm(tmp_path, utc(2026, 6, 1, 12), store_url)
    farm.write("daily.yaml", wf(at=["09:00"], catch_up=True))
    farm.run_until(utc(2026, 6, 1, 13))
    farm.clock.now = utc(2026, 6, 4, 12)
    farm.restart()
    farm.run_until(utc(2026, 6, 4, 13))
    assert farm.firings() == [
        ("2026-06-02T09:00", "missed"),
        ("2026-06-03T09:00", "missed"),
        ("2026-06-04T09:00", "caught_up"),
    ]
    late = [t for t in farm.store.tasks_of_manifest("daily")]
    assert len(late) == 2 and all(t.start_at >= utc(2026, 6, 4, 12) for t in late)


def test_jitter_delays_each_firing_within_its_bounds(store_url, tmp_path):
    farm = Farm(tmp_path, utc(2026, 6, 1, 0), store_url)
    farm.write("daily.yaml", wf(at=["09:00"], jitter=20))
    farm.run_until(utc(2026, 6, 11, 0), step=1800)
    starts = sorted({t.start_at for t in farm.store.tasks_of_manifest("daily")})
    assert len(starts) == 10
    for day, start in zip(range(1, 11), starts, strict=True):
        nominal = datetime(2026, 6, day, 9, 0, tzinfo=BERLIN).timestamp()
        assert nominal <= start <= nominal + 20 * 60
    assert (
        len(
            {
                round(
                    s
                    - datetime.fromtimestamp(s, BERLIN)
                    .replace(hour=9, minute=0, second=0, microsecond=0)
                    .timestamp()
                )
                for s in starts
            }
        )
        > 1
    )


def test_a_changed_file_is_a_new_generation_and_a_deleted_one_cancels_its_pending_tasks(
    store_url, tmp_path
):
    farm = Farm(tmp_path, utc(2026, 6, 1, 8), store_url)
    farm.write("once.yaml", wf("once", at=None))
    farm.run_until(utc(2026, 6, 1, 8, 1))
    assert farm.firings("once") == [("apply-1", "fired")]
    assert farm.status_doc("once")["observed_generation"] == 1

    farm.write(
        "once.yaml",
        wf(
            "once",
            at=None,
            steps=[{"script_name": "follow", "script_config": {"target_users": ["b", "c"]}}],
        ),
    )
    farm.run_until(utc(2026, 6, 1, 8, 2))
    assert farm.firings("once") == [("apply-1", "fired"), ("apply-2", "fired")]
    assert farm.status_doc("once")["observed_generation"] == 2
    assert len(farm.store.tasks_of_manifest("once")) == 2 + 4

    farm.write(
        "once.yaml",
        "apiVersion: tikrunner/v1\nkind: Workflow\nmetadata: {name: once}\nspec: {serials: [x]}\n",
    )
    farm.run_until(utc(2026, 6, 1, 8, 3))
    status = farm.status_doc("once")
    assert status["observed_generation"] == 2  # the broken file does not replace generation 2
    assert "/spec/steps" in status["error"]

    (farm.folder / "once.yaml").unlink()
    farm.run_until(utc(2026, 6, 1, 8, 4))
    tasks = farm.store.tasks_of_manifest("once")
    assert {t.remark for t in tasks} == {"cancelled: its workflow file was deleted"}
    assert "deleted" in farm.status_doc("once")


def test_accounts_file_is_the_inventory_and_is_reloaded_on_change(store_url, tmp_path):
    farm = Farm(tmp_path, utc(2026, 6, 1, 8), store_url)
    farm.write("accounts.yaml", "- {username: alice, serial: sim-0001, tags: [warmup]}\n")
    doc = wf("tagged", at=None)
    doc["spec"] = {"accounts": {"tags": ["warmup"]}, "steps": doc["spec"]["steps"]}
    farm.write("tagged.yaml", doc)
    farm.run_until(utc(2026, 6, 1, 8, 1))
    assert [(t.serial, t.username) for t in farm.store.tasks_of_manifest("tagged")] == [
        ("sim-0001", "alice")
    ]
    assert {a.username for a in farm.accounts} == {"alice", "base"}

    farm.write(
        "accounts.yaml",
        "- {username: alice, serial: sim-0001, tags: [warmup]}\n- {username: bob, serial: sim-0002, tags: [warmup]}\n",
    )
    doc["metadata"]["labels"] = {
        "v": "2"
    }  # a new generation fires again, against the new inventory
    farm.write("tagged.yaml", doc)
    farm.run_until(utc(2026, 6, 1, 8, 2))
    assert sorted((t.serial, t.username) for t in farm.store.tasks_of_manifest("tagged"))[-2:] == [
        ("sim-0001", "alice"),
        ("sim-0002", "bob"),
    ]


def test_dry_run_names_the_tasks_phones_and_times_without_changing_anything(store_url, tmp_path):
    farm = Farm(tmp_path, utc(2026, 6, 1, 6), store_url)
    farm.write("daily.yaml", wf(at=["09:00"]))
    farm.write("broken.yaml", "kind: Workflow\n")
    lines = describe_changes(farm.folder, farm.store, farm.context, BERLIN, now=farm.clock.now)
    text = "\n".join(lines)
    assert "new       daily.yaml (daily) -> generation 1" in text
    assert "next firing at 2026-06-01 09:00:00 (slot 2026-06-01T09:00): 2 tasks" in text
    assert "2026-06-01 09:00:00 sim-0002 step '1-follow': follow" in text
    assert "invalid   broken.yaml" in text
    assert farm.store.workflows() == []


@pytest.mark.parametrize("bad", ["at: []", "at: ['25:00']", "weekdays: [someday]", "jitter: -1"])
def test_bad_schedules_are_refused_with_their_pointer(store_url, tmp_path, bad):
    farm = Farm(tmp_path, utc(2026, 6, 1, 6), store_url)
    from runner.yamlsafe import load_yaml_text

    doc = wf()
    doc["spec"]["schedule"] = load_yaml_text(bad)
    farm.write("daily.yaml", doc)
    farm.run_until(utc(2026, 6, 1, 6, 1))
    assert "/spec/schedule" in farm.status_doc()["error"]


REPO = Path(__file__).parent.parent


def test_every_example_in_the_repository_validates_and_the_pre_commit_hook_runs_validate():
    import subprocess
    import sys

    files = sorted(str(p) for p in (REPO / "workflows").rglob("*.yaml"))
    assert any("gitops-example" in f for f in files)
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "validate", "--json", *files],
        capture_output=True,
        text=True,
        cwd=REPO / "workflows",  # no tikrunner.yaml here: accounts.yaml beside each file counts
    )
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    kinds = {Path(e["file"]).name: e["kind"] for e in report["files"]}
    assert kinds["daily-warmup.yaml"] == "Workflow" and kinds["accounts.yaml"] == "Accounts"
    hooks = load_yaml(REPO / ".pre-commit-hooks.yaml")
    assert hooks[0]["entry"] == "tikrunner validate"


def test_validate_refuses_a_bad_inventory_with_its_pointer(tmp_path):
    import subprocess
    import sys

    (tmp_path / "accounts.yaml").write_text("- {username: alice}\n")
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "validate", str(tmp_path / "accounts.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "/0/serial" in result.stdout


def test_a_task_with_a_bad_schedule_is_refused_by_the_folder_and_the_others_still_fire(
    store_url, tmp_path
):
    farm = Farm(tmp_path, utc(2026, 6, 1, 6), store_url)
    task = {
        "apiVersion": "tikrunner/v1",
        "kind": "Task",
        "metadata": {"name": "nightly"},
        "spec": {
            "serials": ["sim-0001"],
            "script_name": "follow",
            "script_config": {"target_users": ["@a"]},
            "schedule": {"at": ["25:00"]},
        },
    }
    farm.write("nightly.yaml", task)
    farm.write("daily.yaml", wf(at=["09:00"]))
    farm.run_until(utc(2026, 6, 1, 7, 30))  # 09:00 in Berlin
    assert "/spec/schedule/at/0" in farm.status_doc("nightly")["error"]
    assert "hour 25 is out of range 00-23" in farm.status_doc("nightly")["error"]
    assert farm.firings("daily") == [("2026-06-01T09:00", "fired")]


def _apply(tmp_path: Path, folder: Path, *args: str):
    from typer.testing import CliRunner

    from runner.cli import app

    config = tmp_path / "tikrunner.yaml"
    config.write_text(f"spool: {tmp_path / 'spool'}\ntimezone: Europe/Berlin\n")
    return CliRunner().invoke(
        app, ["apply", str(folder), "--dry-run", "--config", str(config), *args]
    )


def test_apply_dry_run_exits_1_when_a_file_is_invalid_and_prints_json(tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "daily.yaml").write_text(json.dumps(wf(at=["09:00"])))
    result = _apply(tmp_path, folder)
    assert result.exit_code == 0, result.output
    assert "new       daily.yaml (daily) -> generation 1" in result.output
    (folder / "copy.yaml").write_text(json.dumps(wf(at=["10:00"])))  # the same name: refused
    (folder / "nightly.yaml").write_text(json.dumps(wf("nightly", at=["25:00"])))
    result = _apply(tmp_path, folder)
    assert result.exit_code == 1
    assert "invalid   daily.yaml: 40001: the name 'daily' is already used by copy.yaml" in (
        result.output
    )
    report = json.loads(_apply(tmp_path, folder, "--json").output)
    assert report["valid"] is False and report["folder"] == str(folder)
    by_file = {e["file"]: e for e in report["files"]}
    assert by_file["copy.yaml"]["change"] == "new" and by_file["copy.yaml"]["generation"] == 1
    firing = by_file["copy.yaml"]["next_firing"]
    assert firing["slot"] is not None and firing["slot"].endswith("T10:00")
    at = datetime.fromisoformat(firing["at"])  # local time in the runner's zone, with offset
    assert (
        at.strftime("%H:%M:%S") == "10:00:00"
        and at.utcoffset() == at.astimezone(BERLIN).utcoffset()
    )
    assert firing["error"] is None
    assert [(t["serial"], t["step"], t["script_name"]) for t in firing["tasks"]] == [
        ("sim-0001", "1-follow", "follow"),
        ("sim-0002", "1-follow", "follow"),
    ]
    assert by_file["daily.yaml"]["change"] == "invalid"
    assert by_file["nightly.yaml"]["code"] == 40001
    assert by_file["nightly.yaml"]["errors"] == [
        {
            "pointer": "/spec/schedule/at/0",
            "message": "must be a time \"HH:MM\" from 00:00 to 23:59; got '25:00': hour 25 is "
            "out of range 00-23",
        }
    ]


def test_apply_dry_run_reports_a_bad_accounts_file_instead_of_crashing(tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "accounts.yaml").write_text("- {username: alice}\n")
    (folder / "daily.yaml").write_text(json.dumps(wf(at=None)))
    result = _apply(tmp_path, folder, "--json")
    assert result.exit_code == 1, result.output
    entry = json.loads(result.output)["files"][0]
    assert entry["file"] == "accounts.yaml" and entry["change"] == "invalid"
    assert entry["errors"][0]["pointer"] == "/0/serial"


def test_a_generation_stored_with_an_unreadable_schedule_does_not_stop_the_others(
    store_url, tmp_path
):
    farm = Farm(tmp_path, utc(2026, 6, 1, 6), store_url)
    bad = wf("old", at=["25:00"])  # applied by a tikrunner that did not check Task schedules yet
    farm.store.apply_workflow(
        name="old",
        path=str(farm.folder / "old.yaml"),
        sha256="x",
        kind="Task",
        document=bad,
        now=farm.clock.now,
    )
    farm.write("old.yaml", bad)  # now refused on reading: the stored generation stays in force
    farm.write("daily.yaml", wf(at=["09:00"]))
    farm.run_until(utc(2026, 6, 1, 7, 30))  # 09:00 in Berlin
    assert farm.firings("daily") == [("2026-06-01T09:00", "fired")]
    assert farm.firings("old") == []
    status = farm.status_doc("old")
    assert "hour 25 is out of range" in status["error"]  # the file as it is now
    assert status["schedule"]["error"] == (  # the generation in force
        "its schedule cannot be read: '25:00' is not a time of day (00:00-23:59)"
    )


def test_a_new_generation_is_never_shown_completed_before_its_tasks_exist(store_url, tmp_path):
    """Status files are written whenever a manifest is marked (the writer wakes at once): the
    scan that applies generation 2 must not have its status written before the same pass fires
    it, or generation 2 reads 'completed' with generation 1's counts."""
    from runner.models.task import TaskStatus

    farm = Farm(tmp_path, utc(2026, 6, 1, 6), store_url)
    written: list[dict] = []
    mark = farm.status.mark

    def mark_and_write(*names):  # the writer's loop, as soon as it is woken
        mark(*names)
        if "once" in names:
            written.append(farm.status_doc("once"))

    farm.status.mark = mark_and_write
    farm.write("once.yaml", wf("once", at=None))
    farm.runner.scan_and_tick()
    for task in farm.store.tasks_of_manifest("once"):
        farm.store.claim_next(task.serial, now=farm.clock.now)
        farm.store.finish(task.id, TaskStatus.COMPLETED, "done", now=farm.clock.now)
    doc = wf("once", at=None)
    doc["spec"]["steps"][0]["script_config"]["target_users"] = ["b"]
    farm.write("once.yaml", doc)
    written.clear()
    farm.runner.scan_and_tick()
    assert written, "generation 2's status was written"
    for status in written:
        if status["observed_generation"] == 2:
            assert status["counts"].get("pending", 0) == 2, status
