"""Intake: bytes (or a parsed HTTP body) in, planned tasks out; one path for spool, HTTP and workflows.

Takes a manifest's bytes (:func:`plan_manifest`) or a create-task body (:func:`plan_body`) and
returns the tasks it would create, or raises :class:`~runner.errors.IntakeError` with the API's
code. Writes nothing: the caller commits the plan in one transaction, so a manifest creates all
of its tasks or none (docs/spec/local-api.md, "Fan-out").

Order of checks (design.md, "Spool directory" and "Manifest forms"; docs/spec/local-api.md codes):

1. parse with :mod:`runner.yamlsafe` (40001 with line/column);
2. the form: an envelope when the document has ``apiVersion`` or ``kind``, else a bare body;
3. ``script_name`` missing or blank: 40002; an unavailable or unknown script: 40003;
4. JSON Schema (Draft 2020-12, generated from the models) *before* pydantic, so lax coercion
   never changes what was meant (``"5"`` for an int is refused): every error with its JSON
   pointer into the document (``/spec/...`` in an envelope), 40001;
5. pydantic models: defaults and cross-field rules (min > max, required-when rules), 40001;
6. fan-out: units x targets, 40004 for an account that cannot be resolved.

A ``kind: Workflow`` envelope is checked by :func:`check_workflow` (every step's config through
the create-task rules) and its firings planned by :func:`plan_firing` (section "workflows" below).

Fan-out order (ours): *target-major*. "3 target users and 2 devices make 6 tasks" is read as
"for each target, for each unit": ``job_count`` 0 and 1 are the first target on units 1 and 2,
and so on. Every unit starts on the first target at once, and with ``comment_order: sequential``
two devices commenting on the same post pick different lines.
"""

from __future__ import annotations

import copy
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path, PurePath
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from pydantic import BaseModel
from pydantic import ValidationError as ModelError

from runner import schemagen
from runner.config import DEFAULT_PACKAGE, Account, RunnerConfig
from runner.errors import (
    INVALID_PARAMETERS,
    MISSING_SCRIPT_NAME,
    NO_ACCOUNT,
    SCRIPT_UNAVAILABLE,
    ErrorDetail,
    IntakeError,
)
from runner.materials import config_problems
from runner.models import (
    API_SCRIPTS,
    FANOUT_SCRIPTS,
    POST_URL_PATTERN,
    SCRIPT_CONFIGS,
    START_TIME_PATTERN,
    TARGET_USER_PATTERN,
    UNAVAILABLE_SCRIPTS,
    CreateTaskBody,
    TaskManifest,
    dump_config,
)
from runner.models.workflow import WorkflowManifest, WorkflowSpec
from runner.yamlsafe import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, load_document

DEFAULT_MAX_TARGETS = 10_000
"""Targets per create-task body or workflow step unless ``max_targets`` says otherwise (ours)."""

__all__ = [
    "SCHEDULE_NOT_HERE",
    "IntakeContext",
    "ManifestPlan",
    "NewTask",
    "WorkflowPlan",
    "WorkflowTask",
    "check_document",
    "check_workflow",
    "next_start",
    "plan_body",
    "plan_firing",
    "plan_manifest",
    "workflow_units",
]


