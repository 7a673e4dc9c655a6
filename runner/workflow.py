"""Planning workflows: a ``kind: Workflow`` manifest checked, and one firing of it turned into tasks.

``check_workflow(doc, ctx)`` validates the envelope (JSON Schema from the models first, then
pydantic) and every step's script config through the same intake rules as a create-task body, so
a step's errors carry pointers such as ``/spec/steps/1/script_config/target_users``.

``plan_firing(plan, ctx, start_at, firing)`` resolves the units against the account inventory as
it is at that moment and returns the tasks of one firing: for each unit, each step's tasks (a
follow step with three targets makes three tasks on that unit), all with the same ``firing`` key,
so the store can hold step n+1 on a unit until step n there has ended.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import ValidationError

from runner.errors import INVALID_PARAMETERS, NO_ACCOUNT, ErrorDetail, IntakeError
from runner.intake import IntakeContext, NewTask, plan_body
from runner.models.workflow import WorkflowManifest, WorkflowSpec

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
def _validator() -> Draft202012Validator:
    from runner.schemagen import workflow_schema

    return Draft202012Validator(workflow_schema())


def _prefix(details: list[ErrorDetail], step: int | None) -> list[ErrorDetail]:
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
    from runner.intake import _schema_details  # the same plain-words error rendering

    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        details = [d for e in errors for d in _schema_details(e, "")]
        raise IntakeError(INVALID_PARAMETERS, _summary(details), details)
    try:
        manifest = WorkflowManifest.model_validate(doc)
    except ValidationError as e:
        details = [
            ErrorDetail("".join(f"/{p}" for p in err["loc"]), err["msg"]) for err in e.errors()
        ]
        raise IntakeError(INVALID_PARAMETERS, _summary(details), details) from None
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
                _prefix(e.details, index),
            ) from None
    if spec.usernames is not None and ctx.resolve_accounts:
        units(spec, ctx)  # unknown usernames are refused now, not at the first firing
    return WorkflowPlan(
        name=manifest.metadata.name,
        labels=dict(manifest.metadata.labels),
        spec=spec,
        document=copy.deepcopy(doc),
    )


def _summary(details: list[ErrorDetail]) -> str:
    if not details:
        return "invalid workflow"
    first = details[0]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first.pointer or '/'}: {first.message}{more}"


def units(spec: WorkflowSpec, ctx: IntakeContext) -> list[dict[str, Any]]:
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
    for unit_fields in units(spec, ctx):
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
