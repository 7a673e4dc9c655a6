"""``tikrunner validate`` says what serving does: for every example of the repository and a set of
hostile files, validate's verdict (valid or not, and the code) equals what a real spool and a
real workflows folder (real store, real intake) make of the same file with the same
tikrunner.yaml."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from runner.cli import app
from runner.config import load_config
from runner.engine import make_planner
from runner.gitops import WorkflowFolder
from runner.intake import IntakeContext
from runner.spool import Spool
from runner.status import StatusWriter
from runner.store import Store

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = (ROOT / "workflows/gitops-example/accounts.yaml").read_text()

WORKFLOW = """\
apiVersion: tikrunner/v1
kind: Workflow
metadata: {{name: {name}}}
spec:
  {units}
  {schedule}
  steps:
    - {{name: follow, script_name: follow, script_config: {{target_users: ["@a"]}}}}
"""
TASK = """\
apiVersion: tikrunner/v1
kind: Task
metadata: {{name: {name}}}
spec:
  serials: [sim-0001]
  script_name: follow
  script_config: {{target_users: ["@a"]}}
  {schedule}
"""

HOSTILE: dict[str, str | bytes] = {
    "task-scheduled.yaml": TASK.format(name="ts", schedule="schedule: {at: ['09:00']}"),
    "task-bad-schedule.yaml": TASK.format(name="tb", schedule="schedule: {at: ['25:00']}"),
    "task-schedule-null.yaml": TASK.format(name="tn", schedule="schedule: null"),
    "wf-scheduled.yaml": WORKFLOW.format(
        name="w1", units="serials: [sim-0001]", schedule="schedule: {at: ['09:00']}"
    ),
    "wf-bad-schedule.yaml": WORKFLOW.format(
        name="w2", units="serials: [sim-0001]", schedule="schedule: {at: ['9:00'], jitter: 999}"
    ),
    "wf-no-tagged-account.yaml": WORKFLOW.format(
        name="w3", units="accounts: {tags: [nobody]}", schedule=""
    ),
    "wf-tagged.yaml": WORKFLOW.format(name="w4", units="accounts: {tags: [warmup]}", schedule=""),
    "wf-two-units.yaml": WORKFLOW.format(
        name="w5", units="serials: [sim-0001]\n  usernames: [sim_user_1]", schedule=""
    ),
    "wf-unknown-user.yaml": WORKFLOW.format(name="w6", units="usernames: [ghost]", schedule=""),
    "github-ci.yml": "on: push\njobs:\n  test: {runs-on: ubuntu-latest, steps: []}\n",
    "compose.yaml": "services: {web: {image: nginx}}\n",
    "broken.yaml": "serials: [sim-0001\nscript_name: follow\n",
    "list.yaml": "- a\n- b\n",
    "empty.yaml": "",
    "dup-key.yaml": "serials: [sim-0001]\nserials: [sim-0002]\n",
    "no-script.yaml": "serials: [sim-0001]\nscript_config: {}\n",
    "like.yaml": "serials: [sim-0001]\nscript_name: like\nscript_config: {}\n",
    "string-int.yaml": "serials: [sim-0001]\nscript_name: post\nscript_config: {}\n"
    "min_interval: '5'\n",
    "unknown-user.yaml": "usernames: [ghost]\nscript_name: post\nscript_config: {}\n",
    "known-user.yaml": "usernames: ['@sim_user_2']\nscript_name: post\nscript_config: {}\n",
    "api-reserved.yaml": TASK.format(name="api-7", schedule=""),
    "notes.txt": "serials: [sim-0001]\nscript_name: post\nscript_config: {}\n",
    ".hidden.yaml": "serials: [sim-0001]\nscript_name: post\nscript_config: {}\n",
    "half.yaml.tmp": "serials: [sim-0001]\nscript_name: post\nscript_config: {}\n",
    "n" * 236 + ".yaml": "serials: [sim-0001]\nscript_name: post\nscript_config: {}\n",
    "huge.json": b'{"serials": ["sim-0001"], "script_name": "post", "script_config": {}, "x": "'
    + b"y" * 2000
    + b'"}',
    "binary.yaml": b"\xff\xfe\x00garbage",
}


def _examples() -> dict[str, str | bytes]:
    """Every example of the repository: the vendor's bodies (serials mapped onto the simulated
    farm, material paths onto real files under the material root) and the workflows/ folders."""
    out: dict[str, str | bytes] = {}
    for path in sorted((ROOT / "tests/examples").glob("*.json")):
        body = json.loads(path.read_text())
        if "serials" in body:
            body["serials"] = [f"sim-000{s[-1]}" for s in body["serials"]]
        config = body["script_config"]
        for key in ("material_list", "material_path", "comment_image_path"):
            if key in config:
                real = "MEDIA/folder" if key == "material_path" else "MEDIA/clip.mp4"
                config[key] = [real] if key == "material_list" else real
        out[path.name] = json.dumps(body)
    for path in sorted((ROOT / "workflows").rglob("*.yaml")):
        if path.name != "accounts.yaml":
            out[f"{path.parent.name}-{path.name}"] = path.read_bytes()
    return out


FILES = {**_examples(), **HOSTILE}


class Place:
    """A tikrunner.yaml (inventory, zone, small size cap, material root), a spool and a
    workflows folder (with the gitops example's accounts.yaml) under one root."""

    def __init__(self, root: Path):
        self.root = root
        media = root / "media"
        (media / "folder").mkdir(parents=True)
        (media / "clip.mp4").write_bytes(b"\x00" * 16)
        (media / "folder" / "a.jpg").write_bytes(b"\xff\xd8")
        (root / "tikrunner.yaml").write_text(
            f"spool: {root / 'spool'}\ntimezone: UTC\nmax_manifest_bytes: 1500\n"
            f"material_roots: [{media}]\nworkflows: {root / 'workflows'}\n"
            "accounts:\n  - {username: sim_user_9, serial: sim-0009, tags: [spare]}\n"
        )
        self.config = load_config(root / "tikrunner.yaml")
        self.incoming = root / "spool" / "incoming"
        self.incoming.mkdir(parents=True)
        self.folder = root / "workflows"
        self.folder.mkdir()
        (self.folder / "accounts.yaml").write_text(ACCOUNTS)
        self.store = Store(root / "state.db")
        self.status = StatusWriter(self.store, root / "spool" / "status", self.config.tz())

    def validate(self, path: Path, *args: str) -> dict:
        old = Path.cwd()
        os.chdir(self.root)  # validate reads ./tikrunner.yaml, as serve does
        try:
            result = CliRunner().invoke(app, ["validate", "--json", *args, str(path)])
        finally:
            os.chdir(old)
        assert result.exit_code in (0, 1), result.output
        (entry,) = json.loads(result.output)["files"]
        return entry

    def spool(self, name: str) -> tuple[bool, int | None]:
        """What a real spool makes of incoming/NAME: (taken, refusal code), the workflows folder
        applied first, as ``serve`` starts (its accounts.yaml joins the runner's inventory)."""
        self.workflows().scan()
        spool = Spool(
            self.root / "spool",
            self.store,
            make_planner(self.config),
            self.status,
            self.config.tz(),
            settle_time=0.0,
            max_bytes=self.config.max_manifest_bytes,
        )
        outcomes, _ = spool.scan()
        if not outcomes:
            return False, None  # left alone in incoming/: never taken
        (outcome,) = outcomes
        return outcome.outcome != "rejected", outcome.error.code if outcome.error else None

    def workflows(self) -> WorkflowFolder:
        """The workflows folder as ``serve --workflows`` wires it (runner/engine.py)."""
        return WorkflowFolder(
            self.folder,
            self.store,
            self.status,
            lambda now: IntakeContext.from_config(self.config, now),
            self.config.tz(),
            accounts=self.config.accounts,
        )

    def folder_scan(self, path: Path) -> tuple[bool, int | None]:
        """What a real workflows folder makes of PATH: (applied, refusal code)."""
        self.workflows().scan()
        rows = [w for w in self.store.workflows() if Path(w.path) == path.absolute()]
        if not rows:
            return False, None  # left alone: not a manifest file of the folder
        (row,) = rows
        if row.error is not None:
            return False, int(row.error.split(":")[0])
        return True, None

    def drop(self, folder: Path, name: str, content: str | bytes) -> Path:
        """Write FOLDER/NAME (MEDIA: the material root), its mtime 5 s old."""
        if isinstance(content, str):
            content = content.replace("MEDIA", str(self.root / "media")).encode()
        path = folder / name
        path.write_bytes(content)
        old = time.time() - 5
        os.utime(path, (old, old))
        return path


def _verdict(entry: dict) -> tuple[bool, int | None]:
    return entry["valid"], entry.get("code")


@pytest.mark.parametrize("name", sorted(FILES))
def test_validate_for_the_spool_says_what_the_spool_does(tmp_path, name):
    place = Place(tmp_path)
    path = place.drop(place.incoming, name, FILES[name])
    entry = place.validate(path)  # in incoming/: judged for the spool without --for
    assert entry.get("target", "spool") == "spool"
    served = place.spool(name)
    assert _verdict(entry)[0] == served[0], entry
    if served[1] is not None:
        assert entry["code"] == served[1], entry


@pytest.mark.parametrize("name", sorted(FILES))
def test_validate_for_a_workflows_folder_says_what_the_folder_does(tmp_path, name):
    place = Place(tmp_path)
    path = place.drop(place.folder, name, FILES[name])
    entry = place.validate(path)  # accounts.yaml beside it: judged for a workflows folder
    assert entry.get("target", "workflows") == "workflows"
    served = place.folder_scan(path)
    assert _verdict(entry)[0] == served[0], entry
    if served[1] is not None:
        assert entry["code"] == served[1], entry


def test_the_hostile_set_shows_both_targets_differ_where_serving_does(tmp_path):
    """The cases the agreement tests rest on: a schedule is refused by the spool and taken by a
    workflows folder; a bad Task schedule is refused by both (the folder took it before)."""
    place = Place(tmp_path)
    scheduled = place.drop(place.root, "scheduled.yaml", FILES["task-scheduled.yaml"])
    bad = place.drop(place.root, "bad.yaml", FILES["task-bad-schedule.yaml"])
    assert _verdict(place.validate(scheduled, "--for", "spool")) == (False, 40001)
    assert _verdict(place.validate(scheduled, "--for", "workflows")) == (True, None)
    assert _verdict(place.validate(bad, "--for", "workflows")) == (False, 40001)
    in_folder = place.drop(place.folder, "bad.yaml", FILES["task-bad-schedule.yaml"])
    assert place.folder_scan(in_folder) == (False, 40001)


SCHEDULE_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "at": st.one_of(
            st.lists(
                st.sampled_from(["09:00", "9:00", "23:59", "24:00", "12:60", "ab:cd", ""]),
                max_size=3,
            ),
            st.sampled_from(["09:00", None, 9]),
        ),
        "weekdays": st.lists(st.sampled_from(["mon", "sun", "Monday", ""]), max_size=2),
        "jitter": st.sampled_from([0, 15, -1, 721, "5", 1.5]),
        "catch_up": st.sampled_from([True, "yes"]),
        "every": st.just("1h"),
    },
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schedule=SCHEDULE_VALUES, kind=st.sampled_from(["Task", "Workflow"]))
def test_any_schedule_gets_the_folders_verdict_and_a_precise_message(
    tmp_path_factory, schedule, kind
):
    place = Place(tmp_path_factory.mktemp("s"))
    text = (TASK if kind == "Task" else WORKFLOW).format(
        name="s", units="serials: [sim-0001]", schedule=f"schedule: {json.dumps(schedule)}"
    )
    path = place.drop(place.folder, "s.yaml", text)
    entry = place.validate(path)
    assert _verdict(entry)[0] == place.folder_scan(path)[0], entry
    for error in entry.get("errors", []):
        assert "is not valid under any of the given schemas" not in error["message"]
        assert error["pointer"].startswith("/spec/schedule"), entry
