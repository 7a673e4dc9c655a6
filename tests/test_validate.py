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
    assert "follow.yaml: ok (Task 'follow', 9 tasks)" in result.output


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
    assert f"{good}: ok (Task 'good', 2 tasks)" in lines
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
    bad = write(tmp_path, "bad.yaml", "serials: [s]\nscript_name: like\nscript_config: {}\n")
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
