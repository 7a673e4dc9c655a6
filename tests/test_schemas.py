"""Generated schemas: committed files are current, and the vendor's examples validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from runner.models import API_SCRIPTS
from runner.schemagen import all_schemas, render, write_schemas

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
EXAMPLES = Path(__file__).parent / "examples"


def test_committed_schemas_are_not_stale(capsys):
    assert write_schemas(SCHEMAS, check=True) == 0, capsys.readouterr().out
    for name, schema in all_schemas().items():
        assert (SCHEMAS / name).read_text(encoding="utf-8") == render(schema)


def test_one_file_per_script_plus_body_and_manifest():
    expected = {
        "create-task.schema.json",
        "manifest.schema.json",
        "task-manifest.schema.json",
        "workflow-manifest.schema.json",
    }
    expected |= {f"script-config.{s}.schema.json" for s in API_SCRIPTS}
    assert set(all_schemas()) == expected


def test_check_reports_stale_files_without_writing(tmp_path, capsys):
    assert write_schemas(tmp_path, check=True) == 1
    assert "create-task.schema.json" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    assert write_schemas(tmp_path, check=False) == 0
    (tmp_path / "manifest.schema.json").write_text("{}\n")
    assert write_schemas(tmp_path, check=True) == 1
    assert "manifest.schema.json" in capsys.readouterr().out
    assert write_schemas(tmp_path, check=False) == 0
    assert write_schemas(tmp_path, check=True) == 0


def test_files_have_schema_id_and_a_trailing_newline():
    for path in SCHEMAS.glob("*.schema.json"):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("}\n")
        data = json.loads(text)
        assert list(data)[:2] == ["$schema", "$id"]
        Draft202012Validator.check_schema(data)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_vendor_example_validates_against_create_task_schema(path):
    schema = json.loads((SCHEMAS / "create-task.schema.json").read_text())
    Draft202012Validator(schema).validate(json.loads(path.read_text()))


def test_envelope_schema_checks_the_spec_and_documents_fields():
    schema = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    v = Draft202012Validator(schema)
    spec = {
        "serials": ["sim-0001"],
        "script_name": "follow",
        "script_config": {"target_users": ["x"], "oops": 1},
    }
    doc = {"apiVersion": "tikrunner/v1", "kind": "Task", "metadata": {"name": "a"}, "spec": spec}
    assert [list(e.absolute_path) for e in v.iter_errors(doc)] == [["spec", "script_config"]]
    assert "description" in schema["$defs"]["TaskManifest"]["properties"]["spec"]
    assert schema["$defs"]["FollowConfig"]["properties"]["access_method"]["description"]


def test_secret_fields_are_marked_write_only():
    schema = all_schemas()["script-config.account_warmup.schema.json"]
    key = schema["$defs"]["ChatGPTSettings"]["properties"]["api_key"]
    assert key["writeOnly"] is True and key["format"] == "password"


def test_envelope_schema_checks_each_workflow_step_against_its_script():
    schema = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    v = Draft202012Validator(schema)
    doc = {
        "apiVersion": "tikrunner/v1",
        "kind": "Workflow",
        "metadata": {"name": "wf"},
        "spec": {
            "serials": ["sim-0001"],
            "schedule": {"at": ["09:00"], "weekdays": ["mon"]},
            "steps": [
                {"script_name": "follow", "script_config": {"target_users": ["x"]}},
                {"name": "bad", "script_name": "follow", "script_config": {"target_users": 5}},
            ],
        },
    }
    assert [list(e.absolute_path) for e in v.iter_errors(doc)] == [
        ["spec", "steps", 1, "script_config", "target_users"]
    ]
    doc["spec"]["steps"][1]["script_config"]["target_users"] = ["y"]
    assert list(v.iter_errors(doc)) == []
