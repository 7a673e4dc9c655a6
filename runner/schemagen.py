"""JSON Schemas generated from the pydantic models (the single source of truth, style.md).

Gives the schemas as dicts (generated once per process and cached: intake validates against
them) and :func:`write_schemas`, behind ``tikrunner schemas [--check]``, which writes them to
``schemas/``:

- ``create-task.schema.json``: a create-task body (bare manifest, HTTP body), whose
  ``script_config`` is checked against the named script's schema (``if``/``then`` per script);
- ``manifest.schema.json``: the envelope (``apiVersion``/``kind``/``metadata``/``spec``), either
  kind, for editors; ``task-manifest.schema.json`` and ``workflow-manifest.schema.json``: each kind
  alone (intake validates against these, for precise pointers);
- ``script-config.<name>.schema.json``: one per API script.

Every file is JSON Schema Draft 2020-12 with ``$schema`` and ``$id``, two-space indented, keys
in a stable order (``$schema``, ``$id``, then the models' field order), ending in a newline.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from runner.models import SCRIPT_CONFIGS, CreateTaskBody, Schedule, TaskManifest, WorkflowManifest

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:tikrunner:schemas:"

CREATE_TASK = "create-task.schema.json"
MANIFEST = "manifest.schema.json"  # either kind, for editors (the modeline of manifests)
TASK_MANIFEST = "task-manifest.schema.json"
WORKFLOW_MANIFEST = "workflow-manifest.schema.json"

# Pointers of the two schema rules about units, so intake can word their errors plainly.
UNITS_REQUIRED = {"anyOf": [{"required": ["serials"]}, {"required": ["usernames"]}]}
UNITS_EXCLUSIVE = {"not": {"required": ["serials", "usernames"]}}


def config_file(script_name: str) -> str:
    """File name of a script's config schema: ``script-config.<name>.schema.json``."""
    return f"script-config.{script_name}.schema.json"


def _head(file_name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DRAFT, "$id": ID_BASE + file_name, **body}


def _config_defs() -> tuple[dict[str, Any], dict[str, str]]:
    """All script config schemas as ``$defs`` entries, and script name -> def name."""
    defs: dict[str, Any] = {}
    names: dict[str, str] = {}
    for script, model in SCRIPT_CONFIGS.items():
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        names[script] = model.__name__
    return defs, names


def _create_task_body() -> dict[str, Any]:
    """The create-task schema without ``$schema``/``$id`` (embedded as-is in the manifest's)."""
    schema = CreateTaskBody.model_json_schema(ref_template="#/$defs/{model}")
    defs, names = _config_defs()
    rules: list[dict[str, Any]] = [copy.deepcopy(UNITS_REQUIRED), copy.deepcopy(UNITS_EXCLUSIVE)]
    for script, def_name in names.items():
        rules.append(
            {
                "if": {
                    "properties": {"script_name": {"const": script}},
                    "required": ["script_name"],
                },
                "then": {"properties": {"script_config": {"$ref": f"#/$defs/{def_name}"}}},
            }
        )
    schema["allOf"] = rules
    schema["$defs"] = {**schema.get("$defs", {}), **defs}
    return schema


@functools.cache
def _all() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    body = _create_task_body()
    out[CREATE_TASK] = _head(CREATE_TASK, body)

    task = TaskManifest.model_json_schema(ref_template="#/$defs/{model}", by_alias=True)
    defs = task.pop("$defs", {})
    inner = copy.deepcopy(body)
    defs.update(inner.pop("$defs", {}))
    schedule = Schedule.model_json_schema(ref_template="#/$defs/{model}")
    defs["Schedule"] = schedule
    task_spec = copy.deepcopy(inner)
    task_spec["title"] = "Task spec"
    task_spec["properties"]["schedule"] = {
        "$ref": "#/$defs/Schedule",
        "description": "Fire this body daily at these local times (workflows folder only).",
    }
    defs["TaskSpec"] = task_spec
    defs.pop("CreateTaskBody", None)
    task["$defs"] = defs
    out[TASK_MANIFEST] = _head(TASK_MANIFEST, task)

    workflow = _workflow_schema()
    out[WORKFLOW_MANIFEST] = _head(WORKFLOW_MANIFEST, workflow)

    union_defs = {**copy.deepcopy(defs), **copy.deepcopy(workflow["$defs"])}
    task_root = {k: v for k, v in task.items() if k != "$defs"}
    workflow_root = {k: v for k, v in workflow.items() if k != "$defs"}
    union_defs["TaskManifest"] = copy.deepcopy(task_root)
    union_defs["WorkflowManifest"] = copy.deepcopy(workflow_root)
    out[MANIFEST] = _head(
        MANIFEST,
        {
            "title": "tikrunner manifest",
            "description": "A tikrunner manifest: kind Task (spec is a TikMatrix create-task "
            "body) or kind Workflow (ordered steps per phone or account, optionally scheduled).",
            "type": "object",
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "if": {"properties": {"kind": {"const": "Workflow"}}, "required": ["kind"]},
            "then": {"$ref": "#/$defs/WorkflowManifest"},
            "else": {"$ref": "#/$defs/TaskManifest"},
            "$defs": union_defs,
        },
    )

    for script, model in SCRIPT_CONFIGS.items():
        out[config_file(script)] = _head(config_file(script), model.model_json_schema())
    for schema in out.values():
        Draft202012Validator.check_schema(schema)
    return out