@dataclass
class IntakeContext:
    """What intake needs to know about the runner.

    ``accounts``: the inventory (usernames without ``@``). ``now``: an *aware* datetime in the
    runner's zone (start times are wall times in ``now``'s zone). ``rng``: draws interval gaps.
    ``max_bytes``/``max_depth``: parser caps. ``default_package``: app package of tasks whose
    account names none. ``resolve_accounts``: False when the inventory is unknown (``tikrunner
    validate`` without a config): account-mode units are then not checked against it (no 40004).
    ``material_roots`` and ``upload_folder``: the folders on the runner's machine material paths
    must lie under (neither: no material path is accepted); ``upload_folder`` is also the base of
    relative material paths (docs/spec/scripts.md, post and comment). ``check_materials``: False
    where the runner's machine is not known (``tikrunner validate``): material paths unchecked.
    ``allow_schedule``: a manifest with a ``schedule`` is refused (40001) unless it comes from a
    workflows folder. ``max_targets``: the most targets (users or post URLs) one body or workflow
    step may name (40001 beyond it).
    """

    accounts: list[Account] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())
    rng: random.Random = field(default_factory=random.Random)
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    default_package: str = DEFAULT_PACKAGE
    resolve_accounts: bool = True
    material_roots: tuple[Path, ...] = ()
    upload_folder: Path | None = None
    check_materials: bool = True
    allow_schedule: bool = False  # True only for a workflows folder (runner.gitops)
    max_targets: int = DEFAULT_MAX_TARGETS

    @classmethod
    def from_config(
        cls,
        config: RunnerConfig,
        now: float | None = None,
        rng: random.Random | None = None,
        others: Sequence[Account] = (),
    ) -> IntakeContext:
        """The context of a runner with ``config`` at ``now`` (epoch seconds; default: the current
        time): its live account inventory, time zone, caps, default package and material roots.
        ``others``: the accounts other runners of a shared store published (runner/cluster.py,
        ``Cluster.farm_accounts``), after this runner's own: a username the inventory lacks
        resolves to the phone of the runner that has it (issue 12, "One API")."""
        tz = config.tz()
        accounts = config.accounts
        if others:
            own = {a.username.lower() for a in accounts}
            accounts = [*accounts, *(a for a in others if a.username.lower() not in own)]
        return cls(
            accounts=accounts,
            now=datetime.now(tz) if now is None else datetime.fromtimestamp(now, tz),
            rng=rng or random.Random(),
            max_bytes=config.max_manifest_bytes,
            max_depth=config.max_nesting,
            default_package=config.package,
            material_roots=tuple(config.material_roots),
            upload_folder=config.upload_folder,
            max_targets=config.max_targets,
        )


@dataclass(frozen=True)
class NewTask:
    """One task to create (not yet stored).

    ``script_config``: the script's config with defaults filled in and, for follow/unfollow/
    comment, exactly one target in ``target_users``/``target_post_urls`` (the other spellings
    emptied). It carries secrets (``chatgpt_settings.api_key``) for the script: redact it with
    :func:`runner.models.redact_config` before showing it. ``job_count``: 0-based index in the
    creation batch. ``start_at``: UTC epoch seconds. ``package``: app package to run in (the
    account's, else the context's default).
    """

    serial: str | None
    username: str | None
    script_name: str
    script_config: dict[str, Any]
    job_count: int
    start_at: float
    package: str = DEFAULT_PACKAGE


@dataclass(frozen=True)
class ManifestPlan:
    """A manifest accepted by intake: its name, kind, labels, body (as written) and tasks."""

    name: str
    kind: str
    labels: dict[str, str]
    body: dict[str, Any]
    tasks: list[NewTask]


# ------------------------------------------------------------------------------------ entry points


def plan_manifest(data: bytes, *, filename: str, ctx: IntakeContext) -> ManifestPlan:
    """Plan the tasks of a manifest file (spool drop, workflow file).

    ``data``: the file's bytes; ``filename``: its name (``.json`` selects JSON, the stem names a
    bare body). Returns a :class:`ManifestPlan`; raises :class:`IntakeError` (40001-40004).
    Writes nothing.
    """
    doc = load_document(data, filename=filename, max_bytes=ctx.max_bytes, max_depth=ctx.max_depth)
    return check_document(doc, name=PurePath(filename).stem, ctx=ctx)


def plan_body(body: Any, *, ctx: IntakeContext) -> list[NewTask]:
    """Plan the tasks of a create-task body (``POST /api/v1/task``, already parsed JSON).

    An envelope is not accepted here: the body is always a bare create-task body. Returns the
    tasks in ``job_count`` order; raises :class:`IntakeError` (40001-40004). The input is not
    modified.
    """
    if not isinstance(body, dict):
        raise _invalid("the body must be a JSON object", "")
    return _plan_bare(body, ctx).tasks


