"""``tikrunner validate``: exit codes and output a CI job or a pre-commit hook can rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runner.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "workflows" / "examples").glob("*.yaml"))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no tikrunner.yaml here unless a test writes one
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["validate", *args])

    return invoke


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


GOOD = "serials: [sim-0001]\nscript_name: follow\nscript_config: {target_users: ['@a', '@b']}\n"


def test_repository_examples_are_valid(run):
    assert len(EXAMPLES) >= 4
    result = run(*map(str, EXAMPLES))
    assert result.exit_code == 0, result.output
    assert "follow.yaml: ok for the spool (Task 'follow', 9 tasks)" in result.output


def test_examples_start_with_the_editor_schema_comment():
    for path in EXAMPLES:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../../schemas/")


def test_follow_example_targets_the_simulated_farm():
    from runner.yamlsafe import load_yaml_text

    doc = load_yaml_text((ROOT / "workflows/examples/follow.yaml").read_text())
    assert doc["metadata"]["name"] == "follow"
    assert doc["spec"]["serials"] == ["sim-0001", "sim-0002", "sim-0003"]
    assert doc["spec"]["script_config"]["access_method"] == "direct"


def test_invalid_file_prints_file_pointer_message_and_exits_1(run, tmp_path):
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(
        tmp_path,
        "bad.yaml",
        GOOD.replace("{target", "{colour: red, target") + "min_interval: '5'\n",
    )
    result = run(good, bad)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{good}: ok for the spool (Task 'good', 2 tasks)" in lines
    assert f"{bad}: /min_interval: must be an integer, got string '5' (40001)" in lines
    assert any(line.startswith(f"{bad}: /script_config/colour: unknown field") for line in lines)


def test_parse_errors_print_line_and_column(run, tmp_path):
    bad = write(tmp_path, "dup.yaml", "a: 1\na: 2\n")
    result = run(bad)
    assert result.exit_code == 1
    assert result.output.strip() == f"{bad}: line 2, column 1: duplicate key 'a' (40001)"


def test_unreadable_file_exits_2(run, tmp_path):
    good = write(tmp_path, "good.yaml", GOOD)
    result = run(good, str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert "missing.yaml: cannot read" in result.output


def test_json_report(run, tmp_path):
    good = write(
        tmp_path,
        "good.json",
        json.dumps({"serials": ["s"], "script_name": "post", "script_config": {}}),
    )
    bad = write(
        tmp_path, "bad.yaml", "serials: [s]\nscript_name: super_marketing\nscript_config: {}\n"
    )
    result = run("--json", good, bad)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    first, second = report["files"]
    assert first == {
        "file": good,
        "valid": True,
        "readable": True,
        "name": "good",
        "kind": "Task",
        "tasks": 1,
        "target": "spool",
        "target_reason": "judged for the spool by default (--for workflows for a workflows folder)",
        "warnings": [],
    }
    assert second["code"] == 40003 and second["errors"][0]["pointer"] == "/script_name"


def test_usernames_pass_without_an_inventory_and_are_checked_with_one(run, tmp_path):
    body = write(
        tmp_path, "acct.yaml", "usernames: ['@alice']\nscript_name: post\nscript_config: {}\n"
    )
    assert run(body).exit_code == 0
    (tmp_path / "tikrunner.yaml").write_text("accounts:\n  - {username: bob, serial: sim-0001}\n")
    result = run(body)
    assert result.exit_code == 1
    assert "/usernames/0: account @alice is bound to no device (40004)" in result.output
    (tmp_path / "tikrunner.yaml").write_text("accounts:\n  - {username: alice, serial: sim-0001}\n")
    assert run(body).exit_code == 0


# ------------------------------------------------------------------ for the spool or a workflows folder

SCHEDULED = """\
apiVersion: tikrunner/v1
kind: Task
metadata: {name: nightly}
spec:
  serials: [sim-0001]
  script_name: follow
  script_config: {target_users: ["@a"]}
  schedule: {at: ["22:00"]}