def _workflow_schema() -> dict[str, Any]:
    """The Workflow envelope's schema; each step's script_config is checked against the named
    script's schema (``if``/``then`` per script, as in the create-task schema)."""
    schema = WorkflowManifest.model_json_schema(ref_template="#/$defs/{model}", by_alias=True)
    defs = schema.setdefault("$defs", {})
    config_defs, names = _config_defs()
    defs.update(config_defs)
    step = defs["WorkflowStep"]
    step["allOf"] = [
        {
            "if": {"properties": {"script_name": {"const": script}}, "required": ["script_name"]},
            "then": {"properties": {"script_config": {"$ref": f"#/$defs/{def_name}"}}},
        }
        for script, def_name in names.items()
    ]
    return schema


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every generated schema, file name -> schema (a deep copy: callers may modify it)."""
    return copy.deepcopy(_all())


def create_task_schema() -> dict[str, Any]:
    """The create-task body schema (cached; do not modify the returned dict)."""
    return _all()[CREATE_TASK]


def manifest_schema() -> dict[str, Any]:
    """The manifest envelope schema, either kind (cached; do not modify the returned dict)."""
    return _all()[MANIFEST]


def workflow_schema() -> dict[str, Any]:
    """The Workflow envelope schema (cached; do not modify the returned dict)."""
    return _all()[WORKFLOW_MANIFEST]


@functools.cache
def validator(file_name: str) -> Draft202012Validator:
    """A cached Draft 2020-12 validator for one generated schema, by file name."""
    return Draft202012Validator(_all()[file_name])


@functools.cache
def script_validator(file_name: str, script: str) -> Draft202012Validator:
    """:func:`validator` of ``create-task.schema.json`` or ``task-manifest.schema.json`` for a
    document whose body (its ``spec``) names ``script``: the body's per-script rules ``if
    script_name is X then script_config is X's config`` reduced to the one that applies, so that
    a check does not try every other script's ``if``. The same errors for such a document (its
    ``script_name`` checked first: a known script's name, a string)."""
    schema = copy.deepcopy(_all()[file_name])
    body = schema if file_name == CREATE_TASK else schema["$defs"]["TaskSpec"]
    kept = []
    for rule in body["allOf"]:
        named = rule.get("if", {}).get("properties", {}).get("script_name", {})
        if "const" not in named:
            kept.append(rule)
        elif named["const"] == script:
            kept.append(rule["then"])
    body["allOf"] = kept
    return Draft202012Validator(schema)


def render(schema: dict[str, Any]) -> str:
    """A schema as the committed file's text: 2-space JSON, non-ASCII kept, trailing newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path, check: bool) -> int:
    """Write every schema to ``out_dir`` (created if missing), or with ``check`` only compare.

    Returns 0 when everything is (now) up to date; with ``check``, returns 1 and prints the
    stale or missing files (one per line, to stdout) without writing anything. Files in
    ``out_dir`` that are not generated are left alone.
    """
    out_dir = Path(out_dir)
    stale: list[str] = []
    for name, schema in _all().items():
        path = out_dir / name
        text = render(schema)
        try:
            current = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            current = None
        if current == text:
            continue
        stale.append(name)
        if not check:
            out_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
    if check:
        for name in stale:
            print(f"stale: {out_dir / name}", file=sys.stdout)
        if stale:
            print("run `tikrunner schemas` to regenerate", file=sys.stdout)
            return 1
        return 0
    for name in stale:
        print(f"wrote {out_dir / name}")
    return 0