def check_document(doc: Any, *, name: str, ctx: IntakeContext) -> ManifestPlan:
    """Plan an already parsed manifest document; ``name`` is used for a bare body.

    Same rules and errors as :func:`plan_manifest` after parsing. The input is not modified.
    A mapping with neither envelope keys nor any create-task field (a CI workflow, a compose
    file) is 40001 "not a tikrunner manifest" (ours), not 40002 for its missing script_name.
    """
    if not isinstance(doc, dict):
        what = "empty" if doc is None else f"a {_json_type(doc)}"
        raise _invalid(
            f"a manifest must be a mapping (an envelope or a create-task body), not {what}", ""
        )
    if "apiVersion" in doc or "kind" in doc:
        return _plan_envelope(doc, ctx)
    if not set(doc) & set(CreateTaskBody.model_fields):
        found = ", ".join(_short(k) for k in list(doc)[:8]) or "none"
        raise _invalid(
            "not a tikrunner manifest: expected a create-task body (script_name, script_config, "
            "serials or usernames) or an envelope (apiVersion: tikrunner/v1, kind, metadata, "
            f"spec); its keys: {found}",
            "",
        )
    plan = _plan_bare(doc, ctx)
    return ManifestPlan(name=name, kind="Task", labels={}, body=plan.body, tasks=plan.tasks)


# ------------------------------------------------------------------------------------ the forms


SCHEDULE_NOT_HERE = (
    "a schedule runs from a workflows folder (tikrunner serve --workflows DIR), "
    "not from the spool or the API"
)
"""The refusal (40001 at ``/spec/schedule``) of a schedule outside a workflows folder."""


def _no_schedule_here(schedule: Any, ctx: IntakeContext) -> None:
    if schedule is not None and not ctx.allow_schedule:
        raise _invalid(SCHEDULE_NOT_HERE, "/spec/schedule")


def _plan_envelope(doc: dict[str, Any], ctx: IntakeContext) -> ManifestPlan:
    if doc.get("kind") == "Workflow":
        workflow = check_workflow(doc, ctx)
        _no_schedule_here(workflow.spec.schedule, ctx)
        start = ctx.now.timestamp()
        firing = f"{workflow.name}@{ctx.now.isoformat(timespec='microseconds')}"
        return ManifestPlan(
            name=workflow.name,
            kind="Workflow",
            labels=workflow.labels,
            body=copy.deepcopy(doc.get("spec") or {}),
            tasks=list(plan_firing(workflow, ctx, start_at=start, firing=firing))
            if ctx.resolve_accounts
            or workflow.spec.serials
            and not workflow.spec.enable_multi_account
            else [],  # units are accounts, and the inventory is unknown (validate without one)
        )
    spec = doc.get("spec")
    if isinstance(spec, dict):
        _check_script_name(spec, "/spec")
    _schema_check(
        doc, schemagen.TASK_MANIFEST, spec["script_name"] if isinstance(spec, dict) else None
    )
    manifest, config = _models(
        (TaskManifest, doc, ""),
        (SCRIPT_CONFIGS[spec["script_name"]], spec["script_config"], "/spec/script_config"),
    )
    assert isinstance(manifest, TaskManifest)
    _check_material_paths(spec["script_name"], config, ctx, "/spec/script_config")
    _no_schedule_here(manifest.spec.schedule, ctx)
    if manifest.spec.schedule is not None and manifest.spec.start_time is not None:
        raise _invalid("give start_time or schedule, not both", "/spec/start_time")
    tasks = _fan_out(manifest.spec, config, ctx, "/spec")
    return ManifestPlan(
        name=manifest.metadata.name,
        kind=manifest.kind,
        labels=dict(manifest.metadata.labels),
        body=copy.deepcopy(spec),
        tasks=tasks,
    )


def _plan_bare(doc: dict[str, Any], ctx: IntakeContext) -> ManifestPlan:
    _check_script_name(doc, "")
    _schema_check(doc, schemagen.CREATE_TASK, doc["script_name"])
    body, config = _models(
        (CreateTaskBody, doc, ""),
        (SCRIPT_CONFIGS[doc["script_name"]], doc["script_config"], "/script_config"),
    )
    assert isinstance(body, CreateTaskBody)
    _check_material_paths(doc["script_name"], config, ctx, "/script_config")
    tasks = _fan_out(body, config, ctx, "")
    return ManifestPlan(name="", kind="Task", labels={}, body=copy.deepcopy(doc), tasks=tasks)