"""


def test_a_schedule_is_refused_for_the_spool_and_taken_for_a_workflows_folder(run, tmp_path):
    loose = write(tmp_path, "nightly.yaml", SCHEDULED)
    result = run(loose)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{loose}: /spec/schedule: a schedule runs from a workflows folder (tikrunner serve "
        "--workflows DIR), not from the spool or the API; judged for the spool by default "
        "(--for workflows for a workflows folder) (40001)"
    )
    assert run("--for", "spool", loose).exit_code == 1
    result = run("--for", "workflows", loose)
    assert result.exit_code == 0
    assert result.output.strip() == f"{loose}: ok for a workflows folder (Task 'nightly', 1 task)"
    (tmp_path / "incoming").mkdir()
    dropped = write(tmp_path / "incoming", "nightly.yaml", SCHEDULED)
    assert "it lies in a folder named incoming/ (40001)" in run(dropped).output
    (tmp_path / "workflows").mkdir()
    kept = write(tmp_path / "workflows", "nightly.yaml", SCHEDULED)
    assert run(kept).exit_code == 0


def test_the_default_target_follows_the_folder_and_tikrunner_yaml(run, tmp_path):
    (tmp_path / "farm").mkdir()
    (tmp_path / "farm" / "accounts.yaml").write_text("- {username: alice, serial: sim-0001}\n")
    (tmp_path / "git").mkdir()
    (tmp_path / "tikrunner.yaml").write_text(f"workflows: {tmp_path / 'git'}\nspool: box\n")
    (tmp_path / "box" / "incoming").mkdir(parents=True)
    files = {
        "farm": write(tmp_path / "farm", "a.yaml", SCHEDULED),
        "git": write(tmp_path / "git", "a.yaml", SCHEDULED),
        "box": write(tmp_path / "box" / "incoming", "a.yaml", SCHEDULED),
    }
    report = json.loads(run("--json", *files.values()).output)
    targets = {
        Path(e["file"]).parent.name: (e["target"], e["target_reason"]) for e in report["files"]
    }
    assert targets == {
        "farm": ("workflows", "an accounts.yaml lies beside it"),
        "git": ("workflows", "it lies in the workflows folder of tikrunner.yaml"),
        "incoming": ("spool", "it lies in the spool's incoming/ (tikrunner.yaml)"),
    }


@pytest.mark.parametrize(
    ("schedule", "pointer", "message"),
    [
        (
            "{at: ['9:00']}",
            "/spec/schedule/at/0",
            "must be a time \"HH:MM\" from 00:00 to 23:59; got '9:00': two digits for the hour, "
            "a colon, two digits for the minute",
        ),
        (
            "{at: ['24:00']}",
            "/spec/schedule/at/0",
            "must be a time \"HH:MM\" from 00:00 to 23:59; got '24:00': hour 24 is out of "
            "range 00-23",
        ),
        (
            "{at: ['09:61']}",
            "/spec/schedule/at/0",
            "must be a time \"HH:MM\" from 00:00 to 23:59; got '09:61': minute 61 is out of "
            "range 00-59",
        ),
        (
            "{at: ['09:00'], weekdays: [monday]}",
            "/spec/schedule/weekdays/0",
            "must be one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'; got 'monday'",
        ),
        ("{at: ['09:00'], jitter: 721}", "/spec/schedule/jitter", "must be at most 720, got 721"),
        ("{at: []}", "/spec/schedule/at", "must not be empty"),
        ("{}", "/spec/schedule/at", "is required"),
        (
            "{at: ['09:00'], cron: '* * * * *'}",
            "/spec/schedule/cron",
            "unknown field; allowed: at, weekdays, jitter, catch_up",
        ),
        ("daily", "/spec/schedule", "must be a mapping, got string 'daily'"),
    ],
)
def test_a_bad_workflow_schedule_names_the_real_problem(run, tmp_path, schedule, pointer, message):
    (tmp_path / "workflows").mkdir()
    path = write(
        tmp_path / "workflows",
        "w.yaml",
        "apiVersion: tikrunner/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n"
        f"  serials: [sim-0001]\n  schedule: {schedule}\n"
        "  steps: [{script_name: follow, script_config: {target_users: ['@a']}}]\n",
    )
    result = run(path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"{path}: {pointer}: {message} (40001)"]


def test_other_optional_fields_of_a_workflow_name_their_problem_too(run, tmp_path):
    path = write(
        tmp_path,
        "w.yaml",
        "apiVersion: tikrunner/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n"
        "  serials: []\n  accounts: {tags: [x], colour: red}\n"
        "  steps: [{name: '', script_name: follow, script_config: {target_users: ['@a']}}]\n",
    )
    lines = run(path).output.splitlines()
    assert lines == [
        f"{path}: /spec/accounts/colour: unknown field; allowed: tags (40001)",
        f"{path}: /spec/serials: must not be empty (40001)",
        f"{path}: /spec/steps/0/name: must not be empty (40001)",
    ]
    both = write(
        tmp_path,
        "both.yaml",
        "apiVersion: tikrunner/v1\nkind: Workflow\nmetadata: {name: both}\nspec:\n"
        "  serials: [sim-0001]\n  accounts: {tags: [x]}\n"
        "  steps: [{script_name: follow, script_config: {target_users: ['@a']}}]\n",
    )
    assert run(both).output.strip() == (
        f"{both}: /spec: give exactly one of serials, usernames or accounts (40001)"
    )


# ------------------------------------------------------------------ workflows that match no account

TAGGED = """\
apiVersion: tikrunner/v1
kind: Workflow
metadata: {{name: {name}}}
spec:
  accounts: {{tags: [{tag}]}}
  steps: [{{script_name: follow, script_config: {{target_users: ["@a"]}}}}]
