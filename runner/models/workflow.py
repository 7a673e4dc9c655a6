"""Workflows and schedules (issue 6; design.md, "Manifest forms").

``kind: Workflow`` runs ordered ``steps`` on each unit (a phone, or an account): step n+1 on a unit
waits for step n there; ``on_failure: stop`` (the default) fails the unit's remaining steps with a
remark naming the failed step, ``continue`` goes on. A Workflow (and a Task envelope) may carry a
``schedule``: daily local times in the runner's time zone, optional weekdays and jitter.

Units are given as in a create-task body (``serials``, optionally with ``enable_multi_account``, or
``usernames``), or as an account selector resolved against the inventory (``accounts: {tags:
[...]}``: every enabled account carrying all those tags).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runner.models.manifest import ManifestMetadata
from runner.models.schedule import Schedule
from runner.models.task import NonBlank


class AccountSelector(BaseModel):
    """Select accounts from the inventory: every enabled account that has all ``tags``."""

    model_config = ConfigDict(extra="forbid", title="Account selector")

    tags: list[NonBlank] = Field(min_length=1, description="Tags an account must all carry.")


class WorkflowStep(BaseModel):
    """One step: a script and its config, as in a create-task body; ``name`` labels it."""

    model_config = ConfigDict(extra="forbid", title="Workflow step")

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="The step's label in status files and remarks (default: '<n>-<script_name>').",
    )
    script_name: str = Field(description="post, follow, unfollow, comment or account_warmup.")
    script_config: dict[str, Any] = Field(
        description="The script's parameters (docs/spec/scripts.md)."
    )


class WorkflowSpec(BaseModel):
    """``spec`` of a Workflow: its units, steps, failure policy and optional schedule."""

    model_config = ConfigDict(extra="forbid", title="Workflow spec")

    serials: list[NonBlank] | None = Field(
        default=None, min_length=1, description="Phones: one unit each."
    )
    usernames: list[NonBlank] | None = Field(
        default=None, min_length=1, description="Accounts: one unit each, run on its phone."
    )
    accounts: AccountSelector | None = Field(
        default=None, description="Accounts selected from the inventory by tags: one unit each."
    )
    enable_multi_account: bool = Field(
        default=False,
        description="With serials: one unit per enabled account on each phone.",
    )
    steps: list[WorkflowStep] = Field(min_length=1, description="Run in order on every unit.")
    on_failure: Literal["stop", "continue"] = Field(
        default="stop",
        description="stop: a failed step fails the unit's remaining steps; continue: they run.",
    )
    schedule: Schedule | None = Field(default=None, description="Fire daily at these times.")

    @model_validator(mode="after")
    def _one_kind_of_unit(self) -> WorkflowSpec:
        given = [k for k in ("serials", "usernames", "accounts") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of serials, usernames or accounts")
        if self.enable_multi_account and self.serials is None:
            raise ValueError("enable_multi_account works with serials only")
        return self

    def step_name(self, index: int) -> str:
        """The label of step ``index`` (0-based): its ``name``, else ``"<n>-<script_name>"``."""
        step = self.steps[index]
        return step.name or f"{index + 1}-{step.script_name}"


class WorkflowManifest(BaseModel):
    """An envelope of ``kind: Workflow``."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        title="tikrunner Workflow manifest",
        json_schema_extra={
            "description": "Ordered steps run on each unit (phone or account), optionally on a "
            "daily schedule. Keep it in a workflows/ folder served with --workflows."
        },
    )

    api_version: Literal["tikrunner/v1"] = Field(
        alias="apiVersion", description="Always tikrunner/v1."
    )
    kind: Literal["Workflow"] = Field(description="Workflow: spec.steps run in order on each unit.")
    metadata: ManifestMetadata = Field(description="Name and labels of the manifest.")
    spec: WorkflowSpec = Field(description="Units, steps, on_failure and schedule.")