def _check_script_name(body: dict[str, Any], prefix: str) -> None:
    """40002 when script_name is missing/blank, 40003 when unavailable or unknown (local-api.md)."""
    pointer = prefix + "/script_name"
    name = body.get("script_name")
    if name is None or (isinstance(name, str) and not name.strip()):
        raise IntakeError(
            MISSING_SCRIPT_NAME,
            "script_name is required",
            [ErrorDetail(pointer, "script_name is required")],
        )
    if not isinstance(name, str):
        raise _invalid(f"script_name must be a string, got {_json_type(name)}", pointer)
    available = ", ".join(API_SCRIPTS)
    if name in UNAVAILABLE_SCRIPTS:
        msg = f"script {name!r} is not available through the API; available: {available}"
    elif name not in SCRIPT_CONFIGS:
        msg = f"unknown script {name!r}; available: {available}"
    else:
        return
    raise IntakeError(SCRIPT_UNAVAILABLE, msg, [ErrorDetail(pointer, msg)])


# ----------------------------------------------------------------------------------- validation


def _invalid(message: str, pointer: str) -> IntakeError:
    return IntakeError(INVALID_PARAMETERS, message, [ErrorDetail(pointer, message)])


def _pointer(parts: Any) -> str:
    """RFC 6901 JSON pointer of a path (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}

_PATTERN_WORDS = {
    r"\S": "must not be blank",
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$": 'must be a time "HH:MM" from 00:00 to 23:59',
    r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$": "must be 1-63 lowercase letters, digits, '-', "
    "'_' or '.', starting and ending with a letter or digit",
    TARGET_USER_PATTERN: "must be a user name: not blank once a leading @ is dropped, "
    "no control characters",
    POST_URL_PATTERN: "must be an http(s) URL",
}


def _schema_details(err: SchemaError, prefix: str) -> list[ErrorDetail]:
    """One schema error as details with pointers into the document, in plain words."""
    path = list(err.absolute_path)
    v, val, inst = err.validator, err.validator_value, err.instance
    here = prefix + _pointer(path)
    if v == "required":
        missing = [r for r in val if isinstance(inst, dict) and r not in inst]
        return [ErrorDetail(here + _pointer([m]), "is required") for m in missing]
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = list(err.schema.get("properties", {}))
        extra = [k for k in inst if k not in allowed]
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        return [ErrorDetail(here + _pointer([k]), f"unknown field{hint}") for k in extra]
    if v == "type":
        want = " or ".join(_TYPE_WORDS.get(t, t) for t in ([val] if isinstance(val, str) else val))
        return [ErrorDetail(here, f"must be {want}, got {_json_type(inst)} {_short(inst)}")]
    if v == "enum":
        return [
            ErrorDetail(
                here, f"must be one of {', '.join(_short(x) for x in val)}; got {_short(inst)}"
            )
        ]
    if v == "const":
        return [ErrorDetail(here, f"must be {_short(val)}; got {_short(inst)}")]
    if v == "pattern":
        words = _PATTERN_WORDS.get(val, f"must match the pattern {val}")
        return [ErrorDetail(here, words + _time_problem(val, inst))]
    if v == "minimum":
        return [ErrorDetail(here, f"must be at least {val}, got {_short(inst)}")]
    if v == "maximum":
        return [ErrorDetail(here, f"must be at most {val}, got {_short(inst)}")]
    if v == "exclusiveMinimum":
        return [ErrorDetail(here, f"must be more than {val}, got {_short(inst)}")]
    if v == "minItems":
        return [
            ErrorDetail(here, "must not be empty" if val == 1 else f"needs at least {val} items")
        ]
    if v == "uniqueItems":
        return [ErrorDetail(here, "must not contain the same item twice")]
    if v == "maxLength":
        return [ErrorDetail(here, f"must be at most {val} characters long")]
    if v == "minLength":
        return [ErrorDetail(here, "must not be empty")]
    if v == "anyOf" and val == schemagen.UNITS_REQUIRED["anyOf"]:
        return [ErrorDetail(here, "serials or usernames is required")]
    if v == "not" and val == schemagen.UNITS_EXCLUSIVE["not"]:
        return [ErrorDetail(here, "give either serials or usernames, not both")]
    if v in ("anyOf", "oneOf") and err.context:
        return _branch_details(err, prefix)
    return [ErrorDetail(here, err.message)]


def _branch_details(err: SchemaError, prefix: str) -> list[ErrorDetail]:
    """The errors of an ``anyOf``/``oneOf`` none of whose branches matched, in the words of the
    branch that was meant, instead of jsonschema's "is not valid under any of the given schemas".

    The branch meant: the only one left once ``{"type": "null"}`` is set aside for a value that is
    not null (pydantic writes every optional field as ``anyOf: [<the field>, null]``); else the
    branch of jsonschema's :func:`~jsonschema.exceptions.best_match` among the branches' errors.
    """
    branches: dict[int, list[SchemaError]] = {}
    for sub in err.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    options = err.validator_value
    if err.instance is not None:
        for index in [i for i in branches if options[i] == {"type": "null"}]:
            del branches[index]
    if not branches:
        return [ErrorDetail(prefix + _pointer(err.absolute_path), err.message)]
    if len(branches) == 1:
        (chosen,) = branches.values()
    else:
        best = best_match(sub for subs in branches.values() for sub in subs)
        chosen = branches[int(best.relative_schema_path[0])]
    return [d for sub in chosen for d in _schema_details(sub, prefix)]


def _time_problem(pattern: str, value: Any) -> str:
    """What is wrong with a wall time ``"HH:MM"`` (runner.schedule.parse_hhmm's reading), as a
    clause to append to the pattern's words (with the value: a wall time is no secret); empty
    for other patterns and non-strings."""
    if pattern != START_TIME_PATTERN or not isinstance(value, str):
        return ""
    got = f"; got {_short(value)}"
    hours, sep, minutes = value.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        return got + ": two digits for the hour, a colon, two digits for the minute"
    if int(hours) > 23:
        return got + f": hour {int(hours)} is out of range 00-23"
    if int(minutes) > 59:
        return got + f": minute {int(minutes)} is out of range 00-59"
    return got


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _raise_details(details: list[ErrorDetail]) -> None:
    unique = list(dict.fromkeys(details))
    unique.sort(key=lambda d: d.pointer)
    first = unique[0]
    more = f" (and {len(unique) - 1} more)" if len(unique) > 1 else ""
    where = first.pointer or "/"
    raise IntakeError(
        INVALID_PARAMETERS, f"invalid manifest: {where}: {first.message}{more}", unique
    )


def _schema_check(doc: dict[str, Any], schema_file: str, script: str | None = None) -> None:
    """Validate against a generated schema (only the rules of ``script``, the body's
    script_name already checked known, when given); raise 40001 with every error when invalid."""
    details: list[ErrorDetail] = []
    if script is None:
        validator = schemagen.validator(schema_file)
    else:
        validator = schemagen.script_validator(schema_file, script)
    for err in validator.iter_errors(doc):
        details.extend(_schema_details(err, ""))
    if details:
        _raise_details(details)


def _models(*jobs: tuple[type[BaseModel], Any, str]) -> list[BaseModel]:
    """Build each model from (model, data, pointer prefix); collect every pydantic error of all
    of them into one 40001 with JSON pointers, or return the built models in order."""
    built: list[BaseModel] = []
    details: list[ErrorDetail] = []
    for model, data, prefix in jobs:
        try:
            built.append(model.model_validate(data))
        except ModelError as e:
            for err in e.errors(include_url=False):
                msg = str(err["msg"]).removeprefix("Value error, ")
                details.append(ErrorDetail(prefix + _pointer(err["loc"]), msg))
    if details:
        _raise_details(details)
    return built


def _check_material_paths(script: str, config: BaseModel, ctx: IntakeContext, prefix: str) -> None:
    """40001 for material paths that cannot be used, before any file is read: outside the
    material roots and the upload folder (symlinks resolved), or a file or folder that does not
    exist (runner/materials.py, :func:`~runner.materials.config_problems`)."""
    if not ctx.check_materials:
        return
    found = config_problems(config, roots=ctx.material_roots, upload_folder=ctx.upload_folder)
    if found:
        _raise_details([ErrorDetail(prefix + pointer, message) for pointer, message in found])


# -------------------------------------------------------------------------------------- fan-out


def _units(
    body: CreateTaskBody, ctx: IntakeContext, prefix: str
) -> list[tuple[str | None, str | None, str]]:
    """(serial, username, package) per unit, in the body's order (docs/spec/local-api.md, "Fan-out")."""
    default = ctx.default_package
    if body.serials is not None:
        if not body.enable_multi_account:
            return [(s, None, default) for s in body.serials]
        if not ctx.resolve_accounts:
            return [(s, None, default) for s in body.serials]
        units: list[tuple[str | None, str | None, str]] = []
        missing: list[ErrorDetail] = []
        bare: list[str] = []
        for i, serial in enumerate(body.serials):
            bound = [a for a in ctx.accounts if a.serial == serial and a.enabled]
            if not bound:
                bare.append(serial)
                missing.append(
                    ErrorDetail(f"{prefix}/serials/{i}", f"device {serial} has no enabled account")
                )
            units.extend((serial, a.username, a.package or default) for a in bound)
        if missing:
            raise IntakeError(
                NO_ACCOUNT, f"no enabled account on device(s) {', '.join(bare)}", missing
            )
        return units
    assert body.usernames is not None
    if not ctx.resolve_accounts:
        return [(None, u.removeprefix("@"), default) for u in body.usernames]
    by_name: dict[str, Account] = {}
    for account in ctx.accounts:
        by_name.setdefault(account.username.casefold(), account)
    units = []
    missing = []
    for i, name in enumerate(body.usernames):
        account = by_name.get(name.strip().removeprefix("@").casefold())
        if account is None:
            missing.append(
                ErrorDetail(f"{prefix}/usernames/{i}", f"account {name} is bound to no device")
            )
        elif not account.enabled:
            missing.append(ErrorDetail(f"{prefix}/usernames/{i}", f"account {name} is disabled"))
        else:
            units.append((account.serial, account.username, account.package or default))
    if missing:
        raise IntakeError(NO_ACCOUNT, "; ".join(d.message for d in missing), missing)
    return units


def next_start(start_time: str | None, now: datetime) -> float:
    """UTC epoch seconds of the next occurrence of local wall time ``"HH:MM"`` in ``now``'s zone.

    Today if that time is still ahead of (or equal to) ``now``, else tomorrow; None: ``now``.
    DST (zoneinfo, PEP 495 ``fold=0``): a time in a spring-forward gap is shifted forward by the
    gap (02:30 on a 02:00->03:00 day is 03:30); an ambiguous time in the autumn fold is its first
    occurrence. Raises ``ValueError`` when ``now`` is naive. Source: docs/spec/local-api.md, "Create-task
    body" (ours).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if start_time is None:
        return now.timestamp()
    hour, minute = (int(p) for p in start_time.split(":"))
    day = now.date()
    for _ in range(3):
        at = datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo).timestamp()
        if at >= now.timestamp():
            return at
        day += timedelta(days=1)
    raise AssertionError("unreachable: a wall time recurs within two days")


_TARGET_SPELLINGS = ("target_user", "target_username", "target_post_url")


def _fan_out(
    body: CreateTaskBody, config: BaseModel, ctx: IntakeContext, prefix: str
) -> list[NewTask]:
    """Units x targets (target-major), job_count 0..n-1, start times spaced per device.

    Linear in units x targets: the config without its target list is copied once per task.
    More than ``ctx.max_targets`` targets: 40001 at the field that named them."""
    units = _units(body, ctx, prefix)
    base = dump_config(config)
    array_field = FANOUT_SCRIPTS.get(body.script_name)
    if array_field is not None and hasattr(config, "fanout_field"):
        array_field = config.fanout_field()
    if array_field is not None:
        targets: list[str] = config.targets()  # type: ignore[attr-defined]
        if len(targets) > ctx.max_targets:
            named = next(f for f in (array_field, *_TARGET_SPELLINGS) if getattr(config, f, None))
            raise _invalid(
                f"{len(targets)} targets; one manifest or step may name at most "
                f"{ctx.max_targets} (max_targets in tikrunner.yaml): split it into several",
                f"{prefix}/script_config/{named}",
            )
        rest = {k: v for k, v in base.items() if k != array_field}
        for spelling in _TARGET_SPELLINGS:
            if spelling in rest:
                rest[spelling] = ""
        configs = [{**rest, array_field: [target]} for target in targets]
    else:
        configs = [base]

    first = next_start(body.start_time, ctx.now)
    low, high = body.min_interval * 60, body.max_interval * 60
    device_clock: dict[str, float] = {}
    tasks: list[NewTask] = []
    for script_config in configs:
        for serial, username, package in units:
            device = serial if serial is not None else f"@{username}"
            if device in device_clock:
                device_clock[device] += ctx.rng.uniform(low, high) if high > 0 else 0.0
            else:
                device_clock[device] = first
            tasks.append(
                NewTask(
                    serial=serial,
                    username=username,
                    script_name=body.script_name,
                    script_config=copy.deepcopy(script_config),
                    job_count=len(tasks),
                    start_at=device_clock[device],
                    package=package,
                )
            )
    return tasks


# ------------------------------------------------------------------------------------ workflows
# A ``kind: Workflow`` manifest checked, and one firing of it turned into tasks.
#
# ``check_workflow(doc, ctx)`` validates the envelope (JSON Schema from the models first, then
# pydantic) and every step's script config through the same rules as a create-task body, so a
# step's errors carry pointers such as ``/spec/steps/1/script_config/target_users``.
# ``plan_firing(plan, ctx, start_at, firing)`` resolves the units against the account inventory as
# it is at that moment and returns the tasks of one firing: for each unit, each step's tasks (a
# follow step with three targets makes three tasks on that unit), all with the same ``firing``
# key, so the store can hold step n+1 on a unit until step n there has ended.


PLACEHOLDER_SERIAL = "-"  # stands for "any phone" while a step's config is checked on its own


@dataclass(frozen=True)
class WorkflowTask(NewTask):
    """A task of one workflow firing: ``step`` (0-based) and its label, the ``unit`` it runs for
    (``serial`` or ``serial/username``), the ``firing`` key, and the failure policy."""

    step: int = 0
    step_name: str = ""
    unit: str = ""
    firing: str = ""
    on_failure: str = "stop"


@dataclass(frozen=True)
class WorkflowPlan:
    """A checked Workflow manifest: name, labels, the parsed spec, and the document as written."""

    name: str
    labels: dict[str, str]
    spec: WorkflowSpec
    document: dict[str, Any]


@functools.cache
def _workflow_validator() -> Draft202012Validator:
    return Draft202012Validator(schemagen.workflow_schema())


def _step_prefix(details: list[ErrorDetail], step: int | None) -> list[ErrorDetail]:
    out = []
    for d in details:
        if step is not None and (d.pointer.startswith("/script_") or d.pointer == ""):
            out.append(ErrorDetail(f"/spec/steps/{step}{d.pointer}", d.message))
        else:
            out.append(ErrorDetail(f"/spec{d.pointer}", d.message))
    return out


def check_workflow(doc: dict[str, Any], ctx: IntakeContext) -> WorkflowPlan:
    """Validate a ``kind: Workflow`` document; returns its plan or raises ``IntakeError`` (40001,
    40002/40003 for a step's script_name, 40004 for units that name unknown accounts)."""
    errors = sorted(_workflow_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        details = [d for e in errors for d in _schema_details(e, "")]
        raise IntakeError(INVALID_PARAMETERS, _workflow_summary(details), details)
    try:
        manifest = WorkflowManifest.model_validate(doc)
    except ModelError as e:
        details = [
            ErrorDetail(_pointer(err["loc"]), str(err["msg"]).removeprefix("Value error, "))
            for err in e.errors()
        ]
        raise IntakeError(INVALID_PARAMETERS, _workflow_summary(details), details) from None
    spec = manifest.spec
    for index, step in enumerate(spec.steps):
        body = {
            "serials": [PLACEHOLDER_SERIAL],
            "script_name": step.script_name,
            "script_config": step.script_config,
        }
        try:
            plan_body(body, ctx=ctx)
        except IntakeError as e:
            raise IntakeError(
                e.code,
                f"step {index + 1} ({spec.step_name(index)}): {e.message}",
                _step_prefix(e.details, index),
            ) from None
    if spec.usernames is not None and ctx.resolve_accounts:
        workflow_units(spec, ctx)  # unknown usernames are refused now, not at the first firing
    return WorkflowPlan(
        name=manifest.metadata.name,
        labels=dict(manifest.metadata.labels),
        spec=spec,
        document=copy.deepcopy(doc),
    )


def _workflow_summary(details: list[ErrorDetail]) -> str:
    if not details:
        return "invalid workflow"
    first = details[0]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first.pointer or '/'}: {first.message}{more}"


def workflow_units(spec: WorkflowSpec, ctx: IntakeContext) -> list[dict[str, Any]]:
    """The units of a workflow as create-task unit fields (``{"serials": [s]}`` or
    ``{"usernames": [u]}``), resolved against ``ctx.accounts`` now. Raises ``IntakeError`` 40004
    when a selector or a phone (multi-account) has no enabled account, or a username is unknown."""
    enabled = [a for a in ctx.accounts if a.enabled]
    if spec.accounts is not None:
        wanted = set(spec.accounts.tags)
        chosen = [a.username for a in enabled if wanted <= set(a.tags)]
        if not chosen:
            msg = f"no enabled account has the tags {sorted(wanted)}"
            raise IntakeError(NO_ACCOUNT, msg, [ErrorDetail("/spec/accounts/tags", msg)])
        return [{"usernames": [u]} for u in chosen]
    if spec.usernames is not None:
        known = {a.username.lower(): a for a in enabled}
        out = []
        for i, name in enumerate(spec.usernames):
            account = known.get(name.removeprefix("@").lower())
            if account is None:
                msg = f"no enabled account {name!r} in the inventory"
                raise IntakeError(NO_ACCOUNT, msg, [ErrorDetail(f"/spec/usernames/{i}", msg)])
            out.append({"usernames": [account.username]})
        return out
    assert spec.serials is not None
    if not spec.enable_multi_account:
        return [{"serials": [s]} for s in spec.serials]
    out = []
    for i, serial in enumerate(spec.serials):
        on_phone = [a.username for a in enabled if a.serial == serial]
        if not on_phone:
            msg = f"no enabled account on phone {serial}"
            raise IntakeError(NO_ACCOUNT, msg, [ErrorDetail(f"/spec/serials/{i}", msg)])
        out.extend({"usernames": [u]} for u in on_phone)
    return out


def plan_firing(
    plan: WorkflowPlan, ctx: IntakeContext, *, start_at: float, firing: str
) -> list[WorkflowTask]:
    """The tasks of one firing (all scheduled at ``start_at``, UTC epoch seconds), unit-major then
    step order, ``job_count`` 0..n-1. Raises ``IntakeError`` when the units cannot be resolved."""
    spec = plan.spec
    tasks: list[WorkflowTask] = []
    for unit_fields in workflow_units(spec, ctx):
        for index, step in enumerate(spec.steps):
            body = {
                **unit_fields,
                "script_name": step.script_name,
                "script_config": step.script_config,
            }
            for t in plan_body(body, ctx=ctx):
                unit = t.serial if unit_fields.get("serials") else f"{t.serial}/{t.username}"
                tasks.append(
                    WorkflowTask(
                        serial=t.serial,
                        username=t.username,
                        script_name=t.script_name,
                        script_config=t.script_config,
                        job_count=len(tasks),
                        start_at=start_at,
                        package=t.package,
                        step=index,
                        step_name=spec.step_name(index),
                        unit=unit or "",
                        firing=firing,
                        on_failure=spec.on_failure,
                    )
                )
    return tasks