"""


def test_a_workflow_matching_no_account_is_a_warning_and_fails_with_strict(run, tmp_path):
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "accounts.yaml").write_text(
        "- {username: alice, serial: sim-0001, tags: [warmup]}\n"
        "- {username: bob, serial: sim-0002, tags: [new], enabled: false}\n"
    )
    good = write(folder, "good.yaml", TAGGED.format(name="good", tag="warmup"))
    lonely = write(folder, "lonely.yaml", TAGGED.format(name="lonely", tag="new"))
    result = run(good, lonely)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{good}: ok for a workflows folder (Workflow 'good', 1 task)",
        f"{lonely}: ok for a workflows folder (Workflow 'lonely', 0 tasks)",
        f"{lonely}: warning: /spec/accounts/tags: no enabled account has the tags ['new'] "
        "(40004): taken, but each firing fails until the inventory has such an account",
    ]
    assert run("--strict", good).exit_code == 0
    strict = run("--strict", "--json", good, lonely)
    assert strict.exit_code == 1
    report = json.loads(strict.output)
    assert report["valid"] is False
    assert report["files"][1]["warnings"] == [
        {
            "pointer": "/spec/accounts/tags",
            "message": "no enabled account has the tags ['new']",
            "code": 40004,
        }
    ]


def test_without_an_inventory_a_selector_is_neither_an_error_nor_a_warning(run, tmp_path):
    (tmp_path / "workflows").mkdir()
    path = write(tmp_path / "workflows", "w.yaml", TAGGED.format(name="w", tag="any"))
    result = run(path)
    assert result.exit_code == 0
    assert result.output.strip() == (
        f"{path}: ok for a workflows folder (Workflow 'w', accounts not resolved)"
    )


# ------------------------------------------------------------------ files that are no manifest


@pytest.mark.parametrize(
    ("name", "text", "keys"),
    [
        ("ci.yml", "on: push\njobs:\n  test: {runs-on: ubuntu-latest}\n", "'on', 'jobs'"),
        ("docker-compose.yml", "services: {db: {image: postgres}}\n", "'services'"),
        ("package.json", '{"name": "x", "version": "1.0.0"}', "'name', 'version'"),
    ],
)
def test_a_yaml_file_that_is_no_manifest_is_named_so(run, tmp_path, name, text, keys):
    path = write(tmp_path, name, text)
    result = run(path)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"{path}: not a tikrunner manifest: expected a create-task body (script_name, "
        "script_config, serials or usernames) or an envelope (apiVersion: tikrunner/v1, kind, "
        f"metadata, spec); its keys: {keys} (40001)"
    )


def test_a_body_missing_only_its_script_name_is_still_40002(run, tmp_path):
    path = write(tmp_path, "b.yaml", "serials: [sim-0001]\nscript_config: {}\n")
    assert run(path).output.strip() == f"{path}: /script_name: script_name is required (40002)"


# ------------------------------------------------------------------ the pre-commit hook


def _hook_takes(path: str) -> bool:
    """Whether pre-commit passes ``path`` to the hook (``re.search`` of files, then exclude)."""
    import re

    from runner.yamlsafe import load_yaml_text

    (hook,) = load_yaml_text((ROOT / ".pre-commit-hooks.yaml").read_text())
    return bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)


@pytest.mark.parametrize(
    "path",
    [
        "workflows/daily.yaml",
        "workflows/accounts.yaml",
        "workflows/nightly.json",
        "workflows/gitops-example/daily-warmup.yaml",
        "deploy/workflows/follow.yml",
    ],
)
def test_the_hook_takes_manifests_of_a_workflows_folder(path):
    assert _hook_takes(path)


@pytest.mark.parametrize(
    "path",
    [
        ".github/workflows/ci.yml",
        ".github/workflows/release.yaml",
        "sub/.github/workflows/ci.yml",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
        "workflows/.draft.yaml",
        "tikrunner.yaml",
        "docker-compose.yml",
        "package.json",
        "schemas/manifest.schema.json",
        "workflows/README.md",
        "workflows/daily.yaml.tmp",
    ],
)
def test_the_hook_leaves_other_files_alone(path):
    assert not _hook_takes(path)
